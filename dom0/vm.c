/* vm.c: VMs as vgpud sees them: scheduler registration, channels, the worker's end. */
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

/* The device memory the VM may hold: its own quota, else the daemon's default. Under vm->lock. */
uint64_t vgpu_be__vm_quota(const struct vgpu_be *be, const struct vgpu_be_vm *vm)
{
    if (vm->id.mem_quota)
        return vm->id.mem_quota;
    if (be->cfg.default_quota)
        return be->cfg.default_quota;
    return be->devinfo.total_mem / 100 * be->cfg.default_quota_pct +
           be->devinfo.total_mem % 100 * be->cfg.default_quota_pct / 100;
}

/*
 * The store is the source of a VM's quota and pinned limit, whatever the transport says:
 * the Xen backend directory has none, and a quota applied live must
 * survive a channel attaching later.
 */
static void quota_from_store(struct vgpu_be *be, struct vgpu_be_identity *id)
{
    struct vgpu_store_vm sv;

    if (be->store && id->vm_uuid[0] && vgpu_store_vm_find(be->store, id->vm_uuid, &sv) == 0) {
        id->mem_quota = sv.mem_quota;
        id->pinned_limit = sv.pinned_limit;
    }
}

struct vgpu_be_vm *vgpu_be__vm_by_uuid(struct vgpu_be *be, const char *uuid)
{
    struct vgpu_be_vm *vm;

    for (vm = be->vms; vm && uuid[0]; vm = vm->next)
        if (strcmp(vm->id.vm_uuid, uuid) == 0)
            return vm;
    return NULL;
}

/*
 * The record for id, keyed by vm_id and UUID together: two VMs never share
 * one (one context, one worker, one quota), whatever the store or the
 * toolstack say. A vm_id held by another VM with channels open, or this VM
 * with channels open under another vm_id (its id changed and vgpud was not
 * told), is refused with -EADDRINUSE. A record with no channels is taken
 * over: a VM that came back under a new vm_id keeps its record and leaves
 * its old id in the scheduler.
 */
static int vm_find(struct vgpu_be *be, const struct vgpu_be_identity *id, struct vgpu_be_vm **out)
{
    struct vgpu_be_vm *by_id = vgpu_be__vm_by_id(be, id->vm_id);
    struct vgpu_be_vm *by_uuid = vgpu_be__vm_by_uuid(be, id->vm_uuid);

    if (by_id && by_id->nchan && id->vm_uuid[0] && strcmp(by_id->id.vm_uuid, id->vm_uuid)) {
        vgpu_be_log_ratelimited(LOG_WARNING, by_id,
                                "VM %s: vm_id %u is VM %s's, which has "
                                "channels open: channel refused",
                                id->vm_uuid, id->vm_id, by_id->id.vm_uuid);
        return -EADDRINUSE;
    }
    if (by_uuid && by_uuid != by_id && by_uuid->id.vm_id != id->vm_id) {
        if (by_uuid->nchan) {
            vgpu_be_log_ratelimited(LOG_WARNING, by_uuid,
                                    "VM %s: channels open under vm_id %u: "
                                    "a channel as vm_id %u refused",
                                    id->vm_uuid, by_uuid->id.vm_id, id->vm_id);
            return -EADDRINUSE;
        }
        if (!by_id) {
            pthread_mutex_lock(&be->lock);
            vgpu_sched_vm_remove(be->sched, by_uuid->id.vm_id, vgpu_be_now(), NULL, NULL);
            pthread_mutex_unlock(&be->lock);
            by_id = by_uuid;
        }
    }
    *out = by_id;
    return 0;
}

int vgpu_be__vm_get(struct vgpu_be *be, const struct vgpu_be_identity *given,
                    struct vgpu_be_vm **out)
{
    struct vgpu_be_identity idv = *given, *id = &idv;
    struct vgpu_be_vm *vm;
    int r;

    if (id->priority < 0 || id->priority > VGPU_PRIORITY_MAX)
        return -EINVAL;
    r = vm_find(be, id, &vm);
    if (r < 0)
        return r;
    quota_from_store(be, id);
    r = sched_sync(be, id);
    if (r < 0)
        return r;
    if (!vm) {
        vm = calloc(1, sizeof(*vm));
        if (!vm)
            return -ENOMEM;
        pthread_mutex_init(&vm->lock, NULL);
        pthread_mutex_lock(&be->lock); /* workers_abort walks the list from another thread */
        vm->next = be->vms;
        be->vms = vm;
        pthread_mutex_unlock(&be->lock);
    }
    pthread_mutex_lock(&vm->lock);
    vm->id = *id; /* its quota is the store's (quota_from_store): a live one stays */
    pthread_mutex_unlock(&vm->lock);
    vm->nchan++;
    *out = vm;
    return 0;
}

/* Channel c is gone: its worker frees what c held; the VM's last channel ends the worker. */
void vgpu_be__vm_release_chan(struct vgpu_be *be, struct vgpu_be_vm *vm, struct vgpu_be_chan *c)
{
    if (--vm->nchan == 0)
        vgpu_be__worker_retire(be, vm);
    else
        vgpu_be__worker_chan_gone(be, vm, c);
}
