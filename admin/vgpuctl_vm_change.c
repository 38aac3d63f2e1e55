/* vgpuctl: set-pool, set-priority, set-vm-id and update-vm. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vgpuctl.h"

/* Build the new record from the options given; checks need the store. */
static int change_build(struct vgpuctl *c, struct vgpu_store *store,
                        const struct vgpu_store_vm *old, struct vgpu_store_vm *vm)
{
    int rc = VGPUCTL_OK;

    *vm = *old;
    if (c->given & VGPUCTL_OPT_POOL) {
        rc = vgpuctl_check_pool(store, c->pool);
        snprintf(vm->pool, sizeof(vm->pool), "%s", c->pool);
    }
    if (c->given & VGPUCTL_OPT_PRIORITY)
        vm->priority = c->priority;
    if (!rc && (c->given & VGPUCTL_OPT_VM_ID)) {
        rc = vgpuctl_check_vm_id_free(store, c->vm_id, old->uuid);
        vm->vm_id = c->vm_id;
    }
    if (!rc && (c->given & VGPUCTL_OPT_NAME)) {
        rc = vgpuctl_check_vm_name(store, c->name, old->uuid);
        snprintf(vm->name, sizeof(vm->name), "%s", c->name);
    }
    if (c->given & VGPUCTL_OPT_UID)
        vm->uid = c->uid;
    if (c->given & VGPUCTL_OPT_MEM)
        vm->mem_quota = c->mem_quota;
    return rc;
}

static void show_diff(const struct vgpuctl *c, const struct vgpu_store_vm *a,
                      const struct vgpu_store_vm *b)
{
    vgpuctl_info(c, "VM %s%s%s:\n", a->uuid, a->name[0] ? " " : "", a->name);
    if (a->vm_id != b->vm_id)
        vgpuctl_info(c, "  vm_id     %" PRIu32 " -> %" PRIu32 "\n", a->vm_id, b->vm_id);
    if (strcmp(a->pool, b->pool))
        vgpuctl_info(c, "  pool      %s -> %s\n", a->pool, b->pool);
    if (a->priority != b->priority)
        vgpuctl_info(c, "  priority  %s -> %s\n", vgpu_store_priority_name(a->priority),
                     vgpu_store_priority_name(b->priority));
    if (strcmp(a->name, b->name))
        vgpuctl_info(c, "  name      %s -> %s\n", a->name[0] ? a->name : "-", b->name);
    if (a->uid != b->uid)
        vgpuctl_info(c, "  uid       %" PRId64 " -> %" PRId64 "\n", a->uid, b->uid);
    if (a->mem_quota != b->mem_quota)
        vgpuctl_info(c, "  mem quota %" PRIu64 " -> %" PRIu64 "\n", a->mem_quota, b->mem_quota);
}

static bool vm_same(const struct vgpu_store_vm *a, const struct vgpu_store_vm *b)
{
    return a->vm_id == b->vm_id && !strcmp(a->pool, b->pool) && a->priority == b->priority &&
           !strcmp(a->name, b->name) && a->uid == b->uid && a->mem_quota == b->mem_quota;
}

/*
 * The vm_id is fixed at boot (stub device registers, backend vm-id key): a
 * change asks first, and restarts a running VM once confirmed. Returns
 * VGPUCTL_OK to go on (*domid set, or -1 when nothing to restart).
 */
static int confirm_restart(struct vgpuctl *c, const struct vgpu_store_vm *old, long *domid)
{
    unsigned int d;
    int rc = vgpuctl_xs_find_domain(old->uuid, &d);

    *domid = -1;
    vgpuctl_info(c, "The vm_id is read by the VM at boot: ");
    if (rc == 0) {
        vgpuctl_info(c, "VM runs as domain %u and will be restarted.\n", d);
        *domid = d;
    } else if (rc == -ENOENT) {
        vgpuctl_info(c, "the VM is not running, it takes effect when it starts.\n");
    } else {
        vgpuctl_info(c, "no hypervisor reachable to tell whether the VM runs; "
                        "if it does, restart it yourself.\n");
    }
    if (vgpuctl_confirm(c,
                        *domid >= 0 ? "Store the change and restart the VM?" : "Store the change?"))
        return VGPUCTL_OK;
    vgpuctl_err("not confirmed: nothing changed (use --yes in scripts)");
    return VGPUCTL_ERR;
}

/* Store @vm, tell vgpud, restart if confirmed. */
static int change_commit(struct vgpuctl *c, struct vgpu_store *store,
                         const struct vgpu_store_vm *old, struct vgpu_store_vm *vm)
{
    long domid = -1;
    int rc = VGPUCTL_OK;

    show_diff(c, old, vm);
    if (old->vm_id != vm->vm_id)
        rc = confirm_restart(c, old, &domid);
    if (rc)
        return rc;
    rc = vgpu_store_vm_update(store, vm);
    if (rc)
        return vgpuctl_store_error(store, rc);
    if (c->json)
        vgpuctl_print_json(vgpuctl_vm_json(vm));
    vgpuctl_info(c, "stored\n");
    rc = vgpuctl_live_apply(c, VGPU_CTL_CMD_VM_UPDATE, vm);
    if (domid >= 0 && vgpuctl_restart_vm(vm->uuid, (unsigned int)domid) != 0)
        rc = VGPUCTL_ERR;
    return rc;
}

static int change_vm(struct vgpuctl *c, const char *arg)
{
    struct vgpu_store_vm old, vm;
    struct vgpu_store *store;
    int rc = vgpuctl_open_store(c, 0, &store);

    if (rc)
        return rc;
    rc = vgpuctl_find_vm(store, arg, &old);
    if (!rc)
        rc = change_build(c, store, &old, &vm);
    if (!rc && vm_same(&old, &vm)) {
        vgpuctl_info(c, "VM %s already has these values: nothing to change\n", old.uuid);
        if (c->json)
            vgpuctl_print_json(vgpuctl_vm_json(&old));
    } else if (!rc) {
        rc = change_commit(c, store, &old, &vm);
    }
    vgpu_store_close(store);
    return rc;
}

int vgpuctl_cmd_set_pool(struct vgpuctl *c)
{
    c->given |= VGPUCTL_OPT_POOL;
    c->pool = c->argv[1];
    return change_vm(c, c->argv[0]);
}

int vgpuctl_cmd_set_priority(struct vgpuctl *c)
{
    int rc = vgpuctl_parse_priority(c->argv[1], &c->priority);

    if (rc)
        return rc;
    c->given |= VGPUCTL_OPT_PRIORITY;
    return change_vm(c, c->argv[0]);
}

int vgpuctl_cmd_set_vm_id(struct vgpuctl *c)
{
    int rc = vgpuctl_parse_vm_id(c->argv[1], &c->vm_id);

    if (rc)
        return rc;
    c->given |= VGPUCTL_OPT_VM_ID;
    return change_vm(c, c->argv[0]);
}

int vgpuctl_cmd_update_vm(struct vgpuctl *c)
{
    if (!(c->given & c->cmd->opts)) {
        vgpuctl_err("nothing to update: give at least one of --pool, --priority, --vm-id, "
                    "--name, --uid, --mem-quota");
        return VGPUCTL_USAGE;
    }
    return change_vm(c, c->argv[0]);
}
