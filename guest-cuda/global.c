/* global.c: module variables (__device__, __constant__): where the host says they live. */
#include <stdlib.h>
#include <string.h>
#include "cuda_int.h"

static bool within(const struct vcu_alloc *a, CUdeviceptr p, size_t len)
{
    for (; a; a = a->next)
        if (p >= a->base && p - a->base <= a->size && len <= a->size - (p - a->base))
            return true;
    return false;
}

bool vcu__global_range(CUcontext c, CUdeviceptr p, size_t len)
{
    for (const struct CUmod_st *m = c->mods; m; m = m->next)
        if (within(m->globals, p, len))
            return true;
    return false;
}

/* Remember the variable so that copies to it pass the context's range checks. */
static CUresult note(CUmodule m, uint64_t base, uint64_t size)
{
    struct vcu_alloc *g;

    if (within(m->globals, base, size))
        return CUDA_SUCCESS;
    g = calloc(1, sizeof(*g));
    if (!g)
        return CUDA_ERROR_OUT_OF_MEMORY;
    g->base = base;
    g->size = size;
    g->next = m->globals;
    m->globals = g;
    return CUDA_SUCCESS;
}

/*
 * The host's address and size of the variable (op GLOBAL_GET); copies and memsets may then
 * reach it. CUDA_ERROR_NOT_FOUND for no such variable; CUDA_ERROR_NOT_SUPPORTED on a host
 * without VGPU_FEAT_GLOBALS.
 */
VCU_API CUresult cuModuleGetGlobal_v2(CUdeviceptr *dptr, size_t *bytes, CUmodule m,
                                      const char *name)
{
    uint64_t base = 0, size = 0;
    CUresult r;

    if (!name)
        return CUDA_ERROR_INVALID_VALUE;
    if (!vcu__obj_ok(m, VCU_MOD))
        return CUDA_ERROR_INVALID_HANDLE;
    r = vcu__ctx_enter_this(m->ctx);
    if (r != CUDA_SUCCESS)
        return r;
    r = vcu__result(m->ctx, vgpu_global_get(m->ctx->ch, m->handle, name, &base, &size));
    if (r == CUDA_SUCCESS)
        r = note(m, base, size);
    vcu__ctx_leave(m->ctx);
    if (r == CUDA_SUCCESS && dptr)
        *dptr = base;
    if (r == CUDA_SUCCESS && bytes)
        *bytes = size;
    return r;
}
