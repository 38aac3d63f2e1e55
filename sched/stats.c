/* stats.c: log-linear histograms and the statistics getters. */
#include <errno.h>

#include "sched_int.h"

#define SUB (1u << VGPU_SCHED__HIST_SUB_BITS)

static unsigned bucket_of(uint64_t v)
{
    unsigned e;

    if (v < SUB)
        return (unsigned)v;
    e = 63u - (unsigned)__builtin_clzll(v);
    if (e >= VGPU_SCHED__HIST_MAX_EXP)
        return VGPU_SCHED__HIST_BUCKETS - 1;
    return SUB + (e - VGPU_SCHED__HIST_SUB_BITS) * SUB +
           (unsigned)((v >> (e - VGPU_SCHED__HIST_SUB_BITS)) & (SUB - 1));
}

/* Largest value that falls in bucket i. */
static uint64_t bucket_high(unsigned i)
{
    unsigned e, sub;

    if (i < SUB)
        return i;
    if (i == VGPU_SCHED__HIST_BUCKETS - 1)
        return UINT64_MAX;
    e = (i - SUB) / SUB + VGPU_SCHED__HIST_SUB_BITS;
    sub = (i - SUB) % SUB;
    return (((uint64_t)SUB + sub + 1) << (e - VGPU_SCHED__HIST_SUB_BITS)) - 1;
}

void vgpu_sched__hist_add(struct vgpu_sched__hist *h, uint64_t v)
{
    if (h->count == 0 || v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
    h->count++;
    h->sum += v;
    h->b[bucket_of(v)]++;
}

/* Value at or below which `permille` of the samples lie (bucket's upper bound). */
static uint64_t percentile(const struct vgpu_sched__hist *h, unsigned permille)
{
    uint64_t rank = (h->count * permille + 999) / 1000;
    uint64_t seen = 0;
    uint64_t v = h->max;

    if (rank == 0)
        rank = 1;
    for (unsigned i = 0; i < VGPU_SCHED__HIST_BUCKETS; i++) {
        seen += h->b[i];
        if (seen >= rank) {
            v = bucket_high(i);
            break;
        }
    }
    if (v > h->max)
        v = h->max;
    if (v < h->min)
        v = h->min;
    return v;
}

void vgpu_sched__hist_summary(const struct vgpu_sched__hist *h, struct vgpu_sched_dist *out)
{
    *out = (struct vgpu_sched_dist){0};
    if (!h || h->count == 0)
        return;
    out->count = h->count;
    out->min = h->min;
    out->max = h->max;
    out->mean = h->sum / h->count;
    out->p50 = percentile(h, 500);
    out->p95 = percentile(h, 950);
    out->p99 = percentile(h, 990);
}

int vgpu_sched_vm_stats(const struct vgpu_sched *s, uint32_t vm_id, struct vgpu_sched_vm_stats *out)
{
    const struct vgpu_sched__vm *vm = vgpu_sched__vm_find(s, vm_id);

    if (!vm)
        return -ENOENT;
    out->submitted = vm->submitted;
    out->dispatched = vm->dispatched;
    out->completed = vm->completed;
    out->cancelled = vm->cancelled;
    out->overruns = vm->overruns;
    out->queued = vm->queued;
    out->running = vm->running > 0;
    vgpu_sched__hist_summary(vm->wait, &out->wait);
    vgpu_sched__hist_summary(vm->run, &out->run);
    return 0;
}

int vgpu_sched_pool_stats(const struct vgpu_sched *s, const char *pool, uint64_t now_ns,
                          struct vgpu_sched_pool_stats *out)
{
    const struct vgpu_sched__pool *p = vgpu_sched__pool_find(s, pool);
    uint64_t now = now_ns > s->now ? now_ns : s->now;

    if (!p)
        return -ENOENT;
    out->submitted = p->submitted;
    out->dispatched = p->dispatched;
    out->completed = p->completed;
    out->cancelled = p->cancelled;
    out->overruns = p->overruns;
    out->depth = p->depth;
    out->max_depth = p->max_depth;
    out->since_ns = p->since_ns;
    out->depth_ns = p->depth_ns + (p->seen ? (uint64_t)p->depth * (now - p->last_ns) : 0);
    out->busy_ns = p->busy_ns + (p->running ? now - p->running->dispatch_ns : 0);
    vgpu_sched__hist_summary(&p->wait, &out->wait);
    vgpu_sched__hist_summary(&p->run, &out->run);
    return 0;
}

static int fill_buckets(const struct vgpu_sched__hist *h, struct vgpu_sched_buckets *b)
{
    unsigned i, j = 0;
    uint64_t seen = 0;

    if (b->n > VGPU_SCHED_BUCKETS_MAX)
        return -EINVAL;
    for (i = 1; i < b->n; i++)
        if (b->bound_ns[i] <= b->bound_ns[i - 1])
            return -EINVAL;
    b->sum_ns = h ? h->sum : 0;
    b->count = h ? h->count : 0;
    for (i = 0; h && i < VGPU_SCHED__HIST_BUCKETS; i++) {
        while (j < b->n && bucket_high(i) > b->bound_ns[j])
            b->le[j++] = seen;
        seen += h->b[i];
    }
    while (j < b->n)
        b->le[j++] = seen;
    return 0;
}

int vgpu_sched_vm_buckets(const struct vgpu_sched *s, uint32_t vm_id,
                          enum vgpu_sched_dist_kind which, struct vgpu_sched_buckets *b)
{
    const struct vgpu_sched__vm *vm = vgpu_sched__vm_find(s, vm_id);

    if (!vm)
        return -ENOENT;
    return fill_buckets(which == VGPU_SCHED_DIST_WAIT ? vm->wait : vm->run, b);
}

int vgpu_sched_pool_buckets(const struct vgpu_sched *s, const char *pool,
                            enum vgpu_sched_dist_kind which, struct vgpu_sched_buckets *b)
{
    const struct vgpu_sched__pool *p = vgpu_sched__pool_find(s, pool);

    if (!p)
        return -ENOENT;
    return fill_buckets(which == VGPU_SCHED_DIST_WAIT ? &p->wait : &p->run, b);
}
