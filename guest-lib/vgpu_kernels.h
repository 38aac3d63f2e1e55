/* vgpu_kernels.h: the example kernels: names and packed parameter layouts. */
#ifndef VGPU_KERNELS_H
#define VGPU_KERNELS_H

#include <stdint.h>

/*
 * examples/kernels.cu defines these (nvcc makes examples/kernels.ptx of
 * it); both executors run that PTX: the CUDA executor on the GPU, the CPU
 * reference executor through its PTX interpreter. Parameters are packed at natural alignment, as
 * CU_LAUNCH_PARAM_BUFFER_POINTER expects. Threads: one per element
 * (matmul: one per output element, x = column, y = row).
 */
#define VGPU_K_VECTOR_ADD "vector_add" /* c[i] = a[i] + b[i] */
#define VGPU_K_SAXPY      "saxpy"      /* y[i] = a * x[i] + y[i] */
#define VGPU_K_MATMUL     "matmul"     /* C = A * B, n x n, row-major */
#define VGPU_K_BUSY       "busy"       /* spin for ns nanoseconds, then *out = ns */

struct vgpu_k_vector_add {
    uint64_t a, b, c; /* const float *, const float *, float * */
    uint32_t n;
    uint32_t pad;
};

struct vgpu_k_saxpy {
    float a;
    uint32_t pad;
    uint64_t x, y; /* const float *, float * */
    uint32_t n;
    uint32_t pad2;
};

struct vgpu_k_matmul {
    uint64_t a, b, c; /* const float *, const float *, float * */
    uint32_t n;
    uint32_t pad;
};

struct vgpu_k_busy {
    uint64_t ns;
    uint64_t out; /* uint64_t * (may be 0) */
};

#endif /* VGPU_KERNELS_H */
