/* exec_cuda_global.c: the CUDA executor's module variables (GLOBAL_GET) by cuModuleGetGlobal. */
#include "exec_cuda.h"
#include "exec_cuda_global.h"

int vgpu__cuda_global_get(struct vgpu_exec_ctx *c, CUmodule m, const char *name, uint64_t *dptr,
                          uint64_t *bytes, uint32_t *detail)
{
    CUdeviceptr p = 0;
    size_t n = 0;
    int st = vgpu_cu__enter(c, detail);

    if (st == VGPU_S_OK)
        st = vgpu_cu__leave(c, vgpu_cu->ModuleGetGlobal(&p, &n, m, name), detail);
    if (st == VGPU_S_OK) {
        *dptr = p;
        *bytes = n;
    }
    return st;
}
