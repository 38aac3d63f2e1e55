/* memory.c: device and page-locked host memory, copies and memsets, through libcuda. */
#include <string.h>
#include "cudart_int.h"

VRT_API cudaError_t cudaMalloc(void **devPtr, size_t size)
{
    CUdeviceptr d = 0;
    cudaError_t e;

    if (!devPtr)
        return vrt__ret(cudaErrorInvalidValue);
    e = vrt__ctx(NULL);
    if (e != cudaSuccess)
        return e;
    if (size == 0) { /* the runtime's: success and NULL */
        *devPtr = NULL;
        return cudaSuccess;
    }
    e = vrt__cu(cuMemAlloc(&d, size));
    *devPtr = e == cudaSuccess ? (void *)(uintptr_t)d : NULL;
    return e;
}

/* cudaFree(NULL) does nothing but initialise the runtime, as programs expect. */
VRT_API cudaError_t cudaFree(void *devPtr)
{
    cudaError_t e = vrt__ctx(NULL);

    if (e != cudaSuccess || !devPtr)
        return e;
    return vrt__cu(cuMemFree((CUdeviceptr)(uintptr_t)devPtr));
}

/* Page-locked host memory is libcuda's (cuMemAllocHost): zero copy where it can be. */
VRT_API cudaError_t cudaMallocHost(void **ptr, size_t size)
{
    cudaError_t e = vrt__ctx(NULL);

    return e != cudaSuccess ? e : vrt__cu(cuMemAllocHost(ptr, size));
}

/* The flags are cuMemHostAlloc's (cudaHostAllocMapped = CU_MEMHOSTALLOC_DEVICEMAP, ...). */
VRT_API cudaError_t cudaHostAlloc(void **ptr, size_t size, unsigned int flags)
{
    cudaError_t e = vrt__ctx(NULL);

    return e != cudaSuccess ? e : vrt__cu(cuMemHostAlloc(ptr, size, flags));
}

VRT_API cudaError_t cudaFreeHost(void *ptr)
{
    cudaError_t e = vrt__ctx(NULL);

    return e != cudaSuccess ? e : vrt__cu(cuMemFreeHost(ptr));
}

VRT_API cudaError_t cudaMemGetInfo(size_t *free, size_t *total)
{
    cudaError_t e = vrt__ctx(NULL);

    return e != cudaSuccess ? e : vrt__cu(cuMemGetInfo(free, total));
}

#define DEV(p) ((CUdeviceptr)(uintptr_t)(p))

/* One copy of kind on stream; async says whether the caller may return before it is done. */
static CUresult copy(void *dst, const void *src, size_t n, enum cudaMemcpyKind kind, CUstream s,
                     bool async)
{
    switch (kind) {
    case cudaMemcpyHostToHost:
        if (n)
            memmove(dst, src, n);
        return CUDA_SUCCESS;
    case cudaMemcpyHostToDevice:
        return async ? cuMemcpyHtoDAsync(DEV(dst), src, n, s) : cuMemcpyHtoD(DEV(dst), src, n);
    case cudaMemcpyDeviceToHost:
        return async ? cuMemcpyDtoHAsync(dst, DEV(src), n, s) : cuMemcpyDtoH(dst, DEV(src), n);
    case cudaMemcpyDeviceToDevice:
        return async ? cuMemcpyDtoDAsync(DEV(dst), DEV(src), n, s)
                     : cuMemcpyDtoD(DEV(dst), DEV(src), n);
    case cudaMemcpyDefault: /* unified addressing: libcuda knows its allocations */
        return async ? cuMemcpyAsync(DEV(dst), DEV(src), n, s) : cuMemcpy(DEV(dst), DEV(src), n);
    default:
        return CUDA_ERROR_INVALID_VALUE;
    }
}

static cudaError_t memcpy_kind(void *dst, const void *src, size_t n, enum cudaMemcpyKind kind,
                               cudaStream_t s, bool async)
{
    cudaError_t e = vrt__ctx(NULL);

    if (e != cudaSuccess)
        return e;
    if ((unsigned)kind > cudaMemcpyDefault)
        return vrt__ret(cudaErrorInvalidMemcpyDirection);
    return vrt__cu(copy(dst, src, n, kind, (CUstream)s, async));
}

VRT_API cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind)
{
    return memcpy_kind(dst, src, count, kind, NULL, false);
}
VRT_ALIAS(cudaMemcpy_ptds, cudaMemcpy);

VRT_API cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t count,
                                    enum cudaMemcpyKind kind, cudaStream_t stream)
{
    return memcpy_kind(dst, src, count, kind, stream, true);
}
VRT_ALIAS(cudaMemcpyAsync_ptsz, cudaMemcpyAsync);

VRT_API cudaError_t cudaMemset(void *devPtr, int value, size_t count)
{
    cudaError_t e = vrt__ctx(NULL);

    return e != cudaSuccess ? e : vrt__cu(cuMemsetD8(DEV(devPtr), (unsigned char)value, count));
}
VRT_ALIAS(cudaMemset_ptds, cudaMemset);

VRT_API cudaError_t cudaMemsetAsync(void *devPtr, int value, size_t count, cudaStream_t stream)
{
    cudaError_t e = vrt__ctx(NULL);

    if (e != cudaSuccess)
        return e;
    return vrt__cu(cuMemsetD8Async(DEV(devPtr), (unsigned char)value, count, (CUstream)stream));
}
VRT_ALIAS(cudaMemsetAsync_ptsz, cudaMemsetAsync);
