/* stream.c: streams: ordered queues on the context's channel, each with an id on the wire. */
#include <stdlib.h>
#include "cuda_int.h"

#define STREAM_LEGACY     ((CUstream)0x1)
#define STREAM_PER_THREAD ((CUstream)0x2)
#define PRIORITY_GREATEST (-5)

CUresult vcu__stream_enter(CUstream s, CUcontext *out)
{
    CUresult r;

    if (!s || s == STREAM_LEGACY || s == STREAM_PER_THREAD)
        return vcu__ctx_enter(out);
    if (!vcu__obj_ok(s, VCU_STREAM))
        return CUDA_ERROR_INVALID_HANDLE;
    r = vcu__ctx_enter_this(s->ctx);
    if (r != CUDA_SUCCESS)
        return r;
    vgpu_set_stream(s->ctx->ch, s->id); /* without VGPU_FEAT_STREAMS: one order, also right */
    *out = s->ctx;
    return CUDA_SUCCESS;
}

/*
 * Priorities are clamped to the range and kept. Each stream's work carries its id to the host,
 * which keeps each stream's order; the host runs a context's streams in submission order (no
 * overlap).
 */
VCU_API CUresult cuStreamCreateWithPriority(CUstream *ps, unsigned int flags, int priority)
{
    CUstream s;
    CUcontext c;
    CUresult r;

    if (!ps || flags & ~(unsigned int)CU_STREAM_NON_BLOCKING)
        return CUDA_ERROR_INVALID_VALUE;
    r = vcu__ctx_enter(&c);
    if (r != CUDA_SUCCESS)
        return r;
    s = calloc(1, sizeof(*s));
    if (s) {
        s->ctx = c;
        s->flags = flags;
        s->priority = priority > 0                   ? 0
                      : priority < PRIORITY_GREATEST ? PRIORITY_GREATEST
                                                     : priority;
        if (++c->stream_ids == 0) /* 0 is the default stream */
            c->stream_ids = 1;
        s->id = c->stream_ids;
        s->obj.owner = c;
        vcu__obj_add(&s->obj, VCU_STREAM);
        *ps = s;
    }
    vcu__ctx_leave(c);
    return s ? CUDA_SUCCESS : CUDA_ERROR_OUT_OF_MEMORY;
}

VCU_API CUresult cuStreamCreate(CUstream *ps, unsigned int flags)
{
    return cuStreamCreateWithPriority(ps, flags, 0);
}

/* Work already queued on it still runs (the driver's rule too). */
VCU_API CUresult cuStreamDestroy_v2(CUstream s)
{
    if (!vcu__obj_ok(s, VCU_STREAM))
        return CUDA_ERROR_INVALID_HANDLE;
    vcu__obj_del(&s->obj);
    free(s);
    return CUDA_SUCCESS;
}

VCU_API CUresult cuStreamDestroy(CUstream s)
{
    return cuStreamDestroy_v2(s);
}

/*
 * One channel per context: waiting for a stream waits for all the context's queued work (and
 * returns the first error of it).
 */
VCU_API CUresult cuStreamSynchronize(CUstream s)
{
    CUcontext c;
    CUresult r = vcu__stream_enter(s, &c);

    if (r != CUDA_SUCCESS)
        return r;
    r = vcu__result(c, vgpu_sync(c->ch));
    vcu__ctx_leave(c);
    return r;
}

/*
 * Looks without waiting: CUDA_ERROR_NOT_READY while any work queued on the context is unanswered
 * (other streams' included: they run in one order on the host), else the first error of that work.
 */
VCU_API CUresult cuStreamQuery(CUstream s)
{
    CUcontext c;
    int idle = 0;
    CUresult r = vcu__stream_enter(s, &c);

    if (r != CUDA_SUCCESS)
        return r;
    r = vcu__result(c, vgpu_poll(c->ch, &idle)); /* idle: with the work's first error */
    if (r == CUDA_SUCCESS && !idle)
        r = CUDA_ERROR_NOT_READY;
    vcu__ctx_leave(c);
    return r;
}

VCU_API CUresult cuStreamGetPriority(CUstream s, int *priority)
{
    if (!priority)
        return CUDA_ERROR_INVALID_VALUE;
    if (s && s != STREAM_LEGACY && s != STREAM_PER_THREAD && !vcu__obj_ok(s, VCU_STREAM))
        return CUDA_ERROR_INVALID_HANDLE;
    *priority = vcu__obj_ok(s, VCU_STREAM) ? s->priority : 0;
    return CUDA_SUCCESS;
}

VCU_API CUresult cuStreamGetFlags(CUstream s, unsigned int *flags)
{
    if (!flags)
        return CUDA_ERROR_INVALID_VALUE;
    if (s && s != STREAM_LEGACY && s != STREAM_PER_THREAD && !vcu__obj_ok(s, VCU_STREAM))
        return CUDA_ERROR_INVALID_HANDLE;
    *flags = vcu__obj_ok(s, VCU_STREAM) ? s->flags : 0;
    return CUDA_SUCCESS;
}

/*
 * Work of one context runs in submission order on the host, so a stream of the event's context
 * needs nothing more; a stream of another context waits here, in the guest, for the event.
 */
VCU_API CUresult cuStreamWaitEvent(CUstream s, CUevent e, unsigned int flags)
{
    CUcontext c;
    CUresult r;

    if (!vcu__obj_ok(e, VCU_EVENT))
        return CUDA_ERROR_INVALID_HANDLE;
    r = vcu__stream_enter(s, &c);
    if (r != CUDA_SUCCESS)
        return r;
    vcu__ctx_leave(c);
    return c == e->ctx ? CUDA_SUCCESS : vcu__event_wait(e);
}

/* Per-thread default stream variants (VCU_ALIAS). */
VCU_ALIAS(cuStreamGetPriority_ptsz, cuStreamGetPriority);
VCU_ALIAS(cuStreamGetFlags_ptsz, cuStreamGetFlags);
VCU_ALIAS(cuStreamWaitEvent_ptsz, cuStreamWaitEvent);
VCU_ALIAS(cuStreamQuery_ptsz, cuStreamQuery);
VCU_ALIAS(cuStreamSynchronize_ptsz, cuStreamSynchronize);
