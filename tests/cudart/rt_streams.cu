// rt_streams.cu: two streams with async copies and kernels, events ordering them and timing.
#include "rt_common.h"

__global__ void scale(float *x, float f, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        x[i] *= f;
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
    for (int k = 0; k < 2; k++) {
        CHECK(cudaStreamDestroy(s[k]));
        CHECK(cudaEventDestroy(done[k]));
        CHECK(cudaFreeHost(h[k]));
        CHECK(cudaFree(d[k]));
    }
    CHECK(cudaEventDestroy(start));
    return finish("rt_streams");
}
