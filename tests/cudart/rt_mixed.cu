// rt_mixed.cu: the driver API and the runtime API in one program: runtime calls after
// cuCtxCreate use that context; memory of one API is used by the other.
#include <cuda.h>
#include "rt_common.h"

#define CU(call) expect_cu((call), #call, __LINE__)

static void expect_cu(CUresult r, const char *what, int line)
{
    const char *name = "?";

    if (r == CUDA_SUCCESS)
        return;
    cuGetErrorName(r, &name);
    fprintf(stderr, "rt_mixed.cu:%d: %s: got %s\n", line, what, name);
    failures++;
}

__global__ void fill(int *x, int v, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        x[i] = v + i;
}

int main()
{
    const int n = 1000;
    CUcontext ctx = NULL, cur = NULL;
    CUdeviceptr dp;
    CUdevice dev;
    int *rp, host[n], count = 0;

    // Device queries make no context current.
    CHECK(cudaGetDeviceCount(&count));
    EXPECT_TRUE(count == 1);
    CU(cuCtxGetCurrent(&cur));
    EXPECT_TRUE(cur == NULL);
    CU(cuInit(0));
    CU(cuDeviceGet(&dev, 0));
    CU(cuCtxCreate(&ctx, NULL, 0, dev));
    // The runtime takes the current context, not the primary one.
    CHECK(cudaMalloc(&rp, n * sizeof(int)));
    CU(cuCtxGetCurrent(&cur));
    EXPECT_TRUE(cur == ctx);
    fill<<<(n + 127) / 128, 128>>>(rp, 100, n);
    CHECK(cudaGetLastError());
    // A runtime allocation read by the driver API ...
    CU(cuMemcpyDtoH(host, (CUdeviceptr)rp, sizeof(host)));
    for (int i = 0; i < n; i++)
        EXPECT_TRUE(host[i] == 100 + i);
    // ... and a driver allocation used by a runtime launch and copy.
    CU(cuMemAlloc(&dp, n * sizeof(int)));
    fill<<<(n + 127) / 128, 128>>>((int *)dp, -5, n);
    CHECK(cudaMemcpy(host, (void *)dp, sizeof(host), cudaMemcpyDeviceToHost));
    for (int i = 0; i < n; i++)
        EXPECT_TRUE(host[i] == -5 + i);
    CU(cuMemFree(dp));
    CHECK(cudaFree(rp));
    CU(cuCtxDestroy(ctx));
    // With no context current, the runtime makes the primary context current and reloads.
    CHECK(cudaMalloc(&rp, n * sizeof(int)));
    CU(cuCtxGetCurrent(&cur));
    EXPECT_TRUE(cur != NULL); // the primary context (its address may be the destroyed one's)
    fill<<<(n + 127) / 128, 128>>>(rp, 7, n);
    CHECK(cudaMemcpy(host, rp, sizeof(host), cudaMemcpyDeviceToHost));
    EXPECT_TRUE(host[0] == 7 && host[n - 1] == 7 + n - 1);
    CHECK(cudaFree(rp));
    CHECK(cudaDeviceReset());
    return finish("rt_mixed");
}
