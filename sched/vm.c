/* vm.c: VM registration, live priority/pool/weight changes and removal. */
#include <errno.h>
#include <stdlib.h>

#include "sched_int.h"

static bool prio_valid(unsigned prio)
{
    return prio < VGPU_SCHED_NPRIO;
}

static bool weight_valid(uint32_t weight)
{
    return weight >= 1 && weight <= VGPU_SCHED_WEIGHT_MAX;
}

/* Room in a level's heaps for one more VM: 0 or -ENOMEM. */
static int level_reserve(struct vgpu_sched__level *lv)
{
    int rc = vgpu_sched__heap_reserve(&lv->age, lv->nvms + 1);

    if (rc == 0)
        rc = vgpu_sched__heap_reserve(&lv->share, lv->nvms + 1);
    return rc;
}

int vgpu_sched_vm_add(struct vgpu_sched *s, uint32_t vm_id, const char *pool, unsigned priority,
                      uint32_t weight)
{
    struct vgpu_sched__pool *p = vgpu_sched__pool_find(s, pool);
    struct vgpu_sched__vm *vm;

    if (!prio_valid(priority) || !weight_valid(weight))
        return -EINVAL;
    if (!p)
        return -ENOENT;
    if (vgpu_sched__vm_find(s, vm_id))
        return -EEXIST;
    if (level_reserve(&p->level[priority]) < 0)
        return -ENOMEM;
    vm = calloc(1, sizeof(*vm));
    if (!vm)
        return -ENOMEM;
    vm->wait = calloc(1, sizeof(*vm->wait));
    vm->run = calloc(1, sizeof(*vm->run));
    if (!vm->wait || !vm->run) {
        free(vm->wait);
        free(vm->run);
        free(vm);
        return -ENOMEM;
    }
    vm->link.key = vm_id;
    vm->pool = p;
    vm->prio = (uint8_t)priority;
    vm->weight = weight;
    vm->age.pos = VGPU_SCHED__NOT_IN_HEAP;
    vm->share.pos = VGPU_SCHED__NOT_IN_HEAP;
    vm->pass = p->level[priority].vtime;
    p->level[priority].nvms++;
    vgpu_sched__table_insert(&s->vms, &vm->link);
    return 0;
}

/* Move the VM and its queued jobs (arrival order kept) to another level. */
static int vm_move(struct vgpu_sched__vm *vm, struct vgpu_sched__pool *np, unsigned prio,
                   uint64_t now)
{
    struct vgpu_sched__pool *op = vm->pool;
    struct vgpu_sched__level *nl = &np->level[prio];

    if (op == np && vm->prio == prio)
        return 0;
    if (level_reserve(nl) < 0)
        return -ENOMEM;
    vgpu_sched__pool_tick(op, now);
    vgpu_sched__pool_tick(np, now);
    vgpu_sched__vm_leave(vm);
    op->level[vm->prio].nvms--;
    op->depth -= vm->queued;
    vm->pool = np;
    vm->prio = (uint8_t)prio;
    nl->nvms++;
    vm->pass = nl->vtime; /* a fresh fair-share account at the new level */
    np->depth += vm->queued;
    if (np->depth > np->max_depth)
        np->max_depth = np->depth;
    if (vm->head)
        vgpu_sched__vm_enter(vm);
    return 0;
}

int vgpu_sched_vm_set_priority(struct vgpu_sched *s, uint32_t vm_id, unsigned priority,
                               uint64_t now_ns)
{
    struct vgpu_sched__vm *vm;

    if (!prio_valid(priority))
        return -EINVAL;
    vm = vgpu_sched__vm_find(s, vm_id);
    if (!vm)
        return -ENOENT;
    return vm_move(vm, vm->pool, priority, vgpu_sched__clock(s, now_ns));
}

int vgpu_sched_vm_set_pool(struct vgpu_sched *s, uint32_t vm_id, const char *pool, uint64_t now_ns)
{
    struct vgpu_sched__vm *vm = vgpu_sched__vm_find(s, vm_id);
    struct vgpu_sched__pool *p = vgpu_sched__pool_find(s, pool);

    if (!vm || !p)
        return -ENOENT;
    return vm_move(vm, p, vm->prio, vgpu_sched__clock(s, now_ns));
}

/* Applies to service charged from now on. */
int vgpu_sched_vm_set_weight(struct vgpu_sched *s, uint32_t vm_id, uint32_t weight)
{
    struct vgpu_sched__vm *vm;

    if (!weight_valid(weight))
        return -EINVAL;
    vm = vgpu_sched__vm_find(s, vm_id);
    if (!vm)
        return -ENOENT;
    vm->weight = weight;
    return 0;
}

/* Detach the VM's running jobs, which outlive it until completed. */
static void detach_running(struct vgpu_sched *s, struct vgpu_sched__vm *vm)
{
    for (unsigned i = 0; i < s->npools && vm->running; i++) {
        struct vgpu_sched__job *j = s->pools[i]->running;

        if (j && j->vm == vm) {
            j->vm = NULL;
            vm->running--;
        }
    }
}

int vgpu_sched_vm_remove(struct vgpu_sched *s, uint32_t vm_id, uint64_t now_ns,
                         vgpu_sched_job_fn *cancelled, void *arg)
{
    struct vgpu_sched__vm *vm = vgpu_sched__vm_find(s, vm_id);
    struct vgpu_sched__pool *p;
    uint64_t now = vgpu_sched__clock(s, now_ns);

    if (!vm)
        return -ENOENT;
    p = vm->pool;
    vgpu_sched__pool_tick(p, now);
    vgpu_sched__vm_leave(vm);
    while (vm->head) {
        struct vgpu_sched__job *j = vm->head;
        struct vgpu_sched_job report;

        vm->head = j->next;
        vgpu_sched__job_report(j, &report);
        p->depth--;
        p->cancelled++;
        vgpu_sched__table_remove(&s->jobs, &j->link);
        vgpu_sched__job_free(s, j);
        if (cancelled)
            cancelled(arg, &report);
    }
    p->level[vm->prio].nvms--;
    detach_running(s, vm);
    vgpu_sched__table_remove(&s->vms, &vm->link);
    free(vm->wait);
    free(vm->run);
    free(vm);
    return 0;
}

int vgpu_sched_vm_info(const struct vgpu_sched *s, uint32_t vm_id, struct vgpu_sched_vm_info *out)
{
    const struct vgpu_sched__vm *vm = vgpu_sched__vm_find(s, vm_id);

    if (!vm)
        return -ENOENT;
    out->pool = vm->pool->name;
    out->priority = vm->prio;
    out->weight = vm->weight;
    out->queued = vm->queued;
    out->running = vm->running > 0;
    return 0;
}

bool vgpu_sched_vm_exists(const struct vgpu_sched *s, uint32_t vm_id)
{
    return vgpu_sched__vm_find(s, vm_id) != NULL;
}
