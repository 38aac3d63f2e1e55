// rt_constant.cu: a __constant__ table set with cudaMemcpyToSymbol and used by a kernel; a
// __device__ counter read back with cudaMemcpyFromSymbol and through its address.
#include "rt_common.h"

__constant__ float table[16];
__device__ int calls;

__global__ void lookup(const int *idx, float *out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        out[i] = table[idx[i] & 15] * 2.0f;
    if (i == 0)
        atomicAdd(&calls, 1);
}

int main()
{
    const int n = 300;
    float host_table[16], out[n], want[n];
    int idx[n], ncalls = -1, seven = 7, *dcalls = NULL;
    int *didx;
    float *dout;
    size_t size = 0;

    for (int i = 0; i < 16; i++)
        host_table[i] = (float)(i * i) + 0.5f;
    for (int i = 0; i < n; i++) {
        idx[i] = (i * 7) % 23;
        want[i] = host_table[idx[i] & 15] * 2.0f;
    }
    CHECK(cudaMemcpyToSymbol(table, host_table, sizeof(host_table)));
    CHECK(cudaGetSymbolSize(&size, table));
    EXPECT_TRUE(size == sizeof(host_table));
    // Past the end of the table: refused.
    EXPECT(cudaMemcpyToSymbol(table, host_table, sizeof(host_table), 4), cudaErrorInvalidValue);
    // Not a registered variable.
    EXPECT(cudaMemcpyToSymbol(&ncalls, &seven, sizeof(int)), cudaErrorInvalidSymbol);
    cudaGetLastError();
    CHECK(cudaMalloc(&didx, sizeof(idx)));
    CHECK(cudaMalloc(&dout, sizeof(out)));
    CHECK(cudaMemcpy(didx, idx, sizeof(idx), cudaMemcpyHostToDevice));
    CHECK(cudaMemcpyToSymbol(calls, &seven, sizeof(int)));
    lookup<<<(n + 127) / 128, 128>>>(didx, dout, n);
    lookup<<<(n + 127) / 128, 128>>>(didx, dout, n);
    CHECK(cudaGetLastError());
    CHECK(cudaMemcpy(out, dout, sizeof(out), cudaMemcpyDeviceToHost));
    expect_close(out, want, n, "lookup");
    CHECK(cudaMemcpyFromSymbol(&ncalls, calls, sizeof(int)));
    EXPECT_TRUE(ncalls == 9);
    // Its address works as any device pointer.
    CHECK(cudaGetSymbolAddress((void **)&dcalls, calls));
    ncalls = -1;
    CHECK(cudaMemcpy(&ncalls, dcalls, sizeof(int), cudaMemcpyDeviceToHost));
    EXPECT_TRUE(ncalls == 9);
    // A change of one table entry, at an offset.
    host_table[3] = -1.0f;
    CHECK(cudaMemcpyToSymbol(table, &host_table[3], sizeof(float), 3 * sizeof(float)));
    float back[16];
    CHECK(cudaMemcpyFromSymbol(back, table, sizeof(back)));
    expect_close(back, host_table, 16, "table after the offset write");
    CHECK(cudaFree(didx));
    CHECK(cudaFree(dout));
    return finish("rt_constant");
}
