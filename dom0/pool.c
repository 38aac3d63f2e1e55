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
    while (!be->stopping || p->handoff) {
        if ((job = p->handoff)) { /* dispatched by the loop (job.c's fast path) */
            p->handoff = NULL;
            pthread_mutex_unlock(&be->lock);
            vgpu_be__job_resume(be, job);
            pthread_mutex_lock(&be->lock);
            vgpu_be__job_complete(be, job);
            continue;
        }
        if (vgpu_be__job_dispatch(p, &job) < 0) {
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
        vgpu_be__job_complete(be, job);
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
