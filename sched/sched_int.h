/* sched_int.h: the scheduler's internal types, shared by the files of sched/. */
#ifndef VGPU_SCHED_INT_H
#define VGPU_SCHED_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "vgpu_sched.h"

#define vgpu_sched__container_of(ptr, type, member)                                                \
    ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* ---- binary min-heap of intrusive nodes (heap.c) ---- */

#define VGPU_SCHED__NOT_IN_HEAP UINT32_MAX

/* Ordered by key (wrap-aware: key differences stay below 2^63), then tie. */
struct vgpu_sched__hnode {
    uint64_t key;
    uint64_t tie;
    uint32_t pos; /* index in the heap, VGPU_SCHED__NOT_IN_HEAP when out */
};

struct vgpu_sched__heap {
    struct vgpu_sched__hnode **v;
    uint32_t n;   /* nodes in the heap */
    uint32_t cap; /* slots allocated: push never allocates, reserve does */
};

int vgpu_sched__heap_reserve(struct vgpu_sched__heap *h, uint32_t cap);
void vgpu_sched__heap_free(struct vgpu_sched__heap *h);
void vgpu_sched__heap_push(struct vgpu_sched__heap *h, struct vgpu_sched__hnode *node);
void vgpu_sched__heap_remove(struct vgpu_sched__heap *h, struct vgpu_sched__hnode *node);
void vgpu_sched__heap_fix(struct vgpu_sched__heap *h, struct vgpu_sched__hnode *node);
struct vgpu_sched__hnode *vgpu_sched__heap_top(const struct vgpu_sched__heap *h);

/* ---- id -> object hash with intrusive chaining (table.c) ---- */

struct vgpu_sched__tlink {
    struct vgpu_sched__tlink *next;
    uint64_t key;
};

struct vgpu_sched__table {
    struct vgpu_sched__tlink **b;
    size_t mask; /* buckets - 1; buckets is a power of two */
    size_t n;
};

int vgpu_sched__table_init(struct vgpu_sched__table *t, size_t buckets);
void vgpu_sched__table_free(struct vgpu_sched__table *t);
void vgpu_sched__table_insert(struct vgpu_sched__table *t, struct vgpu_sched__tlink *l);
struct vgpu_sched__tlink *vgpu_sched__table_find(const struct vgpu_sched__table *t, uint64_t key);
void vgpu_sched__table_remove(struct vgpu_sched__table *t, struct vgpu_sched__tlink *l);

/* ---- histograms (stats.c) ---- */

#define VGPU_SCHED__HIST_SUB_BITS 3
#define VGPU_SCHED__HIST_MAX_EXP  40 /* values >= 2^40 ns (18 min) share the last bucket */
#define VGPU_SCHED__HIST_BUCKETS                                                                   \
    ((1u << VGPU_SCHED__HIST_SUB_BITS) +                                                           \
     (VGPU_SCHED__HIST_MAX_EXP - VGPU_SCHED__HIST_SUB_BITS) * (1u << VGPU_SCHED__HIST_SUB_BITS))

struct vgpu_sched__hist {
    uint64_t count, sum, min, max;
    uint64_t b[VGPU_SCHED__HIST_BUCKETS];
};

void vgpu_sched__hist_add(struct vgpu_sched__hist *h, uint64_t v);
void vgpu_sched__hist_summary(const struct vgpu_sched__hist *h, struct vgpu_sched_dist *out);

/* ---- the scheduler's objects ---- */

enum vgpu_sched__jstate {
    VGPU_SCHED__QUEUED,
    VGPU_SCHED__RUNNING,
};

struct vgpu_sched__job {
    struct vgpu_sched__tlink link;       /* in s->jobs, key = job id = arrival order */
    struct vgpu_sched__job *prev, *next; /* in the VM's FIFO, or the free list */
    struct vgpu_sched__vm *vm;           /* NULL once the VM is removed (running job) */
    struct vgpu_sched__pool *pool;       /* set at dispatch */
    void *cookie;
    uint64_t submit_ns, dispatch_ns;
    uint64_t log_seq; /* its log entry (running jobs) */
    uint32_t vm_id;
    uint8_t priority; /* at dispatch */
    uint8_t state;    /* enum vgpu_sched__jstate */
    bool aged, overrun;
};

struct vgpu_sched__vm {
    struct vgpu_sched__tlink link; /* in s->vms, key = vm id */
    struct vgpu_sched__pool *pool;
    struct vgpu_sched__job *head, *tail; /* queued jobs, oldest first */
    uint32_t queued;
    uint32_t weight;
    uint8_t prio;
    uint32_t running;               /* its jobs running now (several pools after a move) */
    uint64_t pass;                  /* fair-share account: service / weight, scaled */
    struct vgpu_sched__hnode age;   /* in its level's age heap: key = head's id */
    struct vgpu_sched__hnode share; /* in its level's share heap: key = pass, tie = head's id */
    uint64_t submitted, dispatched, completed, cancelled, overruns;
    struct vgpu_sched__hist *wait, *run;
};

/* The VMs of one priority in one pool. Invariant: a VM is in the age heap
 * (and, when the pool shares fairly, the share heap) of its level exactly
 * when it has queued jobs; both heaps have room for every VM of the level. */
struct vgpu_sched__level {
    struct vgpu_sched__heap age;   /* VMs by oldest queued job: FIFO order */
    struct vgpu_sched__heap share; /* VMs by fair-share pass (fair modes only) */
    uint32_t nvms;                 /* VMs registered at this level */
    uint64_t vtime;                /* pass of the VM served last */
};

struct vgpu_sched__pool {
    char name[VGPU_SCHED_POOL_NAME_MAX + 1];
    unsigned index;
    struct vgpu_sched_policy policy;
    struct vgpu_sched__level level[VGPU_SCHED_NPRIO];
    struct vgpu_sched__job *running;
    uint32_t depth, max_depth;
    uint64_t depth_ns, busy_ns, last_ns, since_ns;
    bool seen; /* since_ns is set */
    uint64_t submitted, dispatched, completed, cancelled, overruns;
    struct vgpu_sched__hist wait, run;
};

struct vgpu_sched__log {
    struct vgpu_sched_log_entry *e;
    size_t cap;
    uint64_t head; /* seq of the oldest entry kept */
    uint64_t tail; /* seq of the next entry */
    uint64_t dropped;
};

struct vgpu_sched {
    struct vgpu_sched__pool *pools[VGPU_SCHED_MAX_POOLS];
    unsigned npools;
    struct vgpu_sched__table vms;
    struct vgpu_sched__table jobs;
    struct vgpu_sched__job *free_jobs;
    void **chunks; /* job slabs, freed at destroy */
    size_t nchunks, chunks_cap;
    size_t chunk_jobs; /* jobs in the next slab */
    uint64_t next_job_id;
    uint64_t now; /* latest time seen */
    struct vgpu_sched__log log;
};

/* sched.c */
struct vgpu_sched__pool *vgpu_sched__pool_find(const struct vgpu_sched *s, const char *name);
uint64_t vgpu_sched__clock(struct vgpu_sched *s, uint64_t now_ns);
void vgpu_sched__pool_tick(struct vgpu_sched__pool *p, uint64_t now);
struct vgpu_sched__vm *vgpu_sched__vm_find(const struct vgpu_sched *s, uint32_t vm_id);

/* queue.c: a VM's place in its level's heaps */
void vgpu_sched__vm_enter(struct vgpu_sched__vm *vm);
void vgpu_sched__vm_leave(struct vgpu_sched__vm *vm);
void vgpu_sched__vm_head_changed(struct vgpu_sched__vm *vm);
void vgpu_sched__vm_charge(struct vgpu_sched__vm *vm, uint64_t run_ns);
struct vgpu_sched__job *vgpu_sched__pick(struct vgpu_sched__pool *p, uint64_t now);
void vgpu_sched__unlink(struct vgpu_sched__job *j);
int vgpu_sched__level_rebuild(struct vgpu_sched__pool *p, enum vgpu_sched_fair fair);

/* job.c */
void vgpu_sched__job_report(const struct vgpu_sched__job *j, struct vgpu_sched_job *out);
void vgpu_sched__job_free(struct vgpu_sched *s, struct vgpu_sched__job *j);

/* log.c */
int vgpu_sched__log_init(struct vgpu_sched__log *log, size_t cap);
void vgpu_sched__log_free(struct vgpu_sched__log *log);
uint64_t vgpu_sched__log_append(struct vgpu_sched__log *log, const struct vgpu_sched__job *j);
void vgpu_sched__log_update(struct vgpu_sched__log *log, const struct vgpu_sched__job *j,
                            uint64_t complete_ns);

#endif /* VGPU_SCHED_INT_H */
