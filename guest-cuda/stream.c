/* stream.c: streams and events: ordered queues on the context's channel, timed at completion. */
#include <stdlib.h>
#include "cuda_int.h"

#define STREAM_LEGACY     ((CUstream)0x1)
#define STREAM_PER_THREAD ((CUstream)0x2)
#define PRIORITY_GREATEST (-5)

CUresult vcu__stream_enter(CUstream s, CUcontext *out)
{
    if (!s || s == STREAM_LEGACY || s == STREAM_PER_THREAD)
        return vcu__ctx_enter(out);
    if (!vcu__obj_ok(s, VCU_STREAM))
        return CUDA_ERROR_INVALID_HANDLE;
    *out = s->ctx;
    return vcu__ctx_enter_this(s->ctx);
}

/*
 * Priorities are clamped to the range and kept; all streams of a context run in submission
 * order.
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

/* One channel per context: waiting for a stream waits for all the context's queued work. */
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

/* libvgpu cannot look without waiting: the query completes the work, then answers "done". */
VCU_API CUresult cuStreamQuery(CUstream s)
{
    return cuStreamSynchronize(s);
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

/* Events complete when recorded (see cuEventRecord): the wait is already satisfied. */
VCU_API CUresult cuStreamWaitEvent(CUstream s, CUevent e, unsigned int flags)
{
    CUcontext c;
    CUresult r;

    if (!vcu__obj_ok(e, VCU_EVENT))
        return CUDA_ERROR_INVALID_HANDLE;
    r = vcu__stream_enter(s, &c);
    if (r == CUDA_SUCCESS)
        vcu__ctx_leave(c);
    return r;
}

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

/*
 * The event completes when the work queued before it has: libvgpu has no
 * marker op yet, so recording waits for that work and notes the time.
 * Elapsed times are therefore those of the guest's view of completion.
 */
VCU_API CUresult cuEventRecord(CUevent e, CUstream s)
{
    CUcontext c;
    CUresult r;

    if (!vcu__obj_ok(e, VCU_EVENT))
        return CUDA_ERROR_INVALID_HANDLE;
    r = vcu__stream_enter(s, &c);
    if (r != CUDA_SUCCESS)
        return r;
    r = vcu__result(c, vgpu_sync(c->ch));
    vcu__ctx_leave(c);
    if (r == CUDA_SUCCESS) {
        e->ns = vcu__now_ns();
        e->recorded = true;
    }
    return r;
}

VCU_API CUresult cuEventRecordWithFlags(CUevent e, CUstream s, unsigned int flags)
{
    return flags ? CUDA_ERROR_NOT_SUPPORTED : cuEventRecord(e, s);
}

VCU_API CUresult cuEventQuery(CUevent e)
{
    return vcu__obj_ok(e, VCU_EVENT) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}

VCU_API CUresult cuEventSynchronize(CUevent e)
{
    return vcu__obj_ok(e, VCU_EVENT) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}

VCU_API CUresult cuEventElapsedTime_v2(float *ms, CUevent start, CUevent end)
{
    if (!ms)
        return CUDA_ERROR_INVALID_VALUE;
    if (!vcu__obj_ok(start, VCU_EVENT) || !vcu__obj_ok(end, VCU_EVENT))
        return CUDA_ERROR_INVALID_HANDLE;
    if ((start->flags | end->flags) & CU_EVENT_DISABLE_TIMING)
        return CUDA_ERROR_INVALID_HANDLE;
    if (!start->recorded || !end->recorded)
        return CUDA_ERROR_INVALID_HANDLE;
    *ms = (float)((double)((int64_t)(end->ns - start->ns)) / 1e6);
    return CUDA_SUCCESS;
}

VCU_API CUresult cuEventElapsedTime(float *ms, CUevent start, CUevent end)
{
    return cuEventElapsedTime_v2(ms, start, end);
}

VCU_API CUresult cuEventDestroy_v2(CUevent e)
{
    if (!vcu__obj_ok(e, VCU_EVENT))
        return CUDA_ERROR_INVALID_HANDLE;
    vcu__obj_del(&e->obj);
    free(e);
    return CUDA_SUCCESS;
}

VCU_API CUresult cuEventDestroy(CUevent e)
{
    return cuEventDestroy_v2(e);
}

/* Per-thread default stream variants (VCU_ALIAS). */
VCU_ALIAS(cuStreamGetPriority_ptsz, cuStreamGetPriority);
VCU_ALIAS(cuStreamGetFlags_ptsz, cuStreamGetFlags);
VCU_ALIAS(cuStreamWaitEvent_ptsz, cuStreamWaitEvent);
VCU_ALIAS(cuStreamQuery_ptsz, cuStreamQuery);
VCU_ALIAS(cuStreamSynchronize_ptsz, cuStreamSynchronize);
VCU_ALIAS(cuEventRecord_ptsz, cuEventRecord);
VCU_ALIAS(cuEventRecordWithFlags_ptsz, cuEventRecordWithFlags);
