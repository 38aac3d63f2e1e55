// kernels.cu: the test kernels in CUDA C, run from their PTX by the CPU
// reference executor and by a GPU. Names and parameters are those of
// guest-lib/vgpu_kernels.h, the examples' kernels.
extern "C" __global__ void vector_add(const float *a, const float *b, float *c, unsigned n)
{
    unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        c[i] = a[i] + b[i];
}

extern "C" __global__ void saxpy(float a, const float *x, float *y, unsigned n)
{
    unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        y[i] = a * x[i] + y[i];
}

// One thread per output element (x = column, y = row), tiled through shared memory.
#define TILE 16
extern "C" __global__ void matmul(const float *a, const float *b, float *c, unsigned n)
{
    __shared__ float ta[TILE][TILE], tb[TILE][TILE];
    unsigned row = blockIdx.y * TILE + threadIdx.y, col = blockIdx.x * TILE + threadIdx.x;
    float sum = 0.0f;
    for (unsigned t = 0; t < (n + TILE - 1) / TILE; t++) {
        unsigned ac = t * TILE + threadIdx.x, br = t * TILE + threadIdx.y;
        ta[threadIdx.y][threadIdx.x] = row < n && ac < n ? a[row * n + ac] : 0.0f;
        tb[threadIdx.y][threadIdx.x] = br < n && col < n ? b[br * n + col] : 0.0f;
        __syncthreads();
        for (unsigned k = 0; k < TILE; k++)
            sum += ta[threadIdx.y][k] * tb[k][threadIdx.x];
        __syncthreads();
    }
    if (row < n && col < n)
        c[row * n + col] = sum;
}

static __device__ unsigned long long now_ns(void)
{
    unsigned long long t;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
    return t;
}

// Spin for ns nanoseconds, then *out = ns.
extern "C" __global__ void busy(unsigned long long ns, unsigned long long *out)
{
    unsigned long long start = now_ns();
    while (now_ns() - start < ns)
        ;
    if (out && threadIdx.x == 0 && blockIdx.x == 0)
        *out = ns;
}

// A module global, read and written through cuModuleGetGlobal.
__device__ int counter;
extern "C" __global__ void bump(int *out)
{
    out[0] = counter;
    counter += 1;
}
