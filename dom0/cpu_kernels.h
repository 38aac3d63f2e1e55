/* cpu_kernels.h: the CPU reference executor's built-in kernels. */
#ifndef VGPUD_CPU_KERNELS_H
#define VGPUD_CPU_KERNELS_H

#include <stddef.h>
#include <stdint.h>
#include "vgpu_proto.h"

/* Turns a device pointer + length into host memory, or NULL if not the VM's. */
typedef void *(*vgpu_cpu_xlate_fn)(void *ctx, uint64_t dptr, uint64_t len);

struct vgpu_cpu_kernel {
    const char *name;
    size_t params_len;   /* exact size of the packed parameters */
    /* Returns an enum vgpu_status. */
    int (*run)(const struct vgpu_req_launch *l, const void *params, vgpu_cpu_xlate_fn xlate,
               void *ctx);
};

/* Index of the kernel called name, or -1. */
int vgpu_cpu_kernel_find(const char *name);
/* Kernel at index, or NULL. */
const struct vgpu_cpu_kernel *vgpu_cpu_kernel_get(int index);

#endif /* VGPUD_CPU_KERNELS_H */
