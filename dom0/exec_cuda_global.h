/* exec_cuda_global.h: the CUDA executor's GLOBAL_GET, apart from exec_cuda.c. */
#ifndef VGPUD_EXEC_CUDA_GLOBAL_H
#define VGPUD_EXEC_CUDA_GLOBAL_H

#include <cuda.h>
#include <stdint.h>
#include "exec.h"

/*
 * The variable name of module m in c's context: its device address and
 * size. Returns VGPU_S_OK, VGPU_S_NOT_FOUND (no such variable),
 * VGPU_S_CONTEXT_LOST (a poisoned context) or VGPU_S_EXEC, with the
 * CUresult in *detail.
 */
int vgpu__cuda_global_get(struct vgpu_exec_ctx *c, CUmodule m, const char *name, uint64_t *dptr,
                          uint64_t *bytes, uint32_t *detail);

#endif /* VGPUD_EXEC_CUDA_GLOBAL_H */
