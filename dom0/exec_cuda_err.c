/* exec_cuda_err.c: CUresults as vgpu statuses, and which of them poison a context. */
#include <stdio.h>
#include "exec_cuda.h"

bool vgpu_cu__sticky(CUresult r)
{
    switch (r) {
    case CUDA_ERROR_ECC_UNCORRECTABLE:
    case CUDA_ERROR_NVLINK_UNCORRECTABLE:
    case CUDA_ERROR_ILLEGAL_ADDRESS:
    case CUDA_ERROR_LAUNCH_TIMEOUT:
    case CUDA_ERROR_CONTEXT_IS_DESTROYED:
    case CUDA_ERROR_ASSERT:
    case CUDA_ERROR_HARDWARE_STACK_ERROR:
    case CUDA_ERROR_ILLEGAL_INSTRUCTION:
    case CUDA_ERROR_MISALIGNED_ADDRESS:
    case CUDA_ERROR_INVALID_ADDRESS_SPACE:
    case CUDA_ERROR_INVALID_PC:
    case CUDA_ERROR_LAUNCH_FAILED:
    case CUDA_ERROR_DEINITIALIZED:
        return true;
    default:
        return false;
    }
}

int vgpu_cu__status(CUresult r)
{
    if (r == CUDA_SUCCESS)
        return VGPU_S_OK;
    if (vgpu_cu__sticky(r))
        return VGPU_S_CONTEXT_LOST;
    switch (r) {
    case CUDA_ERROR_OUT_OF_MEMORY:
        return VGPU_S_NO_MEMORY;
    case CUDA_ERROR_INVALID_IMAGE:
    case CUDA_ERROR_INVALID_PTX:
    case CUDA_ERROR_NO_BINARY_FOR_GPU:
    case CUDA_ERROR_UNSUPPORTED_PTX_VERSION:
    case CUDA_ERROR_JIT_COMPILER_NOT_FOUND:
    case CUDA_ERROR_SHARED_OBJECT_SYMBOL_NOT_FOUND:
        return VGPU_S_BAD_IMAGE;
    case CUDA_ERROR_NOT_FOUND:
        return VGPU_S_NOT_FOUND;
    case CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES:
    case CUDA_ERROR_INVALID_VALUE:
        return VGPU_S_EXEC;
    default:
        return VGPU_S_EXEC;
    }
}

const char *vgpu_cu__name(CUresult r, char *buf, size_t len)
{
    const char *s = NULL;

    if (vgpu_cu && vgpu_cu->GetErrorName && vgpu_cu->GetErrorName(r, &s) == CUDA_SUCCESS && s)
        snprintf(buf, len, "%s", s);
    else
        snprintf(buf, len, "CUDA_ERROR_%d", (int)r);
    return buf;
}
