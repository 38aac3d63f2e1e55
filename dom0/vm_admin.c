/* vm_admin.c: live changes from vgpuctl: re-read a VM or a pool from the store, or remove a VM. */
#include <errno.h>
#include <string.h>
#include <syslog.h>
#include "vgpud.h"

/* A job the scheduler cancelled with its VM: answer it, free the channel's slot. */
static void on_cancelled(void *arg, const struct vgpu_sched_job *sj)
{
    struct vgpu_be_job *job = sj->cookie;
    struct vgpu_be_chan *c = job->chan;

    (void)arg;
    vgpu_be__chan_fail_job(c, job, VGPU_S_CANCELLED);
    c->inflight = NULL;
    vgpu_be__job_free(job);
}

/* Cancel the VM's queued jobs and close its channels (a running job ends first). */
static int vm_disconnect(struct vgpu_be *be, struct vgpu_be_vm *vm, const char *why, char *err,
                         size_t errlen)
{
    struct vgpu_be_chan *c, *next;
    int r;

    pthread_mutex_lock(&be->lock);
    r = vgpu_sched_vm_remove(be->sched, vm->id.vm_id, vgpu_be_now(), on_cancelled, NULL);
    pthread_mutex_unlock(&be->lock);
    if (r < 0 && r != -ENOENT) {
        snprintf(err, errlen, "scheduler: %s", strerror(-r));
        return r;
    }
    for (c = be->chans; c; c = next) {
        next = c->next;
        if (c->vm == vm)
            vgpu_be__chan_close(c, why);
    }
    return 0;
}

/*
 * The VM's vm_id changed in the store: its channels, opened under the old
 * one, are closed (the guest reads its id at boot; it comes back under the
 * new one), so that the old id can never be another VM's while this one
 * still holds it.
 */
static int vm_id_changed(struct vgpu_be *be, struct vgpu_be_vm *vm, uint32_t new_id, char *err,
                         size_t errlen)
{
    int r = vm_disconnect(be, vm, "its vm_id changed: reconnect", err, errlen);

    if (r == 0)
        vgpu_be_log(LOG_NOTICE,
                    "VM %u (%s): vm_id now %u: queued jobs cancelled, channels "
                    "closed",
                    vm->id.vm_id, vm->id.vm_uuid, new_id);
    return r;
}

int vgpu_be__apply_vm(struct vgpu_be *be, const char *uuid, char *err, size_t errlen)
{
    struct vgpu_store_vm sv;
    struct vgpu_be_vm *vm = vgpu_be__vm_by_uuid(be, uuid);
    uint64_t now = vgpu_be_now();
    int r;

    if (!vm)
        return 0; /* not connected: the store is read at its next connection */
    r = vgpu_store_vm_find(be->store, uuid, &sv);
    if (r < 0) {
        snprintf(err, errlen, "VM %s not in the store: %s", uuid, strerror(-r));
        return r;
    }
    if (sv.vm_id != vm->id.vm_id)
        return vm_id_changed(be, vm, sv.vm_id, err, errlen);
    if ((r = vgpu_be__pool_ensure(be, sv.pool)) < 0) {
        snprintf(err, errlen, "pool %s: %s", sv.pool, strerror(-r));
        return r;
    }
    pthread_mutex_lock(&be->lock);
    r = vgpu_sched_vm_set_pool(be->sched, vm->id.vm_id, sv.pool, now);
    if (r == 0)
        r = vgpu_sched_vm_set_priority(be->sched, vm->id.vm_id, (unsigned)sv.priority, now);
    for (unsigned i = 0; i < be->npools; i++)
        pthread_cond_signal(&be->pools[i].wake);
    pthread_mutex_unlock(&be->lock);
    if (r < 0) {
        snprintf(err, errlen, "scheduler: %s", strerror(-r));
        return r;
    }
    pthread_mutex_lock(&vm->lock);
    snprintf(vm->id.pool, sizeof(vm->id.pool), "%s", sv.pool);
    vm->id.priority = sv.priority;
    vm->id.mem_quota = sv.mem_quota;
    vm->id.pinned_limit = sv.pinned_limit; /* new MAPs see it; buffers held stay */
    snprintf(vm->id.vm_name, sizeof(vm->id.vm_name), "%s", sv.name);
    pthread_mutex_unlock(&vm->lock);
    vgpu_be_log(LOG_NOTICE, "VM %u (%s): now pool %s, priority %d (applied live)", vm->id.vm_id,
                uuid, sv.pool, sv.priority);
    return 0;
}

int vgpu_be__remove_vm(struct vgpu_be *be, const char *uuid, char *err, size_t errlen)
{
    struct vgpu_be_vm *vm = vgpu_be__vm_by_uuid(be, uuid);
    int r;

    if (!vm)
        return 0;
    r = vm_disconnect(be, vm, "VM removed by the administrator", err, errlen);
    if (r < 0)
        return r;
    vgpu_be_log(LOG_NOTICE, "VM %u (%s) removed: queued jobs cancelled, channels closed",
                vm->id.vm_id, uuid);
    return 0;
}

/* Re-read the pool's hard limit per job; jobs dispatched from now on run under it. */
int vgpu_be__apply_pool(struct vgpu_be *be, const char *name, char *err, size_t errlen)
{
    struct vgpu_store_pool sp;
    char dev[VGPUD_DEVICE_MAX];
    int r = vgpu_store_pool_find(be->store, name, &sp);

    if (r < 0) {
        snprintf(err, errlen, "pool %s not in the store: %s", name, strerror(-r));
        return r;
    }
    if ((r = vgpu_be__pool_ensure(be, name)) < 0) {
        snprintf(err, errlen, "pool %s: %s", name, strerror(-r));
        return r;
    }
    vgpu_be__pool_set_limit(be, name, (uint64_t)sp.job_limit_ms * 1000000ull);
    vgpu_be_log(LOG_INFO, "pool %s: hard limit per job now %u ms", name, sp.job_limit_ms);
    /* Workers started from now on use the new device; running ones keep their contexts. */
    if (vgpu_be__pool_refresh_device(be, name, dev, sizeof(dev)) == 1)
        vgpu_be_log(LOG_INFO, "pool %s: now runs on %s; each VM's worker moves when it next starts",
                    name, dev[0] ? dev : "the default device (--device)");
    return 0;
}
