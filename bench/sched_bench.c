/*
 * sched_bench.c: enqueue+dispatch cost per job of sched/ against the original
 * design (a priority-sorted singly linked list, insertion by walking).
 *
 * Usage: sched [--iters N] [--reps N] [--seed N]
 * Each cell keeps the queue at a fixed depth: one iteration submits a job to
 * a random VM, dispatches the next job and completes it. Best of --reps runs.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vgpu_sched.h"

struct opts {
    uint64_t iters;
    unsigned reps;
    uint64_t seed;
};

static uint64_t rng_next(uint64_t *st)
{
    uint64_t x = *st;

    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *st = x;
    return x * 0x2545f4914f6cdd1dull;
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- baseline: what the original did ---- */

struct base_job {
    struct base_job *next;
    uint32_t vm_id;
    unsigned prio;
    uint64_t id;
};

/* Insert after every job of the same or higher priority: a walk from the head. */
static int base_insert(struct base_job **head, uint32_t vm_id, unsigned prio, uint64_t id)
{
    struct base_job *j = malloc(sizeof(*j));
    struct base_job **pp = head;

    if (!j)
        return -ENOMEM;
    j->vm_id = vm_id;
    j->prio = prio;
    j->id = id;
    while (*pp && (*pp)->prio >= prio)
        pp = &(*pp)->next;
    j->next = *pp;
    *pp = j;
    return 0;
}

static void base_pop(struct base_job **head)
{
    struct base_job *j = *head;

    *head = j->next;
    free(j);
}

/* Prefill in O(depth): arrival order within a priority, so append at each priority's end. */
static int base_prefill(struct base_job **head, uint64_t depth, uint32_t nvms, const uint8_t *prio,
                        uint64_t *rng, uint64_t *id)
{
    struct base_job *first[3] = {NULL}, *last[3] = {NULL};

    for (uint64_t i = 0; i < depth; i++) {
        uint32_t vm = (uint32_t)(rng_next(rng) % nvms);
        struct base_job *j = malloc(sizeof(*j));

        if (!j)
            return -ENOMEM;
        *j = (struct base_job){.vm_id = vm, .prio = prio[vm], .id = ++*id};
        if (last[j->prio])
            last[j->prio]->next = j;
        else
            first[j->prio] = j;
        last[j->prio] = j;
    }
    *head = NULL;
    for (int p = 0; p < 3; p++) {
        if (first[p]) {
            last[p]->next = *head;
            *head = first[p];
        }
    }
    return 0;
}

static double run_baseline(uint64_t depth, uint32_t nvms, const uint8_t *prio, uint64_t iters,
                           uint64_t seed)
{
    struct base_job *head = NULL;
    uint64_t rng = seed, id = 0, t0, t1;

    if (base_prefill(&head, depth, nvms, prio, &rng, &id) < 0)
        return -1;
    t0 = now_ns();
    for (uint64_t i = 0; i < iters; i++) {
        uint32_t vm = (uint32_t)(rng_next(&rng) % nvms);

        if (base_insert(&head, vm, prio[vm], ++id) < 0)
            return -1;
        base_pop(&head);
    }
    t1 = now_ns();
    while (head)
        base_pop(&head);
    return (double)(t1 - t0) / (double)iters;
}

/* ---- sched/ ---- */

static double run_sched(uint64_t depth, uint32_t nvms, const uint8_t *prio, uint64_t iters,
                        uint64_t seed)
{
    struct vgpu_sched_params params = {.log_capacity = 4096};
    struct vgpu_sched *s;
    uint64_t rng = seed, t = 0, t0, t1;
    double ns = -1;

    if (vgpu_sched_create(&s, &params) < 0)
        return -1;
    for (uint32_t vm = 0; vm < nvms; vm++) {
        if (vgpu_sched_vm_add(s, vm, "A", prio[vm], 1) < 0)
            goto out;
    }
    for (uint64_t i = 0; i < depth; i++) {
        if (vgpu_sched_submit(s, (uint32_t)(rng_next(&rng) % nvms), NULL, t++, NULL) < 0)
            goto out;
    }
    t0 = now_ns();
    for (uint64_t i = 0; i < iters; i++) {
        struct vgpu_sched_job j;

        if (vgpu_sched_submit(s, (uint32_t)(rng_next(&rng) % nvms), NULL, t, NULL) < 0 ||
            vgpu_sched_dispatch(s, "A", t, &j) < 0 || vgpu_sched_complete(s, j.id, t + 1) < 0)
            goto out;
        t += 2;
    }
    t1 = now_ns();
    ns = (double)(t1 - t0) / (double)iters;
out:
    vgpu_sched_destroy(s);
    return ns;
}

static double best_of(double (*fn)(uint64_t, uint32_t, const uint8_t *, uint64_t, uint64_t),
                      uint64_t depth, uint32_t nvms, const uint8_t *prio, uint64_t iters,
                      const struct opts *o)
{
    double best = -1;

    for (unsigned r = 0; r < o->reps; r++) {
        double ns = fn(depth, nvms, prio, iters, o->seed + r);

        if (ns < 0)
            return -1;
        if (best < 0 || ns < best)
            best = ns;
    }
    return best;
}

static int parse(int argc, char **argv, struct opts *o)
{
    *o = (struct opts){.iters = 200000, .reps = 3, .seed = 1};
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--iters") == 0)
            o->iters = strtoull(argv[++i], NULL, 10);
        else if (i + 1 < argc && strcmp(argv[i], "--reps") == 0)
            o->reps = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (i + 1 < argc && strcmp(argv[i], "--seed") == 0)
            o->seed = strtoull(argv[++i], NULL, 10);
        else
            return -EINVAL;
    }
    return o->iters && o->reps ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
    static const uint64_t depths[] = {10, 1000, 100000};
    static const uint32_t vms[] = {10, 10000};
    struct opts o;
    uint8_t *prio;
    uint64_t rng;

    if (parse(argc, argv, &o) < 0) {
        fprintf(stderr, "usage: %s [--iters N] [--reps N] [--seed N]\n", argv[0]);
        return 2;
    }
    prio = malloc(vms[1]);
    if (!prio) {
        fprintf(stderr, "sched bench: out of memory\n");
        return 1;
    }
    rng = o.seed;
    for (uint32_t v = 0; v < vms[1]; v++)
        prio[v] = (uint8_t)(rng_next(&rng) % 3);
    printf("enqueue+dispatch(+complete) per job, ns (best of %u); priorities uniform 0..2\n",
           o.reps);
    printf("%8s %6s %14s %14s %10s\n", "depth", "VMs", "baseline list", "sched heap", "ratio");
    for (size_t d = 0; d < sizeof(depths) / sizeof(depths[0]); d++) {
        for (size_t v = 0; v < sizeof(vms) / sizeof(vms[0]); v++) {
            /* The walk costs O(depth): fewer iterations keep the baseline's run short. */
            uint64_t biters = o.iters;
            double base, ours;

            if (depths[d] * biters > 2000000000ull)
                biters = 2000000000ull / depths[d];
            base = best_of(run_baseline, depths[d], vms[v], prio, biters, &o);
            ours = best_of(run_sched, depths[d], vms[v], prio, o.iters, &o);
            if (base < 0 || ours < 0) {
                fprintf(stderr, "sched bench: setup failed (out of memory?)\n");
                free(prio);
                return 1;
            }
            printf("%8" PRIu64 " %6" PRIu32 " %14.1f %14.1f %9.1fx\n", depths[d], vms[v], base,
                   ours, base / ours);
            fflush(stdout);
        }
    }
    free(prio);
    return 0;
}
