/* launch.c: kernel launches: kernelParams packed by the function's layout, or extra's buffer. */
#include <string.h>
#include "cuda_int.h"

struct shape {
    uint32_t grid[3], block[3], shmem;
};

/* The parameter buffer of extra (BUFFER_POINTER and BUFFER_SIZE, END-terminated). */
static CUresult from_extra(void **extra, const void **buf, size_t *len)
{
    size_t i, *size = NULL;

    *buf = NULL;
    for (i = 0; extra[i] != CU_LAUNCH_PARAM_END; i += 2) {
        if (extra[i] == CU_LAUNCH_PARAM_BUFFER_POINTER)
            *buf = extra[i + 1];
        else if (extra[i] == CU_LAUNCH_PARAM_BUFFER_SIZE)
            size = extra[i + 1];
        else
            return CUDA_ERROR_INVALID_VALUE;
    }
    if (!*buf || !size)
        return CUDA_ERROR_INVALID_VALUE;
    *len = *size;
    return CUDA_SUCCESS;
}

/* kernelParams[i] points at parameter i: copy each to its offset of the packed buffer. */
static CUresult pack(CUfunction f, void **kp, uint8_t *buf, size_t *len)
{
    uint32_t i;

    if (!f->params_known)
        return CUDA_ERROR_NOT_SUPPORTED; /* no layout: see docs/cuda.md, use extra */
    if (f->params.count && !kp)
        return CUDA_ERROR_INVALID_VALUE;
    memset(buf, 0, f->params.total);
    for (i = 0; i < f->params.count; i++)
        memcpy(buf + f->params.off[i], kp[i], f->params.size[i]);
    *len = f->params.total;
    return CUDA_SUCCESS;
}

static CUresult launch(CUfunction f, const struct shape *sh, CUstream s, void **kp, void **extra)
{
    uint8_t packed[VGPU_PARAMS_MAX];
    const void *buf = packed;
    size_t len = 0;
    CUcontext c;
    CUresult r;

    if (!f)
        return CUDA_ERROR_INVALID_HANDLE;
    if ((kp && extra) || sh->shmem > (uint32_t)f->max_dyn_shmem)
        return CUDA_ERROR_INVALID_VALUE;
    r = extra ? from_extra(extra, &buf, &len) : pack(f, kp, packed, &len);
    if (r != CUDA_SUCCESS)
        return r;
    r = vcu__stream_enter(s, &c);
    if (r != CUDA_SUCCESS)
        return r;
    if (c != f->mod->ctx)
        r = CUDA_ERROR_INVALID_HANDLE; /* a function of another context */
    else
        r = vcu__result(c, vgpu_launch(c->ch, f->handle, sh->grid, sh->block, sh->shmem, buf, len));
    if (r == CUDA_SUCCESS)
        r = vcu__result(c, vgpu_flush(c->ch)); /* launches start now, as on a GPU */
    vcu__ctx_leave(c);
    return r;
}

/*
 * kernelParams packed by the function's layout (CUDA_ERROR_NOT_SUPPORTED without one), or
 * extra's buffer as is. The launch is submitted at once; its errors come with the next
 * synchronizing call. A CUkernel is accepted as a CUfunction.
 */
VCU_API CUresult cuLaunchKernel(CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz,
                                unsigned int bx, unsigned int by, unsigned int bz,
                                unsigned int shmem, CUstream s, void **kp, void **extra)
{
    struct shape sh = {{gx, gy, gz}, {bx, by, bz}, shmem};

    return launch(vcu__func_of(f), &sh, s, kp, extra);
}

/* Launch attributes (clusters, priorities, ...) are not offered: none only. */
VCU_API CUresult cuLaunchKernelEx(const CUlaunchConfig *cfg, CUfunction f, void **kp, void **extra)
{
    struct shape sh;

    if (!cfg)
        return CUDA_ERROR_INVALID_VALUE;
    if (cfg->numAttrs)
        return CUDA_ERROR_NOT_SUPPORTED;
    sh = (struct shape){{cfg->gridDimX, cfg->gridDimY, cfg->gridDimZ},
                        {cfg->blockDimX, cfg->blockDimY, cfg->blockDimZ},
                        cfg->sharedMemBytes};
    return launch(vcu__func_of(f), &sh, cfg->hStream, kp, extra);
}

/* From the function's layout (host or PTX); none: CUDA_ERROR_NOT_SUPPORTED. */
VCU_API CUresult cuFuncGetParamInfo(CUfunction h, size_t index, size_t *offset, size_t *size)
{
    CUfunction f = vcu__func_of(h);

    if (!f)
        return CUDA_ERROR_INVALID_HANDLE;
    if (!f->params_known)
        return CUDA_ERROR_NOT_SUPPORTED;
    if (index >= f->params.count)
        return CUDA_ERROR_INVALID_VALUE;
    if (offset)
        *offset = f->params.off[index];
    if (size)
        *size = f->params.size[index];
    return CUDA_SUCCESS;
}

/*
 * Thread and dynamic shared memory limits, PTX and binary version (the compute capability);
 * sizes and registers the host does not report read 0.
 */
VCU_API CUresult cuFuncGetAttribute(int *v, CUfunction_attribute a, CUfunction h)
{
    CUfunction f = vcu__func_of(h);

    if (!v || (unsigned int)a >= CU_FUNC_ATTRIBUTE_MAX)
        return CUDA_ERROR_INVALID_VALUE;
    if (!f)
        return CUDA_ERROR_INVALID_HANDLE;
    switch (a) {
    case CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK:
        *v = VGPU_BLOCK_THREADS_MAX;
        break;
    case CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES:
        *v = f->max_dyn_shmem;
        break;
    case CU_FUNC_ATTRIBUTE_PTX_VERSION:
    case CU_FUNC_ATTRIBUTE_BINARY_VERSION:
        vcu__func_cc(v);
        break;
    case CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT:
        *v = -1;
        break;
    default:
        *v = 0; /* sizes and registers the host does not report yet */
    }
    return CUDA_SUCCESS;
}

VCU_API CUresult cuFuncSetAttribute(CUfunction h, CUfunction_attribute a, int v)
{
    CUfunction f = vcu__func_of(h);

    if (!f)
        return CUDA_ERROR_INVALID_HANDLE;
    if (a == CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES) {
        if (v < 0 || (unsigned int)v > VGPU_SHMEM_MAX)
            return CUDA_ERROR_INVALID_VALUE;
        f->max_dyn_shmem = v;
        return CUDA_SUCCESS;
    }
    if (a == CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT)
        return v >= -1 && v <= 100 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
    return CUDA_ERROR_INVALID_VALUE;
}

VCU_API CUresult cuFuncSetCacheConfig(CUfunction h, CUfunc_cache config)
{
    CUfunction f = vcu__func_of(h);

    if (!f)
        return CUDA_ERROR_INVALID_HANDLE;
    if ((unsigned int)config > CU_FUNC_CACHE_PREFER_EQUAL)
        return CUDA_ERROR_INVALID_VALUE;
    f->cache = config;
    return CUDA_SUCCESS;
}

VCU_API CUresult cuKernelGetAttribute(int *v, CUfunction_attribute a, CUkernel k, CUdevice dev)
{
    if (dev != 0)
        return CUDA_ERROR_INVALID_DEVICE;
    return cuFuncGetAttribute(v, a, (CUfunction)k);
}

VCU_API CUresult cuKernelSetAttribute(CUfunction_attribute a, int v, CUkernel k, CUdevice dev)
{
    if (dev != 0)
        return CUDA_ERROR_INVALID_DEVICE;
    return cuFuncSetAttribute((CUfunction)k, a, v);
}

/* Per-thread default stream variants (VCU_ALIAS). */
VCU_ALIAS(cuLaunchKernel_ptsz, cuLaunchKernel);
VCU_ALIAS(cuLaunchKernelEx_ptsz, cuLaunchKernelEx);
