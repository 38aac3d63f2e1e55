// rt_streams.cu: two streams with async copies and kernels, events ordering them and timing.
#include <time.h>
#include "rt_common.h"

__global__ void scale(float *x, float f, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        x[i] *= f;
}

// Spin for ns nanoseconds of %globaltimer.
__global__ void busy(unsigned long long ns)
{
    unsigned long long t0, t;

    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t0));
    do
        asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
    while (t - t0 < ns);
}

static unsigned long long now_ns()
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

// An event after a 100 ms kernel: queries begun before 100 ms passed answer cudaErrorNotReady,
// which is not kept as the last error; the elapsed time around the kernel is at least 100 ms.
static void not_ready(cudaStream_t s)
{
    const unsigned long long ns = 100000000ull;
    unsigned long long t0, ts;
    cudaEvent_t e[2];
    cudaError_t r;
    float ms = 0.0f;

    CHECK(cudaEventCreate(&e[0]));
    CHECK(cudaEventCreate(&e[1]));
    CHECK(cudaEventRecord(e[0], s));
    t0 = now_ns();
    busy<<<1, 1, 0, s>>>(ns);
    CHECK(cudaEventRecord(e[1], s));
    do {
        ts = now_ns();
        r = cudaEventQuery(e[1]);
    } while (r == cudaErrorNotReady && ts - t0 < 20000000000ull);
    CHECK(r);
    EXPECT_TRUE(ts - t0 >= ns); // the query that said done began after the kernel could end
    CHECK(cudaGetLastError());  // cudaErrorNotReady was not an error
    CHECK(cudaEventElapsedTime(&ms, e[0], e[1]));
    EXPECT_TRUE(ms >= 100.0f);
    CHECK(cudaEventDestroy(e[0]));
    CHECK(cudaEventDestroy(e[1]));
}

int main()
{
    const int n = 4096;
    float *h[2], *d[2], want[n];
    cudaStream_t s[2];
    cudaEvent_t start, done[2];
    float ms = -1.0f;
    int least = 0, greatest = 0, prio = 99;
    unsigned flags = 99;

    CHECK(cudaDeviceGetStreamPriorityRange(&least, &greatest));
    CHECK(cudaStreamCreateWithFlags(&s[0], cudaStreamNonBlocking));
    CHECK(cudaStreamCreateWithPriority(&s[1], cudaStreamDefault, greatest));
    CHECK(cudaStreamGetFlags(s[0], &flags));
    EXPECT_TRUE(flags == cudaStreamNonBlocking);
    CHECK(cudaStreamGetPriority(s[1], &prio));
    EXPECT_TRUE(prio == greatest);
    CHECK(cudaEventCreate(&start));
    for (int k = 0; k < 2; k++) {
        CHECK(cudaEventCreateWithFlags(&done[k], cudaEventDefault));
        CHECK(cudaMallocHost(&h[k], n * sizeof(float)));
        CHECK(cudaMalloc(&d[k], n * sizeof(float)));
        for (int i = 0; i < n; i++)
            h[k][i] = (float)(i + k);
    }
    CHECK(cudaEventRecord(start, 0));
    for (int k = 0; k < 2; k++) {
        CHECK(cudaMemcpyAsync(d[k], h[k], n * sizeof(float), cudaMemcpyHostToDevice, s[k]));
        scale<<<n / 256, 256, 0, s[k]>>>(d[k], (float)(k + 2), n);
        CHECK(cudaGetLastError());
        CHECK(cudaMemcpyAsync(h[k], d[k], n * sizeof(float), cudaMemcpyDeviceToHost, s[k]));
        CHECK(cudaEventRecord(done[k], s[k]));
    }
    // Stream 0 waits for stream 1's work before it scales its own result again.
    CHECK(cudaStreamWaitEvent(s[0], done[1], 0));
    CHECK(cudaStreamSynchronize(s[1]));
    CHECK(cudaEventSynchronize(done[0]));
    CHECK(cudaEventQuery(done[0]));
    CHECK(cudaStreamQuery(s[0]));
    CHECK(cudaEventElapsedTime(&ms, start, done[1]));
    EXPECT_TRUE(ms >= 0.0f);
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < n; i++)
            want[i] = (float)(i + k) * (float)(k + 2);
        expect_close(h[k], want, n, k ? "stream 1" : "stream 0");
    }
    not_ready(s[1]);
    for (int k = 0; k < 2; k++) {
        CHECK(cudaStreamDestroy(s[k]));
        CHECK(cudaEventDestroy(done[k]));
        CHECK(cudaFreeHost(h[k]));
        CHECK(cudaFree(d[k]));
    }
    CHECK(cudaEventDestroy(start));
    return finish("rt_streams");
}
