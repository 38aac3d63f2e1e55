/* vm.c: VMs as vgpud sees them: scheduler registration, executor context, allocations. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include "vgpud.h"

struct vgpu_be_vm *vgpu_be__vm_by_id(struct vgpu_be *be, uint32_t vm_id)
{
    struct vgpu_be_vm *vm;

    for (vm = be->vms; vm; vm = vm->next)
        if (vm->id.vm_id == vm_id)
            return vm;
    return NULL;
}

/* Make the scheduler's view of the VM match id (pool and priority). Loop thread. */
static int sched_sync(struct vgpu_be *be, const struct vgpu_be_identity *id)
{
    struct vgpu_sched_vm_info info;
    uint64_t now = vgpu_be_now();
    int r;

    r = vgpu_be__pool_ensure(be, id->pool);
    if (r < 0)
        return r;
    pthread_mutex_lock(&be->lock);
    if (vgpu_sched_vm_info(be->sched, id->vm_id, &info) < 0) {
        r = vgpu_sched_vm_add(be->sched, id->vm_id, id->pool, (unsigned)id->priority, 1);
    } else {
        r = vgpu_sched_vm_set_pool(be->sched, id->vm_id, id->pool, now);
        if (r == 0)
            r = vgpu_sched_vm_set_priority(be->sched, id->vm_id, (unsigned)id->priority, now);
    }
    /* Queued jobs may have moved to another pool: wake every dispatcher. */
    for (unsigned i = 0; i < be->npools; i++)
        pthread_cond_signal(&be->pools[i].wake);
    pthread_mutex_unlock(&be->lock);
    return r;
}

int vgpu_be__vm_get(struct vgpu_be *be, const struct vgpu_be_identity *id, struct vgpu_be_vm **out)
{
    struct vgpu_be_vm *vm = vgpu_be__vm_by_id(be, id->vm_id);
    int r;

    if (id->priority < 0 || id->priority > 2)
        return -EINVAL;
    r = sched_sync(be, id);
    if (r < 0)
        return r;
    if (!vm) {
        vm = calloc(1, sizeof(*vm));
        if (!vm)
            return -ENOMEM;
        pthread_mutex_init(&vm->lock, NULL);
        vm->next = be->vms;
        be->vms = vm;
    }
    pthread_mutex_lock(&vm->lock);
    vm->id = *id;
    pthread_mutex_unlock(&vm->lock);
    vm->nchan++;
    *out = vm;
    return 0;
}

int vgpu_be__vm_ctx(struct vgpu_be_vm *vm, struct vgpu_be *be, struct vgpu_exec_ctx **out)
{
    uint32_t detail = 0;
    int st = VGPU_S_OK;

    pthread_mutex_lock(&vm->lock);
    if (!vm->ctx)
        st = be->xops->ctx_create(be->exec, vm->id.vm_id, &vm->ctx, &detail);
    *out = vm->ctx;
    pthread_mutex_unlock(&vm->lock);
    if (st != VGPU_S_OK)
        vgpu_be_log(LOG_ERR, "VM %u: cannot create executor context: %s (code %u)", vm->id.vm_id,
                    vgpu_strerror(st), detail);
    return st;
}

/* Free what channel c allocated or loaded; destroy the context with the VM's last channel. */
void vgpu_be__vm_release_chan(struct vgpu_be *be, struct vgpu_be_vm *vm, struct vgpu_be_chan *c)
{
    uint32_t detail;
    size_t i;

    pthread_mutex_lock(&vm->lock);
    for (i = vm->mem.n; i-- > 0;) {
        struct vgpu_memtab_entry e = vm->mem.v[i];
        if (e.tag != c)
            continue;
        vgpu_memtab_remove(&vm->mem, e.base, NULL);
        if (vm->ctx)
            be->xops->mem_free(vm->ctx, e.base, &detail);
    }
    for (i = 0; i < VGPUD_MAX_MODULES; i++)
        if (c->modules[i] && vm->ctx)
            be->xops->module_unload(vm->ctx, c->modules[i], &detail);
    if (--vm->nchan == 0 && vm->ctx) {
        be->xops->ctx_destroy(vm->ctx);
        vm->ctx = NULL;
        vgpu_memtab_free(&vm->mem);
    }
    pthread_mutex_unlock(&vm->lock);
}
