/* vgpuctl: the hypervisor side of live changes, through xenstore. */
#include <errno.h>

#include "vgpu_provision.h"
#include "vgpuctl.h"

static int open_find(const char *uuid, struct xs_handle **xs, unsigned int *domid)
{
    int rc;

    *xs = vgpu_provision_xs_open();
    if (!*xs)
        return -EHOSTUNREACH;
    rc = vgpu_provision_find_domain(*xs, uuid, domid);
    if (rc) {
        xs_close(*xs);
        *xs = NULL;
    }
    return rc;
}

int vgpuctl_xs_find_domain(const char *uuid, unsigned int *domid)
{
    struct xs_handle *xs;
    int rc = open_find(uuid, &xs, domid);

    if (!rc)
        xs_close(xs);
    return rc;
}

int vgpuctl_xs_update(const struct vgpu_store_vm *vm, unsigned int *domid)
{
    struct xs_handle *xs;
    int rc = open_find(vm->uuid, &xs, domid);

    if (rc)
        return rc;
    rc = vgpu_provision_update(xs, *domid, vm);
    xs_close(xs);
    return rc;
}

int vgpuctl_xs_remove(const char *uuid, unsigned int *domid)
{
    struct xs_handle *xs;
    int rc = open_find(uuid, &xs, domid);

    if (rc)
        return rc;
    rc = vgpu_provision_remove(xs, *domid);
    xs_close(xs);
    return rc;
}
