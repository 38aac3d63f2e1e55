/* cu_matmul.c: tiled matmul sized by the occupancy API; streams, events, elapsed time; reloads. */
#include <math.h>
#include "common.h"

#define N    64
#define TILE 16

static float a[N * N], b[N * N], c[N * N];

static int matmul_ok(void)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            float want = 0.0f;
            for (int k = 0; k < N; k++)
                want += a[i * N + k] * b[k * N + j];
            if (fabsf(c[i * N + j] - want) > 1e-3f * fabsf(want) + 1e-3f)
                return 0;
        }
    return 1;
}

static void occupancy(CUfunction f)
{
    int blocks = 0, min_grid = 0, block = 0, sms = 0;

    CHECK(cuOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, f, TILE * TILE, 0));
    EXPECT_TRUE(blocks >= 1);
    CHECK(cuOccupancyMaxPotentialBlockSize(&min_grid, &block, f, NULL, 0, 0));
    CHECK(cuDeviceGetAttribute(&sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, 0));
    EXPECT_TRUE(block >= 32 && block <= 1024 && block % 32 == 0);
    EXPECT_TRUE(min_grid >= sms);
}

/* matmul on one stream between two events; busy on another, timed. */
static void streams_and_events(CUfunction mm, CUfunction busy, CUdeviceptr da, CUdeviceptr db,
                               CUdeviceptr dc, CUdeviceptr dout)
{
    CUstream s1, s2;
    CUevent start, mid, end;
    unsigned int n = N;
    unsigned long long ns = 2000000, out = 0;
    void *mm_args[] = {&da, &db, &dc, &n}, *busy_args[] = {&ns, &dout};
    int lo = 0, hi = 0, prio = 1;
    float ms = -1.0f;

    CHECK(cuCtxGetStreamPriorityRange(&lo, &hi));
    CHECK(cuStreamCreateWithPriority(&s1, CU_STREAM_NON_BLOCKING, hi));
    CHECK(cuStreamGetPriority(s1, &prio));
    EXPECT_TRUE(prio == hi);
    CHECK(cuStreamCreate(&s2, CU_STREAM_DEFAULT));
    CHECK(cuEventCreate(&start, CU_EVENT_DEFAULT));
    CHECK(cuEventCreate(&mid, CU_EVENT_DEFAULT));
    CHECK(cuEventCreate(&end, CU_EVENT_DEFAULT));
    CHECK(cuEventRecord(start, s1));
    CHECK(cuLaunchKernel(mm, N / TILE, N / TILE, 1, TILE, TILE, 1, 0, s1, mm_args, NULL));
    CHECK(cuEventRecord(mid, s1));
    CHECK(cuStreamWaitEvent(s2, mid, 0));
    CHECK(cuLaunchKernel(busy, 1, 1, 1, 1, 1, 1, 0, s2, busy_args, NULL));
    CHECK(cuEventRecord(end, s2));
    CHECK(cuEventSynchronize(end));
    CHECK(cuEventQuery(end));
    CHECK(cuStreamQuery(s1));
    CHECK(cuEventElapsedTime(&ms, start, end));
    EXPECT_TRUE(ms >= 2.0f && ms < 10000.0f);
    CHECK(cuMemcpyDtoH(c, dc, sizeof(c)));
    EXPECT_TRUE(matmul_ok());
    CHECK(cuMemcpyDtoH(&out, dout, sizeof(out)));
    EXPECT_TRUE(out == ns);
    CHECK(cuEventDestroy(start));
    CHECK(cuEventDestroy(mid));
    CHECK(cuEventDestroy(end));
    CHECK(cuStreamDestroy(s1));
    CHECK(cuStreamDestroy(s2));
}

int main(int argc, char **argv)
{
    CUcontext ctx;
    CUmodule mod;
    CUfunction mm, busy;
    CUdeviceptr da, db, dc, dout;
    void *image;

    if (argc != 2) {
        fprintf(stderr, "usage: cu_matmul KERNELS.fatbin\n");
        return 2;
    }
    image = read_image(argv[1]);
    for (int i = 0; i < N * N; i++) {
        a[i] = (float)(i % 7) - 3.0f;
        b[i] = (float)(i % 5) * 0.5f;
    }
    CHECK(cuInit(0));
    CHECK(cuCtxCreate(&ctx, NULL, 0, 0));
    /* Load, unload, load again: handles of the first load are gone, the second works. */
    CHECK(cuModuleLoadData(&mod, image));
    CHECK(cuModuleGetFunction(&mm, mod, "matmul"));
    CHECK(cuModuleUnload(mod));
    EXPECT(cuModuleGetFunction(&busy, mod, "busy"), CUDA_ERROR_INVALID_HANDLE);
    CHECK(cuModuleLoadDataEx(&mod, image, 0, NULL, NULL));
    CHECK(cuModuleGetFunction(&mm, mod, "matmul"));
    CHECK(cuModuleGetFunction(&busy, mod, "busy"));
    occupancy(mm);
    CHECK(cuMemAlloc(&da, sizeof(a)));
    CHECK(cuMemAlloc(&db, sizeof(b)));
    CHECK(cuMemAlloc(&dc, sizeof(c)));
    CHECK(cuMemAlloc(&dout, sizeof(unsigned long long)));
    CHECK(cuMemcpyHtoD(da, a, sizeof(a)));
    CHECK(cuMemcpyHtoD(db, b, sizeof(b)));
    streams_and_events(mm, busy, da, db, dc, dout);
    CHECK(cuCtxDestroy(ctx));
    free(image);
    return finish("cu_matmul");
}
