/* xen_transport.c: vgpud's Xen transport: handles, watches and the event loop glue. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include "xen_internal.h"

uint64_t vgpu_xen__now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Fire the throttle timer at the end of the current kick window. Returns 0 or -errno. */
int vgpu_xen__arm_timer(struct vgpu_xen *x)
{
    uint64_t ns = (uint64_t)x->limits.kick_window_ms * 1000000;
    struct itimerspec its = {
        .it_value = {.tv_sec = (time_t)(ns / 1000000000), .tv_nsec = (long)(ns % 1000000000)}};

    return timerfd_settime(x->timer_fd, 0, &its, NULL) ? -errno : 0;
}

static void vgpu_xen_free(struct vgpu_xen *x)
{
    if (x->timer_fd >= 0)
        close(x->timer_fd);
    if (x->xce)
        xenevtchn_close(x->xce);
    if (x->xgt)
        xengnttab_close(x->xgt);
    if (x->xs)
        xs_close(x->xs);
    free(x);
}

/* Drop a reference; the last one (after stop and every release) frees the state. */
void vgpu_xen__put(struct vgpu_xen *x)
{
    if (--x->refs == 0)
        vgpu_xen_free(x);
}

/*
 * xenstore watches fired: note what each event concerns, then reconcile
 * just that (events are hints; a guest's writes cost only its own device).
 */
static void vgpu_xen_on_xs(void *ctx, uint32_t events)
{
    struct vgpu_xen *x = ctx;
    bool any = false;
    char **vec;

    while ((vec = xs_check_watch(x->xs)) != NULL) {
        vgpu_xen__note_watch(x, vec[XS_WATCH_PATH], vec[XS_WATCH_TOKEN]);
        free(vec);
        any = true;
    }
    if (errno != EAGAIN && !any)
        vgpu_be_log_ratelimited(LOG_ERR, x, "xen: reading xenstore watches failed: %s",
                                strerror(errno));
    if (any)
        vgpu_xen__sync_noted(x);
}

/* Event channels: pending -> channel by port -> unmask -> kick (or throttle). */
static void vgpu_xen_on_evtchn(void *ctx, uint32_t events)
{
    struct vgpu_xen *x = ctx;
    struct vgpu_xen_chan *c;
    xenevtchn_port_or_error_t port;
    unsigned int budget = 1024; /* bounded work per wake-up */

    while (budget-- > 0 && (port = xenevtchn_pending(x->xce)) >= 0) {
        c = vgpu_xen__chan_by_port(x, port);
        if (!c) {
            /* A port we just unbound: unmasking is harmless and keeps it clean. */
            xenevtchn_unmask(x->xce, port);
            continue;
        }
        vgpu_xen__chan_event(c);
    }
}

static void vgpu_xen_on_timer(void *ctx, uint32_t events)
{
    struct vgpu_xen *x = ctx;
    uint64_t expirations;

    if (read(x->timer_fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
        return;
    vgpu_xen__chan_unthrottle_all(x);
}

static bool vgpu_xen_nodes_present(void)
{
    return access("/dev/xen/gntdev", R_OK | W_OK) == 0 &&
           access("/dev/xen/evtchn", R_OK | W_OK) == 0;
}

static int vgpu_xen_open_handles(struct vgpu_xen *x)
{
    x->xs = xs_open(0);
    if (!x->xs) {
        vgpu_be_log(LOG_ERR, "xen: cannot connect to xenstored: %s; is xenstored running?",
                    strerror(errno));
        return -errno ? -errno : -EIO;
    }
    x->xgt = xengnttab_open(NULL, 0);
    x->xce = xenevtchn_open(NULL, 0);
    if (!x->xgt || !x->xce) {
        vgpu_be_log(LOG_ERR, "xen: cannot open %s: %s",
                    x->xgt ? "/dev/xen/evtchn" : "/dev/xen/gntdev", strerror(errno));
        return -errno ? -errno : -EIO;
    }
    /*
     * Our own budget is the limit (plus the directory page mapped for a moment). A host
     * buffer's directory pages, mapped for a moment, fit in the budget its pages passed:
     * those are mapped by the worker, through gntdev instances of their own.
     */
    xengnttab_set_max_grants(x->xgt, x->limits.xen_max_grants + 1u);
    x->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (x->timer_fd < 0)
        return -errno;
    return 0;
}

static int vgpu_xen_add_fds(struct vgpu_xen *x)
{
    int fd, err, flags;

    fd = xenevtchn_fd(x->xce);
    flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        return -errno;
    err = vgpu_be_loop_add(x->loop, fd, EPOLLIN, vgpu_xen_on_evtchn, x);
    if (err)
        return err;
    x->evtchn_fd = fd;
    err = vgpu_be_loop_add(x->loop, x->timer_fd, EPOLLIN, vgpu_xen_on_timer, x);
    if (err)
        return err;
    fd = xs_fileno(x->xs);
    if (fd < 0)
        return -EIO;
    err = vgpu_be_loop_add(x->loop, fd, EPOLLIN, vgpu_xen_on_xs, x);
    if (err)
        return err;
    x->xs_fd = fd;
    return 0;
}

static void vgpu_xen_del_fds(struct vgpu_xen *x)
{
    if (x->xs_fd >= 0)
        vgpu_be_loop_del(x->loop, x->xs_fd);
    if (x->evtchn_fd >= 0)
        vgpu_be_loop_del(x->loop, x->evtchn_fd);
    if (x->timer_fd >= 0 && x->loop)
        vgpu_be_loop_del(x->loop, x->timer_fd);
    x->xs_fd = x->evtchn_fd = -1;
}

static void vgpu_xen_stop(void *state)
{
    struct vgpu_xen *x = state;

    if (!x)
        return;
    x->stopping = true;
    vgpu_xen__dev_drop_all(x);
    if (x->xs) {
        xs_unwatch(x->xs, VGPU_XEN_BACKEND_ROOT, "vgpu-be");
        xs_unwatch(x->xs, "@releaseDomain", "vgpu-release");
        xs_unwatch(x->xs, "@introduceDomain", "vgpu-introduce");
    }
    vgpu_xen_del_fds(x);
    vgpu_xen__put(x);
}

static int vgpu_xen_start(struct vgpu_be *be, void **state)
{
    struct vgpu_xen *x;
    int err;

    *state = NULL;
    if (!vgpu_xen_nodes_present()) {
        vgpu_be_log(LOG_INFO, "Xen device nodes not present (/dev/xen/gntdev, "
                              "/dev/xen/evtchn): Xen transport disabled");
        return -ENODEV;
    }
    x = calloc(1, sizeof(*x));
    if (!x)
        return -ENOMEM;
    x->be = be;
    x->loop = vgpu_be_get_loop(be);
    x->limits = *vgpu_be_get_limits(be);
    x->refs = 1;
    x->xs_fd = x->evtchn_fd = x->timer_fd = -1;
    err = vgpu_xen_open_handles(x);
    if (err)
        goto fail;
    err = vgpu_xen_add_fds(x);
    if (err) {
        vgpu_be_log(LOG_ERR, "xen: cannot add the Xen fds to the event loop: %s", strerror(-err));
        goto fail;
    }
    if (!xs_watch(x->xs, VGPU_XEN_BACKEND_ROOT, "vgpu-be") ||
        !xs_watch(x->xs, "@releaseDomain", "vgpu-release") ||
        !xs_watch(x->xs, "@introduceDomain", "vgpu-introduce")) {
        err = -errno;
        vgpu_be_log(LOG_ERR, "xen: cannot watch %s: %s", VGPU_XEN_BACKEND_ROOT, strerror(errno));
        goto fail;
    }
    vgpu_be_log(LOG_INFO,
                "xen: watching %s (limits: ring order %u, %u data pages, "
                "%u channels per device, %u grant pages, %u per domain)",
                VGPU_XEN_BACKEND_ROOT, x->limits.max_ring_order, x->limits.max_data_pages,
                x->limits.max_channels_per_vm, x->limits.xen_max_grants,
                x->limits.xen_max_grants_per_domain);
    vgpu_xen__scan(x);
    *state = x;
    return 0;

fail:
    vgpu_xen_stop(x);
    return err;
}

const struct vgpu_be_transport vgpu_be_xen_transport = {
    "xen",
    vgpu_xen_start,
    vgpu_xen_stop,
};
