/* cu_matmul.c: tiled matmul sized by the occupancy API; streams, events, elapsed time; reloads. */
#include <math.h>
#include <time.h>
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

#define BUSY_NS   200000000ull   /* long against a round trip to the host */
#define DEADLINE  20000000000ull /* ns a query may keep answering NOT_READY */
#define ORDER_LEN (256u * 1024u)

static unsigned long long now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/*
 * Query until query() stops answering NOT_READY (or a deadline); ns since t0 then. A query begun
 * before min_ns passed since t0 must answer NOT_READY: the work cannot be done yet, and a query
 * must not wait for it.
 */
static unsigned long long ready_after(CUresult (*query)(void *), void *h, unsigned long long t0,
                                      unsigned long long min_ns)
{
    unsigned long long ts;
    CUresult r;

    do {
        ts = now_ns();
        r = query(h);
    } while (r == CUDA_ERROR_NOT_READY && ts - t0 < DEADLINE);
    if (r == CUDA_SUCCESS && ts - t0 < min_ns)
        fprintf(stderr, "a query begun %llu ns after the launch of a %llu ns kernel said done\n",
                ts - t0, min_ns);
    EXPECT_TRUE(r != CUDA_SUCCESS || ts - t0 >= min_ns);
    return EXPECT(r, CUDA_SUCCESS) ? now_ns() - t0 : 0;
}

static CUresult event_query(void *h)
{
    return cuEventQuery((CUevent)h);
}

static CUresult stream_query(void *h)
{
    return cuStreamQuery((CUstream)h);
}

/*
 * An event after a BUSY_NS kernel, and its stream, are not complete before BUSY_NS passed since
 * the launch (queried without waiting), and the events around the kernel are BUSY_NS apart.
 */
static void events_complete_late(CUfunction busy, CUdeviceptr dout)
{
    CUstream s;
    CUevent before, after;
    unsigned long long ns = BUSY_NS, t0, t;
    void *args[] = {&ns, &dout};
    float ms = 0.0f;

    CHECK(cuStreamCreate(&s, CU_STREAM_NON_BLOCKING));
    CHECK(cuEventCreate(&before, CU_EVENT_DEFAULT));
    CHECK(cuEventCreate(&after, CU_EVENT_DEFAULT));
    CHECK(cuEventRecord(before, s));
    EXPECT(cuEventElapsedTime(&ms, before, after), CUDA_ERROR_INVALID_HANDLE); /* not recorded */
    t0 = now_ns();
    CHECK(cuLaunchKernel(busy, 1, 1, 1, 1, 1, 1, 0, s, args, NULL));
    CHECK(cuEventRecord(after, s));
    t = ready_after(event_query, after, t0, BUSY_NS);
    EXPECT_TRUE(t >= BUSY_NS);
    CHECK(cuEventSynchronize(after));
    CHECK(cuEventElapsedTime(&ms, before, after));
    EXPECT_TRUE(ms >= BUSY_NS / 1e6 && ms < 10000.0f);
    t0 = now_ns();
    CHECK(cuLaunchKernel(busy, 1, 1, 1, 1, 1, 1, 0, s, args, NULL));
    t = ready_after(stream_query, s, t0, BUSY_NS);
    EXPECT_TRUE(t >= BUSY_NS);
    CHECK(cuEventDestroy(before));
    CHECK(cuEventDestroy(after));
    CHECK(cuStreamDestroy(s));
}

/* Memsets and copies of two streams interleaved: each stream's data is its own last value. */
static void stream_order(void)
{
    static unsigned char out[ORDER_LEN];
    CUstream s[2];
    CUdeviceptr src[2], dst[2];
    int k, i, bad = 0;

    for (k = 0; k < 2; k++) {
        CHECK(cuStreamCreate(&s[k], CU_STREAM_NON_BLOCKING));
        CHECK(cuMemAlloc(&src[k], ORDER_LEN));
        CHECK(cuMemAlloc(&dst[k], ORDER_LEN));
    }
    for (i = 1; i <= 4; i++)
        for (k = 0; k < 2; k++) {
            CHECK(cuMemsetD8Async(src[k], (unsigned char)(16 * k + i), ORDER_LEN, s[k]));
            CHECK(cuMemcpyDtoDAsync(dst[k], src[k], ORDER_LEN, s[k]));
        }
    for (k = 0; k < 2; k++) {
        CHECK(cuStreamSynchronize(s[k]));
        CHECK(cuMemcpyDtoH(out, dst[k], ORDER_LEN));
        for (i = 0; i < (int)ORDER_LEN; i++)
            bad += out[i] != 16 * k + 4;
        CHECK(cuMemFree(src[k]));
        CHECK(cuMemFree(dst[k]));
        CHECK(cuStreamDestroy(s[k]));
    }
    EXPECT_TRUE(bad == 0);
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
    events_complete_late(busy, dout);
    stream_order();
    CHECK(cuCtxDestroy(ctx));
    free(image);
    return finish("cu_matmul");
}
