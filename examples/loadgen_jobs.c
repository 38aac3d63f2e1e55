/* loadgen_jobs.c: vgpu-loadgen's jobs: set up a channel, run one kernel, check it on the CPU. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "example.h"
#include "loadgen.h"
#include "vgpu_kernels.h"

const char *const lg_kernel_names[LG_NKERNELS] = {VGPU_K_VECTOR_ADD, VGPU_K_SAXPY, VGPU_K_MATMUL,
                                                  VGPU_K_BUSY};

static bool uses(const struct lg_opts *o, enum lg_kernel k)
{
    return o->kernel == LG_MIX || o->kernel == (int)k;
}

int lg_chan_setup(struct lg_chan *c)
{
    struct vgpu_open_opts opts = {
        .socket_path = c->o->socket, .instance = c->o->instance, .poll_ns = -1};
    uint64_t module;
    int k, r;

    c->rng = c->o->seed + c->index * 7919u;
    c->elems = c->o->size;
    c->mat_n = c->o->kernel == LG_MIX ? LG_MIX_MATMUL_N : c->o->size;
    c->cap = c->o->kernel == LG_MATMUL ? 0 : c->elems;
    if (uses(c->o, LG_MATMUL) && c->mat_n * c->mat_n > c->cap)
        c->cap = c->mat_n * c->mat_n;
    if (c->cap < 2)
        c->cap = 2; /* busy's output */
    r = example_open("vgpu-loadgen", &opts, &c->ch, &module);
    for (k = 0; r == 0 && k < LG_NKERNELS; k++) {
        if (uses(c->o, (enum lg_kernel)k))
            r = example_func("vgpu-loadgen", c->ch, module, lg_kernel_names[k], &c->func[k]);
    }
    for (k = 0; r == 0 && k < 3; k++) {
        r = vgpu_mem_alloc(c->ch, c->cap * sizeof(float), &c->dbuf[k]);
        if (r < 0)
            example_fail("vgpu-loadgen", "cannot allocate device memory", r);
    }
    for (k = 0; r == 0 && k < 4; k++) {
        c->hbuf[k] = malloc(c->cap * sizeof(float));
        if (!c->hbuf[k])
            r = example_fail("vgpu-loadgen", "host memory", -VGPU_S_NO_MEMORY);
    }
    c->err = r;
    return r;
}

void lg_chan_teardown(struct lg_chan *c)
{
    int k;

    for (k = 0; k < 3; k++) {
        if (c->ch && c->dbuf[k])
            vgpu_mem_free(c->ch, c->dbuf[k]);
    }
    for (k = 0; k < 4; k++)
        free(c->hbuf[k]);
    vgpu_close(c->ch);
    c->ch = NULL;
}

enum lg_kernel lg_pick(struct lg_chan *c)
{
    if (c->o->kernel != LG_MIX)
        return (enum lg_kernel)c->o->kernel;
    return (enum lg_kernel)(rand_r(&c->rng) % LG_NKERNELS);
}

/* Small integers: every sum and product below is exact in float. */
static void fill(struct lg_chan *c, float *v, uint64_t n, uint32_t mod)
{
    uint32_t base = (uint32_t)rand_r(&c->rng);
    uint64_t i;

    for (i = 0; i < n; i++)
        v[i] = (float)((base + i * 2654435761u) % mod);
}

static bool same(const float *got, const float *want, uint64_t n)
{
    uint64_t i;

    for (i = 0; i < n; i++) {
        if (fabsf(got[i] - want[i]) > 1e-4f * fabsf(want[i]) + 1e-4f)
            return false;
    }
    return true;
}

/* Copy n floats of hbuf[i] to dbuf[i] for i < ins, launch, sync, copy dbuf[res] back. */
static int roundtrip(struct lg_chan *c, enum lg_kernel k, int ins, uint64_t n, const void *params,
                     size_t plen, const uint32_t grid[3], const uint32_t block[3], int res)
{
    int i, r = 0;

    for (i = 0; r == 0 && i < ins; i++)
        r = vgpu_copy_htod(c->ch, c->dbuf[i], c->hbuf[i], n * sizeof(float));
    if (r == 0)
        r = vgpu_launch(c->ch, c->func[k], grid, block, 0, params, plen);
    if (r == 0)
        r = vgpu_sync(c->ch);
    if (r == 0)
        r = vgpu_copy_dtoh(c->ch, c->hbuf[2], c->dbuf[res], n * sizeof(float));
    return r;
}

static int job_elementwise(struct lg_chan *c, enum lg_kernel k, bool *correct)
{
    uint64_t n = c->elems, i;
    uint32_t grid[3] = {example_blocks(n), 1, 1}, block[3] = {256, 1, 1};
    float *x = c->hbuf[0], *y = c->hbuf[1], *want = c->hbuf[3];
    float a = (float)(1 + rand_r(&c->rng) % 4) * 0.5f;
    struct vgpu_k_vector_add va = {
        .a = c->dbuf[0], .b = c->dbuf[1], .c = c->dbuf[2], .n = (uint32_t)n};
    struct vgpu_k_saxpy sx = {.a = a, .x = c->dbuf[0], .y = c->dbuf[1], .n = (uint32_t)n};
    int r;

    fill(c, x, n, 1000);
    fill(c, y, n, 1000);
    for (i = 0; i < n; i++)
        want[i] = k == LG_SAXPY ? a * x[i] + y[i] : x[i] + y[i];
    if (k == LG_SAXPY)
        r = roundtrip(c, k, 2, n, &sx, sizeof(sx), grid, block, 1);
    else
        r = roundtrip(c, k, 2, n, &va, sizeof(va), grid, block, 2);
    *correct = r == 0 && same(c->hbuf[2], want, n);
    return r;
}

static int job_matmul(struct lg_chan *c, bool *correct)
{
    uint64_t n = c->mat_n, i, j, l;
    uint32_t grid[3] = {(uint32_t)((n + 15) / 16), (uint32_t)((n + 15) / 16), 1};
    uint32_t block[3] = {16, 16, 1};
    float *a = c->hbuf[0], *b = c->hbuf[1], *want = c->hbuf[3];
    struct vgpu_k_matmul mm = {.a = c->dbuf[0], .b = c->dbuf[1], .c = c->dbuf[2], .n = (uint32_t)n};
    int r;

    fill(c, a, n * n, 10);
    fill(c, b, n * n, 10);
    for (i = 0; i < n; i++) {
        for (j = 0; j < n; j++) {
            float s = 0;
            for (l = 0; l < n; l++)
                s += a[i * n + l] * b[l * n + j];
            want[i * n + j] = s;
        }
    }
    r = roundtrip(c, LG_MATMUL, 2, n * n, &mm, sizeof(mm), grid, block, 2);
    *correct = r == 0 && same(c->hbuf[2], want, n * n);
    return r;
}

static int job_busy(struct lg_chan *c, bool *correct)
{
    uint32_t one[3] = {1, 1, 1};
    struct vgpu_k_busy bz = {.ns = c->o->busy_ns, .out = c->dbuf[2]};
    uint64_t out = 0;
    int r = vgpu_memset(c->ch, c->dbuf[2], 0, sizeof(out));

    if (r == 0)
        r = vgpu_launch(c->ch, c->func[LG_BUSY], one, one, 0, &bz, sizeof(bz));
    if (r == 0)
        r = vgpu_sync(c->ch);
    if (r == 0)
        r = vgpu_copy_dtoh(c->ch, &out, c->dbuf[2], sizeof(out));
    *correct = r == 0 && out == c->o->busy_ns;
    return r;
}

int lg_job(struct lg_chan *c, enum lg_kernel k, uint32_t job, bool *correct)
{
    (void)job;
    *correct = false;
    switch (k) {
    case LG_VECTOR_ADD:
    case LG_SAXPY:
        return job_elementwise(c, k, correct);
    case LG_MATMUL:
        return job_matmul(c, correct);
    default:
        return job_busy(c, correct);
    }
}
