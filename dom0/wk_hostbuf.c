/* wk_hostbuf.c: the worker's host buffers: mapped from vgpud's descriptors, copies in one call. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "wk.h"

struct wk_hostbuf {
    struct wk_hostbuf *next;
    uint64_t id, size;
    uint8_t *p;      /* mapped (hostile contents: only ever bytes to copy) */
    bool registered; /* the executor's host_register took it */
};

static struct wk_hostbuf *find(struct wk_chan *c, uint64_t id)
{
    struct wk_hostbuf *b;

    for (b = c->hostbufs; b; b = b->next)
        if (b->id == id)
            return b;
    return NULL;
}

/* As find(), but a buffer vgpud sent just before the job may still be in a message. */
static struct wk_hostbuf *lookup(struct wk *w, struct wk_chan *c, uint64_t id)
{
    struct wk_hostbuf *b = find(c, id);

    if (!b && wk__ctl_drain(w) >= 0)
        b = find(c, id);
    return b;
}

static void unmap(struct wk *w, struct wk_hostbuf *b)
{
    if (b->registered && w->xops->host_unregister)
        w->xops->host_unregister(w->ctx, b->p); /* before the pages go */
    munmap(b->p, b->size);
    free(b);
}

/* Page-lock b for the executor; where it will not (a grant mapping, say), copies are staged. */
static void host_register(struct wk *w, struct wk_hostbuf *b)
{
    static bool told;
    char what[64];

    snprintf(what, sizeof(what), "host buffer %llu", (unsigned long long)b->id);
    b->registered = wk__page_lock(w, b->p, b->size, &told, what);
}

int wk__hostbuf_add(struct wk *w, const struct vgpu_worker_msg *m, int fd)
{
    struct wk_chan *c = wk__chan_find(w, m->chan);
    struct wk_hostbuf *b;
    void *p;

    if (fd < 0 || !c || m->hostbuf == 0 || find(c, m->hostbuf) || m->data_size == 0 ||
        m->data_size > VGPU_HOSTBUF_SIZE_MAX || m->data_size % VGPU_PAGE_SIZE)
        return -EINVAL;
    /*
     * Not populated: the pages are the guest's, made when it first writes them (populating
     * 256 MiB here took ~0.6 s, past the 50 ms an alloc may take). The executor's host_register
     * pins them where it needs to (CUDA: cuMemHostRegister). A gntdev descriptor (Xen) maps
     * its grants here, all of them or none: EINVAL when the guest named refs it had not
     * granted us, and the MAP is answered BAD_FIELD.
     */
    p = mmap(NULL, m->data_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        if (errno == EINVAL)
            c->hb_unmapped = m->hostbuf;
        return -errno;
    }
    b = calloc(1, sizeof(*b));
    if (!b) {
        munmap(p, m->data_size);
        return -ENOMEM;
    }
    b->id = m->hostbuf;
    b->size = m->data_size;
    b->p = p;
    host_register(w, b);
    b->next = c->hostbufs;
    c->hostbufs = b;
    return 0;
}

void wk__hostbufs_free(struct wk *w, struct wk_chan *c)
{
    while (c->hostbufs) {
        struct wk_hostbuf *b = c->hostbufs;
        c->hostbufs = b->next;
        unmap(w, b);
    }
}

static uint32_t op_unmap(struct wk *w, struct wk_chan *c, uint64_t id)
{
    struct wk_hostbuf **pp, *b;

    if (!lookup(w, c, id))
        return VGPU_S_BAD_HANDLE;
    for (pp = &c->hostbufs; (b = *pp); pp = &b->next)
        if (b->id == id) {
            *pp = b->next;
            unmap(w, b);
            break;
        }
    return VGPU_S_OK;
}

/* One copy, whatever its size, straight between the shared pages and the device. */
static uint32_t op_copy(struct wk *w, struct wk_chan *c, const struct vgpu_req *req,
                        struct vgpu_rsp *rsp)
{
    const struct vgpu_req_hostbuf_copy *k = &req->u.hostbuf_copy;
    struct wk_hostbuf *b = lookup(w, c, k->buf);

    if (!b)
        return VGPU_S_BAD_HANDLE;
    if (!vgpu_proto_range_ok(k->off, k->len, b->size))
        return VGPU_S_BAD_RANGE;
    if (!wk__owned(w, c, k->dptr, k->len)) /* the channel's allocations and module variables */
        return VGPU_S_BAD_HANDLE;
    if (req->op == VGPU_OP_HOSTBUF_HTOD)
        return (uint32_t)w->xops->copy_htod(w->ctx, k->dptr, b->p + k->off, k->len, &rsp->detail);
    return (uint32_t)w->xops->copy_dtoh(w->ctx, b->p + k->off, k->dptr, k->len, &rsp->detail);
}

uint32_t wk__op_hostbuf(struct wk *w, struct wk_chan *c, const struct vgpu_req *req,
                        struct vgpu_rsp *rsp)
{
    switch (req->op) {
    case VGPU_OP_HOSTBUF_MAP: /* mapped by the HB_ADD vgpud sent before the job: did it work? */
        if (lookup(w, c, req->u.hostbuf_map.buf))
            return VGPU_S_OK;
        return c->hb_unmapped == req->u.hostbuf_map.buf ? VGPU_S_BAD_FIELD : VGPU_S_NO_MEMORY;
    case VGPU_OP_HOSTBUF_UNMAP:
        return op_unmap(w, c, req->u.hostbuf_unmap.handle);
    default:
        return op_copy(w, c, req, rsp);
    }
}
