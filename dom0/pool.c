/* pool.c: one dispatcher thread per pool: the pool's next job from sched/ to its VM's worker. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include "vgpud.h"

struct vgpu_be_pool *vgpu_be__pool_find(struct vgpu_be *be, const char *name)
{
    unsigned i;

    for (i = 0; i < be->npools; i++)
        if (strcmp(be->pools[i].name, name) == 0)
            return &be->pools[i];
    return NULL;
}

/* Dispatch under be->lock; 0 and *job, or -EAGAIN/-EBUSY. */
static int next_job(struct vgpu_be_pool *p, struct vgpu_be_job **out)
{
    struct vgpu_be *be = p->be;
    struct vgpu_sched_job sj;
    struct vgpu_be_job *job;
    int r;

    r = vgpu_sched_dispatch(be->sched, p->name, vgpu_be_now(), &sj);
    if (r < 0)
        return r;
    job = sj.cookie;
    job->dispatch_ns = sj.dispatch_ns;
    job->priority = sj.priority;
    job->aged = sj.aged;
    job->seq = be->dispatch_seq++;
    job->running = true;
    job->limit_ns = __atomic_load_n(&p->job_limit_ns, __ATOMIC_RELAXED);
    snprintf(job->pool, sizeof(job->pool), "%s", sj.pool);
    *out = job;
    return 0;
}

/*
 * Step *n of a spin: a pause; past the first SPIN_PURE steps (a few microseconds, where a fast
 * answer lands), sched_yield() every SPIN_YIELD_EVERY steps. The job path has up to five spinning
 * parties (client, vgpud's loop, the pool thread, its wait on the worker, the worker); where they
 * outnumber the cores, a thread one of them woke used to wait for a spin window to run out
 * (docs/performance.md, "The worker hop").
 */
#define SPIN_PURE        64u
#define SPIN_YIELD_EVERY 8u

static inline void cpu_relax(uint32_t *n)
{
    if (++*n > SPIN_PURE && *n % SPIN_YIELD_EVERY == 0) {
        sched_yield();
        return;
    }
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/*
 * Adaptive polling, as the loop does on the rings: after a job, watch for
 * the next one for poll_ns before sleeping on the condition variable (a
 * wake-up costs more than the hop to the worker). Called and returns with
 * be->lock held; the caller then looks in the scheduler again, under the
 * lock, so a job submitted as the spin ended is not missed.
 */
static void spin_for_work(struct vgpu_be_pool *p)
{
    struct vgpu_be *be = p->be;
    uint64_t seen = __atomic_load_n(&p->submitted, __ATOMIC_ACQUIRE);
    uint64_t end = vgpu_be_now() + be->cfg.poll_ns;
    uint32_t spins = 0;

    pthread_mutex_unlock(&be->lock);
    while (__atomic_load_n(&p->submitted, __ATOMIC_ACQUIRE) == seen && vgpu_be_now() < end)
        cpu_relax(&spins);
    pthread_mutex_lock(&be->lock);
}

static void *pool_main(void *arg)
{
    struct vgpu_be_pool *p = arg;
    struct vgpu_be *be = p->be;
    struct vgpu_be_job *job;
    bool spun = false;

    pthread_mutex_lock(&be->lock);
    while (!be->stopping) {
        if (next_job(p, &job) < 0) {
            if (!spun && be->cfg.poll_ns) {
                spun = true;
                spin_for_work(p);
            } else {
                pthread_cond_wait(&p->wake, &be->lock);
            }
            continue;
        }
        spun = false;
        pthread_mutex_unlock(&be->lock);
        vgpu_be__job_execute(be, job);
        pthread_mutex_lock(&be->lock);
        job->complete_ns = vgpu_be_now();
        job->running = false;
        vgpu_sched_complete(be->sched, job->sched_id, job->complete_ns);
        vgpu_be__done_add_locked(be, job);
    }
    pthread_mutex_unlock(&be->lock);
    return NULL;
}

/*
 * The device string a stored pool maps to, as the worker's --device takes
 * it: its MIG instance ("MIG-<uuid>"), else its GPU (an index or
 * "GPU-<uuid>"); vgpuctl also stores bare UUIDs. "" when unmapped.
 */
static void store_device(const struct vgpu_store_pool *sp, char *out, size_t len)
{
    const char *v = sp->mig[0] ? sp->mig : sp->gpu, *prefix = sp->mig[0] ? "MIG-" : "GPU-";
    bool bare = strlen(v) == 36; /* a UUID without its prefix */

    snprintf(out, len, "%s%s", bare ? prefix : "", v);
}

/* The pool's device as stored (into out), "" if none or unknown. */
static void store_pool_device(struct vgpu_be *be, const char *name, char *out, size_t len)
{
    struct vgpu_store_pool sp;

    out[0] = '\0';
    if (be->store && vgpu_store_pool_find(be->store, name, &sp) == 0)
        store_device(&sp, out, len);
}

void vgpu_be__pool_device(struct vgpu_be *be, const char *name, char *out, size_t len)
{
    struct vgpu_be_pool *p = vgpu_be__pool_find(be, name);

    pthread_mutex_lock(&be->lock);
    snprintf(out, len, "%s", p && p->device[0] ? p->device : be->cfg.device);
    pthread_mutex_unlock(&be->lock);
}

int vgpu_be__pool_refresh_device(struct vgpu_be *be, const char *name, char *device, size_t len)
{
    struct vgpu_be_pool *p = vgpu_be__pool_find(be, name);
    bool changed;

    if (!p)
        return -ENOENT;
    store_pool_device(be, name, device, len);
    pthread_mutex_lock(&be->lock);
    changed = strcmp(p->device, device) != 0;
    snprintf(p->device, sizeof(p->device), "%s", device);
    pthread_mutex_unlock(&be->lock);
    return changed;
}

/* The pool's hard limit per job as stored, else the default. */
static uint64_t store_limit(struct vgpu_be *be, const char *name)
{
    struct vgpu_store_pool sp;

    if (be->store && vgpu_store_pool_find(be->store, name, &sp) == 0 && sp.job_limit_ms)
        return (uint64_t)sp.job_limit_ms * 1000000ull;
    return VGPUD_JOB_LIMIT_DEFAULT_NS;
}

int vgpu_be__pool_ensure(struct vgpu_be *be, const char *name)
{
    struct vgpu_be_pool *p = vgpu_be__pool_find(be, name);
    int r;

    if (p)
        return 0;
    if (be->npools == VGPUD_MAX_POOLS)
        return -ENOSPC;
    pthread_mutex_lock(&be->lock);
    r = vgpu_sched_pool_add(be->sched, name, vgpu_be__policy_for(&be->cfg, name));
    pthread_mutex_unlock(&be->lock);
    if (r < 0 && r != -EEXIST)
        return r;
    p = &be->pools[be->npools];
    memset(p, 0, sizeof(*p));
    p->be = be;
    p->job_limit_ns = store_limit(be, name);
    store_pool_device(be, name, p->device, sizeof(p->device));
    snprintf(p->name, sizeof(p->name), "%s", name);
    pthread_cond_init(&p->wake, NULL);
    r = pthread_create(&p->thread, NULL, pool_main, p);
    if (r) {
        pthread_cond_destroy(&p->wake);
        return -r;
    }
    p->started = true;
    be->npools++;
    vgpu_be_log(LOG_INFO, "pool %s: dispatcher started", name);
    return 0;
}

/* Applies to jobs dispatched from now on. 0 = no limit. */
int vgpu_be__pool_set_limit(struct vgpu_be *be, const char *name, uint64_t limit_ns)
{
    struct vgpu_be_pool *p = vgpu_be__pool_find(be, name);

    if (!p)
        return -ENOENT;
    __atomic_store_n(&p->job_limit_ns, limit_ns, __ATOMIC_RELAXED);
    return 0;
}

void vgpu_be__pools_stop(struct vgpu_be *be)
{
    unsigned i;

    pthread_mutex_lock(&be->lock);
    be->stopping = true;
    for (i = 0; i < be->npools; i++)
        pthread_cond_signal(&be->pools[i].wake);
    pthread_mutex_unlock(&be->lock);
    for (i = 0; i < be->npools; i++) {
        if (!be->pools[i].started)
            continue;
        pthread_join(be->pools[i].thread, NULL);
        pthread_cond_destroy(&be->pools[i].wake);
        be->pools[i].started = false;
    }
}

/* Queue job in its VM's pool and wake that pool's dispatcher. Loop thread. */
void vgpu_be__job_submit(struct vgpu_be *be, struct vgpu_be_job *job)
{
    struct vgpu_sched_vm_info info;
    struct vgpu_be_pool *p;
    int r;

    pthread_mutex_lock(&be->lock);
    job->submit_ns = vgpu_be_now();
    r = vgpu_sched_submit(be->sched, job->chan->vm->id.vm_id, job, job->submit_ns, &job->sched_id);
    if (r == 0 && vgpu_sched_vm_info(be->sched, job->chan->vm->id.vm_id, &info) == 0 &&
        (p = vgpu_be__pool_find(be, info.pool))) {
        __atomic_add_fetch(&p->submitted, 1, __ATOMIC_RELEASE);
        pthread_cond_signal(&p->wake);
    }
    pthread_mutex_unlock(&be->lock);
    if (r < 0) {
        vgpu_be_log_ratelimited(LOG_ERR, &job->chan->vm->failed, "%s: scheduler refused a job: %s",
                                job->chan->d.label, strerror(-r));
        job->status = VGPU_S_INTERNAL;
        for (uint32_t i = 0; i < job->n; i++)
            job->items[i].rsp.status = VGPU_S_INTERNAL;
        vgpu_be__done_add(be, job);
    }
}

/*
 * Hand a finished job to the loop thread. Caller holds be->lock. done_head
 * is stored atomically: the loop peeks at it without the lock.
 */
void vgpu_be__done_add_locked(struct vgpu_be *be, struct vgpu_be_job *job)
{
    uint64_t one = 1;

    job->next = NULL;
    job->finished = true;
    if (be->done_tail)
        be->done_tail->next = job;
    else
        __atomic_store_n(&be->done_head, job, __ATOMIC_RELEASE);
    be->done_tail = job;
    if (write(be->done_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
        vgpu_be_log(LOG_ERR, "completion eventfd: %s", strerror(errno));
}

/* The same, taking be->lock. */
void vgpu_be__done_add(struct vgpu_be *be, struct vgpu_be_job *job)
{
    pthread_mutex_lock(&be->lock);
    vgpu_be__done_add_locked(be, job);
    pthread_mutex_unlock(&be->lock);
}

/* Loop thread: answer every finished job. True if there was one. */
bool vgpu_be__done_drain(struct vgpu_be *be)
{
    struct vgpu_be_job *job;

    /* A peek without the lock, to keep an idle pass cheap: a job added after it is seen on
     * the next pass (its done_fd write wakes the loop). */
    if (!__atomic_load_n(&be->done_head, __ATOMIC_ACQUIRE))
        return false;
    pthread_mutex_lock(&be->lock);
    job = be->done_head;
    __atomic_store_n(&be->done_head, NULL, __ATOMIC_RELAXED);
    be->done_tail = NULL;
    pthread_mutex_unlock(&be->lock);
    while (job) {
        struct vgpu_be_job *next = job->next;
        vgpu_be__chan_job_done(job->chan, job);
        job = next;
    }
    return true;
}
