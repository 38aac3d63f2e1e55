/* vgpuctl: applying a stored change live (vgpud, then xenstore). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vgpuctl.h"

/* Tell vgpud {"cmd": cmd, key: value}; VGPUCTL_OK also when it is not running (stored). */
static int tell_vgpud(struct vgpuctl *c, const char *cmd, const char *key, const char *value)
{
    json_object *req = json_object_new_object(), *reply, *ok, *err;
    int rc;

    json_object_object_add(req, VGPU_CTL_KEY_CMD, json_object_new_string(cmd));
    json_object_object_add(req, key, json_object_new_string(value));
    rc = vgpuctl_ctl_request(c->ctl_path, req, &reply);
    json_object_put(req);
    if (rc == -ENOENT || rc == -ECONNREFUSED) {
        vgpuctl_info(c,
                     "vgpud is not running (no control socket at %s); the change is "
                     "stored and applies when vgpud starts\n",
                     c->ctl_path);
        return VGPUCTL_OK;
    }
    if (rc) {
        vgpuctl_err("the change is stored, but vgpud at %s did not take it: %s", c->ctl_path,
                    rc == -EPROTO ? "malformed reply" : strerror(-rc));
        return VGPUCTL_ERR;
    }
    if (json_object_object_get_ex(reply, VGPU_CTL_KEY_OK, &ok) && json_object_get_boolean(ok)) {
        vgpuctl_info(c, "vgpud applied the change live\n");
        rc = VGPUCTL_OK;
    } else {
        json_object_object_get_ex(reply, VGPU_CTL_KEY_ERROR, &err);
        vgpuctl_err("the change is stored, but vgpud refused it: %s",
                    err ? json_object_get_string(err) : "no reason given");
        rc = VGPUCTL_ERR;
    }
    json_object_put(reply);
    return rc;
}

/* Refresh or drop the backend keys of the VM's running domain, if any. */
static void tell_xenstore(struct vgpuctl *c, const char *cmd, const struct vgpu_store_vm *vm)
{
    unsigned int domid;
    int rc;

    if (!strcmp(cmd, VGPU_CTL_CMD_VM_REMOVE))
        rc = vgpuctl_xs_remove(vm->uuid, &domid);
    else
        rc = vgpuctl_xs_update(vm, &domid);
    if (rc == 0)
        vgpuctl_info(c, "xenstore: %s the vGPU entries of domain %u\n",
                     strcmp(cmd, VGPU_CTL_CMD_VM_REMOVE) ? "updated" : "removed", domid);
    else if (rc != -ENOENT && rc != -EHOSTUNREACH && rc != -ENOTSUP)
        vgpuctl_err("xenstore: cannot update domain %u: %s", domid, strerror(-rc));
}

int vgpuctl_live_apply(struct vgpuctl *c, const char *cmd, const struct vgpu_store_vm *vm)
{
    tell_xenstore(c, cmd, vm);
    return tell_vgpud(c, cmd, VGPU_CTL_KEY_UUID, vm->uuid);
}

int vgpuctl_live_pool(struct vgpuctl *c, const char *pool)
{
    return tell_vgpud(c, VGPU_CTL_CMD_POOL_UPDATE, VGPU_CTL_KEY_POOL, pool);
}
