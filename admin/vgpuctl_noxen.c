/* vgpuctl built without Xen: the hypervisor-facing commands explain and fail. */
#include <errno.h>

#include "vgpuctl.h"

int vgpuctl_xs_find_domain(const char *uuid, unsigned int *domid)
{
    return -ENOTSUP;
}

int vgpuctl_xs_update(const struct vgpu_store_vm *vm, unsigned int *domid)
{
    return -ENOTSUP;
}

int vgpuctl_xs_remove(const char *uuid, unsigned int *domid)
{
    return -ENOTSUP;
}

int vgpuctl_cmd_scan_vms(struct vgpuctl *c)
{
    vgpuctl_err("this vgpuctl was built without Xen support (libxenstore): "
                "it cannot list the hypervisor's VMs");
    return VGPUCTL_ERR;
}

int vgpuctl_cmd_provision(struct vgpuctl *c)
{
    vgpuctl_err("this vgpuctl was built without Xen support (libxenstore): "
                "it cannot write xenstore");
    return VGPUCTL_ERR;
}
