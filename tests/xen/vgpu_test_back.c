/*
 * vgpu_test_back.c: TEST BACKEND for the Xen end-to-end run: vgpud's real
 * Xen transport (dom0/transport/xen_*.c) on a minimal stand-in core that answers
 * HELLO and NOP (UNSUPPORTED otherwise). Not vgpud: it exists so that the
 * transport and vgpu.ko are tested over real grants and event channels
 * before (and besides) the daemon.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include "transport.h"

struct vgpu_be_loop {
    int epfd;
};

struct vgpu_be {
    struct vgpu_be_loop loop;
    struct vgpu_be_limits limits;
};

struct vgpu_be_chan {
    struct vgpu_back_ring ring;
    struct vgpu_be_chan_desc d;
    unsigned long answered;
};

struct loop_entry {
    int fd;
    vgpu_be_io_cb cb;
    void *ctx;
};

static volatile sig_atomic_t stop_flag;
static unsigned long nr_attached, nr_released, nr_violations;

void vgpu_be_log(int level, const char *fmt, ...)
{
    va_list ap;

    printf("VGPU-BACK: ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

void vgpu_be_log_ratelimited(int level, const void *key, const char *fmt, ...)
{
    static time_t last;
    time_t now = time(NULL);
    va_list ap;

    if (now == last)
        return;
    last = now;
    printf("VGPU-BACK: ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

struct vgpu_be_loop *vgpu_be_get_loop(struct vgpu_be *be)
{
    return &be->loop;
}

const struct vgpu_be_limits *vgpu_be_get_limits(struct vgpu_be *be)
{
    return &be->limits;
}

int vgpu_be_loop_add(struct vgpu_be_loop *l, int fd, uint32_t events, vgpu_be_io_cb cb, void *ctx)
{
    struct loop_entry *e = calloc(1, sizeof(*e));
    struct epoll_event ev = {.events = events};

    if (!e)
        return -ENOMEM;
    e->fd = fd;
    e->cb = cb;
    e->ctx = ctx;
    ev.data.ptr = e;
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev)) {
        free(e);
        return -errno;
    }
    return 0;
}

int vgpu_be_loop_del(struct vgpu_be_loop *l, int fd)
{
    /* The entry leaks; the test backend deletes fds only at exit. */
    return epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL) ? -errno : 0;
}

int vgpu_be_chan_attach(struct vgpu_be *be, const struct vgpu_be_chan_desc *d,
                        struct vgpu_be_chan **out)
{
    struct vgpu_be_chan *c = calloc(1, sizeof(*c));

    if (!c)
        return -ENOMEM;
    c->d = *d;
    vgpu_back_init(&c->ring, d->sring, vgpu_ring_slots(d->ring_order));
    nr_attached++;
    printf("VGPU-BACK-ATTACH %s pool=%s priority=%d vm-id=%u slots=%u data=%llu\n", d->label,
           d->id.pool, d->id.priority, d->id.vm_id, c->ring.nr_slots,
           (unsigned long long)d->data_size);
    fflush(stdout);
    *out = c;
    return 0;
}

static void chan_release(struct vgpu_be_chan *c, const char *why)
{
    printf("VGPU-BACK-RELEASE %s answered=%lu (%s)\n", c->d.label, c->answered, why);
    fflush(stdout);
    nr_released++;
    c->d.ops->release(c->d.tctx);
    free(c);
}

static void answer(struct vgpu_be_chan *c, const struct vgpu_req *req)
{
    struct vgpu_rsp rsp;
    uint16_t version;
    uint64_t features;

    memset(&rsp, 0, sizeof(rsp));
    rsp.id = req->id;
    rsp.op = req->op;
    if (req->op == VGPU_OP_HELLO) {
        rsp.status =
            (uint32_t)vgpu_proto_negotiate(&req->u.hello, VGPU_FEAT_EVENT_IDX, &version, &features);
        if (rsp.status == VGPU_S_OK) {
            rsp.u.hello.version = version;
            rsp.u.hello.nr_slots = c->ring.nr_slots;
            rsp.u.hello.features = features;
            rsp.u.hello.data_size = c->d.data_size;
            rsp.u.hello.max_inflight = c->ring.nr_slots;
        }
    } else if (req->op == VGPU_OP_NOP) {
        struct vgpu_limits lim;

        vgpu_proto_limits_default(&lim, c->d.data_size);
        rsp.status = (uint32_t)vgpu_proto_check_req(req, &lim);
    } else {
        rsp.status = VGPU_S_UNSUPPORTED;
    }
    vgpu_back_put_rsp(&c->ring, &rsp);
    c->answered++;
}

/* Drain the ring: snapshot, copy, answer, push, arm, look again. */
/* The core counts throttles for its metrics; the test backend does not. */
void vgpu_be_chan_throttled(struct vgpu_be_chan *c)
{
    (void)c;
}

void vgpu_be_chan_kick(struct vgpu_be_chan *c)
{
    struct vgpu_req req;
    uint32_t ready;

    for (;;) {
        if (!vgpu_back_snapshot(&c->ring, &ready)) {
            nr_violations++;
            printf("VGPU-BACK-VIOLATION %s: producer index beyond the ring\n", c->d.label);
            chan_release(c, "protocol violation");
            return;
        }
        while (ready--) {
            vgpu_back_take_req(&c->ring, &req);
            answer(c, &req);
        }
        if (vgpu_back_push(&c->ring))
            c->d.ops->notify(c->d.tctx);
        if (!vgpu_back_arm(&c->ring))
            return;
    }
}

void vgpu_be_chan_detach(struct vgpu_be_chan *c)
{
    chan_release(c, "detached");
}

static void on_signal(int sig)
{
    stop_flag = 1;
}

int main(int argc, char **argv)
{
    struct vgpu_be be = {
        .limits = {.max_ring_order = 2,
                   .max_data_pages = 1024,
                   .max_channels_per_vm = 8,
                   .kick_budget = 2000,
                   .kick_window_ms = 10,
                   .xen_max_grants = VGPU_XEN_MAX_GRANTS_DEFAULT,
                   .xen_max_grants_per_domain = VGPU_XEN_MAX_GRANTS_PER_DOMAIN_DEFAULT}};
    struct epoll_event evs[16];
    void *state = NULL;
    int n, i, err;

    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    be.loop.epfd = epoll_create1(EPOLL_CLOEXEC);
    err = vgpu_be_xen_transport.start(&be, &state);
    if (err) {
        printf("VGPU-BACK-START-FAILED %s\n", strerror(-err));
        return 1;
    }
    printf("VGPU-BACK-READY\n");
    fflush(stdout);
    while (!stop_flag) {
        n = epoll_wait(be.loop.epfd, evs, 16, 1000);
        for (i = 0; i < n; i++) {
            struct loop_entry *e = evs[i].data.ptr;

            e->cb(e->ctx, evs[i].events);
        }
    }
    vgpu_be_xen_transport.stop(state);
    printf("VGPU-BACK-EXIT attached=%lu released=%lu violations=%lu\n", nr_attached, nr_released,
           nr_violations);
    return 0;
}
