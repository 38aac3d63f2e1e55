/* cu_plain.c: libcuda without the toolkit: our own declarations, hand-written PTX, the CPU
 * executor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cu_abi.h"

/*
 * The driver API functions this program calls, declared as cuda.h does
 * (tests/cuda/abi_check and the toolkit build check the signatures where
 * the toolkit exists). CI machines without it still test libcuda here.
 */
CUresult cuInit(unsigned int flags);
CUresult cuCtxCreate_v2(CUcontext *pctx, unsigned int flags, CUdevice dev);
CUresult cuCtxDestroy_v2(CUcontext ctx);
CUresult cuModuleLoadData(CUmodule *module, const void *image);
CUresult cuModuleUnload(CUmodule m);
CUresult cuModuleGetFunction(CUfunction *pf, CUmodule m, const char *name);
CUresult cuFuncGetParamInfo(CUfunction f, size_t index, size_t *offset, size_t *size);
CUresult cuMemAlloc_v2(CUdeviceptr *dptr, size_t bytes);
CUresult cuMemFree_v2(CUdeviceptr dptr);
CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t n);
CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t n);
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t n, CUstream s);
CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t n, CUstream s);
CUresult cuStreamSynchronize(CUstream s);
CUresult cuLaunchKernel(CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz,
                        unsigned int bx, unsigned int by, unsigned int bz, unsigned int shmem,
                        CUstream s, void **kp, void **extra);
CUresult cuCtxSynchronize(void);
CUresult cuGetErrorName(CUresult error, const char **str);
CUresult cuMemAllocHost_v2(void **pp, size_t bytes);
CUresult cuMemFreeHost(void *p);
CUresult cuMemHostGetDevicePointer_v2(CUdeviceptr *dptr, void *p, unsigned int flags);

#define N 1000

static int failures;

static void expect(CUresult got, CUresult want, const char *what, int line)
{
    const char *gn = "?", *wn = "?";

    if (got == want)
        return;
    cuGetErrorName(got, &gn);
    cuGetErrorName(want, &wn);
    fprintf(stderr, "cu_plain.c:%d: %s: got %s, expected %s\n", line, what, gn, wn);
    failures++;
}
#define EXPECT(call, want) expect((call), (want), #call, __LINE__)
#define CHECK(call)        EXPECT(call, CUDA_SUCCESS)

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = calloc(1, 1 << 20);
    size_t n;

    if (!f || !buf) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    n = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* Page-locked memory far larger than the data area (issue 19): copies through it are exact. */
static void pinned(void)
{
    size_t bytes = 48u << 20;
    unsigned char *h = NULL, *back = NULL;
    CUdeviceptr d = 0, dp;
    void *huge;

    CHECK(cuMemAllocHost_v2((void **)&h, bytes));
    CHECK(cuMemAllocHost_v2((void **)&back, bytes));
    CHECK(cuMemAlloc_v2(&d, bytes));
    if (!h || !back || !d)
        return;
    for (size_t i = 0; i < bytes; i++)
        h[i] = (unsigned char)(i * 7 + (i >> 12));
    memset(back, 0, bytes);
    CHECK(cuMemcpyHtoD_v2(d, h, bytes));
    CHECK(cuMemcpyDtoH_v2(back, d, bytes));
    if (memcmp(h, back, bytes) != 0) {
        fprintf(stderr, "a 48 MiB copy through page-locked memory came back different\n");
        failures++;
    }
    EXPECT(cuMemHostGetDevicePointer_v2(&dp, h, 0), CUDA_ERROR_NOT_SUPPORTED);
    EXPECT(cuMemHostGetDevicePointer_v2(&dp, &dp, 0), CUDA_ERROR_INVALID_VALUE);
    /* Past the VM's pinned limit (vgpud's default, 256 MiB): refused, as the driver does. */
    EXPECT(cuMemAllocHost_v2(&huge, 1u << 30), CUDA_ERROR_OUT_OF_MEMORY);
    CHECK(cuMemFree_v2(d));
    CHECK(cuMemFreeHost(h));
    CHECK(cuMemFreeHost(back));
}

static unsigned char pattern(size_t i, unsigned seed)
{
    return (unsigned char)(i * 13 + (i >> 11) + seed);
}

/* Pageable memory of 24 MiB and 3 bytes: through libvgpu's staging buffer, in pieces; sync and
 * async copies are exact, and an async one took the data before it returned. */
static void pageable(void)
{
    size_t bytes = (24u << 20) + 3, i;
    unsigned char *h = malloc(bytes), *back = malloc(bytes);
    CUdeviceptr d = 0;
    size_t bad = 0;

    CHECK(cuMemAlloc_v2(&d, bytes));
    if (!h || !back || !d) {
        failures++;
        return;
    }
    for (i = 0; i < bytes; i++)
        h[i] = pattern(i, 1);
    CHECK(cuMemcpyHtoD_v2(d, h, bytes));
    memset(h, 0, bytes);
    CHECK(cuMemcpyDtoH_v2(back, d, bytes));
    for (i = 0; i < bytes; i++)
        bad += back[i] != pattern(i, 1);
    for (i = 0; i < bytes; i++)
        h[i] = pattern(i, 2);
    CHECK(cuMemcpyHtoDAsync_v2(d, h, bytes, NULL));
    memset(h, 0, bytes); /* pageable: copied out before the call returned */
    memset(back, 0, bytes);
    CHECK(cuMemcpyDtoHAsync_v2(back, d, bytes, NULL));
    CHECK(cuStreamSynchronize(NULL));
    for (i = 0; i < bytes; i++)
        bad += back[i] != pattern(i, 2);
    if (bad) {
        fprintf(stderr, "24 MiB copies from pageable memory: %zu bytes differ\n", bad);
        failures++;
    }
    CHECK(cuMemFree_v2(d));
    free(h);
    free(back);
}

int main(int argc, char **argv)
{
    static float x[N], y[N];
    CUcontext ctx;
    CUmodule mod;
    CUfunction saxpy;
    CUdeviceptr dx, dy;
    float a = 3.0f;
    unsigned int n = N;
    void *args[] = {&a, &dx, &dy, &n};
    size_t off = 0, size = 0;
    char *ptx;

    if (argc != 2) {
        fprintf(stderr, "usage: cu_plain KERNELS.ptx\n");
        return 2;
    }
    ptx = read_text(argv[1]);
    for (int i = 0; i < N; i++) {
        x[i] = (float)i;
        y[i] = 1.0f;
    }
    CHECK(cuInit(0));
    CHECK(cuCtxCreate_v2(&ctx, 0, 0));
    CHECK(cuModuleLoadData(&mod, ptx));
    CHECK(cuModuleGetFunction(&saxpy, mod, "saxpy"));
    CHECK(cuFuncGetParamInfo(saxpy, 1, &off, &size));
    if (off != 8 || size != 8) {
        fprintf(stderr, "saxpy's x: offset %zu size %zu, expected 8 and 8\n", off, size);
        failures++;
    }
    CHECK(cuMemAlloc_v2(&dx, sizeof(x)));
    CHECK(cuMemAlloc_v2(&dy, sizeof(y)));
    CHECK(cuMemcpyHtoD_v2(dx, x, sizeof(x)));
    CHECK(cuMemcpyHtoD_v2(dy, y, sizeof(y)));
    CHECK(cuLaunchKernel(saxpy, (N + 127) / 128, 1, 1, 128, 1, 1, 0, NULL, args, NULL));
    CHECK(cuCtxSynchronize());
    CHECK(cuMemcpyDtoH_v2(y, dy, sizeof(y)));
    for (int i = 0; i < N; i++)
        if (y[i] != 3.0f * (float)i + 1.0f) {
            fprintf(stderr, "y[%d] = %g, expected %g\n", i, y[i], 3.0f * (float)i + 1.0f);
            failures++;
            break;
        }
    EXPECT(cuMemcpyHtoD_v2(dx, x, sizeof(x) + 4), CUDA_ERROR_INVALID_VALUE);
    pageable();
    pinned();
    EXPECT(cuModuleGetFunction(&saxpy, mod, "no_such_kernel"), CUDA_ERROR_NOT_FOUND);
    CHECK(cuModuleUnload(mod));
    EXPECT(cuModuleUnload(mod), CUDA_ERROR_INVALID_HANDLE);
    CHECK(cuMemFree_v2(dx));
    CHECK(cuMemFree_v2(dy));
    CHECK(cuCtxDestroy_v2(ctx));
    free(ptx);
    printf("cu_plain: %s\n", failures ? "FAIL" : "ok");
    return failures ? 1 : 0;
}
