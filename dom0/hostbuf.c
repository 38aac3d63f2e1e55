/* hostbuf.c: host buffers (VGPU_FEAT_HOSTBUF) as vgpud keeps them: checks, the pinned limit, the
 * worker's copy. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "vgpud.h"

uint64_t vgpu_be__vm_pinned_limit(const struct vgpu_be *be, const struct vgpu_be_vm *vm)
{
    return vm->id.pinned_limit ? vm->id.pinned_limit : be->cfg.default_pinned_limit;
}

static struct vgpu_be_hostbuf *find(struct vgpu_be_chan *c, uint64_t id)
{
    struct vgpu_be_hostbuf *b;

    for (b = c->hostbufs; b; b = b->next)
        if (b->id == id)
            return b;
    return NULL;
}

/* Over the VM's limit, in bytes or in buffers (all its channels together)? */
static bool over_limit(struct vgpu_be_chan *c, uint64_t size)
{
    uint64_t limit;

    pthread_mutex_lock(&c->vm->lock);
    limit = vgpu_be__vm_pinned_limit(c->be, c->vm);
    pthread_mutex_unlock(&c->vm->lock);
    return c->vm->nhostbufs >= VGPUD_HOSTBUFS_MAX || size > limit ||
           c->vm->pinned_used > limit - size;
}

static uint32_t take_map(struct vgpu_be_chan *c, struct vgpu_be_job *job,
                         const struct vgpu_req_hostbuf_map *m)
{
    struct vgpu_be_hostbuf *b;
    uint32_t st;
    int fd = -1;

    /* The transport's pages are claimed (and closed) whatever refuses them. */
    st = c->d.ops->hostbuf_take(c->d.tctx, m, &fd);
    if (st == VGPU_S_OK && find(c, m->buf))
        st = VGPU_S_BAD_FIELD;
    if (st == VGPU_S_OK && over_limit(c, m->size))
        st = VGPU_S_PINNED_LIMIT;
    if (st == VGPU_S_OK && !(b = calloc(1, sizeof(*b))))
        st = VGPU_S_NO_MEMORY;
    if (st != VGPU_S_OK) {
        if (fd >= 0)
            close(fd);
        if (fd >= 0 && c->d.ops->hostbuf_drop)
            c->d.ops->hostbuf_drop(c->d.tctx, m->buf);
        return st;
    }
    b->id = m->buf;
    b->size = m->size;
    b->fd = fd;
    b->job = job;
    pthread_mutex_lock(&c->hb_lock);
    b->next = c->hostbufs;
    c->hostbufs = b;
    c->nhostbufs++;
    pthread_mutex_unlock(&c->hb_lock);
    c->vm->pinned_used += b->size;
    c->vm->nhostbufs++;
    return VGPU_S_OK;
}

static uint32_t take_unmap(struct vgpu_be_chan *c, uint64_t id)
{
    struct vgpu_be_hostbuf *b = find(c, id);

    if (!b || b->dying)
        return VGPU_S_BAD_HANDLE;
    b->dying = true;
    return VGPU_S_OK;
}

static uint32_t take_copy(struct vgpu_be_chan *c, const struct vgpu_req_hostbuf_copy *k)
{
    struct vgpu_be_hostbuf *b = find(c, k->buf);

    if (!b || b->dying)
        return VGPU_S_BAD_HANDLE;
    return vgpu_proto_range_ok(k->off, k->len, b->size) ? VGPU_S_OK : VGPU_S_BAD_RANGE;
}

uint32_t vgpu_be__hostbuf_take(struct vgpu_be_chan *c, struct vgpu_be_job *job,
                               const struct vgpu_req *req)
{
    switch (req->op) {
    case VGPU_OP_HOSTBUF_MAP:
    case VGPU_OP_HOSTBUF_UNMAP:
    case VGPU_OP_HOSTBUF_HTOD:
    case VGPU_OP_HOSTBUF_DTOH:
        break;
    default:
        return VGPU_S_OK;
    }
    if (!(c->features & VGPU_FEAT_HOSTBUF) || !c->d.ops->hostbuf_take)
        return VGPU_S_UNSUPPORTED;
    if (req->op == VGPU_OP_HOSTBUF_MAP)
        return take_map(c, job, &req->u.hostbuf_map);
    if (req->op == VGPU_OP_HOSTBUF_UNMAP)
        return take_unmap(c, req->u.hostbuf_unmap.handle);
    return take_copy(c, &req->u.hostbuf_copy);
}

static void drop(struct vgpu_be_chan *c, struct vgpu_be_hostbuf *b)
{
    struct vgpu_be_hostbuf **p;

    pthread_mutex_lock(&c->hb_lock);
    for (p = &c->hostbufs; *p; p = &(*p)->next)
        if (*p == b) {
            *p = b->next;
            break;
        }
    c->nhostbufs--;
    pthread_mutex_unlock(&c->hb_lock);
    c->vm->pinned_used -= b->size;
    c->vm->nhostbufs--;
    close(b->fd);
    if (c->d.ops->hostbuf_drop)
        c->d.ops->hostbuf_drop(c->d.tctx, b->id);
    free(b);
}

/*
 * The worker has run (or lost) the job: an UNMAP it ran unmapped the buffer
 * there, a MAP that failed left nothing there, and a lost worker holds
 * nothing. Either way vgpud lets go of them too.
 */
void vgpu_be__hostbuf_settle(struct vgpu_be_chan *c, const struct vgpu_be_job *job)
{
    uint32_t i;

    for (i = 0; i < job->n; i++) {
        const struct vgpu_be_item *it = &job->items[i];
        struct vgpu_be_hostbuf *b;

        if (it->prefail)
            continue;
        if (it->req.op == VGPU_OP_HOSTBUF_MAP && (b = find(c, it->req.u.hostbuf_map.buf))) {
            if (it->rsp.status != VGPU_S_OK) {
                drop(c, b);
                continue;
            }
            pthread_mutex_lock(&c->hb_lock);
            b->job = NULL;
            b->live = true;
            pthread_mutex_unlock(&c->hb_lock);
        } else if (it->req.op == VGPU_OP_HOSTBUF_UNMAP &&
                   (b = find(c, it->req.u.hostbuf_unmap.handle))) {
            drop(c, b);
        }
    }
}

void vgpu_be__hostbuf_free_all(struct vgpu_be_chan *c)
{
    while (c->hostbufs)
        drop(c, c->hostbufs);
}

/*
 * Buffers mapped by an earlier job (a new worker maps them again) and the
 * ones job itself maps. A MAP of a later job is not sent: that job may
 * never reach this worker.
 */
int vgpu_be__hostbuf_attach(struct vgpu_be_worker *w, struct vgpu_be_chan *c,
                            const struct vgpu_be_job *job)
{
    struct vgpu_worker_msg m;
    struct vgpu_be_hostbuf *b;
    int r = 0;

    pthread_mutex_lock(&c->hb_lock);
    for (b = c->hostbufs; b && r == 0; b = b->next) {
        if (b->wk_serial == w->serial || (!b->live && b->job != job))
            continue;
        memset(&m, 0, sizeof(m));
        m.type = VGPU_WMSG_HB_ADD;
        m.chan = c->id;
        m.hostbuf = b->id;
        m.data_size = b->size;
        r = vgpu_be__worker_send(w, &m, b->fd);
        if (r == 0)
            b->wk_serial = w->serial;
    }
    pthread_mutex_unlock(&c->hb_lock);
    return r;
}

bool vgpu_be__hostbuf_ready(const struct vgpu_be_worker *w, struct vgpu_be_chan *c,
                            const struct vgpu_be_job *job)
{
    struct vgpu_be_hostbuf *b;
    bool ready = true;

    pthread_mutex_lock(&c->hb_lock);
    for (b = c->hostbufs; b && ready; b = b->next)
        ready = b->wk_serial == w->serial || (!b->live && b->job != job);
    pthread_mutex_unlock(&c->hb_lock);
    return ready;
}
