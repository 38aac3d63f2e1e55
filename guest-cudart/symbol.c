/* symbol.c: __device__ and __constant__ variables by their host shadow: address, size, copies. */
#include "cudart_int.h"

/* dptr of [offset, offset+count) in the variable, or cudaErrorInvalidValue past its end. */
static cudaError_t span(const void *symbol, size_t count, size_t offset, CUdeviceptr *dptr)
{
    size_t size = 0;
    cudaError_t e = vrt__symbol(symbol, dptr, &size);

    if (e != cudaSuccess)
        return e;
    if (offset > size || count > size - offset)
        return vrt__ret(cudaErrorInvalidValue);
    *dptr += offset;
    return cudaSuccess;
}

static cudaError_t to_symbol(const void *symbol, const void *src, size_t count, size_t offset,
                             enum cudaMemcpyKind kind, cudaStream_t s, bool async)
{
    CUdeviceptr d;
    cudaError_t e = span(symbol, count, offset, &d);

    if (e != cudaSuccess)
        return e;
    if (kind == cudaMemcpyDeviceToDevice)
        return async ? cudaMemcpyAsync((void *)(uintptr_t)d, src, count, kind, s)
                     : cudaMemcpy((void *)(uintptr_t)d, src, count, kind);
    if (kind != cudaMemcpyHostToDevice && kind != cudaMemcpyDefault)
        return vrt__ret(cudaErrorInvalidMemcpyDirection);
    return async ? cudaMemcpyAsync((void *)(uintptr_t)d, src, count, cudaMemcpyHostToDevice, s)
                 : cudaMemcpy((void *)(uintptr_t)d, src, count, cudaMemcpyHostToDevice);
}

static cudaError_t from_symbol(void *dst, const void *symbol, size_t count, size_t offset,
                               enum cudaMemcpyKind kind, cudaStream_t s, bool async)
{
    CUdeviceptr d;
    cudaError_t e = span(symbol, count, offset, &d);

    if (e != cudaSuccess)
        return e;
    if (kind == cudaMemcpyDeviceToDevice)
        return async ? cudaMemcpyAsync(dst, (void *)(uintptr_t)d, count, kind, s)
                     : cudaMemcpy(dst, (void *)(uintptr_t)d, count, kind);
    if (kind != cudaMemcpyDeviceToHost && kind != cudaMemcpyDefault)
        return vrt__ret(cudaErrorInvalidMemcpyDirection);
    return async ? cudaMemcpyAsync(dst, (void *)(uintptr_t)d, count, cudaMemcpyDeviceToHost, s)
                 : cudaMemcpy(dst, (void *)(uintptr_t)d, count, cudaMemcpyDeviceToHost);
}

/* The variable's address comes from the host (op GLOBAL_GET) in the current context. */
VRT_API cudaError_t cudaMemcpyToSymbol(const void *symbol, const void *src, size_t count,
                                       size_t offset, enum cudaMemcpyKind kind)
{
    return to_symbol(symbol, src, count, offset, kind, NULL, false);
}
VRT_ALIAS(cudaMemcpyToSymbol_ptds, cudaMemcpyToSymbol);

VRT_API cudaError_t cudaMemcpyFromSymbol(void *dst, const void *symbol, size_t count, size_t offset,
                                         enum cudaMemcpyKind kind)
{
    return from_symbol(dst, symbol, count, offset, kind, NULL, false);
}
VRT_ALIAS(cudaMemcpyFromSymbol_ptds, cudaMemcpyFromSymbol);

VRT_API cudaError_t cudaMemcpyToSymbolAsync(const void *symbol, const void *src, size_t count,
                                            size_t offset, enum cudaMemcpyKind kind,
                                            cudaStream_t stream)
{
    return to_symbol(symbol, src, count, offset, kind, stream, true);
}
VRT_ALIAS(cudaMemcpyToSymbolAsync_ptsz, cudaMemcpyToSymbolAsync);

VRT_API cudaError_t cudaMemcpyFromSymbolAsync(void *dst, const void *symbol, size_t count,
                                              size_t offset, enum cudaMemcpyKind kind,
                                              cudaStream_t stream)
{
    return from_symbol(dst, symbol, count, offset, kind, stream, true);
}
VRT_ALIAS(cudaMemcpyFromSymbolAsync_ptsz, cudaMemcpyFromSymbolAsync);

VRT_API cudaError_t cudaGetSymbolAddress(void **devPtr, const void *symbol)
{
    CUdeviceptr d = 0;
    size_t size;
    cudaError_t e;

    if (!devPtr)
        return vrt__ret(cudaErrorInvalidValue);
    e = vrt__symbol(symbol, &d, &size);
    *devPtr = (void *)(uintptr_t)d;
    return e;
}

VRT_API cudaError_t cudaGetSymbolSize(size_t *size, const void *symbol)
{
    CUdeviceptr d;

    if (!size)
        return vrt__ret(cudaErrorInvalidValue);
    return vrt__symbol(symbol, &d, size);
}
