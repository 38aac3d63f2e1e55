/* loop.c: vgpud's epoll event loop, with adaptive polling of the rings before it sleeps. */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>
#include "vgpud.h"

struct io_watch {
    int fd;
    vgpu_be_io_cb cb;
    void *ctx;
    struct io_watch *next;
};

struct vgpu_be_loop {
    int epfd;
    bool stop;
    struct io_watch *watches; /* freed lazily: a callback may delete its own watch */
    struct io_watch *dead;
};

uint64_t vgpu_be_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int vgpu_be__loop_create(struct vgpu_be_loop **out)
{
    struct vgpu_be_loop *l = calloc(1, sizeof(*l));

    if (!l)
        return -ENOMEM;
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (l->epfd < 0) {
        int e = errno;
        free(l);
        return -e;
    }
    *out = l;
    return 0;
}

static void free_list(struct io_watch *w)
{
    while (w) {
        struct io_watch *n = w->next;
        free(w);
        w = n;
    }
}

void vgpu_be__loop_destroy(struct vgpu_be_loop *l)
{
    if (!l)
        return;
    close(l->epfd);
    free_list(l->watches);
    free_list(l->dead);
    free(l);
}

int vgpu_be_loop_add(struct vgpu_be_loop *l, int fd, uint32_t events, vgpu_be_io_cb cb, void *ctx)
{
    struct io_watch *w = calloc(1, sizeof(*w));
    struct epoll_event ev = {.events = events};

    if (!w)
        return -ENOMEM;
    w->fd = fd;
    w->cb = cb;
    w->ctx = ctx;
    ev.data.ptr = w;
    if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        int e = errno;
        free(w);
        return -e;
    }
    w->next = l->watches;
    l->watches = w;
    return 0;
}

int vgpu_be_loop_del(struct vgpu_be_loop *l, int fd)
{
    struct io_watch **p;

    for (p = &l->watches; *p; p = &(*p)->next) {
        struct io_watch *w = *p;
        if (w->fd != fd)
            continue;
        epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
        *p = w->next;
        w->cb = NULL; /* events already fetched for it are ignored */
        w->next = l->dead;
        l->dead = w;
        return 0;
    }
    return -ENOENT;
}

struct vgpu_be_loop *vgpu_be_get_loop(struct vgpu_be *be)
{
    return be->loop;
}

void vgpu_be__loop_stop(struct vgpu_be_loop *l)
{
    l->stop = true;
}

/* Wait up to timeout_ms and run the callbacks. Returns the number of events. */
static int loop_once(struct vgpu_be_loop *l, int timeout_ms)
{
    struct epoll_event ev[32];
    int n, i;

    n = epoll_wait(l->epfd, ev, 32, timeout_ms);
    if (n < 0)
        return errno == EINTR ? 0 : -errno;
    for (i = 0; i < n; i++) {
        struct io_watch *w = ev[i].data.ptr;
        if (w->cb)
            w->cb(w->ctx, ev[i].events);
    }
    free_list(l->dead);
    l->dead = NULL;
    return n;
}

/*
 * Step *n of a spin: a pause; past the first SPIN_PURE steps (a few microseconds, where a fast
 * answer lands), sched_yield() every SPIN_YIELD_EVERY steps. The job path has up to five spinning
 * parties (client, vgpud's loop, the pool thread, its wait on the worker, the worker); where they
 * outnumber the cores, a thread one of them woke used to wait for a spin window to run out
 * (docs/performance.md, "The worker hop").
 */
#define SPIN_PURE        64u
#define SPIN_YIELD_EVERY 8u

static inline void cpu_relax(uint32_t *n)
{
    if (++*n > SPIN_PURE && *n % SPIN_YIELD_EVERY == 0) {
        sched_yield();
        return;
    }
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* One pass over every ring and the completions; true if anything was done. */
static bool poll_pass(struct vgpu_be *be)
{
    struct vgpu_be_chan *c, *next;
    bool any = vgpu_be__done_drain(be) | vgpu_be__job_loop_poll(be);

    for (c = be->chans; c; c = next) {
        next = c->next;
        any |= vgpu_be__chan_poll(c);
    }
    return any;
}

/*
 * Spin over the rings for up to poll_ns after the last activity, with the
 * guests told not to signal us (event index disarmed); then arm and sleep.
 */
static void spin(struct vgpu_be *be)
{
    uint64_t start = vgpu_be_now(), last = start, now = start;
    uint32_t spins = 0;

    be->armed = false;
    vgpu_be__chans_arm(be, false);
    while (!be->loop->stop && now - last < be->cfg.poll_ns) {
        bool rings = poll_pass(be);
        /* Not short-circuited: a busy ring must not hide the other event sources. */
        if (loop_once(be->loop, 0) > 0 || rings) {
            last = vgpu_be_now();
            spins = 0;
        }
        cpu_relax(&spins);
        now = vgpu_be_now();
    }
    be->poll_spin_ns += now - start;
    be->armed = true;
    vgpu_be__chans_arm(be, true);
}

int vgpu_be__loop_run(struct vgpu_be *be)
{
    struct vgpu_be_loop *l = be->loop;
    int n = 0;

    be->loop_runs = true;
    while (!l->stop) {
        vgpu_be__job_loop_sleep(be, false); /* it will not poll the workers' rings asleep */
        if ((n = loop_once(l, -1)) < 0)
            break;
        /*
         * Serve what is there, spin for a while if asked to, and look once
         * more after re-arming: a request pushed while we were disarmed sent
         * no kick, so it must be found here before we sleep.
         */
        do {
            /* Between passes, the other event sources (control, xenstore, signals). */
            while (!l->stop && poll_pass(be))
                if (loop_once(l, 0) < 0)
                    break;
            if (be->cfg.poll_ns && be->chans && !l->stop)
                spin(be);
        } while (!l->stop && poll_pass(be));
    }
    vgpu_be__job_loop_sleep(be, true);
    return n < 0 ? n : 0;
}
