/* cu_vector_add.c: vector add and saxpy through the driver API: every launch form, copies, memsets.
 */
#include <string.h>
#include "common.h"

#define N 4096

static float a[N], b[N], c[N];

static int sum_ok(void)
{
    for (int i = 0; i < N; i++)
        if (c[i] != a[i] + b[i])
            return 0;
    return 1;
}

/* c = a + b three ways: kernelParams, extra (packed buffer), cuLaunchKernelEx. */
static void launches(CUfunction f, CUdeviceptr da, CUdeviceptr db, CUdeviceptr dc)
{
    unsigned int n = N;
    void *args[] = {&da, &db, &dc, &n};
    struct {
        CUdeviceptr a, b, c;
        unsigned int n, pad;
    } packed = {da, db, dc, N, 0};
    size_t size = sizeof(packed);
    void *extra[] = {CU_LAUNCH_PARAM_BUFFER_POINTER, &packed, CU_LAUNCH_PARAM_BUFFER_SIZE, &size,
                     CU_LAUNCH_PARAM_END};
    CUlaunchConfig cfg = {N / 256, 1, 1, 256, 1, 1, 0, NULL, NULL, 0};

    CHECK(cuMemsetD8(dc, 0, sizeof(c)));
    CHECK(cuLaunchKernel(f, N / 256, 1, 1, 256, 1, 1, 0, NULL, args, NULL));
    CHECK(cuMemcpyDtoH(c, dc, sizeof(c)));
    EXPECT_TRUE(sum_ok());
    CHECK(cuMemsetD32(dc, 0, N));
    CHECK(cuLaunchKernel(f, N / 256, 1, 1, 256, 1, 1, 0, NULL, NULL, extra));
    CHECK(cuMemcpyDtoH(c, dc, sizeof(c)));
    EXPECT_TRUE(sum_ok());
    CHECK(cuMemsetD16(dc, 0, 2 * N));
    CHECK(cuLaunchKernelEx(&cfg, f, args, NULL));
    CHECK(cuCtxSynchronize());
    CHECK(cuMemcpyDtoH(c, dc, sizeof(c)));
    EXPECT_TRUE(sum_ok());
}

static void param_info(CUfunction f)
{
    size_t off = 0, size = 0;

    CHECK(cuFuncGetParamInfo(f, 2, &off, &size));
    EXPECT_TRUE(off == 16 && size == 8);
    CHECK(cuFuncGetParamInfo(f, 3, &off, &size));
    EXPECT_TRUE(off == 24 && size == 4);
    EXPECT(cuFuncGetParamInfo(f, 4, &off, &size), CUDA_ERROR_INVALID_VALUE);
}

/* saxpy through the library API, with pinned host memory and async copies on a stream. */
static void saxpy_library(const void *image)
{
    CUlibrary lib;
    CUkernel k;
    CUfunction f;
    CUstream s;
    CUdeviceptr dx, dy;
    float *hx, *hy, alpha = 2.0f;
    unsigned int n = N;
    void *args[] = {&alpha, &dx, &dy, &n};

    CHECK(cuLibraryLoadData(&lib, image, NULL, NULL, 0, NULL, NULL, 0));
    CHECK(cuLibraryGetKernel(&k, lib, "saxpy"));
    CHECK(cuKernelGetFunction(&f, k));
    CHECK(cuStreamCreate(&s, CU_STREAM_NON_BLOCKING));
    CHECK(cuMemAllocHost((void **)&hx, sizeof(float) * N));
    CHECK(cuMemAllocHost((void **)&hy, sizeof(float) * N));
    for (int i = 0; i < N; i++) {
        hx[i] = (float)i;
        hy[i] = 1.0f;
    }
    CHECK(cuMemAlloc(&dx, sizeof(float) * N));
    CHECK(cuMemAlloc(&dy, sizeof(float) * N));
    CHECK(cuMemcpyHtoDAsync(dx, hx, sizeof(float) * N, s));
    CHECK(cuMemcpyHtoDAsync(dy, hy, sizeof(float) * N, s));
    CHECK(cuLaunchKernel((CUfunction)k, N / 128, 1, 1, 128, 1, 1, 0, s, args, NULL));
    CHECK(cuMemcpyDtoHAsync(hy, dy, sizeof(float) * N, s));
    CHECK(cuStreamSynchronize(s));
    for (int i = 0; i < N; i++)
        if (hy[i] != 2.0f * (float)i + 1.0f) {
            EXPECT_TRUE(hy[i] == 2.0f * (float)i + 1.0f);
            break;
        }
    CHECK(cuMemFree(dx));
    CHECK(cuMemFree(dy));
    CHECK(cuMemFreeHost(hx));
    CHECK(cuMemFreeHost(hy));
    CHECK(cuStreamDestroy(s));
    CHECK(cuLibraryUnload(lib));
}

/* PTX text padded with a comment to 5 MiB: more than the data area, so it goes in chunks. */
static void big_ptx(const char *path, CUdeviceptr da, CUdeviceptr db, CUdeviceptr dc)
{
    size_t len = 5u << 20, n;
    char *text = read_image(path), *image = malloc(len);
    CUmodule mod;
    CUfunction f;
    unsigned int count = N;
    void *args[] = {&da, &db, &dc, &count};

    n = strlen(text);
    memcpy(image, text, n);
    memcpy(image + n, "\n//", 3);
    memset(image + n + 3, 'x', len - n - 4);
    image[len - 1] = '\0';
    CHECK(cuModuleLoadData(&mod, image));
    CHECK(cuModuleGetFunction(&f, mod, "vector_add"));
    CHECK(cuMemsetD8(dc, 0, sizeof(c)));
    CHECK(cuLaunchKernel(f, N / 256, 1, 1, 256, 1, 1, 0, NULL, args, NULL));
    CHECK(cuMemcpyDtoH(c, dc, sizeof(c)));
    EXPECT_TRUE(sum_ok());
    CHECK(cuModuleUnload(mod));
    free(image);
    free(text);
}

int main(int argc, char **argv)
{
    CUdevice dev;
    CUcontext ctx;
    CUmodule mod;
    CUfunction f;
    CUdeviceptr da, db, dc, dd;
    void *image;

    if (argc != 3) {
        fprintf(stderr, "usage: cu_vector_add KERNELS.fatbin KERNELS.ptx\n");
        return 2;
    }
    image = read_image(argv[1]);
    for (int i = 0; i < N; i++) {
        a[i] = (float)i;
        b[i] = (float)(2 * i);
    }
    CHECK(cuInit(0));
    CHECK(cuDeviceGet(&dev, 0));
    CHECK(cuDevicePrimaryCtxRetain(&ctx, dev));
    CHECK(cuCtxSetCurrent(ctx));
    CHECK(cuModuleLoad(&mod, argv[1]));
    CHECK(cuModuleGetFunction(&f, mod, "vector_add"));
    param_info(f);
    CHECK(cuMemAlloc(&da, sizeof(a)));
    CHECK(cuMemAlloc(&db, sizeof(b)));
    CHECK(cuMemAlloc(&dc, sizeof(c)));
    CHECK(cuMemAlloc(&dd, sizeof(c)));
    CHECK(cuMemcpyHtoD(da, a, sizeof(a)));
    CHECK(cuMemcpyHtoD(dd, b, sizeof(b)));
    CHECK(cuMemcpyDtoD(db, dd, sizeof(b)));
    launches(f, da, db, dc);
    CHECK(cuModuleUnload(mod));
    big_ptx(argv[2], da, db, dc);
    saxpy_library(image);
    CHECK(cuMemFree(da));
    CHECK(cuMemFree(db));
    CHECK(cuMemFree(dc));
    CHECK(cuMemFree(dd));
    CHECK(cuDevicePrimaryCtxRelease(dev));
    free(image);
    return finish("cu_vector_add");
}
