/* xen_chan.c: vgpud's Xen transport: mapping a channel's grants, its event channel, release. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#include "xen_internal.h"

struct vgpu_xen_chan *vgpu_xen__chan_by_port(struct vgpu_xen *x, int port)
{
    struct vgpu_xen_chan *c;

    for (c = x->chans; c; c = c->next) {
        if (c->local_port == port)
            return c;
    }
    return NULL;
}

static void vgpu_xen_chan_unlink(struct vgpu_xen_chan *c)
{
    struct vgpu_xen_chan **pp;

    for (pp = &c->dev->x->chans; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            return;
        }
    }
}

/* Unmap and unbind; tolerates half-built state. */
static void vgpu_xen_chan_unmap(struct vgpu_xen_chan *c)
{
    struct vgpu_xen *x = c->dev->x;

    if (c->local_port >= 0) {
        xenevtchn_unbind(x->xce, (evtchn_port_t)c->local_port);
        c->local_port = -1;
    }
    if (c->data) {
        xengnttab_unmap(x->xgt, c->data, c->nr_data);
        c->data = NULL;
    }
    if (c->data_fd >= 0) { /* the grants stay mapped until the worker unmaps them too */
        close(c->data_fd);
        c->data_fd = -1;
    }
    if (c->ring) {
        xengnttab_unmap(x->xgt, c->ring, 1u << c->ring_order);
        c->ring = NULL;
    }
    x->grants -= c->grants;
    c->grants = 0;
}

/*
 * May c map n more grant pages? Both budgets count pages kept mapped (the
 * directory's single page is mapped only for a moment). NULL or why not.
 */
const char *vgpu_xen__grants_refused(struct vgpu_xen_chan *c, uint64_t n)
{
    struct vgpu_xen *x = c->dev->x;
    const struct vgpu_xen_chan *o;
    uint64_t dom = (uint64_t)c->grants + n;

    if (x->grants + n > x->limits.xen_max_grants)
        return "vgpud's grant budget (--xen-max-grants) is spent";
    for (o = x->chans; o; o = o->next) {
        if (o != c && o->dev->domid == c->dev->domid)
            dom += o->grants;
    }
    if (dom > x->limits.xen_max_grants_per_domain)
        return "the domain's grant budget (--xen-max-grants-per-domain) is spent";
    return NULL;
}

void vgpu_xen__grants_take(struct vgpu_xen_chan *c, uint32_t n)
{
    c->grants += n;
    c->dev->x->grants += n;
}

void vgpu_xen__grants_give(struct vgpu_xen_chan *c, uint32_t n)
{
    c->grants -= n;
    c->dev->x->grants -= n;
}

/* ops->release: the core is done. Unmap, tell the frontend (Closed), free. */
static void vgpu_xen_chan_release(void *tctx)
{
    struct vgpu_xen_chan *c = tctx;
    struct vgpu_xen_dev *d = c->dev;
    struct vgpu_xen *x = d->x;
    char be_dir[128];

    vgpu_xen_chan_unlink(c);
    vgpu_xen__hostbufs_forget(c);
    vgpu_xen_chan_unmap(c);
    if (d->slots[c->index].chan == c) {
        /* Closed by the core (protocol violation): keep it closed until the frontend agrees. */
        d->slots[c->index].chan = NULL;
        d->slots[c->index].refused = true;
    }
    /*
     * A release deferred by a running job may come after the frontend gave
     * up waiting, removed the channel and connected a new one on the same
     * index: that one's state is not ours to close.
     */
    if (!d->gone && !x->stopping && !d->slots[c->index].chan) {
        snprintf(be_dir, sizeof(be_dir), "%s/channel-%u", d->be_path, c->index);
        vgpu_xen__write_u32(x, be_dir, "state", VGPU_XS_CLOSED);
    }
    vgpu_be_log(LOG_INFO, "xen: dom%u/%u/ch%u: released", d->domid, d->devid, c->index);
    free(c);
    vgpu_xen__dev_put(d);
    vgpu_xen__put(x);
}

/* ops->notify: responses are on the ring and the guest asked to be woken. */
static void vgpu_xen_chan_notify(void *tctx)
{
    struct vgpu_xen_chan *c = tctx;

    if (c->local_port >= 0)
        xenevtchn_notify(c->dev->x->xce, (evtchn_port_t)c->local_port);
}

static const struct vgpu_be_chan_ops vgpu_xen_chan_ops = {
    .notify = vgpu_xen_chan_notify,
    .release = vgpu_xen_chan_release,
    .hostbuf_take = vgpu_xen__hostbuf_take,
    .hostbuf_drop = vgpu_xen__hostbuf_drop,
};

/*
 * The data pages again, in a gntdev instance of their own that holds
 * nothing else: the VM's worker gets that fd and maps them itself, and can
 * reach no other grant through it (its system-call filter forbids gntdev's
 * ioctls). Returns 0 or -errno; the channel then works without a worker.
 */
static int vgpu_xen_share_data(struct vgpu_xen_chan *c, const struct vgpu_data_dir *dir)
{
    return vgpu_xen__gntdev_share(c->dev->domid, dir->gref, dir->nr_pages, &c->data_fd,
                                  &c->data_fd_off);
}

/* Map the directory once, copy it, check the copy, map the data pages. */
static int vgpu_xen_map_data(struct vgpu_xen_chan *c, uint32_t dir_ref, uint32_t max_pages,
                             const char **why)
{
    struct vgpu_xen *x = c->dev->x;
    struct vgpu_data_dir *dir;
    void *shared;
    int err = 0;

    dir = malloc(sizeof(*dir));
    if (!dir)
        return -ENOMEM;
    shared = xengnttab_map_grant_ref(x->xgt, c->dev->domid, dir_ref, PROT_READ);
    if (!shared) {
        *why = "data-dir-ref did not map";
        free(dir);
        return -EINVAL;
    }
    vgpu_proto_copy_shared(dir, shared, sizeof(*dir));
    xengnttab_unmap(x->xgt, shared, 1);
    if (vgpu_proto_check_data_dir(dir, max_pages) != VGPU_S_OK) {
        *why = "bad data directory (magic or page count)";
        err = -EINVAL;
    } else if ((*why = vgpu_xen__grants_refused(c, 2 * dir->nr_pages)) != NULL) {
        /* Twice: vgpud maps the data pages, and the VM's worker maps them again. */
        err = -ENOSPC;
    } else {
        c->data = xengnttab_map_domain_grant_refs(x->xgt, dir->nr_pages, c->dev->domid, dir->gref,
                                                  PROT_READ | PROT_WRITE);
        if (!c->data) {
            *why = "data pages did not map";
            err = -EINVAL;
        } else {
            c->nr_data = dir->nr_pages;
            vgpu_xen__grants_take(c, dir->nr_pages);
            if ((err = vgpu_xen_share_data(c, dir)) < 0)
                vgpu_be_log(LOG_ERR,
                            "xen: dom%u: data pages not shareable with the VM's "
                            "worker: %s",
                            c->dev->domid, strerror(-err));
            else
                vgpu_xen__grants_take(c, dir->nr_pages); /* the worker maps them too */
            err = 0;
        }
    }
    free(dir);
    return err;
}

/* Read, check and map what the frontend published in fe_dir. */
static int vgpu_xen_chan_map(struct vgpu_xen_chan *c, const char *fe_dir, const char **why)
{
    struct vgpu_xen_dev *d = c->dev;
    struct vgpu_xen *x = d->x;
    uint32_t order, max_order, max_pages, refs[1u << VGPU_RING_ORDER_MAX], dir_ref, port, v;
    char key[24];
    unsigned int i;
    int lp;

    max_order = x->limits.max_ring_order < VGPU_RING_ORDER_MAX ? x->limits.max_ring_order
                                                               : VGPU_RING_ORDER_MAX;
    if (vgpu_xen__read_u32(x, d->be_path, "max-ring-page-order", &v) == 0 && v < max_order)
        max_order = v;
    max_pages = x->limits.max_data_pages;
    if (vgpu_xen__read_u32(x, d->be_path, "max-data-pages", &v) == 0 && v < max_pages)
        max_pages = v;

    if (vgpu_xen__read_u32(x, fe_dir, "ring-page-order", &order) || order > max_order) {
        *why = "ring-page-order missing or above max-ring-page-order";
        return -EINVAL;
    }
    for (i = 0; i < (1u << order); i++) {
        snprintf(key, sizeof(key), "ring-ref-%u", i);
        if (vgpu_xen__read_u32(x, fe_dir, key, &refs[i])) {
            *why = "ring-ref missing or malformed";
            return -EINVAL;
        }
    }
    if (vgpu_xen__read_u32(x, fe_dir, "data-dir-ref", &dir_ref) ||
        vgpu_xen__read_u32(x, fe_dir, "event-channel", &port)) {
        *why = "data-dir-ref or event-channel missing or malformed";
        return -EINVAL;
    }
    if ((*why = vgpu_xen__grants_refused(c, 1u << order)) != NULL)
        return -ENOSPC;
    c->ring = xengnttab_map_domain_grant_refs(x->xgt, 1u << order, d->domid, refs,
                                              PROT_READ | PROT_WRITE);
    if (!c->ring) {
        *why = "ring grant refs did not map";
        return -EINVAL;
    }
    c->ring_order = order;
    vgpu_xen__grants_take(c, 1u << order);
    if (vgpu_xen_map_data(c, dir_ref, max_pages, why))
        return -EINVAL;
    lp = xenevtchn_bind_interdomain(x->xce, d->domid, port);
    if (lp < 0) {
        *why = "event-channel did not bind";
        return -EINVAL;
    }
    c->local_port = lp;
    return 0;
}

/*
 * The core keys VMs by vm-id: a channel may attach only while every live
 * channel (released or not) with its vm-id is of its VM, and every live
 * channel of its VM has its vm-id. NULL, or why not.
 */
static const char *vgpu_xen_id_in_use(struct vgpu_xen *x, const struct vgpu_be_identity *id)
{
    const struct vgpu_xen_chan *o;

    for (o = x->chans; o; o = o->next) {
        bool same_vm = vgpu_xen__uuid_equal(o->vm_uuid, id->vm_uuid);

        if (o->vm_id == id->vm_id && !same_vm)
            return "its vm-id is still held by a channel of another VM";
        if (o->vm_id != id->vm_id && same_vm)
            return "its VM still has a channel under its previous vm-id";
    }
    return NULL;
}

/*
 * Connect channel-<index> of a device: map, bind, attach to the core,
 * write the backend's channel state Connected. Returns 0, or -errno after
 * one log line (the caller marks the channel refused and Closed).
 */
int vgpu_xen__chan_connect(struct vgpu_xen_dev *d, unsigned int index)
{
    struct vgpu_xen *x = d->x;
    struct vgpu_be_chan_desc desc;
    struct vgpu_xen_chan *c;
    char fe_dir[160], be_dir[128];
    const char *why = "out of memory";
    int err;

    snprintf(fe_dir, sizeof(fe_dir), "%s/channel-%u", d->fe_path, index);
    snprintf(be_dir, sizeof(be_dir), "%s/channel-%u", d->be_path, index);
    c = calloc(1, sizeof(*c));
    if (!c)
        goto refuse;
    c->dev = d;
    c->index = index;
    c->local_port = -1;
    c->data_fd = -1;
    c->vm_id = d->id.vm_id;
    snprintf(c->vm_uuid, sizeof(c->vm_uuid), "%s", d->id.vm_uuid);
    if ((why = vgpu_xen_id_in_use(x, &d->id)) != NULL)
        goto unmap;
    err = vgpu_xen_chan_map(c, fe_dir, &why);
    if (err)
        goto unmap;

    memset(&desc, 0, sizeof(desc));
    desc.sring = c->ring;
    desc.ring_order = c->ring_order;
    desc.data = c->data;
    desc.data_size = (uint64_t)c->nr_data * VGPU_PAGE_SIZE;
    desc.data_fd = c->data_fd;
    desc.data_fd_off = c->data_fd_off;
    desc.id = d->id;
    desc.ops = &vgpu_xen_chan_ops;
    desc.tctx = c;
    snprintf(desc.label, sizeof(desc.label), "dom%u/%u/ch%u", d->domid, d->devid, index);
    /* Linked and counted before the attach; undone if the core refuses it (release is never
     * called from inside vgpu_be_chan_attach(): transport.h). */
    c->next = x->chans;
    x->chans = c;
    d->slots[index].chan = c;
    d->refs++;
    x->refs++;
    err = vgpu_be_chan_attach(x->be, &desc, &c->core);
    if (err) {
        vgpu_xen_chan_unlink(c);
        d->slots[index].chan = NULL;
        d->refs--;
        x->refs--;
        why = err == -ENOENT       ? "unknown pool"
              : err == -EADDRINUSE ? "its vm-id or VM has channels open as another VM"
                                   : "the core refused the channel";
        goto unmap;
    }
    vgpu_be_log(LOG_INFO,
                "xen: %s: connected (ring order %u, %u data pages, VM %s, vm-id %u, "
                "pool %s, priority %d, mem-quota %" PRIu64 ")",
                desc.label, c->ring_order, c->nr_data, d->id.vm_uuid, d->id.vm_id, d->id.pool,
                d->id.priority, d->id.mem_quota);
    vgpu_xen__write_u32(x, be_dir, "state", VGPU_XS_CONNECTED);
    /* Xen may have marked the fresh port pending: a kick is only a hint anyway. */
    vgpu_be_chan_kick(c->core);
    return 0;

unmap:
    vgpu_xen_chan_unmap(c);
    free(c);
refuse:
    vgpu_be_log_ratelimited(LOG_WARNING, d, "xen: dom%u/%u/ch%u: channel refused: %s", d->domid,
                            d->devid, index, why);
    return -EINVAL;
}

/* The peer is gone or closing: hand the channel back to the core (release follows). */
void vgpu_xen__chan_detach(struct vgpu_xen_chan *c)
{
    struct vgpu_be_chan *core = c->core;

    c->dev->slots[c->index].chan = NULL;
    c->core = NULL;
    if (core)
        vgpu_be_chan_detach(core);
}

/*
 * An event on the channel's port. Kicks beyond the kick budget per window
 * (struct vgpu_be_limits) leave the port masked until the window ends (the
 * timer unmasks and kicks once), so a storming guest costs at most the budget.
 */
void vgpu_xen__chan_event(struct vgpu_xen_chan *c)
{
    struct vgpu_xen *x = c->dev->x;
    uint64_t now = vgpu_xen__now_ms();

    if (now - c->window_start_ms >= x->limits.kick_window_ms) {
        c->window_start_ms = now;
        c->kicks_in_window = 0;
    }
    if (++c->kicks_in_window > x->limits.kick_budget) {
        if (!c->throttled) {
            c->throttled = true;
            if (c->core)
                vgpu_be_chan_throttled(c->core);
            vgpu_be_log_ratelimited(LOG_WARNING, c,
                                    "xen: dom%u/%u/ch%u: event storm "
                                    "(> %u kicks in %u ms): throttled",
                                    c->dev->domid, c->dev->devid, c->index, x->limits.kick_budget,
                                    x->limits.kick_window_ms);
            vgpu_xen__arm_timer(x);
        }
        return;
    }
    xenevtchn_unmask(x->xce, (evtchn_port_t)c->local_port);
    if (c->core)
        vgpu_be_chan_kick(c->core);
}

/* Window over: unmask throttled ports and kick each once. */
void vgpu_xen__chan_unthrottle_all(struct vgpu_xen *x)
{
    struct vgpu_xen_chan *c, *next;

    for (c = x->chans; c; c = next) {
        next = c->next; /* a kick may close and release c */
        if (!c->throttled)
            continue;
        c->throttled = false;
        c->window_start_ms = vgpu_xen__now_ms();
        c->kicks_in_window = 0;
        xenevtchn_unmask(x->xce, (evtchn_port_t)c->local_port);
        if (c->core)
            vgpu_be_chan_kick(c->core);
    }
}
