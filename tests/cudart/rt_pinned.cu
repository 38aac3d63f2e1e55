// rt_pinned.cu: page-locked host memory (cudaMallocHost, cudaHostAlloc) with async copies.
#include <string.h>
#include "rt_common.h"

__global__ void add_one(unsigned *x, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        x[i] += 1u;
}

// Words of pinned src to the device, incremented there, back into pinned dst; checks dst.
// Neither buffer is touched between the async copies and the synchronize, as CUDA requires.
static void round_trip(unsigned *src, unsigned *dst, int n, const char *what)
{
    unsigned *d;

    for (int i = 0; i < n; i++)
        src[i] = (unsigned)i * 3u;
    memset(dst, 0, n * sizeof(unsigned));
    CHECK(cudaMalloc(&d, n * sizeof(unsigned)));
    CHECK(cudaMemcpyAsync(d, src, n * sizeof(unsigned), cudaMemcpyHostToDevice, 0));
    add_one<<<(n + 255) / 256, 256>>>(d, n);
    CHECK(cudaMemcpyAsync(dst, d, n * sizeof(unsigned), cudaMemcpyDeviceToHost, 0));
    CHECK(cudaDeviceSynchronize());
    for (int i = 0; i < n; i++)
        if (dst[i] != (unsigned)i * 3u + 1u) {
            fprintf(stderr, "%s: word %d is %u, the CPU computed %u\n", what, i, dst[i],
                    (unsigned)i * 3u + 1u);
            failures++;
            break;
        }
    CHECK(cudaFree(d));
}

int main()
{
    unsigned *a = NULL, *b = NULL, *big = NULL, *big2 = NULL;
    const int n = 50000, nbig = 4 << 20; // 16 MiB: beyond the data area

    CHECK(cudaMallocHost(&a, n * sizeof(unsigned)));
    CHECK(cudaHostAlloc(&b, n * sizeof(unsigned), cudaHostAllocDefault));
    CHECK(cudaMallocHost(&big, (size_t)nbig * sizeof(unsigned)));
    CHECK(cudaHostAlloc(&big2, (size_t)nbig * sizeof(unsigned), cudaHostAllocPortable));
    if (a && b && big && big2) {
        round_trip(a, b, n, "cudaMallocHost to cudaHostAlloc");
        round_trip(b, a, n, "cudaHostAlloc to cudaMallocHost");
        round_trip(big, big2, nbig, "16 MiB of page-locked memory");
    }
    CHECK(cudaFreeHost(a));
    CHECK(cudaFreeHost(b));
    CHECK(cudaFreeHost(big));
    CHECK(cudaFreeHost(big2));
    return finish("rt_pinned");
}
