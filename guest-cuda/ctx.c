/* ctx.c: contexts (created and primary) and each thread's context stack. */
#include <stdlib.h>
#include "cuda_int.h"

#define STACK_MAX 64 /* contexts one thread may have pushed */

static __thread CUcontext stack[STACK_MAX]; /* stack[depth-1] is current */
static __thread unsigned int depth;

static pthread_mutex_t primary_lock = PTHREAD_MUTEX_INITIALIZER;
static CUcontext primary;          /* device 0's, while retained */
static unsigned int primary_flags; /* as set by cuDevicePrimaryCtxSetFlags */

/* Undo ctx_new, whatever it reached. Tolerates NULL. */
static void ctx_free(CUcontext c)
{
    if (!c)
        return;
    vcu__obj_del(&c->obj);
    if (c->ch)
        vgpu_sync(c->ch);   /* every event mark answered before its event is freed */
    vcu__obj_free_owned(c); /* its streams and events, as the driver destroys them */
    while (c->mods) {
        CUmodule m = c->mods;
        c->mods = m->next;
        vcu__module_free(m);
    }
    vcu__mem_release(c);
    vgpu_close(c->ch); /* waits for outstanding work */
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static CUresult ctx_new(CUdevice dev, unsigned int flags, bool is_primary, CUcontext *out)
{
    CUcontext c;

    if (!vcu__initialized())
        return CUDA_ERROR_NOT_INITIALIZED;
    if (dev != 0)
        return CUDA_ERROR_INVALID_DEVICE;
    if (flags & ~(unsigned int)CU_CTX_FLAGS_MASK)
        return CUDA_ERROR_INVALID_VALUE;
    c = calloc(1, sizeof(*c));
    if (!c)
        return CUDA_ERROR_OUT_OF_MEMORY;
    pthread_mutex_init(&c->lock, NULL);
    if (vcu__open_channel(&c->ch) < 0) {
        pthread_mutex_destroy(&c->lock);
        free(c);
        return CUDA_ERROR_DEVICE_UNAVAILABLE;
    }
    c->dev = dev;
    c->flags = flags;
    c->primary = is_primary;
    c->limits[CU_LIMIT_STACK_SIZE] = 1024;
    c->limits[CU_LIMIT_PRINTF_FIFO_SIZE] = 1 << 20;
    c->limits[CU_LIMIT_MALLOC_HEAP_SIZE] = 8 << 20;
    vcu__obj_add(&c->obj, VCU_CTX);
    *out = c;
    return CUDA_SUCCESS;
}

/* Remove every entry of c from this thread's stack (the context is going away). */
static void stack_forget(CUcontext c)
{
    unsigned int i, j = 0;

    for (i = 0; i < depth; i++)
        if (stack[i] != c)
            stack[j++] = stack[i];
    depth = j;
}

CUresult vcu__ctx_enter_this(CUcontext c)
{
    if (!vcu__obj_ok(c, VCU_CTX))
        return CUDA_ERROR_INVALID_CONTEXT;
    pthread_mutex_lock(&c->lock);
    if (c->sticky != CUDA_SUCCESS) {
        CUresult r = c->sticky;
        pthread_mutex_unlock(&c->lock);
        return r;
    }
    vgpu_set_stream(c->ch, 0); /* the default stream unless vcu__stream_enter says otherwise */
    return CUDA_SUCCESS;
}

bool vcu__ctx_lock_any(CUcontext c)
{
    if (!vcu__obj_ok(c, VCU_CTX))
        return false;
    pthread_mutex_lock(&c->lock);
    return true;
}

CUresult vcu__ctx_enter(CUcontext *out)
{
    CUresult r;

    if (!vcu__initialized())
        return CUDA_ERROR_NOT_INITIALIZED;
    if (depth == 0)
        return CUDA_ERROR_INVALID_CONTEXT;
    r = vcu__ctx_enter_this(stack[depth - 1]);
    if (r == CUDA_SUCCESS)
        *out = stack[depth - 1];
    return r;
}

void vcu__ctx_leave(CUcontext c)
{
    pthread_mutex_unlock(&c->lock);
}

static CUresult push(CUcontext c)
{
    if (depth == STACK_MAX)
        return CUDA_ERROR_OUT_OF_MEMORY;
    stack[depth++] = c;
    return CUDA_SUCCESS;
}

/* Each context is a libvgpu channel of its own, pushed on this thread's stack. */
VCU_API CUresult cuCtxCreate_v2(CUcontext *pctx, unsigned int flags, CUdevice dev)
{
    CUresult r;

    if (!pctx)
        return CUDA_ERROR_INVALID_VALUE;
    r = ctx_new(dev, flags, false, pctx);
    if (r == CUDA_SUCCESS && (r = push(*pctx)) != CUDA_SUCCESS)
        ctx_free(*pctx);
    return r;
}

VCU_API CUresult cuCtxCreate(CUcontext *pctx, unsigned int flags, CUdevice dev)
{
    return cuCtxCreate_v2(pctx, flags, dev);
}

/* Execution affinity (SM partitions) is not offered: no parameters only. */
VCU_API CUresult cuCtxCreate_v3(CUcontext *pctx, CUexecAffinityParam *params, int nparams,
                                unsigned int flags, CUdevice dev)
{
    if (nparams != 0 || params)
        return CUDA_ERROR_UNSUPPORTED_EXEC_AFFINITY;
    return cuCtxCreate_v2(pctx, flags, dev);
}

/* Creation parameters (affinity, CIG) are not offered: NULL only. */
VCU_API CUresult cuCtxCreate_v4(CUcontext *pctx, CUctxCreateParams *params, unsigned int flags,
                                CUdevice dev)
{
    if (params)
        return CUDA_ERROR_NOT_SUPPORTED;
    return cuCtxCreate_v2(pctx, flags, dev);
}

/*
 * Waits for the context's work, frees its modules, streams, events and memory (the host frees
 * the VM's side with the channel). Primary contexts: CUDA_ERROR_INVALID_CONTEXT.
 */
VCU_API CUresult cuCtxDestroy_v2(CUcontext ctx)
{
    if (!vcu__obj_ok(ctx, VCU_CTX) || ctx->primary)
        return CUDA_ERROR_INVALID_CONTEXT;
    stack_forget(ctx);
    ctx_free(ctx);
    return CUDA_SUCCESS;
}

VCU_API CUresult cuCtxDestroy(CUcontext ctx)
{
    return cuCtxDestroy_v2(ctx);
}

VCU_API CUresult cuCtxPushCurrent_v2(CUcontext ctx)
{
    if (!vcu__obj_ok(ctx, VCU_CTX))
        return CUDA_ERROR_INVALID_CONTEXT;
    return push(ctx);
}

VCU_API CUresult cuCtxPushCurrent(CUcontext ctx)
{
    return cuCtxPushCurrent_v2(ctx);
}

VCU_API CUresult cuCtxPopCurrent_v2(CUcontext *pctx)
{
    if (depth == 0)
        return CUDA_ERROR_INVALID_CONTEXT;
    depth--;
    if (pctx)
        *pctx = stack[depth];
    return CUDA_SUCCESS;
}

VCU_API CUresult cuCtxPopCurrent(CUcontext *pctx)
{
    return cuCtxPopCurrent_v2(pctx);
}

VCU_API CUresult cuCtxGetCurrent(CUcontext *pctx)
{
    if (!pctx)
        return CUDA_ERROR_INVALID_VALUE;
    if (!vcu__initialized())
        return CUDA_ERROR_NOT_INITIALIZED;
    *pctx = depth ? stack[depth - 1] : NULL;
    return CUDA_SUCCESS;
}

/* Replaces the top of the stack (pushes on an empty one); NULL pops. */
VCU_API CUresult cuCtxSetCurrent(CUcontext ctx)
{
    if (!vcu__initialized())
        return CUDA_ERROR_NOT_INITIALIZED;
    if (!ctx) {
        if (depth)
            depth--;
        return CUDA_SUCCESS;
    }
    if (!vcu__obj_ok(ctx, VCU_CTX))
        return CUDA_ERROR_INVALID_CONTEXT;
    if (depth == 0)
        return push(ctx);
    stack[depth - 1] = ctx;
    return CUDA_SUCCESS;
}

/* The primary context is created by the first retain and destroyed by the last release. */
VCU_API CUresult cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev)
{
    CUresult r = CUDA_SUCCESS;

    if (!pctx)
        return CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&primary_lock);
    if (!primary)
        r = ctx_new(dev, primary_flags, true, &primary);
    else if (dev != 0)
        r = CUDA_ERROR_INVALID_DEVICE;
    if (r == CUDA_SUCCESS) {
        primary->refs++;
        *pctx = primary;
    }
    pthread_mutex_unlock(&primary_lock);
    return r;
}

VCU_API CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev)
{
    CUcontext gone = NULL;

    if (dev != 0)
        return CUDA_ERROR_INVALID_DEVICE;
    pthread_mutex_lock(&primary_lock);
    if (!primary) {
        pthread_mutex_unlock(&primary_lock);
        return CUDA_ERROR_INVALID_CONTEXT;
    }
    if (--primary->refs == 0) {
        gone = primary;
        primary = NULL;
    }
    pthread_mutex_unlock(&primary_lock);
    if (gone) {
        stack_forget(gone);
        ctx_free(gone);
    }
    return CUDA_SUCCESS;
}

VCU_API CUresult cuDevicePrimaryCtxRelease(CUdevice dev)
{
    return cuDevicePrimaryCtxRelease_v2(dev);
}

/* Frees everything the primary context holds; it stays retained, now empty. */
VCU_API CUresult cuDevicePrimaryCtxReset_v2(CUdevice dev)
{
    CUcontext old, fresh = NULL;
    CUresult r = CUDA_SUCCESS;

    if (dev != 0)
        return CUDA_ERROR_INVALID_DEVICE;
    pthread_mutex_lock(&primary_lock);
    old = primary;
    if (old && (r = ctx_new(dev, primary_flags, true, &fresh)) == CUDA_SUCCESS) {
        fresh->refs = old->refs;
        primary = fresh;
    }
    pthread_mutex_unlock(&primary_lock);
    if (old && fresh) {
        stack_forget(old);
        ctx_free(old);
    }
    return r;
}

VCU_API CUresult cuDevicePrimaryCtxReset(CUdevice dev)
{
    return cuDevicePrimaryCtxReset_v2(dev);
}

VCU_API CUresult cuDevicePrimaryCtxSetFlags_v2(CUdevice dev, unsigned int flags)
{
    if (dev != 0)
        return CUDA_ERROR_INVALID_DEVICE;
    if (flags & ~(unsigned int)CU_CTX_FLAGS_MASK)
        return CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&primary_lock);
    primary_flags = flags;
    if (primary)
        primary->flags = flags;
    pthread_mutex_unlock(&primary_lock);
    return CUDA_SUCCESS;
}

VCU_API CUresult cuDevicePrimaryCtxSetFlags(CUdevice dev, unsigned int flags)
{
    return cuDevicePrimaryCtxSetFlags_v2(dev, flags);
}

VCU_API CUresult cuDevicePrimaryCtxGetState(CUdevice dev, unsigned int *flags, int *active)
{
    if (dev != 0)
        return CUDA_ERROR_INVALID_DEVICE;
    if (!flags || !active)
        return CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&primary_lock);
    *flags = primary_flags;
    *active = primary != NULL;
    pthread_mutex_unlock(&primary_lock);
    return CUDA_SUCCESS;
}
