/* Provisioning: the guest domains xenstore knows and their VM UUIDs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vgpu_provision.h"

struct xs_handle *vgpu_provision_xs_open(void)
{
    return xs_open(0);
}

static int cmp_uint(const void *a, const void *b)
{
    unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

    return x < y ? -1 : x > y;
}

/* Read /local/domain/<domid>/<key> into @buf; "" when absent. */
static void read_key(struct xs_handle *xs, unsigned int domid, const char *key, char *buf,
                     size_t size)
{
    char path[64];
    unsigned int len;
    char *v;

    snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, key);
    v = xs_read(xs, XBT_NULL, path, &len);
    snprintf(buf, size, "%s", v ? v : "");
    free(v);
}

static void domain_read(struct xs_handle *xs, unsigned int domid, struct vgpu_provision_domain *d)
{
    char vm[128];
    const char *slash;

    memset(d, 0, sizeof(*d));
    d->domid = domid;
    read_key(xs, domid, "name", d->name, sizeof(d->name));
    read_key(xs, domid, "vm", vm, sizeof(vm));
    slash = strrchr(vm, '/');
    if (slash && vgpu_store_uuid_valid(slash + 1))
        snprintf(d->uuid, sizeof(d->uuid), "%s", slash + 1);
    for (char *p = d->uuid; *p; p++)
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
}

/* The guest domids under /local/domain, sorted; caller frees *out. */
static int list_domids(struct xs_handle *xs, unsigned int **out, unsigned int *count)
{
    unsigned int i, n = 0, num = 0;
    char **names = xs_directory(xs, XBT_NULL, "/local/domain", &num);
    unsigned int *ids;

    *out = NULL;
    *count = 0;
    if (!names)
        return errno == ENOENT ? 0 : -errno;
    ids = calloc(num ? num : 1, sizeof(*ids));
    if (!ids) {
        free(names);
        return -ENOMEM;
    }
    for (i = 0; i < num; i++) {
        char *end;
        unsigned long id = strtoul(names[i], &end, 10);

        if (*end == '\0' && end != names[i] && id > 0 && id < 0x7ff0)
            ids[n++] = (unsigned int)id;
    }
    free(names);
    qsort(ids, n, sizeof(*ids), cmp_uint);
    *out = ids;
    *count = n;
    return 0;
}

int vgpu_provision_domains(struct xs_handle *xs, vgpu_provision_domain_cb cb, void *ctx)
{
    struct vgpu_provision_domain d;
    unsigned int *ids, n, i;
    int rc = list_domids(xs, &ids, &n);

    for (i = 0; !rc && i < n; i++) {
        domain_read(xs, ids[i], &d);
        rc = cb(&d, ctx);
    }
    free(ids);
    return rc;
}

struct find_ctx {
    const char *uuid;
    unsigned int domid;
};

static int find_cb(const struct vgpu_provision_domain *d, void *ctx)
{
    struct find_ctx *f = ctx;

    if (strcasecmp(d->uuid, f->uuid) != 0)
        return 0;
    f->domid = d->domid;
    return 1;
}

int vgpu_provision_find_domain(struct xs_handle *xs, const char *uuid, unsigned int *domid)
{
    struct find_ctx f = {.uuid = uuid};
    int rc = vgpu_provision_domains(xs, find_cb, &f);

    if (rc < 0)
        return rc;
    if (rc == 0)
        return -ENOENT;
    *domid = f.domid;
    return 0;
}
