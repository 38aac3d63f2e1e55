/* memtab.c: a VM's device allocations as a sorted array. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "memtab.h"

/* Index of the first entry with base > ptr. */
static size_t upper(const struct vgpu_memtab *t, uint64_t ptr)
{
    size_t lo = 0, hi = t->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->v[mid].base <= ptr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int vgpu_memtab_insert(struct vgpu_memtab *t, uint64_t base, uint64_t size, void *tag)
{
    size_t i = upper(t, base);

    if (size == 0 || base + size < base)
        return -EINVAL;
    if (i > 0 && t->v[i - 1].base + t->v[i - 1].size > base)
        return -EEXIST;
    if (i < t->n && base + size > t->v[i].base)
        return -EEXIST;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        struct vgpu_memtab_entry *v = realloc(t->v, cap * sizeof(*v));
        if (!v)
            return -ENOMEM;
        t->v = v;
        t->cap = cap;
    }
    memmove(&t->v[i + 1], &t->v[i], (t->n - i) * sizeof(*t->v));
    t->v[i] = (struct vgpu_memtab_entry){.base = base, .size = size, .tag = tag};
    t->n++;
    t->bytes += size;
    return 0;
}

int vgpu_memtab_remove(struct vgpu_memtab *t, uint64_t base, struct vgpu_memtab_entry *out)
{
    size_t i = upper(t, base);

    if (i == 0 || t->v[i - 1].base != base)
        return -ENOENT;
    i--;
    if (out)
        *out = t->v[i];
    t->bytes -= t->v[i].size;
    memmove(&t->v[i], &t->v[i + 1], (t->n - i - 1) * sizeof(*t->v));
    t->n--;
    return 0;
}

const struct vgpu_memtab_entry *vgpu_memtab_find(const struct vgpu_memtab *t, uint64_t ptr,
                                                 uint64_t len)
{
    size_t i = upper(t, ptr);
    const struct vgpu_memtab_entry *e;

    if (i == 0)
        return NULL;
    e = &t->v[i - 1];
    if (ptr - e->base >= e->size || len > e->size - (ptr - e->base))
        return NULL;
    return e;
}

void vgpu_memtab_free(struct vgpu_memtab *t)
{
    free(t->v);
    memset(t, 0, sizeof(*t));
}
