/* vgpuctl: xl-config, the stub device line for a plain Xen (xl) domain configuration. */
#include <stdio.h>

#include "vgpuctl.h"

int vgpuctl_cmd_xl_config(struct vgpuctl *c)
{
    struct vgpu_store_vm vm;
    struct vgpu_store *store;
    json_object *o, *args;
    char dev[96];
    int rc = vgpuctl_open_store(c, VGPU_STORE_RDONLY, &store);

    if (rc)
        return rc;
    rc = vgpuctl_find_vm(store, c->argv[0], &vm);
    vgpu_store_close(store);
    if (rc)
        return rc;
    vgpuctl_stub_device_arg(&vm, dev, sizeof(dev));
    if (!c->json) {
        printf("device_model_args_hvm = [ \"-device\", \"%s\" ]\n", dev);
        return VGPUCTL_OK;
    }
    o = json_object_new_object();
    args = json_object_new_array();
    json_object_array_add(args, json_object_new_string("-device"));
    json_object_array_add(args, json_object_new_string(dev));
    json_object_object_add(o, "uuid", json_object_new_string(vm.uuid));
    json_object_object_add(o, "device_model_args_hvm", args);
    vgpuctl_print_json(o);
    return VGPUCTL_OK;
}
