/* params.c: packed kernel parameter layouts: from the host's answer, and their release. */
#include <stdlib.h>
#include <string.h>
#include "cuda_int.h"

#define ASK_FIRST 64u /* entries asked for at once; more in a second request */

/* The alignment a parameter of size bytes had: the largest power of two dividing it, at most 8. */
static uint32_t align_of(uint32_t size)
{
    uint32_t a = 1;

    while (a < 8 && size % (a * 2) == 0)
        a *= 2;
    return a;
}

static int from_info(const struct vgpu_param_info *info, uint32_t n, struct vcu_params *out)
{
    uint32_t i, end = 0, align = 1;

    out->off = calloc(n ? n : 1, sizeof(uint32_t));
    out->size = calloc(n ? n : 1, sizeof(uint32_t));
    if (!out->off || !out->size)
        return -1;
    for (i = 0; i < n; i++) {
        out->off[i] = info[i].offset;
        out->size[i] = info[i].size;
        if (info[i].offset + info[i].size > end)
            end = info[i].offset + info[i].size;
        if (align_of(info[i].size) > align)
            align = align_of(info[i].size);
    }
    out->count = n;
    out->total = (end + align - 1) & ~(align - 1);
    return out->total <= VGPU_PARAMS_MAX ? 0 : -1;
}

int vcu__params_from_host(vgpu_channel *ch, uint64_t func, struct vcu_params *out)
{
    struct vgpu_param_info first[ASK_FIRST], *info = first;
    uint32_t n = 0;
    int r;

    memset(out, 0, sizeof(*out));
    r = vgpu_func_params(ch, func, first, ASK_FIRST, &n);
    if (r == 0 && n > ASK_FIRST) {
        info = calloc(n, sizeof(*info));
        r = info ? vgpu_func_params(ch, func, info, n, &n) : -1;
    }
    if (r == 0)
        r = from_info(info, n, out);
    if (info != first)
        free(info);
    if (r < 0)
        vcu__params_free(out);
    return r;
}

void vcu__params_free(struct vcu_params *p)
{
    free(p->off);
    free(p->size);
    memset(p, 0, sizeof(*p));
}
