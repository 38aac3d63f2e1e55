/* table.c: id -> object hash table with intrusive chains (VMs by id, jobs by id). */
#include <errno.h>
#include <stdlib.h>

#include "sched_int.h"

static size_t slot(const struct vgpu_sched__table *t, uint64_t key)
{
    return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & t->mask;
}

/* buckets: a power of two. 0 or -ENOMEM. */
int vgpu_sched__table_init(struct vgpu_sched__table *t, size_t buckets)
{
    t->b = calloc(buckets, sizeof(*t->b));
    if (!t->b)
        return -ENOMEM;
    t->mask = buckets - 1;
    t->n = 0;
    return 0;
}

void vgpu_sched__table_free(struct vgpu_sched__table *t)
{
    free(t->b);
    t->b = NULL;
    t->mask = 0;
    t->n = 0;
}

/* Double the buckets; on allocation failure keep the longer chains. */
static void grow(struct vgpu_sched__table *t)
{
    struct vgpu_sched__table nt;

    if (vgpu_sched__table_init(&nt, (t->mask + 1) * 2) < 0)
        return;
    for (size_t i = 0; i <= t->mask; i++) {
        struct vgpu_sched__tlink *l = t->b[i];

        while (l) {
            struct vgpu_sched__tlink *next = l->next;
            size_t k = slot(&nt, l->key);

            l->next = nt.b[k];
            nt.b[k] = l;
            l = next;
        }
    }
    nt.n = t->n;
    free(t->b);
    *t = nt;
}

/* Insert l (l->key set, not already present). Never fails. */
void vgpu_sched__table_insert(struct vgpu_sched__table *t, struct vgpu_sched__tlink *l)
{
    size_t k;

    if (t->n >= t->mask + 1 && t->mask < SIZE_MAX / 4)
        grow(t);
    k = slot(t, l->key);
    l->next = t->b[k];
    t->b[k] = l;
    t->n++;
}

struct vgpu_sched__tlink *vgpu_sched__table_find(const struct vgpu_sched__table *t, uint64_t key)
{
    struct vgpu_sched__tlink *l = t->b[slot(t, key)];

    while (l && l->key != key)
        l = l->next;
    return l;
}

void vgpu_sched__table_remove(struct vgpu_sched__table *t, struct vgpu_sched__tlink *l)
{
    struct vgpu_sched__tlink **pp = &t->b[slot(t, l->key)];

    while (*pp && *pp != l)
        pp = &(*pp)->next;
    if (*pp) {
        *pp = l->next;
        t->n--;
    }
    l->next = NULL;
}
