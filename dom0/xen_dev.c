/* xen_dev.c: vgpud's Xen transport: devices and the XenbusState handshake, driven by watches. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include "xen_internal.h"

void vgpu_xen__dev_put(struct vgpu_xen_dev *d)
{
    if (--d->refs == 0)
        free(d);
}

static int vgpu_xen_set_state(struct vgpu_xen_dev *d, uint32_t state)
{
    return vgpu_xen__write_u32(d->x, d->be_path, "state", state);
}

/* Take the device off the list: detach its channels, stop watching the frontend. */
static void vgpu_xen_dev_drop(struct vgpu_xen_dev *d)
{
    struct vgpu_xen_dev **pp;
    unsigned int i;

    for (pp = &d->x->devs; *pp; pp = &(*pp)->next) {
        if (*pp == d) {
            *pp = d->next;
            break;
        }
    }
    d->gone = true;
    for (i = 0; i < VGPU_XEN_CHANNELS_MAX; i++) {
        if (d->slots[i].chan)
            vgpu_xen__chan_detach(d->slots[i].chan);
    }
    if (d->watching)
        xs_unwatch(d->x->xs, d->fe_path, d->watch_token);
    vgpu_be_log(LOG_INFO, "xen: dom%u/%u: device gone", d->domid, d->devid);
    vgpu_xen__dev_put(d);
}

void vgpu_xen__dev_drop_all(struct vgpu_xen *x)
{
    while (x->devs)
        vgpu_xen_dev_drop(x->devs);
}

static struct vgpu_xen_dev *vgpu_xen_dev_find(struct vgpu_xen *x, unsigned int domid,
                                              unsigned int devid)
{
    struct vgpu_xen_dev *d;

    for (d = x->devs; d; d = d->next) {
        if (d->domid == domid && d->devid == devid)
            return d;
    }
    return NULL;
}

/*
 * Identity from the backend dir (Dom0's word only): pool, priority, vm-id and
 * vm-uuid as provisioning wrote them; the name is the toolstack's domain name
 * (/local/domain/<domid>/name, read-only for the guest), "dom<domid>" without one.
 */
static void vgpu_xen_read_identity(struct vgpu_xen_dev *d)
{
    struct vgpu_be_identity *id = &d->id;
    char dom[32];
    uint32_t v;

    memset(id, 0, sizeof(*id));
    if (vgpu_xen__read_str(d->x, d->be_path, "pool", id->pool, sizeof(id->pool)))
        strcpy(id->pool, "A");
    id->priority = vgpu_xen__read_u32(d->x, d->be_path, "priority", &v) == 0 && v <= 2 ?
                   (int)v : 1;
    if (vgpu_xen__read_u32(d->x, d->be_path, "vm-id", &v) == 0)
        id->vm_id = v;
    if (vgpu_xen__read_str(d->x, d->be_path, "vm-uuid", id->vm_uuid, sizeof(id->vm_uuid)))
        id->vm_uuid[0] = '\0';
    snprintf(dom, sizeof(dom), "/local/domain/%u", d->domid);
    if (vgpu_xen__read_str(d->x, dom, "name", id->vm_name, sizeof(id->vm_name)))
        snprintf(id->vm_name, sizeof(id->vm_name), "dom%u", d->domid);
}

static struct vgpu_xen_dev *vgpu_xen_dev_new(struct vgpu_xen *x, unsigned int domid,
                                             unsigned int devid)
{
    struct vgpu_xen_dev *d;
    char prefix[48];
    int n;

    d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->x = x;
    d->refs = 1;
    d->domid = domid;
    d->devid = devid;
    snprintf(d->be_path, sizeof(d->be_path), "%s/%u/%u", VGPU_XEN_BACKEND_ROOT, domid, devid);
    /* The frontend path must be inside the guest's own tree. */
    n = snprintf(prefix, sizeof(prefix), "/local/domain/%u/", domid);
    if (vgpu_xen__read_str(x, d->be_path, "frontend", d->fe_path, sizeof(d->fe_path)) ||
        strncmp(d->fe_path, prefix, (size_t)n) != 0) {
        vgpu_be_log_ratelimited(LOG_WARNING, x, "xen: %s: no valid 'frontend' key; "
                                "device ignored until provisioning writes one", d->be_path);
        free(d);
        return NULL;
    }
    snprintf(d->watch_token, sizeof(d->watch_token), "vgpu-fe-%u-%u", domid, devid);
    d->watching = xs_watch(x->xs, d->fe_path, d->watch_token);
    vgpu_xen_read_identity(d);
    d->next = x->devs;
    x->devs = d;
    vgpu_be_log(LOG_INFO, "xen: dom%u/%u: device found (pool %s, priority %d, vm-id %u)",
                domid, devid, d->id.pool, d->id.priority, d->id.vm_id);
    return d;
}

/* Advertise limits: the smaller of the daemon's and what provisioning wrote. */
static void vgpu_xen_write_limits(struct vgpu_xen_dev *d)
{
    static const char *const keys[] = { "max-ring-page-order", "max-data-pages",
                                        "max-channels" };
    const struct vgpu_be_limits *l = &d->x->limits;
    uint32_t ours[3] = { l->max_ring_order, l->max_data_pages, l->max_channels_per_vm };
    uint32_t v;
    unsigned int i;

    if (ours[0] > VGPU_RING_ORDER_MAX)
        ours[0] = VGPU_RING_ORDER_MAX;
    if (ours[1] > VGPU_DATA_PAGES_MAX)
        ours[1] = VGPU_DATA_PAGES_MAX;
    if (ours[2] > VGPU_XEN_CHANNELS_MAX)
        ours[2] = VGPU_XEN_CHANNELS_MAX;
    for (i = 0; i < 3; i++) {
        if (vgpu_xen__read_u32(d->x, d->be_path, keys[i], &v) == 0 && v < ours[i])
            continue;
        vgpu_xen__write_u32(d->x, d->be_path, keys[i], ours[i]);
    }
}

/* Effective limits of a device (what vgpu_xen_write_limits advertised). */
static uint32_t vgpu_xen_limit(struct vgpu_xen_dev *d, const char *key, uint32_t dflt)
{
    uint32_t v;

    return vgpu_xen__read_u32(d->x, d->be_path, key, &v) == 0 && v < dflt ? v : dflt;
}

/* channel-<n> names in dir, as a bitmap of indices. */
static uint64_t vgpu_xen_list_channels(struct vgpu_xen *x, const char *dir)
{
    unsigned int i, n = 0, idx;
    uint64_t set = 0;
    char **ents, tail;

    ents = xs_directory(x->xs, XBT_NULL, dir, &n);
    for (i = 0; ents && i < n; i++) {
        if (sscanf(ents[i], "channel-%u%c", &idx, &tail) == 1 && idx < VGPU_XEN_CHANNELS_MAX)
            set |= 1ull << idx;
    }
    free(ents);
    return set;
}

static void vgpu_xen_sync_channel(struct vgpu_xen_dev *d, unsigned int i, bool fe_has,
                                  bool be_has)
{
    struct vgpu_xen_slot *s = &d->slots[i];
    char fe_dir[160], be_dir[128], path[160];
    uint32_t fe = VGPU_XS_UNKNOWN, be = VGPU_XS_UNKNOWN;

    snprintf(fe_dir, sizeof(fe_dir), "%s/channel-%u", d->fe_path, i);
    snprintf(be_dir, sizeof(be_dir), "%s/channel-%u", d->be_path, i);
    if (fe_has)
        vgpu_xen__read_u32(d->x, fe_dir, "state", &fe);
    if (fe == VGPU_XS_CONNECTED) {
        if (!s->chan && !s->refused && vgpu_xen__chan_connect(d, i) != 0) {
            s->refused = true;
            vgpu_xen__write_u32(d->x, be_dir, "state", VGPU_XS_CLOSED);
        }
        return;
    }
    /* The frontend closes the channel (or never finished publishing it). */
    s->refused = false;
    if (s->chan) {
        vgpu_xen__chan_detach(s->chan);   /* release writes Closed once unmapped */
        return;
    }
    if (be_has)
        vgpu_xen__read_u32(d->x, be_dir, "state", &be);
    if (!fe_has) {
        if (be_has) {
            snprintf(path, sizeof(path), "%s", be_dir);
            xs_rm(d->x->xs, XBT_NULL, path);
        }
    } else if (fe >= VGPU_XS_CLOSING && be != VGPU_XS_CLOSED) {
        vgpu_xen__write_u32(d->x, be_dir, "state", VGPU_XS_CLOSED);
    }
}

static void vgpu_xen_detach_all(struct vgpu_xen_dev *d)
{
    unsigned int i;

    for (i = 0; i < VGPU_XEN_CHANNELS_MAX; i++) {
        if (d->slots[i].chan)
            vgpu_xen__chan_detach(d->slots[i].chan);
        d->slots[i].refused = false;
    }
}

/* Drive one device's handshake from what xenstore says now. */
static void vgpu_xen_dev_sync(struct vgpu_xen_dev *d)
{
    uint32_t be = VGPU_XS_INITIALISING, fe = VGPU_XS_UNKNOWN;
    uint64_t fe_set, be_set;
    unsigned int i, max;

    int rb, rf;

    rb = vgpu_xen__read_u32(d->x, d->be_path, "state", &be);
    rf = vgpu_xen__read_u32(d->x, d->fe_path, "state", &fe);
    if ((rb && rb != -ENOENT) || (rf && rf != -ENOENT)) {
        /* Never act on a state we could not read: the next event retries. */
        vgpu_be_log_ratelimited(LOG_WARNING, d, "xen: dom%u/%u: cannot read the device "
                                "states (%s); will retry", d->domid, d->devid,
                                strerror(rb ? -rb : -rf));
        return;
    }
    vgpu_xen_read_identity(d);

    if (fe == VGPU_XS_CLOSING || fe == VGPU_XS_CLOSED) {
        vgpu_xen_detach_all(d);
        if (be != fe)
            vgpu_xen_set_state(d, fe);
        return;
    }
    if (be != VGPU_XS_INITWAIT && be != VGPU_XS_CONNECTED) {
        /* Fresh provisioning, or a frontend starting over after Closed. */
        vgpu_be_log(LOG_INFO, "xen: dom%u/%u: backend state %u, frontend %u: InitWait",
                    d->domid, d->devid, be, fe);
        vgpu_xen_write_limits(d);
        vgpu_xen_set_state(d, VGPU_XS_INITWAIT);
        be = VGPU_XS_INITWAIT;
    }
    if (fe == VGPU_XS_CONNECTED && be == VGPU_XS_INITWAIT) {
        vgpu_xen_set_state(d, VGPU_XS_CONNECTED);
        be = VGPU_XS_CONNECTED;
        vgpu_be_log(LOG_INFO, "xen: dom%u/%u: frontend connected", d->domid, d->devid);
    }
    if (be != VGPU_XS_CONNECTED || fe != VGPU_XS_CONNECTED)
        return;
    max = vgpu_xen_limit(d, "max-channels", VGPU_XEN_CHANNELS_MAX);
    fe_set = vgpu_xen_list_channels(d->x, d->fe_path);
    be_set = vgpu_xen_list_channels(d->x, d->be_path);
    for (i = 0; i < VGPU_XEN_CHANNELS_MAX; i++) {
        bool fe_has = (fe_set >> i) & 1, be_has = (be_set >> i) & 1;

        if (!fe_has && !be_has && !d->slots[i].chan)
            continue;
        if (i >= max && fe_has && !d->slots[i].chan) {
            if (d->slots[i].refused)
                continue;
            vgpu_be_log_ratelimited(LOG_WARNING, d, "xen: dom%u/%u: channel-%u beyond "
                                    "max-channels %u: refused", d->domid, d->devid, i, max);
            char be_dir[128];

            d->slots[i].refused = true;
            snprintf(be_dir, sizeof(be_dir), "%s/channel-%u", d->be_path, i);
            vgpu_xen__write_u32(d->x, be_dir, "state", VGPU_XS_CLOSED);
            continue;
        }
        vgpu_xen_sync_channel(d, i, fe_has, be_has);
    }
}

/*
 * Reconcile with xenstore: find new devices, drop those whose backend
 * dir or domain disappeared, drive every device's handshake. Called on
 * every watch event; cheap enough for tens of devices.
 */
void vgpu_xen__scan(struct vgpu_xen *x)
{
    struct vgpu_xen_dev *d, *next;
    unsigned int i, j, nd = 0, nv;
    char **doms, **devs, path[128], *end;
    unsigned long domid, devid;

    if (x->stopping)
        return;
    doms = xs_directory(x->xs, XBT_NULL, VGPU_XEN_BACKEND_ROOT, &nd);
    for (i = 0; doms && i < nd; i++) {
        domid = strtoul(doms[i], &end, 10);
        if (*end || domid == 0 || domid >= 0x7ff0)
            continue;
        if (!xs_is_domain_introduced(x->xs, (unsigned int)domid))
            continue;
        snprintf(path, sizeof(path), "%s/%lu", VGPU_XEN_BACKEND_ROOT, domid);
        nv = 0;
        devs = xs_directory(x->xs, XBT_NULL, path, &nv);
        for (j = 0; devs && j < nv; j++) {
            devid = strtoul(devs[j], &end, 10);
            if (*end || devid > 0xffff)
                continue;
            if (!vgpu_xen_dev_find(x, (unsigned int)domid, (unsigned int)devid))
                vgpu_xen_dev_new(x, (unsigned int)domid, (unsigned int)devid);
        }
        free(devs);
    }
    free(doms);

    for (d = x->devs; d; d = next) {
        uint32_t st;

        next = d->next;
        if (!xs_is_domain_introduced(x->xs, d->domid) ||
            vgpu_xen__read_u32(x, d->be_path, "state", &st) == -ENOENT) {
            vgpu_xen_dev_drop(d);
            continue;
        }
        vgpu_xen_dev_sync(d);
    }
}
