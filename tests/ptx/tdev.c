/* tdev.c: the PTX tests' pretend device. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "tdev.h"

void tdev_open_image(struct tdev *d, const void *img, size_t len)
{
    char err[512];
    int r;

    memset(d, 0, sizeof(*d));
    d->next = 0x100000000000ull;
    r = vgpu_ptx_module_load(img, len, &d->mod, err, sizeof(err));
    if (r)
        fail_msg("loading the module: %d: %s", r, err);
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
    unsigned i;

    for (i = 0; i < d->n; i++)
        free(d->r[i].host);
    vgpu_ptx_module_free(d->mod);
    memset(d, 0, sizeof(*d));
}

uint64_t tdev_alloc(struct tdev *d, size_t size, void *host)
{
    struct vgpu_ptx_region *r;

    assert_true(d->n < TDEV_MAX);
    r = &d->r[d->n++];
    r->base = d->next;
    r->size = size;
    r->host = calloc(1, size ? size : 1);
    assert_non_null(r->host);
    d->next += (size + 0xfff) & ~(uint64_t)0xfff;
    d->next += 0x1000; /* a gap: running off the end faults */
    *(void **)host = r->host;
    return r->base;
}

static bool region(void *ctx, uint64_t addr, struct vgpu_ptx_region *out)
{
    struct tdev *d = ctx;
    unsigned i;

    for (i = 0; i < d->n; i++)
        if (addr >= d->r[i].base && addr - d->r[i].base < d->r[i].size) {
            *out = d->r[i];
            return true;
        }
    return false;
}

int tdev_launch(struct tdev *d, const char *name, const uint32_t grid[3], const uint32_t block[3],
                uint32_t shared, const void *params, size_t len)
{
    struct vgpu_ptx_launch l = {.shared_bytes = shared,
                                .params = params,
                                .params_len = len,
                                .region = region,
                                .region_ctx = d,
                                .stop = d->stop,
                                .deadline_ns = d->deadline_ns};
    int e = vgpu_ptx_entry_find(d->mod, name);

    if (e < 0)
        fail_msg("no kernel %s", name);
    memcpy(l.grid, grid, sizeof(l.grid));
    memcpy(l.block, block, sizeof(l.block));
    memset(&d->fault, 0, sizeof(d->fault));
    e = vgpu_ptx_launch(d->mod, e, &l, &d->fault);
    if (e == -EFAULT)
        print_message("%s: %s at 0x%llx, PTX line %u, block (%u,%u,%u) thread (%u,%u,%u)\n", name,
                      vgpu_ptx_fault_name(d->fault.kind), (unsigned long long)d->fault.addr,
                      d->fault.line, d->fault.block[0], d->fault.block[1], d->fault.block[2],
                      d->fault.thread[0], d->fault.thread[1], d->fault.thread[2]);
    return e;
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
