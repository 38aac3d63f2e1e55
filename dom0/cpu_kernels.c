/* cpu_kernels.c: vector add, saxpy, matmul and busy, run on the CPU as a GPU would index them. */
#include <string.h>
#include <time.h>
#include "cpu_kernels.h"
#include "vgpu_kernels.h"

#define BUSY_MAX_NS (10ull * 1000 * 1000 * 1000) /* a busy kernel runs at most 10 s */

/* Threads a launch has along x (grid.x * block.x), as a GPU kernel's global index would see. */
static uint64_t threads_x(const struct vgpu_req_launch *l)
{
    return (uint64_t)l->grid[0] * l->block[0];
}

static uint64_t threads_y(const struct vgpu_req_launch *l)
{
    return (uint64_t)l->grid[1] * l->block[1];
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

static int run_vector_add(const struct vgpu_req_launch *l, const void *params,
                          vgpu_cpu_xlate_fn xlate, void *ctx)
{
    struct vgpu_k_vector_add p;
    const float *a, *b;
    float *c;
    uint64_t i, n;

    memcpy(&p, params, sizeof(p));
    n = min_u64(p.n, threads_x(l));
    a = xlate(ctx, p.a, n * sizeof(float));
    b = xlate(ctx, p.b, n * sizeof(float));
    c = xlate(ctx, p.c, n * sizeof(float));
    if (!a || !b || !c)
        return VGPU_S_BAD_HANDLE;
    for (i = 0; i < n; i++)
        c[i] = a[i] + b[i];
    return VGPU_S_OK;
}

static int run_saxpy(const struct vgpu_req_launch *l, const void *params,
                     vgpu_cpu_xlate_fn xlate, void *ctx)
{
    struct vgpu_k_saxpy p;
    const float *x;
    float *y;
    uint64_t i, n;

    memcpy(&p, params, sizeof(p));
    n = min_u64(p.n, threads_x(l));
    x = xlate(ctx, p.x, n * sizeof(float));
    y = xlate(ctx, p.y, n * sizeof(float));
    if (!x || !y)
        return VGPU_S_BAD_HANDLE;
    for (i = 0; i < n; i++)
        y[i] = p.a * x[i] + y[i];
    return VGPU_S_OK;
}

static int run_matmul(const struct vgpu_req_launch *l, const void *params,
                      vgpu_cpu_xlate_fn xlate, void *ctx)
{
    struct vgpu_k_matmul p;
    const float *a, *b;
    float *c;
    uint64_t n, bytes, rows, cols, r, k, col;

    memcpy(&p, params, sizeof(p));
    n = p.n;
    if (n > 8192)
        return VGPU_S_BAD_LAUNCH;
    bytes = n * n * sizeof(float);
    a = xlate(ctx, p.a, bytes);
    b = xlate(ctx, p.b, bytes);
    c = xlate(ctx, p.c, bytes);
    if (!a || !b || !c)
        return VGPU_S_BAD_HANDLE;
    rows = min_u64(n, threads_y(l));
    cols = min_u64(n, threads_x(l));
    for (r = 0; r < rows; r++)
        for (col = 0; col < cols; col++) {
            float s = 0;
            for (k = 0; k < n; k++)
                s += a[r * n + k] * b[k * n + col];
            c[r * n + col] = s;
        }
    return VGPU_S_OK;
}

static uint64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int run_busy(const struct vgpu_req_launch *l, const void *params, vgpu_cpu_xlate_fn xlate,
                    void *ctx)
{
    struct vgpu_k_busy p;
    uint64_t *out = NULL, end;

    (void)l;
    memcpy(&p, params, sizeof(p));
    if (p.ns > BUSY_MAX_NS)
        return VGPU_S_BAD_LAUNCH;
    if (p.out) {
        out = xlate(ctx, p.out, sizeof(uint64_t));
        if (!out)
            return VGPU_S_BAD_HANDLE;
    }
    end = mono_ns() + p.ns;
    while (mono_ns() < end)
        ; /* the worker is busy, as a GPU running a long kernel */
    if (out)
        memcpy(out, &p.ns, sizeof(p.ns));
    return VGPU_S_OK;
}

static const struct vgpu_cpu_kernel kernels[] = {
    {VGPU_K_VECTOR_ADD, sizeof(struct vgpu_k_vector_add), run_vector_add},
    {VGPU_K_SAXPY, sizeof(struct vgpu_k_saxpy), run_saxpy},
    {VGPU_K_MATMUL, sizeof(struct vgpu_k_matmul), run_matmul},
    {VGPU_K_BUSY, sizeof(struct vgpu_k_busy), run_busy},
};

int vgpu_cpu_kernel_find(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(kernels) / sizeof(kernels[0]); i++)
        if (strcmp(kernels[i].name, name) == 0)
            return (int)i;
    return -1;
}

const struct vgpu_cpu_kernel *vgpu_cpu_kernel_get(int index)
{
    if (index < 0 || (size_t)index >= sizeof(kernels) / sizeof(kernels[0]))
        return NULL;
    return &kernels[index];
}
