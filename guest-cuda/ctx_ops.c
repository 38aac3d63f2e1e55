/* ctx_ops.c: what one asks of the current context: synchronize, device, limits, cache config. */
#include "cuda_int.h"

/* Waits for all the context's work; returns its first error (a sticky one latches). */
VCU_API CUresult cuCtxSynchronize(void)
{
    CUcontext c;
    CUresult r = vcu__ctx_enter(&c);

    if (r != CUDA_SUCCESS)
        return r;
    r = vcu__result(c, vgpu_sync(c->ch));
    vcu__ctx_leave(c);
    return r;
}

VCU_API CUresult cuCtxGetDevice(CUdevice *dev)
{
    CUcontext c;
    CUresult r;

    if (!dev)
        return CUDA_ERROR_INVALID_VALUE;
    r = vcu__ctx_enter(&c);
    if (r != CUDA_SUCCESS)
        return r;
    *dev = c->dev;
    vcu__ctx_leave(c);
    return CUDA_SUCCESS;
}

VCU_API CUresult cuCtxGetFlags(unsigned int *flags)
{
    CUcontext c;
    CUresult r;

    if (!flags)
        return CUDA_ERROR_INVALID_VALUE;
    r = vcu__ctx_enter(&c);
    if (r != CUDA_SUCCESS)
        return r;
    *flags = c->flags;
    vcu__ctx_leave(c);
    return CUDA_SUCCESS;
}

VCU_API CUresult cuCtxGetApiVersion(CUcontext ctx, unsigned int *version)
{
    if (!version)
        return CUDA_ERROR_INVALID_VALUE;
    if (ctx && !vcu__obj_ok(ctx, VCU_CTX))
        return CUDA_ERROR_INVALID_CONTEXT;
    *version = 3020; /* what the driver answers for contexts of the _v2 API */
    return CUDA_SUCCESS;
}

/* Limits are recorded and read back; vgpu's executors do not enforce them. */
static bool limit_known(CUlimit limit)
{
    return limit == CU_LIMIT_STACK_SIZE || limit == CU_LIMIT_PRINTF_FIFO_SIZE ||
           limit == CU_LIMIT_MALLOC_HEAP_SIZE;
}

/*
 * Stack, printf FIFO and malloc heap are recorded and read back, not enforced; others:
 * CUDA_ERROR_UNSUPPORTED_LIMIT.
 */
VCU_API CUresult cuCtxSetLimit(CUlimit limit, size_t value)
{
    CUcontext c;
    CUresult r;

    if (!limit_known(limit))
        return CUDA_ERROR_UNSUPPORTED_LIMIT;
    r = vcu__ctx_enter(&c);
    if (r != CUDA_SUCCESS)
        return r;
    c->limits[limit] = value;
    vcu__ctx_leave(c);
    return CUDA_SUCCESS;
}

VCU_API CUresult cuCtxGetLimit(size_t *value, CUlimit limit)
{
    CUcontext c;
    CUresult r;

    if (!value)
        return CUDA_ERROR_INVALID_VALUE;
    if (!limit_known(limit))
        return CUDA_ERROR_UNSUPPORTED_LIMIT;
    r = vcu__ctx_enter(&c);
    if (r != CUDA_SUCCESS)
        return r;
    *value = c->limits[limit];
    vcu__ctx_leave(c);
    return CUDA_SUCCESS;
}

VCU_API CUresult cuCtxSetCacheConfig(CUfunc_cache config)
{
    CUcontext c;
    CUresult r;

    if ((unsigned int)config > CU_FUNC_CACHE_PREFER_EQUAL)
        return CUDA_ERROR_INVALID_VALUE;
    r = vcu__ctx_enter(&c);
    if (r != CUDA_SUCCESS)
        return r;
    c->cache = config;
    vcu__ctx_leave(c);
    return CUDA_SUCCESS;
}

VCU_API CUresult cuCtxGetCacheConfig(CUfunc_cache *config)
{
    CUcontext c;
    CUresult r;

    if (!config)
        return CUDA_ERROR_INVALID_VALUE;
    r = vcu__ctx_enter(&c);
    if (r != CUDA_SUCCESS)
        return r;
    *config = c->cache;
    vcu__ctx_leave(c);
    return CUDA_SUCCESS;
}

VCU_API CUresult cuCtxGetStreamPriorityRange(int *least, int *greatest)
{
    if (least)
        *least = 0;
    if (greatest)
        *greatest = -5; /* as recent NVIDIA GPUs: lower numbers are higher priorities */
    return CUDA_SUCCESS;
}
