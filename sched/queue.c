/* queue.c: where a VM's queued jobs sit in its pool, and which job goes next. */
#include "sched_int.h"

static struct vgpu_sched__level *level_of(const struct vgpu_sched__vm *vm)
{
    return &vm->pool->level[vm->prio];
}

static bool shares(const struct vgpu_sched__pool *p)
{
    return p->policy.fair != VGPU_SCHED_FAIR_NONE;
}

/* The VM got its first queued job: put it in its level's heaps. */
void vgpu_sched__vm_enter(struct vgpu_sched__vm *vm)
{
    struct vgpu_sched__level *lv = level_of(vm);

    vm->age.key = vm->head->link.key;
    vm->age.tie = 0;
    vgpu_sched__heap_push(&lv->age, &vm->age);
    if (!shares(vm->pool))
        return;
    /* No credit banked while idle: start no earlier than the level's clock. */
    if ((int64_t)(vm->pass - lv->vtime) < 0)
        vm->pass = lv->vtime;
    vm->share.key = vm->pass;
    vm->share.tie = vm->head->link.key;
    vgpu_sched__heap_push(&lv->share, &vm->share);
}

/* Take the VM out of its level's heaps (no-op for heaps it is not in). */
void vgpu_sched__vm_leave(struct vgpu_sched__vm *vm)
{
    struct vgpu_sched__level *lv = level_of(vm);

    if (vm->age.pos != VGPU_SCHED__NOT_IN_HEAP)
        vgpu_sched__heap_remove(&lv->age, &vm->age);
    if (vm->share.pos != VGPU_SCHED__NOT_IN_HEAP)
        vgpu_sched__heap_remove(&lv->share, &vm->share);
}

/* The VM's oldest queued job changed (or it has none left). */
void vgpu_sched__vm_head_changed(struct vgpu_sched__vm *vm)
{
    struct vgpu_sched__level *lv = level_of(vm);

    if (!vm->head) {
        vgpu_sched__vm_leave(vm);
        return;
    }
    if (vm->age.pos == VGPU_SCHED__NOT_IN_HEAP) {
        vgpu_sched__vm_enter(vm);
        return;
    }
    vm->age.key = vm->head->link.key;
    vgpu_sched__heap_fix(&lv->age, &vm->age);
    if (vm->share.pos != VGPU_SCHED__NOT_IN_HEAP) {
        vm->share.tie = vm->head->link.key;
        vgpu_sched__heap_fix(&lv->share, &vm->share);
    }
}

/* Add `units` of service to the VM's fair-share account. */
void vgpu_sched__vm_charge(struct vgpu_sched__vm *vm, uint64_t units)
{
    vm->pass += units ? units : 1;
    if (vm->share.pos != VGPU_SCHED__NOT_IN_HEAP) {
        vm->share.key = vm->pass;
        vgpu_sched__heap_fix(&level_of(vm)->share, &vm->share);
    }
}

/* The oldest queued job of the pool if it has waited the aging bound, or NULL. */
static struct vgpu_sched__job *pick_aged(struct vgpu_sched__pool *p, uint64_t now)
{
    struct vgpu_sched__job *best = NULL;

    for (unsigned l = 0; l < VGPU_SCHED_NPRIO; l++) {
        struct vgpu_sched__hnode *top = vgpu_sched__heap_top(&p->level[l].age);
        struct vgpu_sched__job *j;

        if (!top)
            continue;
        j = vgpu_sched__container_of(top, struct vgpu_sched__vm, age)->head;
        if (!best || j->link.key < best->link.key)
            best = j;
    }
    if (best && now - best->submit_ns >= p->policy.aging_ns)
        return best;
    return NULL;
}

/*
 * The job the pool runs next, still queued, or NULL if none: aged jobs first
 * (oldest first), then the highest priority, FIFO or fair share within it.
 */
struct vgpu_sched__job *vgpu_sched__pick(struct vgpu_sched__pool *p, uint64_t now)
{
    if (p->policy.aging_ns) {
        struct vgpu_sched__job *j = pick_aged(p, now);

        if (j) {
            j->aged = true;
            return j;
        }
    }
    for (unsigned l = VGPU_SCHED_NPRIO; l-- > 0;) {
        struct vgpu_sched__level *lv = &p->level[l];
        struct vgpu_sched__vm *vm;

        if (!lv->age.n)
            continue;
        if (shares(p)) {
            vm = vgpu_sched__container_of(vgpu_sched__heap_top(&lv->share), struct vgpu_sched__vm,
                                          share);
            lv->vtime = vm->pass;
        } else {
            vm = vgpu_sched__container_of(vgpu_sched__heap_top(&lv->age), struct vgpu_sched__vm,
                                          age);
        }
        vm->head->aged = false;
        return vm->head;
    }
    return NULL;
}

/* Take a queued job out of its VM's FIFO and keep the heaps in order. */
void vgpu_sched__unlink(struct vgpu_sched__job *j)
{
    struct vgpu_sched__vm *vm = j->vm;
    bool was_head = vm->head == j;

    if (j->prev)
        j->prev->next = j->next;
    else
        vm->head = j->next;
    if (j->next)
        j->next->prev = j->prev;
    else
        vm->tail = j->prev;
    j->prev = j->next = NULL;
    vm->queued--;
    if (was_head)
        vgpu_sched__vm_head_changed(vm);
}

/*
 * Rebuild the share heaps for a new fair mode: every VM with queued jobs
 * starts a fresh account at its level's clock. Never fails: share heaps
 * always have room for every VM of their level.
 */
int vgpu_sched__level_rebuild(struct vgpu_sched__pool *p, enum vgpu_sched_fair fair)
{
    p->policy.fair = fair;
    for (unsigned l = 0; l < VGPU_SCHED_NPRIO; l++) {
        struct vgpu_sched__level *lv = &p->level[l];

        while (lv->share.n)
            vgpu_sched__heap_remove(&lv->share, lv->share.v[lv->share.n - 1]);
        if (fair == VGPU_SCHED_FAIR_NONE)
            continue;
        for (uint32_t i = 0; i < lv->age.n; i++) {
            struct vgpu_sched__vm *vm =
                vgpu_sched__container_of(lv->age.v[i], struct vgpu_sched__vm, age);

            vm->pass = lv->vtime;
            vm->share.key = vm->pass;
            vm->share.tie = vm->head->link.key;
            vgpu_sched__heap_push(&lv->share, &vm->share);
        }
    }
    return 0;
}
