/* vgpuctl: register-vm, list-vms, show-vm and remove-vm. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vgpuctl.h"

/* Checks of register-vm that need the store; nothing is written yet. */
static int register_checks(struct vgpuctl *c, struct vgpu_store *store, struct vgpu_store_vm *vm)
{
    struct vgpu_store_vm old;
    int rc;

    if (vgpu_store_vm_find(store, vm->uuid, &old) == 0) {
        vgpuctl_err("VM %s is already registered (vm_id %" PRIu32 ", pool %s): change it "
                    "with 'vgpuctl update-vm'",
                    old.uuid, old.vm_id, old.pool);
        return VGPUCTL_USAGE;
    }
    rc = vgpuctl_check_pool(store, vm->pool);
    if (!rc && vm->vm_id)
        rc = vgpuctl_check_vm_id_free(store, vm->vm_id, NULL);
    if (!rc && vm->name[0])
        rc = vgpuctl_check_vm_name(store, vm->name, NULL);
    return rc;
}

int vgpuctl_cmd_register_vm(struct vgpuctl *c)
{
    struct vgpu_store_vm vm = {.priority = VGPU_STORE_DEFAULT_PRIORITY, .uid = c->uid};
    struct vgpu_store *store;
    int rc = vgpuctl_parse_uuid(c->argv[0]);

    if (rc)
        return rc;
    snprintf(vm.uuid, sizeof(vm.uuid), "%s", c->argv[0]);
    snprintf(vm.pool, sizeof(vm.pool), "%s", c->pool ? c->pool : VGPU_STORE_DEFAULT_POOL);
    snprintf(vm.name, sizeof(vm.name), "%s", c->name ? c->name : "");
    if (c->name && !vgpu_store_vm_name_valid(c->name))
        return vgpuctl_check_vm_name(NULL, c->name, NULL);
    if (c->given & VGPUCTL_OPT_PRIORITY)
        vm.priority = c->priority;
    vm.vm_id = c->vm_id;
    vm.mem_quota = c->mem_quota;
    rc = vgpuctl_open_store(c, 0, &store);
    if (rc)
        return rc;
    rc = register_checks(c, store, &vm);
    if (!rc) {
        rc = vgpu_store_vm_add(store, &vm);
        rc = rc ? vgpuctl_store_error(store, rc) : VGPUCTL_OK;
    }
    vgpu_store_close(store);
    if (rc)
        return rc;
    if (c->json) {
        vgpuctl_print_json(vgpuctl_vm_json(&vm));
    } else {
        printf("registered VM %s as vm_id %" PRIu32 " in pool %s, priority %s\n", vm.uuid, vm.vm_id,
               vm.pool, vgpu_store_priority_name(vm.priority));
    }
    return vgpuctl_live_apply(c, VGPU_CTL_CMD_VM_UPDATE, &vm);
}

struct list_ctx {
    const char *pool; /* filter, or NULL */
    json_object *arr; /* --json, or NULL */
    int count;
};

static int list_row(const struct vgpu_store_vm *vm, void *ctx)
{
    struct list_ctx *l = ctx;
    char quota[32], uid[24];

    if (l->pool && strcmp(l->pool, vm->pool) != 0)
        return 0;
    l->count++;
    if (l->arr) {
        json_object_array_add(l->arr, vgpuctl_vm_json(vm));
        return 0;
    }
    vgpuctl_format_size(vm->mem_quota, quota, sizeof(quota));
    if (vm->uid >= 0)
        snprintf(uid, sizeof(uid), "%" PRId64, vm->uid);
    else
        snprintf(uid, sizeof(uid), "-");
    printf("%5" PRIu32 "  %-36s  %-16s  %-6s  %-8s  %-8s  %s\n", vm->vm_id, vm->uuid,
           vm->name[0] ? vm->name : "-", vm->pool, vgpu_store_priority_name(vm->priority), quota,
           uid);
    return 0;
}

int vgpuctl_cmd_list_vms(struct vgpuctl *c)
{
    struct list_ctx l = {.pool = c->pool};
    struct vgpu_store *store;
    int rc = vgpuctl_open_store(c, VGPU_STORE_RDONLY, &store);

    if (rc)
        return rc;
    if (c->pool)
        rc = vgpuctl_check_pool(store, c->pool);
    if (!rc) {
        l.arr = c->json ? json_object_new_array() : NULL;
        if (!l.arr)
            printf("%5s  %-36s  %-16s  %-6s  %-8s  %-8s  %s\n", "VM_ID", "UUID", "NAME", "POOL",
                   "PRIORITY", "QUOTA", "UID");
        rc = vgpu_store_vm_list(store, list_row, &l);
        rc = rc ? vgpuctl_store_error(store, rc) : VGPUCTL_OK;
    }
    if (!rc && l.arr)
        vgpuctl_print_json(l.arr);
    else if (l.arr)
        json_object_put(l.arr);
    else if (!rc && l.count == 0)
        printf("(no VMs registered%s%s; add one with 'vgpuctl register-vm UUID')\n",
               c->pool ? " in pool " : "", c->pool ? c->pool : "");
    vgpu_store_close(store);
    return rc;
}

int vgpuctl_cmd_show_vm(struct vgpuctl *c)
{
    struct vgpu_store_vm vm;
    struct vgpu_store *store;
    int rc = vgpuctl_open_store(c, VGPU_STORE_RDONLY, &store);

    if (rc)
        return rc;
    rc = vgpuctl_find_vm(store, c->argv[0], &vm);
    vgpu_store_close(store);
    if (rc)
        return rc;
    if (c->json)
        vgpuctl_print_json(vgpuctl_vm_json(&vm));
    else
        vgpuctl_print_vm(&vm);
    return VGPUCTL_OK;
}

int vgpuctl_cmd_remove_vm(struct vgpuctl *c)
{
    struct vgpu_store_vm vm;
    struct vgpu_store *store;
    int rc = vgpuctl_open_store(c, 0, &store);

    if (rc)
        return rc;
    rc = vgpuctl_find_vm(store, c->argv[0], &vm);
    if (!rc) {
        rc = vgpu_store_vm_remove(store, vm.uuid);
        rc = rc ? vgpuctl_store_error(store, rc) : VGPUCTL_OK;
    }
    vgpu_store_close(store);
    if (rc)
        return rc;
    printf("removed VM %s (vm_id %" PRIu32 ")\n", vm.uuid, vm.vm_id);
    return vgpuctl_live_apply(c, VGPU_CTL_CMD_VM_REMOVE, &vm);
}
