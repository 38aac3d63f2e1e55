/* event.c: events: marks the host answers with its completion time, or (old hosts) the guest's. */
#include <stdlib.h>
#include "cuda_int.h"

/* An event belongs to the current context and is destroyed with it. */
VCU_API CUresult cuEventCreate(CUevent *pe, unsigned int flags)
{
    CUevent e;
    CUcontext c;
    CUresult r;

    if (!pe || flags & ~7u)
        return CUDA_ERROR_INVALID_VALUE;
    r = vcu__ctx_enter(&c);
    if (r != CUDA_SUCCESS)
        return r;
    vcu__ctx_leave(c);
    e = calloc(1, sizeof(*e));
    if (!e)
        return CUDA_ERROR_OUT_OF_MEMORY;
    e->ctx = c;
    e->flags = flags;
    e->obj.owner = c;
    vcu__obj_add(&e->obj, VCU_EVENT);
    *pe = e;
    return CUDA_SUCCESS;
}

/* Stop libvgpu filling e's mark (it is to be reused or freed). */
static void unmark(CUevent e)
{
    if (e->marked && !e->mark.done && vcu__ctx_lock_any(e->ctx)) {
        vgpu_mark_forget(e->ctx->ch, &e->mark);
        vcu__ctx_leave(e->ctx);
    }
    e->marked = false;
}

/* Without marks (an old host, a stream of another context): wait for the work, note the time. */
static CUresult record_waiting(CUevent e, CUcontext c)
{
    CUresult r = vcu__result(c, vgpu_sync(c->ch));

    if (r == CUDA_SUCCESS) {
        e->ns = vcu__now_ns();
        e->recorded = true;
    }
    return r;
}

/*
 * Sends an event mark on the stream and returns: the event completes when the host has done the
 * work queued before it, and carries the host's time then. A host without VGPU_FEAT_STREAMS, or
 * a stream of another context: recording waits for that work and notes the guest's time.
 */
VCU_API CUresult cuEventRecord(CUevent e, CUstream s)
{
    CUcontext c;
    CUresult r;
    int v;

    if (!vcu__obj_ok(e, VCU_EVENT))
        return CUDA_ERROR_INVALID_HANDLE;
    unmark(e);
    r = vcu__stream_enter(s, &c);
    if (r != CUDA_SUCCESS)
        return r;
    v = c == e->ctx ? vgpu_mark(c->ch, &e->mark) : -VGPU_S_UNSUPPORTED;
    if (v == 0) {
        e->marked = true;
        e->recorded = true;
    }
    r = v == -VGPU_S_UNSUPPORTED ? record_waiting(e, c) : vcu__result(c, v);
    vcu__ctx_leave(c);
    return r;
}

VCU_API CUresult cuEventRecordWithFlags(CUevent e, CUstream s, unsigned int flags)
{
    return flags ? CUDA_ERROR_NOT_SUPPORTED : cuEventRecord(e, s);
}

/* e's mark: answered (its result), or CUDA_ERROR_NOT_READY; wait: until it is answered. */
static CUresult mark_state(CUevent e, bool wait)
{
    CUresult r;
    int v = 0;

    if (!e->marked)
        return CUDA_SUCCESS; /* never recorded, or recorded by waiting */
    r = vcu__ctx_enter_this(e->ctx);
    if (r != CUDA_SUCCESS)
        return r;
    if (!e->mark.done && !wait)
        v = vgpu_poll(e->ctx->ch, NULL);
    if (v == 0 && (e->mark.done || wait))
        v = vgpu_mark_wait(e->ctx->ch, &e->mark); /* answered: its status, or queued work's */
    r = v == 0 && !e->mark.done ? CUDA_ERROR_NOT_READY : vcu__result(e->ctx, v);
    vcu__ctx_leave(e->ctx);
    return r;
}

CUresult vcu__event_wait(CUevent e)
{
    return mark_state(e, true);
}

/* CUDA_ERROR_NOT_READY until the host answered the event's mark; never waits. */
VCU_API CUresult cuEventQuery(CUevent e)
{
    return vcu__obj_ok(e, VCU_EVENT) ? mark_state(e, false) : CUDA_ERROR_INVALID_HANDLE;
}

/* Waits for the host's answer to the event's mark. */
VCU_API CUresult cuEventSynchronize(CUevent e)
{
    return vcu__obj_ok(e, VCU_EVENT) ? mark_state(e, true) : CUDA_ERROR_INVALID_HANDLE;
}

/* The event's time: the host's where it was marked, else the guest's. */
static uint64_t event_ns(CUevent e)
{
    return e->marked ? e->mark.host_ns : e->ns;
}

/*
 * The difference of the host's completion times (the guest's where the host has no streams);
 * CUDA_ERROR_NOT_READY while either event is not complete, as the driver answers.
 */
VCU_API CUresult cuEventElapsedTime_v2(float *ms, CUevent start, CUevent end)
{
    CUresult r;

    if (!ms)
        return CUDA_ERROR_INVALID_VALUE;
    if (!vcu__obj_ok(start, VCU_EVENT) || !vcu__obj_ok(end, VCU_EVENT))
        return CUDA_ERROR_INVALID_HANDLE;
    if ((start->flags | end->flags) & CU_EVENT_DISABLE_TIMING)
        return CUDA_ERROR_INVALID_HANDLE;
    if (!start->recorded || !end->recorded)
        return CUDA_ERROR_INVALID_HANDLE;
    if ((r = mark_state(start, false)) != CUDA_SUCCESS || (r = mark_state(end, false)))
        return r;
    *ms = (float)((double)((int64_t)(event_ns(end) - event_ns(start))) / 1e6);
    return CUDA_SUCCESS;
}

VCU_API CUresult cuEventElapsedTime(float *ms, CUevent start, CUevent end)
{
    return cuEventElapsedTime_v2(ms, start, end);
}

/* A mark still on its way is forgotten: the host's answer is dropped. */
VCU_API CUresult cuEventDestroy_v2(CUevent e)
{
    if (!vcu__obj_ok(e, VCU_EVENT))
        return CUDA_ERROR_INVALID_HANDLE;
    unmark(e);
    vcu__obj_del(&e->obj);
    free(e);
    return CUDA_SUCCESS;
}

VCU_API CUresult cuEventDestroy(CUevent e)
{
    return cuEventDestroy_v2(e);
}

/* Per-thread default stream variants (VCU_ALIAS). */
VCU_ALIAS(cuEventRecord_ptsz, cuEventRecord);
VCU_ALIAS(cuEventRecordWithFlags_ptsz, cuEventRecordWithFlags);
