/* ctx.c: the context runtime calls use, and the device (one: device 0 of libcuda). */
#include <pthread.h>
#include "cudart_int.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static CUresult init_result;
static pthread_mutex_t primary_lock = PTHREAD_MUTEX_INITIALIZER;
static CUcontext primary; /* retained once for the life of the process */

static void init(void)
{
    init_result = cuInit(0);
}

int vrt__device(void)
{
    return 0;
}

/* The device's primary context, retained the first time. */
static CUresult primary_get(CUcontext *out)
{
    CUresult r = CUDA_SUCCESS;

    pthread_mutex_lock(&primary_lock);
    if (!primary)
        r = cuDevicePrimaryCtxRetain(&primary, vrt__device());
    *out = primary;
    pthread_mutex_unlock(&primary_lock);
    return r;
}

cudaError_t vrt__init(void)
{
    pthread_once(&init_once, init);
    if (init_result == CUDA_SUCCESS)
        return cudaSuccess;
    return vrt__ret(init_result == CUDA_ERROR_NO_DEVICE ? cudaErrorNoDevice
                                                        : cudaErrorInitializationError);
}

/*
 * The current context (one the program made with cuCtxCreate, or pushed),
 * else the primary context, made current on this thread: as NVIDIA's
 * runtime does, so a program may mix the two APIs.
 */
cudaError_t vrt__ctx(CUcontext *out)
{
    CUcontext c = NULL;
    cudaError_t e = vrt__init();
    CUresult r;

    if (e != cudaSuccess)
        return e;
    r = cuCtxGetCurrent(&c);
    if (r == CUDA_SUCCESS && !c) {
        r = primary_get(&c);
        if (r == CUDA_SUCCESS)
            r = cuCtxSetCurrent(c);
    }
    if (r != CUDA_SUCCESS)
        return vrt__cu(r);
    if (out)
        *out = c;
    return cudaSuccess;
}

/*
 * Frees everything the primary context holds (memory, modules, streams,
 * events, a sticky error). libcuda replaces the primary context by an
 * empty one, keeping its retains: the next runtime call makes the new one
 * current and loads modules again.
 */
VRT_API cudaError_t cudaDeviceReset(void)
{
    cudaError_t e = vrt__ctx(NULL);
    CUresult r;

    if (e != cudaSuccess)
        return e;
    pthread_mutex_lock(&primary_lock);
    if (primary) {
        vrt__forget_ctx(primary);
        r = cuDevicePrimaryCtxReset(vrt__device());
        /* The new handle: one more retain, given back at once (the count stays ours). */
        if (r == CUDA_SUCCESS &&
            (r = cuDevicePrimaryCtxRetain(&primary, vrt__device())) == CUDA_SUCCESS)
            r = cuDevicePrimaryCtxRelease(vrt__device());
        e = vrt__cu(r);
    }
    pthread_mutex_unlock(&primary_lock);
    return e;
}
