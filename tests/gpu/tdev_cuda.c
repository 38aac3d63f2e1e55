/* tdev_cuda.c: the PTX tests' device (tests/ptx/tdev.h) on the CUDA driver API, so the kernel
 * suite runs on a real GPU natively and, through vgpu-run, through vgpud (scripts/gpu-check). */
#include <cuda.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "tdev.h"

static void check(CUresult r, const char *what)
{
    const char *s = "?";

    if (r == CUDA_SUCCESS)
        return;
    cuGetErrorName(r, &s);
    fail_msg("%s: %s (%d)", what, s, (int)r);
}

/* One primary context for the process, made on first use. */
static void ctx_once(void)
{
    static CUcontext ctx;
    CUdevice dev;

    if (ctx)
        return;
    check(cuInit(0), "cuInit");
    check(cuDeviceGet(&dev, 0), "cuDeviceGet");
    check(cuDevicePrimaryCtxRetain(&ctx, dev), "cuDevicePrimaryCtxRetain");
    check(cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
}

void tdev_open_image(struct tdev *d, const void *img, size_t len)
{
    CUmodule m;

    (void)len;
    ctx_once();
    memset(d, 0, sizeof(*d));
    check(cuModuleLoadData(&m, img), "cuModuleLoadData");
    d->mod = (struct vgpu_ptx_module *)m; /* opaque here: the driver's module */
}

void tdev_open(struct tdev *d, const char *path)
{
    size_t len;
    char *img = tdev_read(path, &len);

    tdev_open_image(d, img, len);
    free(img);
}

void tdev_close(struct tdev *d)
{
    for (unsigned i = 0; i < d->n; i++) {
        cuMemFree((CUdeviceptr)d->r[i].base);
        free(d->r[i].host);
    }
    if (d->mod)
        cuModuleUnload((CUmodule)d->mod);
    memset(d, 0, sizeof(*d));
}

uint64_t tdev_alloc(struct tdev *d, size_t size, void *host)
{
    struct vgpu_ptx_region *r;
    CUdeviceptr p;

    assert_true(d->n < TDEV_MAX);
    check(cuMemAlloc(&p, size ? size : 1), "cuMemAlloc");
    r = &d->r[d->n++];
    r->base = p;
    r->size = size;
    r->host = calloc(1, size ? size : 1);
    assert_non_null(r->host);
    *(void **)host = r->host;
    return r->base;
}

/* The host copies are the truth between launches: in before, out after. */
int tdev_launch(struct tdev *d, const char *name, const uint32_t grid[3], const uint32_t block[3],
                uint32_t shared, const void *params, size_t len)
{
    void *extra[] = {CU_LAUNCH_PARAM_BUFFER_POINTER, (void *)params, CU_LAUNCH_PARAM_BUFFER_SIZE,
                     &len, CU_LAUNCH_PARAM_END};
    CUfunction f;
    CUresult r;
    unsigned i;

    if (cuModuleGetFunction(&f, (CUmodule)d->mod, name) != CUDA_SUCCESS)
        fail_msg("no kernel %s", name);
    for (i = 0; i < d->n; i++)
        check(cuMemcpyHtoD((CUdeviceptr)d->r[i].base, d->r[i].host, d->r[i].size), "HtoD");
    r = cuLaunchKernel(f, grid[0], grid[1], grid[2], block[0], block[1], block[2], shared, NULL,
                       NULL, len ? extra : NULL);
    if (r == CUDA_SUCCESS)
        r = cuCtxSynchronize();
    if (r == CUDA_ERROR_ILLEGAL_ADDRESS || r == CUDA_ERROR_MISALIGNED_ADDRESS)
        return -EFAULT;
    check(r, name);
    for (i = 0; i < d->n; i++)
        check(cuMemcpyDtoH(d->r[i].host, (CUdeviceptr)d->r[i].base, d->r[i].size), "DtoH");
    return 0;
}

uint32_t tdev_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (uint32_t)(*s >> 16);
}

float tdev_randf(uint64_t *s, float lo, float hi)
{
    return lo + (hi - lo) * (float)(tdev_rand(s) & 0xffffff) / (float)0x1000000;
}
