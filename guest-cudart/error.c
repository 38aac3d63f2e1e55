/* error.c: the thread's last error, CUresult to cudaError_t, and error names and strings. */
#include "cudart_int.h"

static __thread cudaError_t last_error;

/* cudaErrorNotReady (a query of work still running) is an answer, not an error: not kept. */
cudaError_t vrt__ret(cudaError_t e)
{
    if (e != cudaSuccess && e != cudaErrorNotReady)
        last_error = e;
    return e;
}

/*
 * Since CUDA 11 the runtime's codes of errors that come from the driver
 * have the driver's values (700 illegal address, 400 invalid handle, ...);
 * the few that differ in meaning are mapped here.
 */
static cudaError_t from_cu(CUresult r)
{
    switch (r) {
    case CUDA_ERROR_NOT_INITIALIZED:
        return cudaErrorInitializationError;
    case CUDA_ERROR_INVALID_CONTEXT:
    case CUDA_ERROR_CONTEXT_IS_DESTROYED:
        return cudaErrorDeviceUninitialized;
    case CUDA_ERROR_NOT_FOUND:
        return cudaErrorSymbolNotFound;
    default:
        return (cudaError_t)r;
    }
}

cudaError_t vrt__cu(CUresult r)
{
    return vrt__ret(from_cu(r));
}

/* The last error of this thread, which is then reset to cudaSuccess. */
VRT_API cudaError_t cudaGetLastError(void)
{
    cudaError_t e = last_error;

    last_error = cudaSuccess;
    return e;
}

/* The last error of this thread, left as it is. */
VRT_API cudaError_t cudaPeekAtLastError(void)
{
    return last_error;
}

/* Every cudaError_t of the toolkit's driver_types.h; others: "cudaErrorUnknown"'s text. */
VRT_API const char *cudaGetErrorName(cudaError_t e)
{
    switch ((int)e) {
#define X(name, value, message)                                                                    \
    case value:                                                                                    \
        return #name;
#include "cudart_errors.def"
#undef X
    default:
        return "unrecognized error code";
    }
}

/* The first sentence of the error's documentation in the toolkit's driver_types.h. */
VRT_API const char *cudaGetErrorString(cudaError_t e)
{
    switch ((int)e) {
#define X(name, value, message)                                                                    \
    case value:                                                                                    \
        return message;
#include "cudart_errors.def"
#undef X
    default:
        return "unrecognized error code";
    }
}
