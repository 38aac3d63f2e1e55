/* copy.c: cuMemcpy* and cuMemset*: synchronous and stream-ordered, over libvgpu's copies. */
#include <stdlib.h>
#include <string.h>
#include "cuda_int.h"

#define PATTERN_MAX (1u << 20) /* memsets of 16/32-bit values are sent as copies of this much */

/*
 * Copies are checked against the context's allocations first, so a copy
 * out of range fails at once with CUDA_ERROR_INVALID_VALUE, as the
 * driver's does, instead of as a later asynchronous error.
 */
static CUresult htod(CUcontext c, CUdeviceptr dst, const void *src, size_t n, bool async)
{
    if (!src || !vcu__dev_range(c, dst, n))
        return CUDA_ERROR_INVALID_VALUE;
    if (n == 0)
        return CUDA_SUCCESS;
    if (async && vcu__host_find(c, src, n) && vcu__host_find(c, src, n)->shared)
        return vcu__result(c, vgpu_copy_htod_async(c->ch, dst, src, n));
    /* Pageable: libvgpu copies src out before it returns, so src may be reused at once. */
    return vcu__result(c, vgpu_copy_htod(c->ch, dst, src, n));
}

static CUresult dtoh(CUcontext c, void *dst, CUdeviceptr src, size_t n, bool async)
{
    const struct vcu_hostmem *h = vcu__host_find(c, dst, n);

    if (!dst || !vcu__dev_range(c, src, n))
        return CUDA_ERROR_INVALID_VALUE;
    if (n == 0)
        return CUDA_SUCCESS;
    if (async && h && h->shared)
        return vcu__result(c, vgpu_copy_dtoh_async(c->ch, dst, src, n));
    return vcu__result(c, vgpu_copy_dtoh(c->ch, dst, src, n)); /* waits: dst is filled */
}

static CUresult dtod(CUcontext c, CUdeviceptr dst, CUdeviceptr src, size_t n)
{
    if (!vcu__dev_range(c, dst, n) || !vcu__dev_range(c, src, n))
        return CUDA_ERROR_INVALID_VALUE;
    return n ? vcu__result(c, vgpu_copy_dtod(c->ch, dst, src, n)) : CUDA_SUCCESS;
}

/* A synchronous call returns once the work is done and reports its errors. */
static CUresult finish(CUcontext c, CUresult r)
{
    if (r == CUDA_SUCCESS)
        r = vcu__result(c, vgpu_sync(c->ch));
    vcu__ctx_leave(c);
    return r;
}

/*
 * Returns once the data is on the device, with the copy's error; src may be reused at once. Out
 * of an allocation: CUDA_ERROR_INVALID_VALUE before anything is sent.
 */
VCU_API CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t n)
{
    CUcontext c;
    CUresult r = vcu__ctx_enter(&c);

    return r != CUDA_SUCCESS ? r : finish(c, htod(c, dst, src, n, false));
}

/* Waits for earlier work and the copy. */
VCU_API CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t n)
{
    CUcontext c;
    CUresult r = vcu__ctx_enter(&c);

    return r != CUDA_SUCCESS ? r : finish(c, dtoh(c, dst, src, n, false));
}

VCU_API CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, size_t n)
{
    CUcontext c;
    CUresult r = vcu__ctx_enter(&c);

    return r != CUDA_SUCCESS ? r : finish(c, dtod(c, dst, src, n));
}

/* Queued in order on the stream's context; an error of the queued work comes with a later sync. */
static CUresult queued(CUcontext c, CUresult r)
{
    vcu__ctx_leave(c);
    return r;
}

/*
 * Zero copy from page-locked memory (a host buffer: cuMemAllocHost, cuMemHostAlloc); pageable
 * memory is copied out before the call returns.
 */
VCU_API CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t n, CUstream s)
{
    CUcontext c;
    CUresult r = vcu__stream_enter(s, &c);

    return r != CUDA_SUCCESS ? r : queued(c, htod(c, dst, src, n, true));
}

/*
 * Zero copy into page-locked memory (a host buffer; read it after synchronizing); to pageable
 * memory the copy is synchronous.
 */
VCU_API CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t n, CUstream s)
{
    CUcontext c;
    CUresult r = vcu__stream_enter(s, &c);

    return r != CUDA_SUCCESS ? r : queued(c, dtoh(c, dst, src, n, true));
}

VCU_API CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n, CUstream s)
{
    CUcontext c;
    CUresult r = vcu__stream_enter(s, &c);

    return r != CUDA_SUCCESS ? r : queued(c, dtod(c, dst, src, n));
}

/* Unified addressing: the direction follows from which pointers are the context's allocations. */
static CUresult any(CUcontext c, CUdeviceptr dst, CUdeviceptr src, size_t n, bool async)
{
    bool ddev = vcu__dev_range(c, dst, n), sdev = vcu__dev_range(c, src, n);

    if (ddev && sdev)
        return dtod(c, dst, src, n);
    if (ddev)
        return htod(c, dst, (const void *)(uintptr_t)src, n, async);
    if (sdev)
        return dtoh(c, (void *)(uintptr_t)dst, src, n, async);
    memmove((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, n);
    return CUDA_SUCCESS;
}

/* Unified addressing: the direction follows from which pointers are the context's allocations. */
VCU_API CUresult cuMemcpy(CUdeviceptr dst, CUdeviceptr src, size_t n)
{
    CUcontext c;
    CUresult r = vcu__ctx_enter(&c);

    return r != CUDA_SUCCESS ? r : finish(c, any(c, dst, src, n, false));
}

VCU_API CUresult cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t n, CUstream s)
{
    CUcontext c;
    CUresult r = vcu__stream_enter(s, &c);

    return r != CUDA_SUCCESS ? r : queued(c, any(c, dst, src, n, true));
}

/* n elements of size esize set to value: bytes by MEMSET, wider patterns by copies. */
static CUresult fill(CUcontext c, CUdeviceptr d, uint32_t value, size_t esize, size_t n)
{
    size_t bytes = n * esize, chunk, done, i;
    uint8_t *pat;
    CUresult r = CUDA_SUCCESS;

    if (n && bytes / n != esize)
        return CUDA_ERROR_INVALID_VALUE;
    if (!vcu__dev_range(c, d, bytes) || d % esize)
        return CUDA_ERROR_INVALID_VALUE;
    if (esize == 1 || (value & 0xff) * 0x01010101u == (esize == 2 ? value * 0x10001u : value))
        return bytes ? vcu__result(c, vgpu_memset(c->ch, d, (uint8_t)value, bytes)) : r;
    chunk = bytes < PATTERN_MAX ? bytes : PATTERN_MAX;
    pat = malloc(chunk);
    if (!pat)
        return CUDA_ERROR_OUT_OF_MEMORY;
    for (i = 0; i < chunk; i += esize)
        memcpy(pat + i, &value, esize); /* little-endian: the low esize bytes */
    for (done = 0; done < bytes && r == CUDA_SUCCESS; done += chunk) {
        size_t len = bytes - done < chunk ? bytes - done : chunk;
        r = vcu__result(c, vgpu_copy_htod(c->ch, d + done, pat, len));
    }
    free(pat);
    return r;
}

#define MEMSET_FNS(bits, type)                                                                     \
    VCU_API CUresult cuMemsetD##bits##_v2(CUdeviceptr d, type v, size_t n)                         \
    {                                                                                              \
        CUcontext c;                                                                               \
        CUresult r = vcu__ctx_enter(&c);                                                           \
        return r != CUDA_SUCCESS ? r : finish(c, fill(c, d, v, sizeof(type), n));                  \
    }                                                                                              \
    VCU_API CUresult cuMemsetD##bits##Async(CUdeviceptr d, type v, size_t n, CUstream s)           \
    {                                                                                              \
        CUcontext c;                                                                               \
        CUresult r = vcu__stream_enter(s, &c);                                                     \
        return r != CUDA_SUCCESS ? r : queued(c, fill(c, d, v, sizeof(type), n));                  \
    }

MEMSET_FNS(8, unsigned char)
MEMSET_FNS(16, unsigned short)
MEMSET_FNS(32, unsigned int)

/* Per-thread default stream variants (VCU_ALIAS). */
VCU_ALIAS(cuMemcpyHtoD_v2_ptds, cuMemcpyHtoD_v2);
VCU_ALIAS(cuMemcpyDtoH_v2_ptds, cuMemcpyDtoH_v2);
VCU_ALIAS(cuMemcpyDtoD_v2_ptds, cuMemcpyDtoD_v2);
VCU_ALIAS(cuMemcpyHtoDAsync_v2_ptsz, cuMemcpyHtoDAsync_v2);
VCU_ALIAS(cuMemcpyDtoHAsync_v2_ptsz, cuMemcpyDtoHAsync_v2);
VCU_ALIAS(cuMemcpyDtoDAsync_v2_ptsz, cuMemcpyDtoDAsync_v2);
VCU_ALIAS(cuMemcpy_ptds, cuMemcpy);
VCU_ALIAS(cuMemcpyAsync_ptsz, cuMemcpyAsync);
VCU_ALIAS(cuMemsetD8_v2_ptds, cuMemsetD8_v2);
VCU_ALIAS(cuMemsetD16_v2_ptds, cuMemsetD16_v2);
VCU_ALIAS(cuMemsetD32_v2_ptds, cuMemsetD32_v2);
VCU_ALIAS(cuMemsetD8Async_ptsz, cuMemsetD8Async);
VCU_ALIAS(cuMemsetD16Async_ptsz, cuMemsetD16Async);
VCU_ALIAS(cuMemsetD32Async_ptsz, cuMemsetD32Async);
