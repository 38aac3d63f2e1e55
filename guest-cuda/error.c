/* error.c: libvgpu results as the driver's CUresult, sticky errors, cuGetErrorName/String. */
#include "cuda_int.h"

/*
 * Errors after which the driver's context is unusable: every later call
 * in it returns the same code until it is destroyed (or, primary, reset).
 */
bool vcu__is_sticky(CUresult r)
{
    switch (r) {
    case CUDA_ERROR_ILLEGAL_ADDRESS:
    case CUDA_ERROR_LAUNCH_TIMEOUT:
    case CUDA_ERROR_HARDWARE_STACK_ERROR:
    case CUDA_ERROR_ILLEGAL_INSTRUCTION:
    case CUDA_ERROR_MISALIGNED_ADDRESS:
    case CUDA_ERROR_INVALID_ADDRESS_SPACE:
    case CUDA_ERROR_INVALID_PC:
    case CUDA_ERROR_LAUNCH_FAILED:
    case CUDA_ERROR_ASSERT:
        return true;
    default:
        return false;
    }
}

/* A pointer or handle the host did not know: what the driver says depends on the request. */
static CUresult bad_handle(uint16_t op)
{
    switch (op) {
    case VGPU_OP_LAUNCH:
        return CUDA_ERROR_ILLEGAL_ADDRESS; /* the kernel touched memory the VM does not own */
    case VGPU_OP_MODULE_UNLOAD:
    case VGPU_OP_FUNC_GET:
        return CUDA_ERROR_INVALID_HANDLE;
    default:
        return CUDA_ERROR_INVALID_VALUE; /* device pointers */
    }
}

static CUresult from_status(const struct vgpu_error *e, uint32_t status)
{
    switch (status) {
    case VGPU_S_OK:
        return CUDA_SUCCESS;
    case VGPU_S_EXEC:
        return CUDA_ERROR_UNKNOWN; /* an executor code would have been used */
    case VGPU_S_BAD_HANDLE:
        return bad_handle(e->op);
    case VGPU_S_BAD_OP:
    case VGPU_S_UNSUPPORTED:
        return CUDA_ERROR_NOT_SUPPORTED;
    case VGPU_S_BAD_FIELD:
    case VGPU_S_BAD_RANGE:
    case VGPU_S_BAD_NAME:
    case VGPU_S_BAD_LAUNCH:
        return CUDA_ERROR_INVALID_VALUE;
    case VGPU_S_NO_MEMORY:
        return CUDA_ERROR_OUT_OF_MEMORY;
    case VGPU_S_NOT_FOUND:
        return CUDA_ERROR_NOT_FOUND;
    case VGPU_S_BAD_IMAGE:
        return CUDA_ERROR_INVALID_IMAGE;
    case VGPU_S_TIMEOUT:
        return CUDA_ERROR_LAUNCH_TIMEOUT;
    case VGPU_S_NO_DEVICE:
        return CUDA_ERROR_NO_DEVICE;
    case VGPU_S_DENIED:
        return CUDA_ERROR_NOT_PERMITTED;
    case VGPU_S_VERSION:
        return CUDA_ERROR_SYSTEM_DRIVER_MISMATCH;
    case VGPU_S_CANCELLED:
    case VGPU_S_SHUTDOWN:
    case VGPU_S_PROTOCOL:
    case VGPU_S_BUSY:
        return CUDA_ERROR_DEVICE_UNAVAILABLE;
    default:
        return CUDA_ERROR_UNKNOWN;
    }
}

CUresult vcu__result(CUcontext c, int r)
{
    struct vgpu_error e;
    CUresult cr;

    if (r == 0)
        return CUDA_SUCCESS;
    vgpu_last_error(c->ch, &e);
    /* e describes this error only if it came from the host with this status. */
    if (e.status != (uint32_t)-r)
        e = (struct vgpu_error){.status = (uint32_t)-r};
    /* The executor's own code where it made the status: exactly the driver's result. */
    cr = e.detail ? (CUresult)e.detail : from_status(&e, (uint32_t)-r);
    if (vcu__is_sticky(cr))
        c->sticky = cr;
    return cr;
}

static const struct {
    CUresult code;
    const char *name, *msg;
} results[] = {
#define X(name, value, msg) {name, #name, msg},
#include "cu_results.def"
#undef X
};

static int result_index(CUresult r)
{
    size_t i;

    for (i = 0; i < sizeof(results) / sizeof(results[0]); i++)
        if (results[i].code == r)
            return (int)i;
    return -1;
}

/* Every CUresult of cuda.h 13.0; others: CUDA_ERROR_INVALID_VALUE and NULL. */
VCU_API CUresult cuGetErrorName(CUresult error, const char **str)
{
    int i = result_index(error);

    if (!str)
        return CUDA_ERROR_INVALID_VALUE;
    *str = i >= 0 ? results[i].name : NULL;
    return i >= 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

VCU_API CUresult cuGetErrorString(CUresult error, const char **str)
{
    int i = result_index(error);

    if (!str)
        return CUDA_ERROR_INVALID_VALUE;
    *str = i >= 0 ? results[i].msg : NULL;
    return i >= 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}
