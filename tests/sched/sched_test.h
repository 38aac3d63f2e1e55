/* sched_test.h: small helpers shared by the scheduler's tests. */
#ifndef VGPU_SCHED_TEST_H
#define VGPU_SCHED_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "vgpu_sched.h"

#define MS 1000000ull /* ns */

/* A scheduler with pools A and B, default policy. */
static inline struct vgpu_sched *new_sched(void)
{
    struct vgpu_sched *s = NULL;

    assert_int_equal(vgpu_sched_create(&s, NULL), 0);
    assert_non_null(s);
    return s;
}

static inline uint64_t submit(struct vgpu_sched *s, uint32_t vm, uint64_t now)
{
    uint64_t id = 0;

    assert_int_equal(vgpu_sched_submit(s, vm, NULL, now, &id), 0);
    return id;
}

/* Dispatch in `pool`, expecting a job; returns it. */
static inline struct vgpu_sched_job dispatch(struct vgpu_sched *s, const char *pool, uint64_t now)
{
    struct vgpu_sched_job j = {0};

    assert_int_equal(vgpu_sched_dispatch(s, pool, now, &j), 0);
    return j;
}

/* Collects jobs reported by a callback. */
struct job_list {
    struct vgpu_sched_job j[64];
    size_t n;
};

static inline void collect_job(void *arg, const struct vgpu_sched_job *job)
{
    struct job_list *l = arg;

    assert_true(l->n < 64);
    l->j[l->n++] = *job;
}

/* xorshift64*: a reproducible generator for the simulations. */
static inline uint64_t rng_next(uint64_t *st)
{
    uint64_t x = *st;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *st = x;
    return x * 0x2545f4914f6cdd1dull;
}

static inline uint64_t rng_below(uint64_t *st, uint64_t n)
{
    return rng_next(st) % n;
}

#endif /* VGPU_SCHED_TEST_H */
