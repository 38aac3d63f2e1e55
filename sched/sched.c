/* sched.c: scheduler and pool setup and teardown. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sched_int.h"

#define DEFAULT_LOG_CAPACITY 65536
#define JOB_CHUNK_MIN        64

static void pool_free(struct vgpu_sched__pool *p)
{
    if (!p)
        return;
    for (unsigned l = 0; l < VGPU_SCHED_NPRIO; l++) {
        vgpu_sched__heap_free(&p->level[l].age);
        vgpu_sched__heap_free(&p->level[l].share);
    }
    free(p);
}

static void vms_free(struct vgpu_sched *s)
{
    for (size_t i = 0; s->vms.b && i <= s->vms.mask; i++) {
        struct vgpu_sched__tlink *l = s->vms.b[i];

        while (l) {
            struct vgpu_sched__vm *vm = vgpu_sched__container_of(l, struct vgpu_sched__vm, link);

            l = l->next;
            free(vm->wait);
            free(vm->run);
            free(vm);
        }
    }
    vgpu_sched__table_free(&s->vms);
}

/* Frees everything, including half-built state; jobs live in the slabs. */
void vgpu_sched_destroy(struct vgpu_sched *s)
{
    if (!s)
        return;
    vms_free(s);
    vgpu_sched__table_free(&s->jobs);
    for (unsigned i = 0; i < s->npools; i++)
        pool_free(s->pools[i]);
    for (size_t i = 0; i < s->nchunks; i++)
        free(s->chunks[i]);
    free(s->chunks);
    vgpu_sched__log_free(&s->log);
    free(s);
}

int vgpu_sched_create(struct vgpu_sched **out, const struct vgpu_sched_params *params)
{
    struct vgpu_sched_params def = {0};
    struct vgpu_sched *s;
    int rc;

    if (!out)
        return -EINVAL;
    *out = NULL;
    if (!params)
        params = &def;
    s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->next_job_id = 1;
    s->chunk_jobs = JOB_CHUNK_MIN;
    rc = vgpu_sched__table_init(&s->vms, 64);
    if (rc == 0)
        rc = vgpu_sched__table_init(&s->jobs, 256);
    if (rc == 0)
        rc = vgpu_sched__log_init(&s->log, params->log_capacity ? params->log_capacity
                                                                : DEFAULT_LOG_CAPACITY);
    if (rc == 0 && !params->no_default_pools) {
        rc = vgpu_sched_pool_add(s, "A", NULL);
        if (rc == 0)
            rc = vgpu_sched_pool_add(s, "B", NULL);
    }
    if (rc < 0) {
        vgpu_sched_destroy(s);
        return rc;
    }
    *out = s;
    return 0;
}

static bool name_valid(const char *name)
{
    size_t n;

    if (!name)
        return false;
    n = strnlen(name, VGPU_SCHED_POOL_NAME_MAX + 1);
    if (n == 0 || n > VGPU_SCHED_POOL_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (name[i] <= ' ' || name[i] > '~' || name[i] == ',' || name[i] == '"')
            return false;
    }
    return true;
}

static bool policy_valid(const struct vgpu_sched_policy *policy)
{
    return policy->fair == VGPU_SCHED_FAIR_NONE || policy->fair == VGPU_SCHED_FAIR_ROUND_ROBIN ||
           policy->fair == VGPU_SCHED_FAIR_WEIGHTED;
}

struct vgpu_sched__pool *vgpu_sched__pool_find(const struct vgpu_sched *s, const char *name)
{
    if (!name)
        return NULL;
    for (unsigned i = 0; i < s->npools; i++) {
        if (strcmp(s->pools[i]->name, name) == 0)
            return s->pools[i];
    }
    return NULL;
}

int vgpu_sched_pool_add(struct vgpu_sched *s, const char *name,
                        const struct vgpu_sched_policy *policy)
{
    static const struct vgpu_sched_policy def;
    struct vgpu_sched__pool *p;

    if (!policy)
        policy = &def;
    if (!name_valid(name) || !policy_valid(policy))
        return -EINVAL;
    if (vgpu_sched__pool_find(s, name))
        return -EEXIST;
    if (s->npools == VGPU_SCHED_MAX_POOLS)
        return -ENOSPC;
    p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    strcpy(p->name, name);
    p->policy = *policy;
    p->index = s->npools;
    s->pools[s->npools++] = p;
    return 0;
}

/* Aging and budget apply from the next dispatch; a fair-mode change restarts the accounts. */
int vgpu_sched_pool_set_policy(struct vgpu_sched *s, const char *name,
                               const struct vgpu_sched_policy *policy)
{
    struct vgpu_sched__pool *p = vgpu_sched__pool_find(s, name);

    if (!p)
        return -ENOENT;
    if (!policy || !policy_valid(policy))
        return -EINVAL;
    p->policy.aging_ns = policy->aging_ns;
    p->policy.budget_ns = policy->budget_ns;
    if (policy->fair != p->policy.fair)
        return vgpu_sched__level_rebuild(p, policy->fair);
    return 0;
}

int vgpu_sched_pool_get_policy(const struct vgpu_sched *s, const char *name,
                               struct vgpu_sched_policy *out)
{
    const struct vgpu_sched__pool *p = vgpu_sched__pool_find(s, name);

    if (!p)
        return -ENOENT;
    *out = p->policy;
    return 0;
}

unsigned vgpu_sched_pool_count(const struct vgpu_sched *s)
{
    return s->npools;
}

const char *vgpu_sched_pool_name(const struct vgpu_sched *s, unsigned index)
{
    return index < s->npools ? s->pools[index]->name : NULL;
}

bool vgpu_sched_pool_busy(const struct vgpu_sched *s, const char *pool)
{
    const struct vgpu_sched__pool *p = vgpu_sched__pool_find(s, pool);

    return p && p->running;
}

/* The caller's time, never earlier than a time seen before. */
uint64_t vgpu_sched__clock(struct vgpu_sched *s, uint64_t now_ns)
{
    if (now_ns > s->now)
        s->now = now_ns;
    return s->now;
}

/* Bring the pool's depth integral up to `now`; call before the depth changes. */
void vgpu_sched__pool_tick(struct vgpu_sched__pool *p, uint64_t now)
{
    if (!p->seen) {
        p->seen = true;
        p->since_ns = now;
        p->last_ns = now;
    }
    p->depth_ns += (uint64_t)p->depth * (now - p->last_ns);
    p->last_ns = now;
}

struct vgpu_sched__vm *vgpu_sched__vm_find(const struct vgpu_sched *s, uint32_t vm_id)
{
    struct vgpu_sched__tlink *l = vgpu_sched__table_find(&s->vms, vm_id);

    return l ? vgpu_sched__container_of(l, struct vgpu_sched__vm, link) : NULL;
}
