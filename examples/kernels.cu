/* kernels.cu: the example kernels (layouts in guest-lib/vgpu_kernels.h); nvcc makes kernels.ptx. */
#include <stdint.h>

/* c[i] = a[i] + b[i] for i < n; one thread per element. */
extern "C" __global__ void vector_add(const float *a, const float *b, float *c, uint32_t n)
{
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;

    if (i < n)
        c[i] = a[i] + b[i];
}

/* y[i] = a * x[i] + y[i] for i < n. */
extern "C" __global__ void saxpy(float a, const float *x, float *y, uint32_t n)
{
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;

    if (i < n)
        y[i] = a * x[i] + y[i];
}

/* C = A * B, n x n row-major; thread x = column, y = row. */
extern "C" __global__ void matmul(const float *a, const float *b, float *c, uint32_t n)
{
    uint32_t col = blockIdx.x * blockDim.x + threadIdx.x;
    uint32_t row = blockIdx.y * blockDim.y + threadIdx.y;
    float s = 0.0f;

    if (row >= n || col >= n)
        return;
    for (uint32_t k = 0; k < n; k++)
        s += a[row * n + k] * b[k * n + col];
    c[row * n + col] = s;
}

static __device__ uint64_t globaltimer(void)
{
    uint64_t t;

    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
    return t;
}

/* Spin until ns nanoseconds of %globaltimer passed, then *out = ns (if out != 0). */
extern "C" __global__ void busy(uint64_t ns, uint64_t *out)
{
    uint64_t start = globaltimer();

    while (globaltimer() - start < ns)
        ;
    if (out)
        *out = ns;
}
