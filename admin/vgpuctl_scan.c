/* vgpuctl: scan-vms, the hypervisor's VMs by pool, registered or not. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vgpu_provision.h"
#include "vgpuctl.h"

struct scan_ctx {
    struct vgpu_store *store; /* NULL: no database yet */
    json_object *running;     /* every domain, annotated */
};

static int scan_domain(const struct vgpu_provision_domain *d, void *ctx)
{
    struct scan_ctx *s = ctx;
    struct vgpu_store_vm vm;
    json_object *o = json_object_new_object();
    bool reg = d->uuid[0] && s->store && vgpu_store_vm_find(s->store, d->uuid, &vm) == 0;

    json_object_object_add(o, "domid", json_object_new_int64(d->domid));
    json_object_object_add(o, "uuid", d->uuid[0] ? json_object_new_string(d->uuid) : NULL);
    json_object_object_add(o, "name", json_object_new_string(d->name));
    json_object_object_add(o, "registered", json_object_new_boolean(reg));
    json_object_object_add(o, "vm", reg ? vgpuctl_vm_json(&vm) : NULL);
    json_object_array_add(s->running, o);
    return 0;
}

/* Print the running domains of pool @pool ("" = unregistered). */
static int print_group(json_object *arr, const char *pool)
{
    size_t i;
    int n = 0;

    for (i = 0; i < json_object_array_length(arr); i++) {
        json_object *o = json_object_array_get_idx(arr, i), *vm = json_object_object_get(o, "vm");
        const char *p = vm ? json_object_get_string(json_object_object_get(vm, "pool")) : "";
        const char *uuid = json_object_get_string(json_object_object_get(o, "uuid"));

        if (strcmp(p, pool))
            continue;
        if (n++ == 0)
            printf(pool[0] ? "\npool %s (registered)\n" : "\nnot registered%s\n", pool);
        printf("  dom %-5" PRId64 " %-36s  %-20s",
               json_object_get_int64(json_object_object_get(o, "domid")),
               uuid ? uuid : "(no VM UUID)",
               json_object_get_string(json_object_object_get(o, "name")));
        if (vm)
            printf("  vm_id %-5" PRId64 " %s",
                   json_object_get_int64(json_object_object_get(vm, "vm_id")),
                   json_object_get_string(json_object_object_get(vm, "priority_name")));
        printf("\n");
    }
    return n;
}

static int print_pool_group(const struct vgpu_store_pool *pool, void *ctx)
{
    print_group(ctx, pool->name);
    return 0;
}

static int open_store_if_any(struct vgpuctl *c, struct vgpu_store **store)
{
    int rc = vgpu_store_open(c->db_path, VGPU_STORE_RDONLY, store);

    if (rc == -ENOENT) {
        vgpu_store_close(*store);
        *store = NULL;
        vgpuctl_info(c, "no database at %s: every VM shows as not registered\n", c->db_path);
        return 0;
    }
    if (rc) {
        vgpuctl_err("cannot open the database %s: %s", c->db_path, vgpu_store_errmsg(*store));
        vgpu_store_close(*store);
        return VGPUCTL_ERR;
    }
    return 0;
}

int vgpuctl_cmd_scan_vms(struct vgpuctl *c)
{
    struct scan_ctx s = {0};
    struct xs_handle *xs = vgpu_provision_xs_open();
    int rc;

    if (!xs) {
        vgpuctl_err("no hypervisor reachable: cannot open xenstore (%s); run this in Dom0 "
                    "with xenstored running",
                    strerror(errno));
        return VGPUCTL_ERR;
    }
    rc = open_store_if_any(c, &s.store);
    if (rc) {
        xs_close(xs);
        return rc;
    }
    s.running = json_object_new_array();
    rc = vgpu_provision_domains(xs, scan_domain, &s);
    xs_close(xs);
    if (rc) {
        vgpuctl_err("reading xenstore: %s", strerror(-rc));
        rc = VGPUCTL_ERR;
    } else if (c->json) {
        json_object *doc = json_object_new_object();

        json_object_object_add(doc, "domains", json_object_get(s.running));
        vgpuctl_print_json(doc);
    } else {
        printf("%zu running domain(s) besides Dom0\n", json_object_array_length(s.running));
        if (s.store)
            vgpu_store_pool_list(s.store, print_pool_group, s.running);
        print_group(s.running, "");
    }
    json_object_put(s.running);
    vgpu_store_close(s.store);
    return rc;
}
