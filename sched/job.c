/* job.c: the hot path: submit, dispatch, complete, cancel, overrun checks. */
#include <errno.h>
#include <stdlib.h>

#include "sched_int.h"

#define JOB_CHUNK_MAX 65536
#define WEIGHT_SCALE  16 /* fair-share units per ns of run time at weight 1 */

/* A job from the free list, or from a new slab: NULL if out of memory. */
static struct vgpu_sched__job *job_alloc(struct vgpu_sched *s)
{
    struct vgpu_sched__job *j;

    if (!s->free_jobs) {
        size_t n = s->chunk_jobs;
        struct vgpu_sched__job *slab;

        if (s->nchunks == s->chunks_cap) {
            size_t cap = s->chunks_cap ? s->chunks_cap * 2 : 16;
            void **chunks = realloc(s->chunks, cap * sizeof(*chunks));

            if (!chunks)
                return NULL;
            s->chunks = chunks;
            s->chunks_cap = cap;
        }
        slab = malloc(n * sizeof(*slab));
        if (!slab)
            return NULL;
        s->chunks[s->nchunks++] = slab;
        for (size_t i = 0; i < n; i++) {
            slab[i].next = s->free_jobs;
            s->free_jobs = &slab[i];
        }
        if (s->chunk_jobs < JOB_CHUNK_MAX)
            s->chunk_jobs *= 2;
    }
    j = s->free_jobs;
    s->free_jobs = j->next;
    return j;
}

void vgpu_sched__job_free(struct vgpu_sched *s, struct vgpu_sched__job *j)
{
    j->next = s->free_jobs;
    s->free_jobs = j;
}

void vgpu_sched__job_report(const struct vgpu_sched__job *j, struct vgpu_sched_job *out)
{
    bool queued = j->state == VGPU_SCHED__QUEUED;

    out->id = j->link.key;
    out->cookie = j->cookie;
    out->vm_id = j->vm_id;
    out->priority = queued ? j->vm->prio : j->priority;
    out->aged = !queued && j->aged;
    out->pool = queued ? j->vm->pool->name : j->pool->name;
    out->submit_ns = j->submit_ns;
    out->dispatch_ns = queued ? 0 : j->dispatch_ns;
}

/* The job `id` if it exists; else -ENOENT (never issued) or -EALREADY (finished). */
static int job_lookup(const struct vgpu_sched *s, uint64_t id, struct vgpu_sched__job **out)
{
    struct vgpu_sched__tlink *l = vgpu_sched__table_find(&s->jobs, id);

    if (!l)
        return id == 0 || id >= s->next_job_id ? -ENOENT : -EALREADY;
    *out = vgpu_sched__container_of(l, struct vgpu_sched__job, link);
    return 0;
}

int vgpu_sched_submit(struct vgpu_sched *s, uint32_t vm_id, void *cookie, uint64_t now_ns,
                      uint64_t *job_id_out)
{
    struct vgpu_sched__vm *vm = vgpu_sched__vm_find(s, vm_id);
    struct vgpu_sched__pool *p;
    struct vgpu_sched__job *j;
    uint64_t now = vgpu_sched__clock(s, now_ns);

    if (!vm)
        return -ENOENT;
    j = job_alloc(s);
    if (!j)
        return -ENOMEM;
    j->link.key = s->next_job_id++;
    j->vm = vm;
    j->pool = NULL;
    j->cookie = cookie;
    j->submit_ns = now;
    j->dispatch_ns = 0;
    j->vm_id = vm_id;
    j->priority = vm->prio;
    j->state = VGPU_SCHED__QUEUED;
    j->aged = j->overrun = false;
    vgpu_sched__table_insert(&s->jobs, &j->link);

    j->next = NULL;
    j->prev = vm->tail;
    if (vm->tail)
        vm->tail->next = j;
    vm->tail = j;
    vm->queued++;
    vm->submitted++;
    if (!vm->head) {
        vm->head = j;
        vgpu_sched__vm_enter(vm);
    }

    p = vm->pool;
    vgpu_sched__pool_tick(p, now);
    if (++p->depth > p->max_depth)
        p->max_depth = p->depth;
    p->submitted++;
    if (job_id_out)
        *job_id_out = j->link.key;
    return 0;
}

int vgpu_sched_dispatch(struct vgpu_sched *s, const char *pool, uint64_t now_ns,
                        struct vgpu_sched_job *job)
{
    struct vgpu_sched__pool *p = vgpu_sched__pool_find(s, pool);
    struct vgpu_sched__job *j;
    struct vgpu_sched__vm *vm;
    uint64_t now = vgpu_sched__clock(s, now_ns);

    if (!p)
        return -ENOENT;
    if (p->running)
        return -EBUSY;
    j = vgpu_sched__pick(p, now);
    if (!j)
        return -EAGAIN;
    vm = j->vm;
    vgpu_sched__pool_tick(p, now);
    p->depth--;
    vgpu_sched__unlink(j);
    if (p->policy.fair == VGPU_SCHED_FAIR_ROUND_ROBIN)
        vgpu_sched__vm_charge(vm, 1);

    j->state = VGPU_SCHED__RUNNING;
    j->pool = p;
    j->dispatch_ns = now;
    j->priority = vm->prio;
    vm->running++;
    vm->dispatched++;
    vgpu_sched__hist_add(vm->wait, now - j->submit_ns);
    p->dispatched++;
    vgpu_sched__hist_add(&p->wait, now - j->submit_ns);
    p->running = j;
    j->log_seq = vgpu_sched__log_append(&s->log, j);
    if (job)
        vgpu_sched__job_report(j, job);
    return 0;
}

/* Count an overrun of the running job once, in its VM's and pool's statistics. */
static void note_overrun(struct vgpu_sched *s, struct vgpu_sched__job *j)
{
    j->overrun = true;
    j->pool->overruns++;
    if (j->vm)
        j->vm->overruns++;
    vgpu_sched__log_update(&s->log, j, 0);
}

static bool over_budget(const struct vgpu_sched__job *j, uint64_t now)
{
    uint64_t budget = j->pool->policy.budget_ns;

    return budget && !j->overrun && now - j->dispatch_ns > budget;
}

int vgpu_sched_complete(struct vgpu_sched *s, uint64_t job_id, uint64_t now_ns)
{
    struct vgpu_sched__job *j;
    struct vgpu_sched__pool *p;
    struct vgpu_sched__vm *vm;
    uint64_t now, run;
    int rc = job_lookup(s, job_id, &j);

    if (rc < 0)
        return rc;
    if (j->state != VGPU_SCHED__RUNNING)
        return -EINVAL;
    now = vgpu_sched__clock(s, now_ns);
    p = j->pool;
    vm = j->vm;
    run = now - j->dispatch_ns;
    if (over_budget(j, now))
        note_overrun(s, j);
    p->busy_ns += run;
    p->completed++;
    vgpu_sched__hist_add(&p->run, run);
    if (vm) {
        vm->completed++;
        vm->running--;
        vgpu_sched__hist_add(vm->run, run);
        if (p->policy.fair == VGPU_SCHED_FAIR_WEIGHTED)
            vgpu_sched__vm_charge(vm, run * WEIGHT_SCALE / vm->weight);
    }
    vgpu_sched__log_update(&s->log, j, now);
    p->running = NULL;
    vgpu_sched__table_remove(&s->jobs, &j->link);
    vgpu_sched__job_free(s, j);
    return 0;
}

int vgpu_sched_cancel(struct vgpu_sched *s, uint64_t job_id, uint64_t now_ns, void **cookie_out)
{
    struct vgpu_sched__job *j;
    struct vgpu_sched__pool *p;
    int rc = job_lookup(s, job_id, &j);

    if (rc < 0)
        return rc;
    if (j->state != VGPU_SCHED__QUEUED)
        return -EBUSY;
    p = j->vm->pool;
    vgpu_sched__pool_tick(p, vgpu_sched__clock(s, now_ns));
    p->depth--;
    p->cancelled++;
    j->vm->cancelled++;
    vgpu_sched__unlink(j);
    if (cookie_out)
        *cookie_out = j->cookie;
    vgpu_sched__table_remove(&s->jobs, &j->link);
    vgpu_sched__job_free(s, j);
    return 0;
}

int vgpu_sched_overruns(struct vgpu_sched *s, uint64_t now_ns, vgpu_sched_job_fn *fn, void *arg)
{
    uint64_t now = vgpu_sched__clock(s, now_ns);
    int n = 0;

    for (unsigned i = 0; i < s->npools; i++) {
        struct vgpu_sched__job *j = s->pools[i]->running;
        struct vgpu_sched_job report;

        if (!j || !over_budget(j, now))
            continue;
        note_overrun(s, j);
        n++;
        if (fn) {
            vgpu_sched__job_report(j, &report);
            fn(arg, &report);
        }
    }
    return n;
}
