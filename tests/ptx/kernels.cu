/* kernels.cu: the PTX interpreter's kernel suite; nvcc makes kernels_sm90.ptx and kernels_sm75.ptx. */
#include <stdint.h>
#include <cuda_fp16.h>

#define TILE 16

extern "C" __global__ void vector_add(const float *a, const float *b, float *c, uint32_t n)
{
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;

    if (i < n)
        c[i] = a[i] + b[i];
}

extern "C" __global__ void saxpy(float a, const float *x, float *y, uint32_t n)
{
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;

    if (i < n)
        y[i] = a * x[i] + y[i];
}

/* C = A * B (n x n) through TILE x TILE shared tiles; block TILE x TILE. */
extern "C" __global__ void matmul_tiled(const float *a, const float *b, float *c, uint32_t n)
{
    __shared__ float ta[TILE][TILE], tb[TILE][TILE];
    uint32_t tx = threadIdx.x, ty = threadIdx.y;
    uint32_t col = blockIdx.x * TILE + tx, row = blockIdx.y * TILE + ty;
    float s = 0.0f;

    for (uint32_t t = 0; t < (n + TILE - 1) / TILE; t++) {
        uint32_t ka = t * TILE + tx, kb = t * TILE + ty;
        ta[ty][tx] = row < n && ka < n ? a[row * n + ka] : 0.0f;
        tb[ty][tx] = col < n && kb < n ? b[kb * n + col] : 0.0f;
        __syncthreads();
        for (uint32_t k = 0; k < TILE; k++)
            s += ta[ty][k] * tb[k][tx];
        __syncthreads();
    }
    if (row < n && col < n)
        c[row * n + col] = s;
}

/* *sum += the sum of x[0..n): warp shuffles, one atomicAdd per warp. */
extern "C" __global__ void reduce_sum(const uint32_t *x, uint32_t *sum, uint32_t n)
{
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
    uint32_t v = i < n ? x[i] : 0;

    for (int off = 16; off > 0; off /= 2)
        v += __shfl_down_sync(0xffffffffu, v, off);
    if ((threadIdx.x & 31) == 0)
        atomicAdd(sum, v);
}

/* hist[x[i] % 64]++ through a shared-memory histogram per block. */
extern "C" __global__ void histogram(const uint32_t *x, uint32_t *hist, uint32_t n)
{
    __shared__ uint32_t h[64];
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;

    for (uint32_t k = threadIdx.x; k < 64; k += blockDim.x)
        h[k] = 0;
    __syncthreads();
    if (i < n)
        atomicAdd(&h[x[i] % 64], 1u);
    __syncthreads();
    for (uint32_t k = threadIdx.x; k < 64; k += blockDim.x)
        atomicAdd(&hist[k], h[k]);
}

/* out (cols x rows) = in (rows x cols) transposed, through a padded tile; block TILE x TILE. */
extern "C" __global__ void transpose(const float *in, float *out, uint32_t rows, uint32_t cols)
{
    __shared__ float tile[TILE][TILE + 1];
    uint32_t x = blockIdx.x * TILE + threadIdx.x, y = blockIdx.y * TILE + threadIdx.y;

    if (x < cols && y < rows)
        tile[threadIdx.y][threadIdx.x] = in[y * cols + x];
    __syncthreads();
    x = blockIdx.y * TILE + threadIdx.x;
    y = blockIdx.x * TILE + threadIdx.y;
    if (x < rows && y < cols)
        out[y * rows + x] = tile[threadIdx.x][threadIdx.y];
}

/* Inclusive scan of each block's slice of x (dynamic shared memory, blockDim ints). */
extern "C" __global__ void scan_block(const int32_t *x, int32_t *y, uint32_t n)
{
    extern __shared__ int32_t buf[];
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;

    buf[threadIdx.x] = i < n ? x[i] : 0;
    __syncthreads();
    for (uint32_t off = 1; off < blockDim.x; off *= 2) {
        int32_t v = threadIdx.x >= off ? buf[threadIdx.x - off] : 0;
        __syncthreads();
        buf[threadIdx.x] += v;
        __syncthreads();
    }
    if (i < n)
        y[i] = buf[threadIdx.x];
}

/* f64: y = fma(x, x, 1) / sqrt(x + 2) plus the rounded and truncated integer parts. */
extern "C" __global__ void f64_math(const double *x, double *y, int64_t *k, uint32_t n)
{
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;

    if (i < n) {
        double v = x[i];
        y[i] = fma(v, v, 1.0) / sqrt(fabs(v) + 2.0) - fmin(v, 0.5) + (double)(float)v;
        k[i] = (int64_t)v + __double2ll_rn(v * 3.0);
    }
}

/* Integer division and bit tricks on a[i], b[i]: 8 outputs per element. */
extern "C" __global__ void int_bits(const int32_t *a, const int32_t *b, uint32_t *out, uint32_t n)
{
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;

    if (i < n) {
        int32_t x = a[i], y = b[i] == 0 ? 1 : b[i];
        uint32_t ux = (uint32_t)x, uy = (uint32_t)y;
        uint32_t *o = out + 8 * i;
        o[0] = (uint32_t)(x / y);
        o[1] = (uint32_t)(x % y);
        o[2] = ux / uy + ux % uy;
        o[3] = (uint32_t)__popc(ux) | (uint32_t)__clz(ux) << 8 | (uint32_t)__ffs(x) << 16;
        o[4] = __brev(ux);
        o[5] = (ux >> (uy & 31)) ^ (ux << ((uy >> 5) & 31)) ^ (uint32_t)(x >> (uy & 31));
        o[6] = __byte_perm(ux, uy, 0x5140) + ((ux >> 7) & 0x1f);
        o[7] = __umulhi(ux, uy) + (uint32_t)__mulhi(x, y) + (uint32_t)((int64_t)x * y >> 40);
    }
}

extern "C" __device__ __noinline__ float poly(float v, float a, float b)
{
    return (a * v + b) * v - a;
}

/* y[i] = poly(x[i], 1.5, -2) through a non-inlined device function. */
extern "C" __global__ void call_func(const float *x, float *y, uint32_t n)
{
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;

    if (i < n)
        y[i] = poly(x[i], 1.5f, -2.0f);
}

/* A local array indexed by data: y[i] = the digits of x[i] (base 7) summed in reverse weight. */
extern "C" __global__ void local_array(const uint32_t *x, uint32_t *y, uint32_t n)
{
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
    volatile uint32_t d[16];
    uint32_t v, k = 0, s = 0;

    if (i >= n)
        return;
    for (v = x[i]; v && k < 16; v /= 7)
        d[k++] = v % 7;
    while (k > 0) {
        k--;
        s = s * 3 + d[d[k] % (k + 1)];
    }
    y[i] = s;
}

/* Collatz steps (divergent loop and branches) for each x[i], at most 1000. */
extern "C" __global__ void collatz(const uint32_t *x, uint32_t *steps, uint32_t n)
{
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
    uint32_t s = 0;
    uint64_t v;

    if (i >= n)
        return;
    for (v = x[i]; v > 1 && s < 1000; s++) {
        if (v & 1)
            v = 3 * v + 1;
        else
            v /= 2;
    }
    steps[i] = s;
}

__constant__ float coef[4] = {0.5f, -1.25f, 2.0f, 3.5f};
__device__ uint32_t launches = 7;

/* y[i] = coef[0] + coef[1] x + coef[2] x^2 + coef[3] x^3 from __constant__ memory. */
extern "C" __global__ void const_poly(const float *x, float *y, uint32_t n)
{
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;

    if (i == 0)
        atomicAdd(&launches, 1u);
    if (i < n)
        y[i] = coef[0] + x[i] * (coef[1] + x[i] * (coef[2] + x[i] * coef[3]));
}

/* 3D grid: out[linear index] = packed (x, y, z) of each thread's global coordinates. */
extern "C" __global__ void grid3d(uint32_t *out, uint32_t nx, uint32_t ny, uint32_t nz)
{
    uint32_t x = blockIdx.x * blockDim.x + threadIdx.x;
    uint32_t y = blockIdx.y * blockDim.y + threadIdx.y;
    uint32_t z = blockIdx.z * blockDim.z + threadIdx.z;

    if (x < nx && y < ny && z < nz)
        out[(z * ny + y) * nx + x] = x | y << 10 | z << 20;
}

/* Warp votes: per warp, ballot of odd x, all/any positive, active mask, lane and warp ids. */
extern "C" __global__ void warp_vote(const int32_t *x, uint32_t *out, uint32_t n)
{
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
    uint32_t lane, warp, mask;

    if (i >= n)
        return;
    mask = __activemask();
    asm("mov.u32 %0, %%laneid;" : "=r"(lane));
    asm("mov.u32 %0, %%warpid;" : "=r"(warp));
    out[4 * i] = __ballot_sync(mask, x[i] & 1);
    out[4 * i + 1] = (uint32_t)__all_sync(mask, x[i] > 0) | (uint32_t)__any_sync(mask, x[i] > 0) << 1;
    out[4 * i + 2] = mask;
    out[4 * i + 3] = lane | warp << 8 | (uint32_t)__shfl_sync(mask, x[i], 0) << 16;
}

/* f32 approximate functions and f16 round trips: 8 outputs per element. */
extern "C" __global__ void approx_f32(const float *x, float *out, uint32_t n)
{
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;

    if (i < n) {
        float v = x[i];
        float *o = out + 8 * i;
        o[0] = __expf(v);
        o[1] = __logf(fabsf(v) + 1.0f);
        o[2] = __sinf(v);
        o[3] = __cosf(v);
        o[4] = __frcp_rn(v) + __fdividef(1.0f, v + 3.0f);
        o[5] = sqrtf(fabsf(v)) + rsqrtf(fabsf(v) + 1.0f);
        o[6] = __half2float(__float2half(v));
        o[7] = (float)__float2int_rd(v) + (float)__float2uint_ru(fabsf(v)) + rintf(v);
    }
}

/* Stores one float at p[i] for every thread: the out-of-range test's victim. */
extern "C" __global__ void store_index(float *p, uint32_t n)
{
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;

    if (i < n)
        p[i] = (float)i;
}

/* Vector loads and stores: out[i] = in[i].wzyx * 2 (float4). */
extern "C" __global__ void vec4_swizzle(const float4 *in, float4 *out, uint32_t n)
{
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;

    if (i < n) {
        float4 v = in[i];
        out[i] = make_float4(2 * v.w, 2 * v.z, 2 * v.y, 2 * v.x);
    }
}

/* Directed rounding: float add/mul, double to float and int to float, 8 outputs per element. */
extern "C" __global__ void round_modes(const float *a, const float *b, const double *x,
                                       const int32_t *k, float *out, uint32_t n)
{
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;

    if (i < n) {
        float *o = out + 8 * i;
        o[0] = __fadd_rz(a[i], b[i]);
        o[1] = __fadd_rd(a[i], b[i]);
        o[2] = __fadd_ru(a[i], b[i]);
        o[3] = __fmul_rz(a[i], b[i]);
        o[4] = __double2float_rd(x[i]);
        o[5] = __double2float_ru(x[i]);
        o[6] = __double2float_rz(x[i]);
        o[7] = __int2float_rz(k[i] * 1021);
    }
}
