// rt_vector_add.cu: vector add with <<<>>>, sized by the occupancy API, checked on the CPU;
// device properties, versions, memory info and function attributes on the way.
#include <string.h>
#include "rt_common.h"

__global__ void vector_add(const float *a, const float *b, float *c, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        c[i] = a[i] + b[i];
}

int main()
{
    const int n = 10000;
    float *a = (float *)malloc(n * sizeof(float)), *b = (float *)malloc(n * sizeof(float));
    float *c = (float *)malloc(n * sizeof(float)), *want = (float *)malloc(n * sizeof(float));
    float *da, *db, *dc;
    int count = 0, dev = -1, rt = 0, drv = 0, min_grid = 0, block = 0;
    size_t free_b = 0, total_b = 0;
    cudaDeviceProp p;
    cudaFuncAttributes fa;

    for (int i = 0; i < n; i++) {
        a[i] = (float)i * 0.5f;
        b[i] = (float)(n - i);
        want[i] = a[i] + b[i];
    }
    CHECK(cudaGetDeviceCount(&count));
    EXPECT_TRUE(count == 1);
    CHECK(cudaSetDevice(0));
    EXPECT(cudaSetDevice(1), cudaErrorInvalidDevice);
    EXPECT_TRUE(cudaGetLastError() == cudaErrorInvalidDevice);
    EXPECT_TRUE(cudaGetLastError() == cudaSuccess);
    CHECK(cudaGetDevice(&dev));
    EXPECT_TRUE(dev == 0);
    CHECK(cudaGetDeviceProperties(&p, 0));
    EXPECT_TRUE(strlen(p.name) > 0 && p.totalGlobalMem > 0 && p.warpSize == 32);
    EXPECT_TRUE(p.maxThreadsPerBlock == 1024 && p.multiProcessorCount >= 1 && p.major >= 7);
    CHECK(cudaRuntimeGetVersion(&rt));
    CHECK(cudaDriverGetVersion(&drv));
    EXPECT_TRUE(rt == CUDART_VERSION && drv >= 13000);
    CHECK(cudaMalloc(&da, n * sizeof(float)));
    CHECK(cudaMalloc(&db, n * sizeof(float)));
    CHECK(cudaMalloc(&dc, n * sizeof(float)));
    CHECK(cudaMemGetInfo(&free_b, &total_b));
    EXPECT_TRUE(total_b > 0 && free_b + 3 * n * sizeof(float) <= total_b);
    CHECK(cudaMemcpy(da, a, n * sizeof(float), cudaMemcpyHostToDevice));
    CHECK(cudaMemcpy(db, b, n * sizeof(float), cudaMemcpyDefault));
    CHECK(cudaMemset(dc, 0xff, n * sizeof(float)));
    CHECK(cudaFuncGetAttributes(&fa, vector_add));
    EXPECT_TRUE(fa.maxThreadsPerBlock > 0);
    CHECK(cudaOccupancyMaxPotentialBlockSize(&min_grid, &block, vector_add, 0, 0));
    EXPECT_TRUE(block >= 32 && block <= 1024 && block % 32 == 0);
    vector_add<<<(n + block - 1) / block, block>>>(da, db, dc, n);
    CHECK(cudaGetLastError());
    CHECK(cudaDeviceSynchronize());
    CHECK(cudaMemcpy(c, dc, n * sizeof(float), cudaMemcpyDeviceToHost));
    expect_close(c, want, n, "vector_add");
    // Device to device, then back again.
    CHECK(cudaMemcpy(da, dc, n * sizeof(float), cudaMemcpyDeviceToDevice));
    memset(c, 0, n * sizeof(float));
    CHECK(cudaMemcpy(c, da, n * sizeof(float), cudaMemcpyDeviceToHost));
    expect_close(c, want, n, "device-to-device copy");
    CHECK(cudaFree(da));
    CHECK(cudaFree(db));
    CHECK(cudaFree(dc));
    CHECK(cudaFree(NULL));
    free(a), free(b), free(c), free(want);
    return finish("rt_vector_add");
}
