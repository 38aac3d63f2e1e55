/* wk_chan.c: the worker's channels: data areas vgpud hands over, and what each channel holds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include "wk.h"

struct wk_chan *wk__chan_find(struct wk *w, uint64_t id)
{
    struct wk_chan *c;

    for (c = w->chans; c; c = c->next)
        if (c->id == id)
            return c;
    return NULL;
}

/* Free what c allocated or loaded, unmap its data area and forget it. */
static void chan_free(struct wk *w, struct wk_chan *c)
{
    struct wk_chan **p;
    uint32_t detail;
    size_t i;

    for (i = w->mem.n; i-- > 0;) {
        struct vgpu_memtab_entry e = w->mem.v[i];
        if (e.tag != c)
            continue;
        vgpu_memtab_remove(&w->mem, e.base, NULL);
        w->mem_charged -= wk__charge(w, e.size);
        w->xops->mem_free(w->ctx, e.base, &detail);
    }
    for (i = 0; i < WK_MAX_MODULES; i++)
        if (c->modules[i]) {
            wk__globals_forget(w, c, (int)i);
            w->xops->module_unload(w->ctx, c->modules[i], &detail);
        }
    wk__upload_free(c);
    wk__hostbufs_free(w, c);
    if (c->registered) /* before the unmap: the driver lets go of the pages first */
        w->xops->host_unregister(w->ctx, c->data);
    for (p = &w->chans; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    munmap(c->data, c->data_size);
    free(c);
}

void wk__chans_free(struct wk *w)
{
    while (w->chans)
        chan_free(w, w->chans);
}

/*
 * Zero-copy: the executor page-locks [p, p + size) (a data area, a host
 * buffer), so copies from and to it are DMA from the guest's own pages.
 * Where it cannot (a grant mapping the driver will not pin), copies still
 * work, staged by the driver; that is logged once per *told.
 */
bool wk__page_lock(struct wk *w, void *p, uint64_t size, bool *told, const char *what)
{
    uint32_t detail = 0, st;

    if (!w->xops->host_register || !w->xops->host_unregister)
        return false;
    st = (uint32_t)w->xops->host_register(w->ctx, p, size, &detail);
    if (st != VGPU_S_OK && !*told) {
        *told = true;
        wk__log("%s (%llu bytes) cannot be page-locked (%s, code %u): its copies are staged", what,
                (unsigned long long)size, vgpu_strerror((int)st), detail);
    }
    return st == VGPU_S_OK;
}

static void register_area(struct wk *w, struct wk_chan *c)
{
    static bool told;
    char what[64];

    snprintf(what, sizeof(what), "the data area of channel %llu", (unsigned long long)c->id);
    c->registered = wk__page_lock(w, c->data, c->data_size, &told, what);
}

static int chan_add(struct wk *w, const struct vgpu_worker_msg *m, int fd)
{
    struct wk_chan *c;
    void *data;

    if (fd < 0 || wk__chan_find(w, m->chan) || m->data_size == 0 ||
        m->data_size > (uint64_t)VGPU_DATA_PAGES_MAX * VGPU_PAGE_SIZE ||
        m->data_off % VGPU_PAGE_SIZE)
        return -EINVAL;
    data = mmap(NULL, m->data_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)m->data_off);
    if (data == MAP_FAILED)
        return -errno;
    c = calloc(1, sizeof(*c));
    if (!c) {
        munmap(data, m->data_size);
        return -ENOMEM;
    }
    c->id = m->chan;
    c->data = data;
    c->data_size = m->data_size;
    vgpu_proto_limits_default(&c->lim, c->data_size);
    c->lim.features = VGPU_FEAT_STREAMS; /* vgpud let stream ids through only where agreed */
    register_area(w, c);
    c->next = w->chans;
    w->chans = c;
    return 0;
}

/* One message and the fd it may carry (-1 if none). 1 if one was read, 0 if none, -errno. */
static int ctl_recv(struct vgpu_worker_msg *m, int *fd)
{
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
    struct cmsghdr *cm;
    ssize_t n = recvmsg(VGPU_WORKER_FD_CTL, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

    *fd = -1;
    if (n < 0)
        return errno == EAGAIN ? 0 : -errno;
    if (n == 0)
        return -EPIPE;
    cm = CMSG_FIRSTHDR(&msg);
    if (cm && cm->cmsg_type == SCM_RIGHTS && cm->cmsg_len == CMSG_LEN(sizeof(int)))
        memcpy(fd, CMSG_DATA(cm), sizeof(int));
    if (n != sizeof(*m) || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
        return -EPROTO;
    return 1;
}

int wk__ctl_drain(struct wk *w)
{
    struct vgpu_worker_msg m;
    struct wk_chan *c;
    int fd, r;

    while ((r = ctl_recv(&m, &fd)) > 0) {
        if (m.type == VGPU_WMSG_CHAN_ADD)
            r = chan_add(w, &m, fd);
        else if (m.type == VGPU_WMSG_HB_ADD)
            r = wk__hostbuf_add(w, &m, fd);
        else if (m.type == VGPU_WMSG_CHAN_DEL && (c = wk__chan_find(w, m.chan)))
            chan_free(w, c);
        if (fd >= 0)
            close(fd); /* the mapping stays */
        if (r < 0)
            wk__log("control message %u for channel %llu refused: %s", m.type,
                    (unsigned long long)m.chan, strerror(-r));
    }
    return r;
}
