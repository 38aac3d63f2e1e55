// rt_errors.cu: error paths: an invalid launch configuration reported by cudaGetLastError, then
// a faulting kernel whose error is sticky, names and strings.
#include <string.h>
#include "rt_common.h"

__global__ void store(int *p, int v)
{
    p[threadIdx.x] = v;
}

int main()
{
    int *d, h = 0;

    EXPECT_TRUE(strcmp(cudaGetErrorName(cudaErrorIllegalAddress), "cudaErrorIllegalAddress") == 0);
    EXPECT_TRUE(strlen(cudaGetErrorString(cudaErrorInvalidConfiguration)) > 0);
    EXPECT_TRUE(strcmp(cudaGetErrorString((cudaError_t)12345), "unrecognized error code") == 0);
    CHECK(cudaMalloc(&d, 64 * sizeof(int)));
    // 2048 threads per block: refused at launch, nothing runs.
    store<<<1, 2048>>>(d, 1);
    EXPECT(cudaPeekAtLastError(), cudaErrorInvalidConfiguration);
    EXPECT(cudaGetLastError(), cudaErrorInvalidConfiguration);
    EXPECT(cudaGetLastError(), cudaSuccess);
    store<<<0, 32>>>(d, 1);
    EXPECT(cudaGetLastError(), cudaErrorInvalidConfiguration);
    // A valid launch still works.
    store<<<1, 1>>>(d, 42);
    CHECK(cudaGetLastError());
    CHECK(cudaMemcpy(&h, d, sizeof(int), cudaMemcpyDeviceToHost));
    EXPECT_TRUE(h == 42);
    // Not a device pointer: a copy is refused, the context survives.
    EXPECT(cudaMemcpy(&h, d + 1000, sizeof(int), cudaMemcpyDeviceToHost), cudaErrorInvalidValue);
    cudaGetLastError();
    // A kernel that stores through a pointer the VM does not own faults: sticky from then on.
    store<<<1, 32>>>((int *)0x10, 1);
    EXPECT(cudaDeviceSynchronize(), cudaErrorIllegalAddress);
    EXPECT(cudaGetLastError(), cudaErrorIllegalAddress);
    EXPECT(cudaMemcpy(&h, d, sizeof(int), cudaMemcpyDeviceToHost), cudaErrorIllegalAddress);
    // A reset clears it: the primary context is empty and usable again.
    CHECK(cudaDeviceReset());
    cudaGetLastError();
    CHECK(cudaMalloc(&d, sizeof(int)));
    store<<<1, 1>>>(d, 5);
    CHECK(cudaMemcpy(&h, d, sizeof(int), cudaMemcpyDeviceToHost));
    EXPECT_TRUE(h == 5);
    CHECK(cudaFree(d));
    return finish("rt_errors");
}
