/* gpu_probe.c: one driver-API program for scripts/gpu-check, run natively and through vgpu-run:
 * copy bandwidth, launch latency, job throughput, isolation, faults, an endless kernel. */
#include <cuda.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Kernels as PTX text: the driver (or vgpud's CPU executor) compiles them; no nvcc needed. */
static const char ptx[] =
    ".version 7.0\n.target sm_70\n.address_size 64\n"
    ".visible .entry empty()\n{\n\tret;\n}\n"
    ".visible .entry rd(.param .u64 src, .param .u64 dst)\n{\n"
    "\t.reg .b64 %rd<5>;\n\t.reg .b32 %r<2>;\n"
    "\tld.param.u64 %rd1, [src];\n\tld.param.u64 %rd2, [dst];\n"
    "\tcvta.to.global.u64 %rd3, %rd1;\n\tcvta.to.global.u64 %rd4, %rd2;\n"
    "\tld.global.u32 %r1, [%rd3];\n\tst.global.u32 [%rd4], %r1;\n\tret;\n}\n"
    ".visible .entry spin(.param .u64 flag)\n{\n"
    "\t.reg .b64 %rd<3>;\n\t.reg .b32 %r<2>;\n\t.reg .pred %p<2>;\n"
    "\tld.param.u64 %rd1, [flag];\n\tcvta.to.global.u64 %rd2, %rd1;\n"
    "$L_spin:\n\tld.volatile.global.u32 %r1, [%rd2];\n\tsetp.eq.s32 %p1, %r1, 0;\n"
    "\t@%p1 bra $L_spin;\n\tret;\n}\n";

static CUcontext ctx;
static CUmodule mod;

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *name_of(CUresult r)
{
    const char *s = NULL;

    cuGetErrorName(r, &s);
    return s ? s : "CUDA_ERROR_?";
}

static void die(const char *what, CUresult r)
{
    printf("error %s %s\n", what, name_of(r));
    exit(1);
}

#define CK(call)                                                                                   \
    do {                                                                                           \
        CUresult r_ = (call);                                                                      \
        if (r_ != CUDA_SUCCESS)                                                                    \
            die(#call, r_);                                                                        \
    } while (0)

static void setup(void)
{
    CUdevice d;

    CK(cuInit(0));
    CK(cuDeviceGet(&d, 0));
    CK(cuDevicePrimaryCtxRetain(&ctx, d));
    CK(cuCtxSetCurrent(ctx));
    CK(cuModuleLoadData(&mod, ptx));
}

static CUfunction func(const char *name)
{
    CUfunction f;

    CK(cuModuleGetFunction(&f, mod, name));
    return f;
}

static CUresult launch(CUfunction f, void **params)
{
    return cuLaunchKernel(f, 1, 1, 1, 1, 1, 1, 0, NULL, params, NULL);
}

/* copy MAXMIB: GB/s of H2D and D2H, pageable and pinned, 1 MiB to MAXMIB (best of 3). */
static void mode_copy(size_t max_mib)
{
    static const char *const kinds[] = {"pageable", "pinned"};
    size_t max = max_mib << 20;
    CUdeviceptr d;
    void *host[2];

    CK(cuMemAlloc(&d, max));
    host[0] = malloc(max);
    if (!host[0] || cuMemHostAlloc(&host[1], max, 0) != CUDA_SUCCESS)
        host[1] = NULL; /* pinned memory unsupported: reported as such */
    memset(host[0], 1, max);
    for (int k = 0; k < 2; k++) {
        if (!host[k]) {
            printf("copy %s unsupported\n", kinds[k]);
            continue;
        }
        for (size_t mib = 1; mib <= max_mib; mib *= 4) {
            for (int dir = 0; dir < 2; dir++) {
                double best = 1e9;
                for (int rep = 0; rep < 4; rep++) { /* the first is a warm-up */
                    double t = now_s();
                    CK(dir ? cuMemcpyDtoH(host[k], d, mib << 20)
                           : cuMemcpyHtoD(d, host[k], mib << 20));
                    t = now_s() - t;
                    if (rep && t < best)
                        best = t;
                }
                printf("copy %s %s %zu %.3f\n", dir ? "d2h" : "h2d", kinds[k], mib,
                       (double)(mib << 20) / best / 1e9);
            }
        }
    }
    if (host[1])
        cuMemFreeHost(host[1]);
    free(host[0]);
    cuMemFree(d);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* latency N: empty-kernel launch + sync, N times: p50 and p99 in microseconds. */
static void mode_latency(int n)
{
    CUfunction f = func("empty");
    double *t = calloc((size_t)n, sizeof(*t));

    for (int i = -10; i < n; i++) { /* ten warm-ups */
        double s = now_s();
        CK(launch(f, NULL));
        CK(cuCtxSynchronize());
        if (i >= 0)
            t[i] = (now_s() - s) * 1e6;
    }
    qsort(t, (size_t)n, sizeof(*t), cmp_double);
    printf("latency p50 %.2f p99 %.2f\n", t[n / 2], t[n * 99 / 100]);
    free(t);
}

/*
 * jobs MS [START]: launch + sync jobs for MS milliseconds; how many. With
 * START (CLOCK_REALTIME, ms), the window is [START, START + MS), so that
 * clients started together count over the same time, their set-up apart.
 */
static void mode_jobs(int ms, unsigned long long start_ms)
{
    CUfunction f = func("empty");
    struct timespec ts;
    double wall, end;
    long n = 0;

    clock_gettime(CLOCK_REALTIME, &ts);
    wall = (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
    if (start_ms && (double)start_ms > wall) {
        double wait = ((double)start_ms - wall) * 1e-3;
        ts.tv_sec = (time_t)wait;
        ts.tv_nsec = (long)((wait - (double)ts.tv_sec) * 1e9);
        nanosleep(&ts, NULL);
        wall = (double)start_ms;
    }
    end = now_s() + (start_ms ? ((double)start_ms + ms - wall) * 1e-3 : ms / 1000.0);
    while (now_s() < end) {
        CK(launch(f, NULL));
        CK(cuCtxSynchronize());
        n++;
    }
    printf("jobs %ld\n", n);
}

/* write BYTES: fill an allocation with 0xA5, print its address, hold it until stdin closes. */
static void mode_write(size_t bytes)
{
    CUdeviceptr d;
    char line[16];

    CK(cuMemAlloc(&d, bytes));
    CK(cuMemsetD8(d, 0xA5, bytes));
    CK(cuCtxSynchronize());
    printf("addr 0x%llx\n", (unsigned long long)d);
    fflush(stdout);
    while (fgets(line, sizeof(line), stdin))
        ;
    CK(cuMemFree(d)); /* freed: the next owner of this memory must see zeros */
}

/* read ADDR: a kernel reads 4 bytes at someone else's device address. */
static void mode_read(unsigned long long addr)
{
    CUdeviceptr out, src = (CUdeviceptr)addr;
    void *params[] = {&src, &out};
    uint32_t v = 0;
    CUresult r;

    CK(cuMemAlloc(&out, 4));
    CK(cuMemsetD8(out, 0, 4));
    r = launch(func("rd"), params);
    if (r == CUDA_SUCCESS)
        r = cuCtxSynchronize();
    if (r == CUDA_SUCCESS)
        r = cuMemcpyDtoH(&v, out, 4);
    if (r != CUDA_SUCCESS)
        printf("read refused %s\n", name_of(r));
    else
        printf("read 0x%08x\n", v);
}

/* fresh BYTES: a new allocation's bytes that are not zero. */
static void mode_fresh(size_t bytes)
{
    unsigned char *h = malloc(bytes);
    CUdeviceptr d;
    size_t nz = 0;

    CK(cuMemAlloc(&d, bytes));
    CK(cuMemcpyDtoH(h, d, bytes));
    for (size_t i = 0; i < bytes; i++)
        nz += h[i] != 0;
    printf("nonzero %zu\n", nz);
    free(h);
}

/* A small job on a context made now: alloc, memset, read back. */
static int small_job(void)
{
    CUdevice dev;
    CUcontext c;
    CUdeviceptr d;
    uint32_t v = 0;

    if (cuDeviceGet(&dev, 0) || cuDevicePrimaryCtxRetain(&c, dev) || cuCtxSetCurrent(c) ||
        cuMemAlloc(&d, 4) || cuMemsetD32(d, 0x1234, 1) || cuMemcpyDtoH(&v, d, 4))
        return 0;
    cuMemFree(d);
    return v == 0x1234;
}

/* fault: a kernel reads an address nobody owns; then a fresh context works. */
static void mode_fault(void)
{
    CUdevice dev;
    CUresult r;

    mode_read(0x10); /* prints "read refused CUDA_ERROR_..." */
    CK(cuDeviceGet(&dev, 0));
    r = cuDevicePrimaryCtxReset(dev); /* the context is poisoned: start over, as programs do */
    printf("reset %s\n", r ? name_of(r) : "ok");
    printf("next %s\n", small_job() ? "ok" : "failed");
}

/* spin: a kernel that never ends; how it ended and when. */
static void mode_spin(void)
{
    CUdeviceptr flag;
    void *params[] = {&flag};
    double t = now_s();
    CUresult r;

    CK(cuMemAlloc(&flag, 4));
    CK(cuMemsetD8(flag, 0, 4));
    printf("spinning\n");
    fflush(stdout);
    r = launch(func("spin"), params);
    if (r == CUDA_SUCCESS)
        r = cuCtxSynchronize();
    printf("spin ended %s after %.1f s\n", name_of(r), now_s() - t);
}

/*
 * granularity: what the driver really takes per allocation (cuMemGetInfo's
 * free memory before and after COUNT allocations of SIZE), for sizes
 * around the executor's estimate (exec_cuda.c, cuda_mem_charge).
 */
static void mode_granularity(void)
{
    static const size_t sizes[][2] = {{256, 1024}, {4096, 512}, {1u << 20, 16}, {3u << 20, 8}};
    static CUdeviceptr p[1024];

    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        size_t free0, free1, total, k;

        CK(cuMemGetInfo(&free0, &total));
        for (k = 0; k < sizes[s][1]; k++)
            CK(cuMemAlloc(&p[k], sizes[s][0]));
        CK(cuMemGetInfo(&free1, &total));
        printf("granularity %zu %zu\n", sizes[s][0], (free0 - free1) / sizes[s][1]);
        for (k = 0; k < sizes[s][1]; k++)
            CK(cuMemFree(p[k]));
    }
}

/* info: the device's name and UUID, as nvidia-smi -L and map-pool write it. */
static void mode_info(void)
{
    CUdevice d;
    CUuuid u;
    char name[128];
    const unsigned char *b = (const unsigned char *)u.bytes;

    CK(cuDeviceGet(&d, 0));
    CK(cuDeviceGetName(name, sizeof(name), d));
    CK(cuDeviceGetUuid(&u, d));
    printf("name %s\n", name);
    printf("uuid GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x\n", b[0],
           b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
           b[15]);
}

int main(int argc, char **argv)
{
    const char *m = argc > 1 ? argv[1] : "";
    unsigned long long a = argc > 2 ? strtoull(argv[2], NULL, 0) : 0;

    if (argc < 2) {
        fprintf(stderr,
                "usage: gpu_probe copy MAXMIB | latency N | jobs MS [START_MS] | write BYTES | "
                "read ADDR | fresh BYTES | fault | spin | info | granularity\n");
        return 2;
    }
    setup();
    if (!strcmp(m, "copy"))
        mode_copy(a ? a : 256);
    else if (!strcmp(m, "latency"))
        mode_latency(a ? (int)a : 1000);
    else if (!strcmp(m, "jobs"))
        mode_jobs(a ? (int)a : 1000, argc > 3 ? strtoull(argv[3], NULL, 10) : 0);
    else if (!strcmp(m, "write"))
        mode_write(a ? a : 1 << 20);
    else if (!strcmp(m, "read"))
        mode_read(a);
    else if (!strcmp(m, "fresh"))
        mode_fresh(a ? a : 1 << 20);
    else if (!strcmp(m, "fault"))
        mode_fault();
    else if (!strcmp(m, "spin"))
        mode_spin();
    else if (!strcmp(m, "info"))
        mode_info();
    else if (!strcmp(m, "granularity"))
        mode_granularity();
    else
        return 2;
    return 0;
}
