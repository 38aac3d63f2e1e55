/* vgpuctl: set-pinned-limit, a VM's bound on host buffers (pinned memory in Dom0). */
#include <stdio.h>
#include "vgpuctl.h"

int vgpuctl_cmd_set_pinned_limit(struct vgpuctl *c)
{
    struct vgpu_store_vm vm;
    struct vgpu_store *store;
    char size[32];
    uint64_t bytes;
    int rc = vgpuctl_parse_size(c->argv[1], &bytes);

    if (rc)
        return rc;
    rc = vgpuctl_open_store(c, 0, &store);
    if (rc)
        return rc;
    rc = vgpuctl_find_vm(store, c->argv[0], &vm);
    if (!rc && (rc = vgpu_store_vm_set_pinned_limit(store, vm.uuid, bytes)) != 0)
        rc = vgpuctl_store_error(store, rc);
    if (!rc && (rc = vgpu_store_vm_find(store, vm.uuid, &vm)) != 0)
        rc = vgpuctl_store_error(store, rc);
    vgpu_store_close(store);
    if (rc)
        return rc;
    if (bytes)
        vgpuctl_format_size(bytes, size, sizeof(size));
    if (c->json)
        vgpuctl_print_json(vgpuctl_vm_json(&vm));
    vgpuctl_info(c, "VM %s: host buffers up to %s\n", vm.uuid, bytes ? size : "vgpud's default");
    /* Buffers already held stay; new ones are counted against the new limit. */
    return vgpuctl_live_apply(c, "vm-update", &vm);
}
