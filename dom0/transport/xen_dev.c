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

/* Another device of a different VM claims this vm-id, or this VM under another vm-id. */
static const char *vgpu_xen_id_conflict(struct vgpu_xen_dev *d, const struct vgpu_be_identity *id)
{
    struct vgpu_xen_dev *o;

    for (o = d->x->devs; o; o = o->next) {
        if (o == d || !o->id_valid)
            continue;
        if (o->id.vm_id == id->vm_id && !vgpu_xen__uuid_equal(o->id.vm_uuid, id->vm_uuid))
            return "its vm-id belongs to another VM's device";
        if (o->id.vm_id != id->vm_id && vgpu_xen__uuid_equal(o->id.vm_uuid, id->vm_uuid))
            return "its VM has a device with another vm-id";
    }
    return NULL;
}

/*
 * Identity from the backend dir (Dom0's word only): pool, priority, vm-id,
 * vm-uuid and mem-quota as provisioning wrote them; the name is the
 * toolstack's domain name (/local/domain/<domid>/name, read-only for the
 * guest), "dom<domid>" without one. Refused (NULL is success, else why):
 * no vm-id in 1..65535, no valid vm-uuid, a vm-uuid that is not the
 * domain's (/local/domain/<domid>/vm is "/vm/<uuid>": a directory left
 * over from an earlier domain with this domid), a malformed mem-quota, or
 * a vm-id/vm-uuid pair that disagrees with another device's.
 */
static const char *vgpu_xen_read_identity(struct vgpu_xen_dev *d, struct vgpu_be_identity *id)
{
    char dom[32], vm_path[64];
    uint32_t v;
    int err;

    memset(id, 0, sizeof(*id));
    if (vgpu_xen__read_str(d->x, d->be_path, "pool", id->pool, sizeof(id->pool)))
        strcpy(id->pool, "A");
    id->priority = vgpu_xen__read_u32(d->x, d->be_path, "priority", &v) == 0 && v <= 2 ? (int)v : 1;
    if (vgpu_xen__read_u32(d->x, d->be_path, "vm-id", &v) || v == 0 || v > VGPU_XEN_VM_ID_MAX)
        return "no valid vm-id (1..65535)";
    id->vm_id = v;
    if (vgpu_xen__read_str(d->x, d->be_path, "vm-uuid", id->vm_uuid, sizeof(id->vm_uuid)) ||
        !vgpu_xen__uuid_valid(id->vm_uuid))
        return "no valid vm-uuid";
    snprintf(dom, sizeof(dom), "/local/domain/%u", d->domid);
    if (vgpu_xen__read_str(d->x, dom, "vm", vm_path, sizeof(vm_path)) ||
        !vgpu_xen__vm_path_is(vm_path, id->vm_uuid))
        return "vm-uuid is not the domain's (stale directory of an earlier domain?)";
    err = vgpu_xen__read_u64(d->x, d->be_path, "mem-quota", &id->mem_quota);
    if (err == -ENOENT)
        id->mem_quota = 0;
    else if (err)
        return "malformed mem-quota";
    if (vgpu_xen__read_str(d->x, dom, "name", id->vm_name, sizeof(id->vm_name)))
        snprintf(id->vm_name, sizeof(id->vm_name), "dom%u", d->domid);
    return vgpu_xen_id_conflict(d, id);
}

static struct vgpu_xen_dev *vgpu_xen_dev_new(struct vgpu_xen *x, unsigned int domid,
                                             unsigned int devid)
{
    struct vgpu_xen_dev *d;
    const char *why = "no valid 'frontend' key";
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
        strncmp(d->fe_path, prefix, (size_t)n) != 0 ||
        (why = vgpu_xen_read_identity(d, &d->id)) != NULL) {
        vgpu_be_log_ratelimited(LOG_WARNING, x,
                                "xen: %s: device ignored: %s; waiting for "
                                "provisioning to write it",
                                d->be_path, why);
        free(d);
        return NULL;
    }
    d->id_valid = true;
    snprintf(d->watch_token, sizeof(d->watch_token), "vgpu-fe-%u-%u", domid, devid);
    d->watching = xs_watch(x->xs, d->fe_path, d->watch_token);
    d->next = x->devs;
    x->devs = d;
    vgpu_be_log(LOG_INFO, "xen: dom%u/%u: device found (VM %s, vm-id %u, pool %s, priority %d)",
                domid, devid, d->id.vm_uuid, d->id.vm_id, d->id.pool, d->id.priority);
    return d;
}

/* Advertise limits: the smaller of the daemon's and what provisioning wrote. */
static void vgpu_xen_write_limits(struct vgpu_xen_dev *d)
{
    static const char *const keys[] = {"max-ring-page-order", "max-data-pages", "max-channels"};
    const struct vgpu_be_limits *l = &d->x->limits;
    uint32_t ours[3] = {l->max_ring_order, l->max_data_pages, l->max_channels_per_vm};
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

/* channel-<n> names in dir (strictly spelled), as a bitmap of indices. */
static uint64_t vgpu_xen_list_channels(struct vgpu_xen *x, const char *dir)
{
    unsigned int i, n = 0;
    uint64_t set = 0;
    uint32_t idx;
    char **ents;

    ents = xs_directory(x->xs, XBT_NULL, dir, &n);
    for (i = 0; ents && i < n; i++) {
        if (vgpu_xen__parse_channel_name(ents[i], &idx))
            set |= 1ull << idx;
    }
    free(ents);
    return set;
}

static void vgpu_xen_sync_channel(struct vgpu_xen_dev *d, unsigned int i, bool fe_has, bool be_has)
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
        vgpu_xen__chan_detach(s->chan); /* release writes Closed once unmapped */
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

/* Close every channel and keep each index closed until its frontend closes it. */
static void vgpu_xen_close_all(struct vgpu_xen_dev *d)
{
    unsigned int i;

    for (i = 0; i < VGPU_XEN_CHANNELS_MAX; i++) {
        if (!d->slots[i].chan)
            continue;
        vgpu_xen__chan_detach(d->slots[i].chan); /* release writes Closed */
        d->slots[i].refused = true;
    }
}

/*
 * Re-read the identity. A device whose identity became invalid, or whose
 * VM or vm-id changed (a live set-vm-id, a re-provisioned domain), loses
 * its channels: they were attached as another VM. False: do not go on.
 */
static bool vgpu_xen_identity_current(struct vgpu_xen_dev *d)
{
    struct vgpu_be_identity id;
    const char *why = vgpu_xen_read_identity(d, &id);

    if (why) {
        if (d->id_valid)
            vgpu_be_log(LOG_WARNING, "xen: dom%u/%u: %s: channels closed, new ones refused",
                        d->domid, d->devid, why);
        d->id_valid = false;
        vgpu_xen_close_all(d);
        return false;
    }
    if (d->id_valid &&
        (id.vm_id != d->id.vm_id || !vgpu_xen__uuid_equal(id.vm_uuid, d->id.vm_uuid))) {
        vgpu_be_log(LOG_NOTICE,
                    "xen: dom%u/%u: identity changed (VM %s vm-id %u -> VM %s "
                    "vm-id %u): its channels are closed",
                    d->domid, d->devid, d->id.vm_uuid, d->id.vm_id, id.vm_uuid, id.vm_id);
        vgpu_xen_close_all(d);
    }
    d->id = id;
    d->id_valid = true;
    return true;
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
        vgpu_be_log_ratelimited(LOG_WARNING, d,
                                "xen: dom%u/%u: cannot read the device "
                                "states (%s); will retry",
                                d->domid, d->devid, strerror(rb ? -rb : -rf));
        return;
    }
    if (!vgpu_xen_identity_current(d))
        return;

    if (fe == VGPU_XS_CLOSING || fe == VGPU_XS_CLOSED) {
        vgpu_xen_detach_all(d);
        if (be != fe)
            vgpu_xen_set_state(d, fe);
        return;
    }
    if (be != VGPU_XS_INITWAIT && be != VGPU_XS_CONNECTED) {
        /* Fresh provisioning, or a frontend starting over after Closed. */
        vgpu_be_log(LOG_INFO, "xen: dom%u/%u: backend state %u, frontend %u: InitWait", d->domid,
                    d->devid, be, fe);
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
            vgpu_be_log_ratelimited(LOG_WARNING, d,
                                    "xen: dom%u/%u: channel-%u beyond "
                                    "max-channels %u: refused",
                                    d->domid, d->devid, i, max);
            char be_dir[128];

            d->slots[i].refused = true;
            snprintf(be_dir, sizeof(be_dir), "%s/channel-%u", d->be_path, i);
            vgpu_xen__write_u32(d->x, be_dir, "state", VGPU_XS_CLOSED);
            continue;
        }
        vgpu_xen_sync_channel(d, i, fe_has, be_has);
    }
}

#define VGPU_XEN_ANY_DEVID UINT32_MAX

/* Pick up new devices of one domain (all of them, or only devid). */
static void vgpu_xen_find_devs(struct vgpu_xen *x, uint32_t domid, uint32_t only_devid)
{
    unsigned int j, nv = 0;
    char path[128], **devs;
    uint32_t devid;

    if (!xs_is_domain_introduced(x->xs, domid))
        return;
    snprintf(path, sizeof(path), "%s/%u", VGPU_XEN_BACKEND_ROOT, domid);
    devs = xs_directory(x->xs, XBT_NULL, path, &nv);
    for (j = 0; devs && j < nv; j++) {
        if (!vgpu_xen__parse_u32(devs[j], VGPU_XEN_DEVID_MAX, &devid))
            continue;
        if (only_devid != VGPU_XEN_ANY_DEVID && devid != only_devid)
            continue;
        if (!vgpu_xen_dev_find(x, domid, devid))
            vgpu_xen_dev_new(x, domid, devid);
    }
    free(devs);
}

/* Sync one device, or drop it when its domain or backend directory is gone. */
static void vgpu_xen_dev_check(struct vgpu_xen_dev *d)
{
    uint32_t st;

    if (!xs_is_domain_introduced(d->x->xs, d->domid) ||
        vgpu_xen__read_u32(d->x, d->be_path, "state", &st) == -ENOENT) {
        vgpu_xen_dev_drop(d);
        return;
    }
    vgpu_xen_dev_sync(d);
}

/*
 * Reconcile everything with xenstore: find new devices, drop those whose
 * backend dir or domain disappeared, drive every device's handshake. For
 * start-up, the backend root's own events and @introduceDomain /
 * @releaseDomain (the toolstack's, never a guest's).
 */
void vgpu_xen__scan(struct vgpu_xen *x)
{
    struct vgpu_xen_dev *d, *next;
    unsigned int i, nd = 0;
    uint32_t domid;
    char **doms;

    if (x->stopping)
        return;
    x->rescan = false;
    x->nr_notes = 0;
    doms = xs_directory(x->xs, XBT_NULL, VGPU_XEN_BACKEND_ROOT, &nd);
    for (i = 0; doms && i < nd; i++) {
        if (vgpu_xen__parse_u32(doms[i], VGPU_XEN_DOMID_MAX, &domid) && domid != 0)
            vgpu_xen_find_devs(x, domid, VGPU_XEN_ANY_DEVID);
    }
    free(doms);

    for (d = x->devs; d; d = next) {
        next = d->next;
        d->dirty = false;
        vgpu_xen_dev_check(d);
    }
}

static void vgpu_xen_note(struct vgpu_xen *x, uint32_t domid, uint32_t devid, bool whole)
{
    unsigned int i;

    for (i = 0; i < x->nr_notes; i++) {
        if (x->notes[i].domid == domid &&
            (x->notes[i].whole_domain || (!whole && x->notes[i].devid == devid)))
            return;
    }
    if (x->nr_notes == VGPU_XEN_NOTES_MAX) {
        x->rescan = true;
        return;
    }
    x->notes[x->nr_notes].domid = domid;
    x->notes[x->nr_notes].devid = devid;
    x->notes[x->nr_notes].whole_domain = whole;
    x->nr_notes++;
}

/*
 * One watch event (path, token): remember what it concerns, and nothing
 * else. A frontend's event (its token) concerns only its device, so a
 * guest writing its own directory costs the sync of its own device; a
 * backend path concerns the device (or domain) it names; the backend
 * root and the domain watches ask for a full scan.
 */
void vgpu_xen__note_watch(struct vgpu_xen *x, const char *path, const char *token)
{
    struct vgpu_xen_dev *d;
    uint32_t domid = 0, devid = 0;
    int depth;

    if (!path || !token)
        return;
    if (strncmp(token, "vgpu-fe-", 8) == 0) {
        for (d = x->devs; d; d = d->next) {
            if (strcmp(d->watch_token, token) == 0) {
                d->dirty = true;
                return;
            }
        }
        return; /* a device dropped since: nothing to do */
    }
    if (strcmp(token, "vgpu-be") == 0) {
        depth = vgpu_xen__parse_backend_path(path, &domid, &devid);
        if (depth == 0)
            x->rescan = true;
        else if (depth > 0)
            vgpu_xen_note(x, domid, devid, depth == 1);
        return;
    }
    x->rescan = true; /* @introduceDomain, @releaseDomain */
}

/* End of a watch batch: act on what vgpu_xen__note_watch remembered. */
void vgpu_xen__sync_noted(struct vgpu_xen *x)
{
    struct vgpu_xen_dev *d, *next;
    unsigned int i;

    if (x->stopping)
        return;
    if (x->rescan) {
        vgpu_xen__scan(x);
        return;
    }
    for (i = 0; i < x->nr_notes; i++) {
        vgpu_xen_find_devs(x, x->notes[i].domid,
                           x->notes[i].whole_domain ? VGPU_XEN_ANY_DEVID : x->notes[i].devid);
        for (d = x->devs; d; d = d->next) {
            if (d->domid == x->notes[i].domid &&
                (x->notes[i].whole_domain || d->devid == x->notes[i].devid))
                d->dirty = true;
        }
    }
    x->nr_notes = 0;
    for (d = x->devs; d; d = next) {
        next = d->next;
        if (!d->dirty)
            continue;
        d->dirty = false;
        vgpu_xen_dev_check(d);
    }
}
