/* heap.c: binary min-heap of intrusive nodes, the O(log n) core of the queues. */
#include <errno.h>
#include <stdlib.h>

#include "sched_int.h"

/* a before b: key first (wrap-aware), then tie. */
static bool before(const struct vgpu_sched__hnode *a, const struct vgpu_sched__hnode *b)
{
    int64_t d = (int64_t)(a->key - b->key);

    if (d != 0)
        return d < 0;
    return a->tie < b->tie;
}

static void place(struct vgpu_sched__heap *h, uint32_t i, struct vgpu_sched__hnode *node)
{
    h->v[i] = node;
    node->pos = i;
}

static void sift_up(struct vgpu_sched__heap *h, uint32_t i)
{
    struct vgpu_sched__hnode *node = h->v[i];

    while (i > 0) {
        uint32_t parent = (i - 1) / 2;

        if (!before(node, h->v[parent]))
            break;
        place(h, i, h->v[parent]);
        i = parent;
    }
    place(h, i, node);
}

static void sift_down(struct vgpu_sched__heap *h, uint32_t i)
{
    struct vgpu_sched__hnode *node = h->v[i];

    for (;;) {
        uint32_t child = 2 * i + 1;

        if (child >= h->n)
            break;
        if (child + 1 < h->n && before(h->v[child + 1], h->v[child]))
            child++;
        if (!before(h->v[child], node))
            break;
        place(h, i, h->v[child]);
        i = child;
    }
    place(h, i, node);
}

/* Make room for `cap` nodes: 0 or -ENOMEM (the heap is unchanged). */
int vgpu_sched__heap_reserve(struct vgpu_sched__heap *h, uint32_t cap)
{
    struct vgpu_sched__hnode **v;
    uint32_t ncap;

    if (cap <= h->cap)
        return 0;
    ncap = h->cap ? h->cap : 4;
    while (ncap < cap)
        ncap = ncap > UINT32_MAX / 2 ? cap : ncap * 2;
    v = realloc(h->v, (size_t)ncap * sizeof(*v));
    if (!v)
        return -ENOMEM;
    h->v = v;
    h->cap = ncap;
    return 0;
}

void vgpu_sched__heap_free(struct vgpu_sched__heap *h)
{
    free(h->v);
    h->v = NULL;
    h->n = h->cap = 0;
}

/* Insert; the caller reserved room (never allocates). */
void vgpu_sched__heap_push(struct vgpu_sched__heap *h, struct vgpu_sched__hnode *node)
{
    h->v[h->n] = node;
    node->pos = h->n++;
    sift_up(h, node->pos);
}

void vgpu_sched__heap_remove(struct vgpu_sched__heap *h, struct vgpu_sched__hnode *node)
{
    uint32_t i = node->pos;
    struct vgpu_sched__hnode *last = h->v[--h->n];

    node->pos = VGPU_SCHED__NOT_IN_HEAP;
    if (last == node)
        return;
    place(h, i, last);
    vgpu_sched__heap_fix(h, last);
}

/* Restore order after node's key or tie changed. */
void vgpu_sched__heap_fix(struct vgpu_sched__heap *h, struct vgpu_sched__hnode *node)
{
    uint32_t i = node->pos;

    if (i > 0 && before(node, h->v[(i - 1) / 2]))
        sift_up(h, i);
    else
        sift_down(h, i);
}

struct vgpu_sched__hnode *vgpu_sched__heap_top(const struct vgpu_sched__heap *h)
{
    return h->n ? h->v[0] : NULL;
}
