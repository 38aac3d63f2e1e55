/* exec_cuda_global.c: the CUDA executor's module variables (GLOBAL_GET) by cuModuleGetGlobal. */
#include <cuda.h>
#include "exec.h"
#include "exec_cuda_global.h"

int vgpu__cuda_global_get(CUcontext ctx, CUmodule m, const char *name, uint64_t *dptr,
                          uint64_t *bytes, uint32_t *detail)
{
    CUdeviceptr p = 0;
    size_t n = 0;
    CUresult r = cuCtxPushCurrent(ctx);

    if (r == CUDA_SUCCESS) {
        r = cuModuleGetGlobal(&p, &n, m, name);
        cuCtxPopCurrent(NULL);
    }
    if (r == CUDA_SUCCESS) {
        *dptr = p;
        *bytes = n;
        return VGPU_S_OK;
    }
    *detail = (uint32_t)r;
    return r == CUDA_ERROR_NOT_FOUND ? VGPU_S_NOT_FOUND : VGPU_S_EXEC;
}
