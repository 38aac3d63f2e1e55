/* vgpu_sched.h: the per-pool priority scheduler, a pure library driven by vgpud. */
#ifndef VGPU_SCHED_H
#define VGPU_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vgpu_identity.h"

/*
 * The scheduler decides which VM's job runs next in each pool. It does no
 * I/O, owns no thread and reads no clock: every call that needs the time
 * takes `now_ns` from the caller (any monotonic clock, in nanoseconds). Time
 * must not go backwards; a smaller value than one seen before is treated as
 * the latest value seen.
 *
 * Locking: none. A `struct vgpu_sched` is not thread-safe; the caller holds
 * one lock around every call on it (callbacks run under that lock and must
 * not call back into the same scheduler).
 *
 * Errors: actions return 0 or a negative errno:
 *   -ENOENT    unknown pool, VM or job id
 *   -EINVAL    priority out of range, weight 0, bad name or argument
 *   -EEXIST    pool name or VM id already registered
 *   -EALREADY  job already finished (completed or cancelled)
 *   -EBUSY     pool is running a job (dispatch), or job is running (cancel)
 *   -EAGAIN    pool is idle but has nothing queued (dispatch)
 *   -ENOSPC    VGPU_SCHED_MAX_POOLS pools exist already
 *   -ENOMEM    allocation failed; nothing was changed
 *
 * See docs/sched.md for the policies, the aging bound, the fair-share
 * tolerance and the live-change semantics.
 */

/* Priorities and pool names are proto/'s (vgpu_identity.h): one scale everywhere. */
#define VGPU_SCHED_PRIO_LOW    VGPU_PRIORITY_LOW
#define VGPU_SCHED_PRIO_MEDIUM VGPU_PRIORITY_MEDIUM
#define VGPU_SCHED_PRIO_HIGH   VGPU_PRIORITY_HIGH
#define VGPU_SCHED_NPRIO       (VGPU_PRIORITY_MAX + 1)

#define VGPU_SCHED_POOL_NAME_MAX VGPU_POOL_NAME_MAX /* bytes in a pool name, without the NUL */
#define VGPU_SCHED_MAX_POOLS     64
#define VGPU_SCHED_WEIGHT_MAX    65535

struct vgpu_sched;

enum vgpu_sched_fair {
    VGPU_SCHED_FAIR_NONE = 0,    /* FIFO by arrival within a priority */
    VGPU_SCHED_FAIR_ROUND_ROBIN, /* VMs of one priority take turns, one job each */
    VGPU_SCHED_FAIR_WEIGHTED,    /* GPU time shared in proportion to VM weight */
};

/* A pool's policy. All zero is the default: strict priority, FIFO, no limits. */
struct vgpu_sched_policy {
    uint64_t aging_ns;         /* queued longer than this: served first (0 = off) */
    uint64_t budget_ns;        /* run time above this is an overrun (0 = off) */
    enum vgpu_sched_fair fair; /* share among VMs of one priority */
};

struct vgpu_sched_params {
    size_t log_capacity;   /* execution log entries kept (0 = 65536) */
    bool no_default_pools; /* true: start with no pools (default: "A", "B") */
};

/* A job as the scheduler reports it (dispatch, cancel, overrun). */
struct vgpu_sched_job {
    uint64_t id;  /* the id submit returned */
    void *cookie; /* the caller's pointer given to submit */
    uint32_t vm_id;
    uint8_t priority; /* the VM's priority when reported */
    bool aged;        /* dispatched ahead of priority by aging */
    const char *pool; /* pool name, valid for the scheduler's lifetime */
    uint64_t submit_ns;
    uint64_t dispatch_ns; /* 0 if never dispatched */
};

/* Called for each job a call cancels or reports; runs under the caller's lock. */
typedef void vgpu_sched_job_fn(void *arg, const struct vgpu_sched_job *job);

/* Distribution summary of a log-linear histogram (values in ns, 12.5 % buckets). */
struct vgpu_sched_dist {
    uint64_t count;
    uint64_t min, max, mean;
    uint64_t p50, p95, p99;
};

struct vgpu_sched_vm_stats {
    uint64_t submitted, dispatched, completed, cancelled, overruns;
    uint32_t queued;             /* jobs waiting now */
    bool running;                /* a job of this VM is running now */
    struct vgpu_sched_dist wait; /* submit to dispatch */
    struct vgpu_sched_dist run;  /* dispatch to complete */
};

struct vgpu_sched_pool_stats {
    uint64_t submitted, dispatched, completed, cancelled, overruns;
    uint32_t depth;     /* jobs queued now */
    uint32_t max_depth; /* most jobs ever queued at once */
    uint64_t depth_ns;  /* integral of depth over time (depth x ns) */
    uint64_t busy_ns;   /* time a job was running, up to now_ns */
    uint64_t since_ns;  /* first time this pool saw an event */
    struct vgpu_sched_dist wait, run;
};

struct vgpu_sched_vm_info {
    const char *pool; /* valid for the scheduler's lifetime */
    uint8_t priority;
    uint32_t weight;
    uint32_t queued;
    bool running;
};

/* One dispatch, appended to the execution log. */
struct vgpu_sched_log_entry {
    uint64_t seq; /* position in the log since creation, from 0 */
    uint64_t job_id;
    uint32_t vm_id;
    uint32_t pool_index; /* see vgpu_sched_pool_name() */
    uint8_t priority;    /* the VM's priority at dispatch */
    bool aged;           /* dispatched ahead of priority by aging */
    bool overrun;        /* ran past the pool's budget */
    uint64_t submit_ns;
    uint64_t dispatch_ns;
    uint64_t complete_ns; /* 0 while running (or if drained before completion) */
};

/* Lifecycle. create: 0 or -ENOMEM/-EINVAL; params may be NULL. destroy takes NULL. */
int vgpu_sched_create(struct vgpu_sched **out, const struct vgpu_sched_params *params);
void vgpu_sched_destroy(struct vgpu_sched *s);

/* Pools. Policy may be NULL (default). Names are 1..31 printable bytes. */
int vgpu_sched_pool_add(struct vgpu_sched *s, const char *name,
                        const struct vgpu_sched_policy *policy);
int vgpu_sched_pool_set_policy(struct vgpu_sched *s, const char *name,
                               const struct vgpu_sched_policy *policy);
int vgpu_sched_pool_get_policy(const struct vgpu_sched *s, const char *name,
                               struct vgpu_sched_policy *out);
unsigned vgpu_sched_pool_count(const struct vgpu_sched *s);
/* Name of pool `index` (0..count-1), or NULL. */
const char *vgpu_sched_pool_name(const struct vgpu_sched *s, unsigned index);

/* VMs. weight 1..VGPU_SCHED_WEIGHT_MAX (used by VGPU_SCHED_FAIR_WEIGHTED). */
int vgpu_sched_vm_add(struct vgpu_sched *s, uint32_t vm_id, const char *pool, unsigned priority,
                      uint32_t weight);
/* Queued jobs follow the VM at once, keeping their arrival order; a running job is untouched. */
int vgpu_sched_vm_set_priority(struct vgpu_sched *s, uint32_t vm_id, unsigned priority,
                               uint64_t now_ns);
int vgpu_sched_vm_set_pool(struct vgpu_sched *s, uint32_t vm_id, const char *pool, uint64_t now_ns);
int vgpu_sched_vm_set_weight(struct vgpu_sched *s, uint32_t vm_id, uint32_t weight);
/*
 * Remove a VM: its queued jobs are cancelled, each reported to `cancelled`
 * (may be NULL) before the call returns. A running job keeps running and
 * must still be completed; its pool stays busy until then.
 */
int vgpu_sched_vm_remove(struct vgpu_sched *s, uint32_t vm_id, uint64_t now_ns,
                         vgpu_sched_job_fn *cancelled, void *arg);
int vgpu_sched_vm_info(const struct vgpu_sched *s, uint32_t vm_id, struct vgpu_sched_vm_info *out);
bool vgpu_sched_vm_exists(const struct vgpu_sched *s, uint32_t vm_id);

/* Jobs. job_id_out may be NULL. Ids are unique, never 0, increasing. */
int vgpu_sched_submit(struct vgpu_sched *s, uint32_t vm_id, void *cookie, uint64_t now_ns,
                      uint64_t *job_id_out);
/*
 * Start the next job of `pool`: 0 and *job filled, -EBUSY if the pool is
 * running a job (one at a time, non-preemptive), -EAGAIN if nothing is queued.
 */
int vgpu_sched_dispatch(struct vgpu_sched *s, const char *pool, uint64_t now_ns,
                        struct vgpu_sched_job *job);
/* The running job `job_id` finished: -EINVAL if it is queued, not running. */
int vgpu_sched_complete(struct vgpu_sched *s, uint64_t job_id, uint64_t now_ns);
/* Withdraw a queued job; its cookie in *cookie_out (may be NULL). -EBUSY if running. */
int vgpu_sched_cancel(struct vgpu_sched *s, uint64_t job_id, uint64_t now_ns, void **cookie_out);
bool vgpu_sched_pool_busy(const struct vgpu_sched *s, const char *pool);
/*
 * Report each running job that has run longer than its pool's budget and was
 * not reported before (once per job), for the executor's watchdog. Returns
 * the number reported.
 */
int vgpu_sched_overruns(struct vgpu_sched *s, uint64_t now_ns, vgpu_sched_job_fn *fn, void *arg);

/* Statistics, as of now_ns (integrals run up to it). */
int vgpu_sched_vm_stats(const struct vgpu_sched *s, uint32_t vm_id,
                        struct vgpu_sched_vm_stats *out);
int vgpu_sched_pool_stats(const struct vgpu_sched *s, const char *pool, uint64_t now_ns,
                          struct vgpu_sched_pool_stats *out);

/* Which distribution: submit to dispatch (wait) or dispatch to complete (run). */
enum vgpu_sched_dist_kind {
    VGPU_SCHED_DIST_WAIT,
    VGPU_SCHED_DIST_RUN,
};

/*
 * A cumulative histogram in the shape Prometheus wants. The caller sets n
 * and bound_ns[0..n-1] (increasing); the call fills le[i] with the samples
 * whose value is at most bound_ns[i], and sum_ns and count over all samples.
 * Counts are exact when each bound is 2^k - 1 ns with 4 <= k <= 40 (the
 * internal buckets' edges); any other bound counts only whole buckets below
 * it (low by at most one bucket, 12.5 %).
 */
#define VGPU_SCHED_BUCKETS_MAX 32
struct vgpu_sched_buckets {
    unsigned n;
    uint64_t bound_ns[VGPU_SCHED_BUCKETS_MAX];
    uint64_t le[VGPU_SCHED_BUCKETS_MAX];
    uint64_t sum_ns, count;
};

/* 0, -ENOENT (no such VM or pool), -EINVAL (n too large or bounds not increasing). */
int vgpu_sched_vm_buckets(const struct vgpu_sched *s, uint32_t vm_id,
                          enum vgpu_sched_dist_kind which, struct vgpu_sched_buckets *b);
int vgpu_sched_pool_buckets(const struct vgpu_sched *s, const char *pool,
                            enum vgpu_sched_dist_kind which, struct vgpu_sched_buckets *b);

/*
 * Execution log: a ring of the last log_capacity dispatches. drain copies
 * out up to `max` of the oldest entries and removes them; returns the
 * number copied. dropped: entries overwritten before being drained.
 */
size_t vgpu_sched_log_count(const struct vgpu_sched *s);
size_t vgpu_sched_log_drain(struct vgpu_sched *s, struct vgpu_sched_log_entry *out, size_t max);
/* Entry `i` (0 = oldest kept) without removing it: 0, or -ENOENT past the end. */
int vgpu_sched_log_peek(const struct vgpu_sched *s, size_t i, struct vgpu_sched_log_entry *out);
uint64_t vgpu_sched_log_dropped(const struct vgpu_sched *s);

/*
 * CSV (log_csv.c): format the header line or one entry, newline included,
 * into buf. Returns the length written (without NUL) or -ENOSPC if it does
 * not fit. `pool` is the entry's pool name.
 */
int vgpu_sched_log_csv_header(char *buf, size_t len);
int vgpu_sched_log_csv_format(const struct vgpu_sched_log_entry *e, const char *pool, char *buf,
                              size_t len);

#endif /* VGPU_SCHED_H */
