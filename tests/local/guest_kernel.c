/* guest_kernel.c: a guest's own kernel (not one of the examples') runs on vgpud: a warp-shuffle
 * reduction with atomics from tests/ptx's suite, and a store out of range fails cleanly. */
#include <stdio.h>
#include <stdlib.h>
#include "vgpu.h"

#define N 100000u

struct p_io {
    uint64_t in, out;
    uint32_t n;
};

static int fail(const char *what, int r)
{
    fprintf(stderr, "guest_kernel: %s: %s (%s)\n", what, vgpu_strerror(r), vgpu_status_name(r));
    return 1;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n);
        if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        *len = (size_t)n;
    }
    fclose(f);
    return buf;
}

/* sum of x[0..N) by reduce_sum, blocks of 256; *want the same sum on the CPU. */
static int reduce(vgpu_channel *ch, uint64_t module, uint32_t *got, uint32_t *want)
{
    static uint32_t x[N];
    uint32_t grid[3] = {(N + 255) / 256, 1, 1}, block[3] = {256, 1, 1}, i, zero = 0;
    struct p_io p = {.n = N};
    uint64_t func;
    int r;

    *want = 0;
    for (i = 0; i < N; i++) {
        x[i] = i * 2654435761u;
        *want += x[i];
    }
    if ((r = vgpu_func_get(ch, module, "reduce_sum", &func)) ||
        (r = vgpu_mem_alloc(ch, sizeof(x), &p.in)) || (r = vgpu_mem_alloc(ch, 4, &p.out)) ||
        (r = vgpu_copy_htod(ch, p.in, x, sizeof(x))) || (r = vgpu_copy_htod(ch, p.out, &zero, 4)) ||
        (r = vgpu_launch(ch, func, grid, block, 0, &p, sizeof(p))) ||
        (r = vgpu_copy_dtoh(ch, got, p.out, 4)))
        return r;
    return 0;
}

int main(int argc, char **argv)
{
    struct vgpu_open_opts o = {.poll_ns = -1};
    uint64_t module, func, buf;
    uint32_t got, want;
    vgpu_channel *ch;
    size_t len = 0;
    char *image;
    int r;

    if (argc != 3) {
        fprintf(stderr, "usage: guest_kernel INSTANCE PTX-FILE\n");
        return 2;
    }
    image = read_file(argv[2], &len);
    if (!image) {
        fprintf(stderr, "guest_kernel: cannot read %s\n", argv[2]);
        return 1;
    }
    o.instance = argv[1];
    if ((r = vgpu_open(&o, &ch)))
        return fail("open", r);
    if ((r = vgpu_module_load(ch, image, len, &module)))
        return fail("loading the suite's PTX", r);
    free(image);
    if ((r = reduce(ch, module, &got, &want)))
        return fail("reduce_sum", r);
    if (got != want) {
        fprintf(stderr, "guest_kernel: reduce_sum gave %u, the CPU %u\n", got, want);
        return 1;
    }
    /* store_index past a 16-float allocation: the GPU's illegal address, the channel goes on. */
    {
        struct {
            uint64_t p;
            uint32_t n;
        } p = {0, 1000};
        uint32_t grid[3] = {4, 1, 1}, block[3] = {256, 1, 1};
        if ((r = vgpu_func_get(ch, module, "store_index", &func)) ||
            (r = vgpu_mem_alloc(ch, 64, &buf)))
            return fail("store_index setup", r);
        p.p = buf;
        r = vgpu_launch(ch, func, grid, block, 0, &p, sizeof(p));
        if (r == 0)
            r = vgpu_sync(ch);
        if (r != -VGPU_S_EXEC)
            return fail("store_index past its allocation (expected EXEC)", r);
        if ((r = reduce(ch, module, &got, &want)) || got != want)
            return fail("reduce_sum after the fault", r);
    }
    vgpu_close(ch);
    printf("guest_kernel: reduce_sum of %u values correct; a stray store failed with EXEC\n", N);
    return 0;
}
