/* Provisioning: bring xenstore's vGPU entries in line with the store. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgpu_provision.h"

struct sync_ctx {
    struct xs_handle *xs;
    struct vgpu_store *store;
    const struct vgpu_provision_params *params;
    vgpu_provision_report_cb report;
    void *ctx;
};

static void report(struct sync_ctx *s, unsigned int domid, const char *uuid, const char *action)
{
    if (s->report)
        s->report(domid, uuid, action, s->ctx);
}

static bool backend_exists(struct xs_handle *xs, unsigned int domid)
{
    char path[96];
    unsigned int len;
    char *v;

    snprintf(path, sizeof(path), "/local/domain/0/backend/vgpu/%u/0/state", domid);
    v = xs_read(xs, XBT_NULL, path, &len);
    free(v);
    return v != NULL;
}

/* A running domain: provision or refresh it if its VM is registered. */
static int sync_domain(const struct vgpu_provision_domain *d, void *ctx)
{
    struct sync_ctx *s = ctx;
    struct vgpu_store_vm vm;
    int rc;

    if (!d->uuid[0] || vgpu_store_vm_find(s->store, d->uuid, &vm) != 0)
        return 0;
    if (backend_exists(s->xs, d->domid)) {
        rc = vgpu_provision_update(s->xs, d->domid, &vm);
        if (!rc)
            report(s, d->domid, d->uuid, "updated");
    } else {
        rc = vgpu_provision_write(s->xs, d->domid, &vm, s->params);
        if (!rc)
            report(s, d->domid, d->uuid, "provisioned");
    }
    return rc;
}

/* The backend entry of @domid stays only while its domain runs a registered VM. */
static int sync_backend(struct sync_ctx *s, unsigned int domid)
{
    struct vgpu_provision_domain d = {.domid = domid};
    struct vgpu_store_vm vm;
    char path[64], vmpath[128];
    unsigned int len;
    char *v;
    int rc;

    snprintf(path, sizeof(path), "/local/domain/%u/vm", domid);
    v = xs_read(s->xs, XBT_NULL, path, &len);
    snprintf(vmpath, sizeof(vmpath), "%s", v ? v : "");
    free(v);
    if (v) {
        const char *slash = strrchr(vmpath, '/');

        if (slash && vgpu_store_uuid_valid(slash + 1) &&
            vgpu_store_vm_find(s->store, slash + 1, &vm) == 0)
            return 0;
        snprintf(d.uuid, sizeof(d.uuid), "%s", slash ? slash + 1 : "");
    }
    rc = vgpu_provision_remove(s->xs, domid);
    if (!rc)
        report(s, domid, d.uuid, "removed");
    return rc;
}

static int sync_backends(struct sync_ctx *s)
{
    unsigned int i, num = 0;
    char **names = xs_directory(s->xs, XBT_NULL, "/local/domain/0/backend/vgpu", &num);
    int rc = 0;

    if (!names)
        return errno == ENOENT ? 0 : -errno;
    for (i = 0; !rc && i < num; i++) {
        char *end;
        unsigned long domid = strtoul(names[i], &end, 10);

        if (*end == '\0' && end != names[i] && domid > 0 && domid < 0x7ff0)
            rc = sync_backend(s, (unsigned int)domid);
    }
    free(names);
    return rc;
}

int vgpu_provision_sync(struct xs_handle *xs, struct vgpu_store *store,
                        const struct vgpu_provision_params *params,
                        vgpu_provision_report_cb report_cb, void *ctx)
{
    struct sync_ctx s = {xs, store, params, report_cb, ctx};
    int rc = vgpu_provision_domains(xs, sync_domain, &s);

    return rc ? rc : sync_backends(&s);
}
