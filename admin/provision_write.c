/* Provisioning: writing and removing a domain's vGPU xenstore directories. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgpu_provision.h"

#define BACKEND_FMT  "/local/domain/0/backend/vgpu/%u"
#define FRONTEND_FMT "/local/domain/%u/device/vgpu"
#define TX_RETRIES   16 /* xenstore transactions end with EAGAIN on conflict */

/* One directory being written: its path and the permissions of every node. */
struct xs_dir {
    struct xs_handle *xs;
    xs_transaction_t t;
    char path[96];
    struct xs_permissions perms[2];
};

static int dir_perms(struct xs_dir *d, const char *path)
{
    return xs_set_permissions(d->xs, d->t, path, d->perms, 2) ? 0 : -errno;
}

static int dir_key(struct xs_dir *d, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int dir_key(struct xs_dir *d, const char *key, const char *fmt, ...)
{
    char path[160], value[128];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(value, sizeof(value), fmt, ap);
    va_end(ap);
    snprintf(path, sizeof(path), "%s/%s", d->path, key);
    if (!xs_write(d->xs, d->t, path, value, strlen(value)))
        return -errno;
    return dir_perms(d, path);
}

static void dir_init(struct xs_dir *d, struct xs_handle *xs, xs_transaction_t t, unsigned int owner,
                     unsigned int reader)
{
    d->xs = xs;
    d->t = t;
    d->perms[0] = (struct xs_permissions){.id = owner, .perms = XS_PERM_NONE};
    d->perms[1] = (struct xs_permissions){.id = reader, .perms = XS_PERM_READ};
}

/* Make @path (and its parent, which we may have created) a directory of @d. */
static int dir_make(struct xs_dir *d, const char *parent)
{
    snprintf(d->path, sizeof(d->path), "%s/0", parent);
    if (!xs_mkdir(d->xs, d->t, d->path))
        return -errno;
    if (dir_perms(d, parent))
        return -errno;
    return dir_perms(d, d->path);
}

static int write_values(struct xs_dir *be, const struct vgpu_store_vm *vm)
{
    int rc = dir_key(be, "pool", "%s", vm->pool);

    if (!rc)
        rc = dir_key(be, "priority", "%d", vm->priority);
    if (!rc)
        rc = dir_key(be, "vm-id", "%u", vm->vm_id);
    if (!rc)
        rc = dir_key(be, "vm-uuid", "%s", vm->uuid);
    if (!rc)
        rc = dir_key(be, "mem-quota", "%" PRIu64, vm->mem_quota);
    return rc;
}

static int write_dirs(struct xs_handle *xs, xs_transaction_t t, unsigned int domid,
                      const struct vgpu_store_vm *vm, const struct vgpu_provision_params *p)
{
    struct xs_dir be, fe;
    char parent[64];
    int rc;

    dir_init(&be, xs, t, 0, domid);
    dir_init(&fe, xs, t, domid, 0);
    snprintf(parent, sizeof(parent), BACKEND_FMT, domid);
    rc = dir_make(&be, parent);
    snprintf(parent, sizeof(parent), FRONTEND_FMT, domid);
    if (!rc)
        rc = dir_make(&fe, parent);
    if (!rc)
        rc = dir_key(&be, "frontend", "%s", fe.path);
    if (!rc)
        rc = dir_key(&be, "frontend-id", "%u", domid);
    if (!rc)
        rc = write_values(&be, vm);
    if (!rc)
        rc = dir_key(&be, "max-ring-page-order", "%u", p->max_ring_page_order);
    if (!rc)
        rc = dir_key(&be, "max-data-pages", "%u", p->max_data_pages);
    if (!rc)
        rc = dir_key(&be, "max-channels", "%u", p->max_channels);
    if (!rc)
        rc = dir_key(&be, "state", "%d", VGPU_PROVISION_STATE_INITIALISING);
    if (!rc)
        rc = dir_key(&fe, "backend", "%s", be.path);
    if (!rc)
        rc = dir_key(&fe, "backend-id", "%u", 0u);
    if (!rc)
        rc = dir_key(&fe, "state", "%d", VGPU_PROVISION_STATE_INITIALISING);
    return rc;
}

static int update_dirs(struct xs_handle *xs, xs_transaction_t t, unsigned int domid,
                       const struct vgpu_store_vm *vm)
{
    struct xs_dir be;
    char state[128];
    unsigned int len;
    char *v;

    dir_init(&be, xs, t, 0, domid);
    snprintf(be.path, sizeof(be.path), BACKEND_FMT "/0", domid);
    snprintf(state, sizeof(state), "%s/state", be.path);
    v = xs_read(xs, t, state, &len);
    if (!v)
        return -errno;
    free(v);
    return write_values(&be, vm);
}

static int remove_dirs(struct xs_handle *xs, xs_transaction_t t, unsigned int domid)
{
    char path[96];

    snprintf(path, sizeof(path), BACKEND_FMT, domid);
    if (!xs_rm(xs, t, path) && errno != ENOENT)
        return -errno;
    snprintf(path, sizeof(path), FRONTEND_FMT, domid);
    if (!xs_rm(xs, t, path) && errno != ENOENT)
        return -errno;
    return 0;
}

enum op { OP_WRITE, OP_UPDATE, OP_REMOVE };

/* Run one operation in a transaction, again while it ends in a conflict. */
static int run_tx(struct xs_handle *xs, enum op op, unsigned int domid,
                  const struct vgpu_store_vm *vm, const struct vgpu_provision_params *p)
{
    int tries, rc = -EAGAIN;

    if (domid == 0)
        return -EINVAL;
    for (tries = 0; tries < TX_RETRIES && rc == -EAGAIN; tries++) {
        xs_transaction_t t = xs_transaction_start(xs);

        if (t == XBT_NULL)
            return -errno;
        if (op == OP_WRITE)
            rc = write_dirs(xs, t, domid, vm, p);
        else if (op == OP_UPDATE)
            rc = update_dirs(xs, t, domid, vm);
        else
            rc = remove_dirs(xs, t, domid);
        if (!xs_transaction_end(xs, t, rc != 0) && !rc)
            rc = -errno;
    }
    return rc;
}

int vgpu_provision_write(struct xs_handle *xs, unsigned int domid, const struct vgpu_store_vm *vm,
                         const struct vgpu_provision_params *params)
{
    static const struct vgpu_provision_params defaults = VGPU_PROVISION_PARAMS_DEFAULT;

    return run_tx(xs, OP_WRITE, domid, vm, params ? params : &defaults);
}

int vgpu_provision_update(struct xs_handle *xs, unsigned int domid, const struct vgpu_store_vm *vm)
{
    return run_tx(xs, OP_UPDATE, domid, vm, NULL);
}

int vgpu_provision_remove(struct xs_handle *xs, unsigned int domid)
{
    return run_tx(xs, OP_REMOVE, domid, NULL, NULL);
}
