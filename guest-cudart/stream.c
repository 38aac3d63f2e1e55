/* stream.c: streams and events are libcuda's (CUstream, CUevent: the same objects). */
#include "cudart_int.h"

#define IN_CTX(call)                                                                               \
    do {                                                                                           \
        cudaError_t e_ = vrt__ctx(NULL);                                                           \
        return e_ != cudaSuccess ? e_ : vrt__cu(call);                                             \
    } while (0)

VRT_API cudaError_t cudaStreamCreate(cudaStream_t *s)
{
    IN_CTX(cuStreamCreate((CUstream *)s, CU_STREAM_DEFAULT));
}

VRT_API cudaError_t cudaStreamCreateWithFlags(cudaStream_t *s, unsigned int flags)
{
    IN_CTX(cuStreamCreate((CUstream *)s, flags));
}

VRT_API cudaError_t cudaStreamCreateWithPriority(cudaStream_t *s, unsigned int flags, int priority)
{
    IN_CTX(cuStreamCreateWithPriority((CUstream *)s, flags, priority));
}

VRT_API cudaError_t cudaStreamDestroy(cudaStream_t s)
{
    IN_CTX(cuStreamDestroy((CUstream)s));
}

VRT_API cudaError_t cudaStreamSynchronize(cudaStream_t s)
{
    IN_CTX(cuStreamSynchronize((CUstream)s));
}
VRT_ALIAS(cudaStreamSynchronize_ptsz, cudaStreamSynchronize);

/* cudaErrorNotReady while work queued on the context is still running (libcuda's cuStreamQuery). */
VRT_API cudaError_t cudaStreamQuery(cudaStream_t s)
{
    IN_CTX(cuStreamQuery((CUstream)s));
}
VRT_ALIAS(cudaStreamQuery_ptsz, cudaStreamQuery);

VRT_API cudaError_t cudaStreamWaitEvent(cudaStream_t s, cudaEvent_t ev, unsigned int flags)
{
    IN_CTX(cuStreamWaitEvent((CUstream)s, (CUevent)ev, flags));
}
VRT_ALIAS(cudaStreamWaitEvent_ptsz, cudaStreamWaitEvent);

VRT_API cudaError_t cudaStreamGetFlags(cudaStream_t s, unsigned int *flags)
{
    IN_CTX(cuStreamGetFlags((CUstream)s, flags));
}
VRT_ALIAS(cudaStreamGetFlags_ptsz, cudaStreamGetFlags);

VRT_API cudaError_t cudaStreamGetPriority(cudaStream_t s, int *priority)
{
    IN_CTX(cuStreamGetPriority((CUstream)s, priority));
}
VRT_ALIAS(cudaStreamGetPriority_ptsz, cudaStreamGetPriority);

VRT_API cudaError_t cudaEventCreate(cudaEvent_t *ev)
{
    IN_CTX(cuEventCreate((CUevent *)ev, CU_EVENT_DEFAULT));
}

VRT_API cudaError_t cudaEventCreateWithFlags(cudaEvent_t *ev, unsigned int flags)
{
    IN_CTX(cuEventCreate((CUevent *)ev, flags));
}

/*
 * libcuda's events: recording sends a mark and returns; the event is
 * complete when the host has done the work queued before it, and elapsed
 * times are the host's (a host without streams: recording waits, and the
 * times are the guest's).
 */
VRT_API cudaError_t cudaEventRecord(cudaEvent_t ev, cudaStream_t s)
{
    IN_CTX(cuEventRecord((CUevent)ev, (CUstream)s));
}
VRT_ALIAS(cudaEventRecord_ptsz, cudaEventRecord);

VRT_API cudaError_t cudaEventRecordWithFlags(cudaEvent_t ev, cudaStream_t s, unsigned int flags)
{
    IN_CTX(cuEventRecordWithFlags((CUevent)ev, (CUstream)s, flags));
}
VRT_ALIAS(cudaEventRecordWithFlags_ptsz, cudaEventRecordWithFlags);

VRT_API cudaError_t cudaEventSynchronize(cudaEvent_t ev)
{
    IN_CTX(cuEventSynchronize((CUevent)ev));
}

VRT_API cudaError_t cudaEventQuery(cudaEvent_t ev)
{
    IN_CTX(cuEventQuery((CUevent)ev));
}

VRT_API cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start, cudaEvent_t end)
{
    IN_CTX(cuEventElapsedTime(ms, (CUevent)start, (CUevent)end));
}

VRT_API cudaError_t cudaEventDestroy(cudaEvent_t ev)
{
    IN_CTX(cuEventDestroy((CUevent)ev));
}
