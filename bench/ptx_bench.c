/* ptx_bench.c: the PTX interpreter's speed on one core: thread-instructions per second for vector
 * add and the tiled matmul of tests/ptx/kernels.cu, against the same kernels as gcc -O2 C loops. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "vgpu_ptx.h"

#define BASE 0x100000000000ull
#define TILE 16

struct bufs {
    struct vgpu_ptx_region r[3];
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: fair on a shared machine */
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static bool region(void *ctx, uint64_t addr, struct vgpu_ptx_region *out)
{
    struct bufs *b = ctx;
    unsigned i;

    for (i = 0; i < 3; i++)
        if (addr >= b->r[i].base && addr - b->r[i].base < b->r[i].size) {
            *out = b->r[i];
            return true;
        }
    return false;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* The C versions, thread by thread as the kernels index them, compiled by gcc -O2. */
static void c_vector_add(const float *a, const float *b, float *c, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        c[i] = a[i] + b[i];
}

static void c_matmul(const float *a, const float *b, float *c, uint32_t n)
{
    for (uint32_t r = 0; r < n; r++)
        for (uint32_t col = 0; col < n; col++) {
            float s = 0.0f;
            for (uint32_t k = 0; k < n; k++)
                s += a[r * n + k] * b[k * n + col];
            c[r * n + col] = s;
        }
}

struct result {
    double secs, insns, c_secs;
};

/* Runs name once over the buffers; returns CPU seconds, adds thread-instructions to *insns.
 * The benches report the best of their runs, as for the C loops: on a shared machine the
 * slower runs measure the other jobs. */
static double run(struct vgpu_ptx_module *m, const char *name, struct bufs *b, uint32_t n,
                  const uint32_t grid[3], const uint32_t block[3], double *insns)
{
    struct {
        uint64_t a, b, c;
        uint32_t n;
    } p = {b->r[0].base, b->r[1].base, b->r[2].base, n};
    struct vgpu_ptx_launch l = {
        .params = &p, .params_len = sizeof(p), .region = region, .region_ctx = b};
    struct vgpu_ptx_fault f = {0};
    double t = now_s();

    memcpy(l.grid, grid, sizeof(l.grid));
    memcpy(l.block, block, sizeof(l.block));
    if (vgpu_ptx_launch(m, vgpu_ptx_entry_find(m, name), &l, &f)) {
        fprintf(stderr, "ptx_bench: %s failed: %s\n", name, vgpu_ptx_fault_name(f.kind));
        exit(1);
    }
    *insns += (double)f.insns;
    return now_s() - t;
}

static void report(const char *what, double secs, double insns, double c_secs)
{
    printf("%-26s %8.1f ms  %7.1f M thread-insns/s  C -O2: %8.3f ms  ratio %6.1fx\n", what,
           secs * 1e3, insns / secs / 1e6, c_secs * 1e3, secs / c_secs);
}

static void bench_vector_add(struct vgpu_ptx_module *m, uint32_t n, int reps)
{
    struct bufs b;
    uint32_t grid[3] = {(n + 255) / 256, 1, 1}, block[3] = {256, 1, 1};
    double secs = 0, insns = 0, c = 1e9;
    int i;

    for (i = 0; i < 3; i++) {
        b.r[i].base = BASE + (uint64_t)i * (1ull << 32);
        b.r[i].size = (uint64_t)n * 4;
        b.r[i].host = calloc(n, 4);
    }
    for (i = 0; i < reps; i++) {
        double t = run(m, "vector_add", &b, n, grid, block, &insns);
        secs = i == 0 || t < secs ? t : secs;
    }
    for (i = 0; i < 20; i++) { /* the best of 20: the C loop is short */
        double t = now_s();
        c_vector_add(b.r[0].host, b.r[1].host, b.r[2].host, n);
        t = now_s() - t;
        c = t < c ? t : c;
    }
    report("vector_add (n=1M)", secs, insns / reps, c);
    for (i = 0; i < 3; i++)
        free(b.r[i].host);
}

static void bench_matmul(struct vgpu_ptx_module *m, uint32_t n, int reps)
{
    struct bufs b;
    uint32_t grid[3] = {(n + TILE - 1) / TILE, (n + TILE - 1) / TILE, 1};
    uint32_t block[3] = {TILE, TILE, 1};
    double secs = 0, insns = 0, c = 1e9;
    int i;

    for (i = 0; i < 3; i++) {
        b.r[i].base = BASE + (uint64_t)i * (1ull << 32);
        b.r[i].size = (uint64_t)n * n * 4;
        b.r[i].host = calloc((size_t)n * n, 4);
    }
    for (i = 0; i < reps; i++) {
        double t = run(m, "matmul_tiled", &b, n, grid, block, &insns);
        secs = i == 0 || t < secs ? t : secs;
    }
    for (i = 0; i < 3; i++) {
        double t = now_s();
        c_matmul(b.r[0].host, b.r[1].host, b.r[2].host, n);
        t = now_s() - t;
        c = t < c ? t : c;
    }
    report("matmul_tiled (n=256)", secs, insns / reps, c);
    for (i = 0; i < 3; i++)
        free(b.r[i].host);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "tests/ptx/kernels_sm90.ptx";
    const char *only = argc > 2 ? argv[2] : ""; /* "vector_add" or "matmul_tiled": just that */
    struct vgpu_ptx_module *m;
    char err[256];
    size_t len;
    char *img = read_file(path, &len);

    if (!img || vgpu_ptx_module_load(img, len, &m, err, sizeof(err))) {
        fprintf(stderr, "ptx_bench: cannot load %s: %s\n", path, img ? err : strerror(errno));
        return 1;
    }
    free(img);
    printf("PTX interpreter, one core, %s\n", path);
    if (strcmp(only, "matmul_tiled") != 0)
        bench_vector_add(m, 1u << 20, 20);
    if (strcmp(only, "vector_add") != 0)
        bench_matmul(m, 256, 5);
    vgpu_ptx_module_free(m);
    return 0;
}
