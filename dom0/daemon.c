/* daemon.c: vgpud's set-up, run and orderly shutdown. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>
#include "vgpud.h"

#define SHUTDOWN_WAIT_NS (15ull * 1000000000ull) /* running jobs get this long to finish */

static int add_pool_cb(const struct vgpu_store_pool *pool, void *ctx)
{
    return vgpu_be__pool_ensure(ctx, pool->name);
}

static int open_store(struct vgpu_be *be)
{
    int r = vgpu_store_open(be->cfg.db_path, VGPU_STORE_RDONLY, &be->store);

    if (r < 0) {
        vgpu_be_log(LOG_ERR, "cannot open the config store %s: %s", be->cfg.db_path,
                    be->store ? vgpu_store_errmsg(be->store) : strerror(-r));
        vgpu_store_close(be->store);
        be->store = NULL;
    }
    return r;
}

static void on_done(void *ctx, uint32_t events)
{
    struct vgpu_be *be = ctx;
    uint64_t v;

    (void)events;
    while (read(be->done_fd, &v, sizeof(v)) == sizeof(v))
        ;
    vgpu_be__done_drain(be);
}

static int sig_fd = -1;

static void on_signal(void *ctx, uint32_t events)
{
    struct vgpu_be *be = ctx;
    struct signalfd_siginfo si;

    (void)events;
    if (read(sig_fd, &si, sizeof(si)) == sizeof(si)) {
        vgpu_be_log(LOG_NOTICE, "signal %u: shutting down", si.ssi_signo);
        vgpu_be__loop_stop(be->loop);
    }
}

static int setup_signals(struct vgpu_be *be)
{
    sigset_t set;

    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* before the pool threads: they inherit it */
    sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sig_fd < 0)
        return -errno;
    return vgpu_be_loop_add(be->loop, sig_fd, EPOLLIN, on_signal, be);
}

static bool wants(const char *list, const char *name)
{
    size_t n = strlen(name);
    const char *p = list;

    while ((p = strstr(p, name))) {
        if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return true;
        p += n;
    }
    return false;
}

static int start_transports(struct vgpu_be *be)
{
    const struct vgpu_be_transport *all[] = {&vgpu_be_local_transport,
#ifdef VGPU_HAVE_XEN
                                             &vgpu_be_xen_transport,
#endif
                                             NULL};
    int r;

    for (int i = 0; all[i]; i++) {
        if (!wants(be->cfg.transports, all[i]->name))
            continue;
        r = all[i]->start(be, &be->tstate[be->ntransports]);
        if (r == -ENODEV)
            continue; /* the transport said why */
        if (r < 0)
            return r;
        be->transports[be->ntransports++] = all[i];
    }
#ifndef VGPU_HAVE_XEN
    if (wants(be->cfg.transports, "xen"))
        vgpu_be_log(LOG_NOTICE, "Xen transport not built in (vgpud was built without libxen-dev)");
#endif
    if (be->ntransports == 0) {
        vgpu_be_log(LOG_ERR, "no transport could start (asked for: %s)", be->cfg.transports);
        return -ENODEV;
    }
    return 0;
}

/* Create the directory a socket lives in (default /run/vgpu) if it is missing. */
static void ensure_parent_dir(const char *path)
{
    char dir[256];
    char *slash;

    snprintf(dir, sizeof(dir), "%s", path);
    slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return;
    *slash = '\0';
    if (mkdir(dir, 0755) == 0)
        vgpu_be_log(LOG_INFO, "created %s", dir);
}

static int setup(struct vgpu_be *be)
{
    struct vgpu_sched_params sp = {.no_default_pools = true};
    int r;

    pthread_mutex_init(&be->lock, NULL);
    pthread_cond_init(&be->hop_free, NULL);
    be->armed = true;
    be->ctl_fd = be->done_fd = be->watchdog_fd = be->log_fd = be->log_wfd = be->worker_exe = -1;
    be->started_ns = vgpu_be_now();
    if ((r = open_store(be)) < 0)
        return r;
    if ((r = vgpu_sched_create(&be->sched, &sp)) < 0 || (r = vgpu_be__loop_create(&be->loop)) < 0)
        return r;
    if ((r = vgpu_be__workers_setup(be)) < 0)
        return r;
    if ((r = setup_signals(be)) < 0)
        return r;
    be->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (be->done_fd < 0)
        return -errno;
    if ((r = vgpu_be_loop_add(be->loop, be->done_fd, EPOLLIN, on_done, be)) < 0)
        return r;
    if ((r = vgpu_store_pool_list(be->store, add_pool_cb, be)) < 0)
        return r;
    if ((r = vgpu_be__execlog_open(be)) < 0) {
        vgpu_be_log(LOG_ERR, "cannot write the execution log %s: %s", be->cfg.exec_log,
                    strerror(-r));
        return r;
    }
    if ((r = vgpu_be__watchdog_start(be)) < 0)
        return r;
    ensure_parent_dir(be->cfg.ctl_path);
    ensure_parent_dir(be->cfg.socket_path);
    if ((r = vgpu_be__ctl_start(be)) < 0 || (r = vgpu_be__metrics_start(be)) < 0)
        return r;
    return start_transports(be);
}

/* Answer finished jobs until no channel is left or the deadline passes. */
static void wait_channels(struct vgpu_be *be, uint64_t deadline)
{
    while (be->chans && vgpu_be_now() < deadline) {
        struct epoll_event ev;
        int epfd = epoll_create1(EPOLL_CLOEXEC);
        ev.events = EPOLLIN;
        epoll_ctl(epfd, EPOLL_CTL_ADD, be->done_fd, &ev);
        epoll_wait(epfd, &ev, 1, 100);
        close(epfd);
        on_done(be, 0);
    }
}

/* Close every channel, then wait (bounded) for jobs still running; then kill their workers. */
static void drain_channels(struct vgpu_be *be)
{
    struct vgpu_be_chan *c, *next;

    for (c = be->chans; c; c = next) {
        next = c->next;
        vgpu_be__chan_shutdown(c);
    }
    wait_channels(be, vgpu_be_now() + SHUTDOWN_WAIT_NS);
    if (!be->chans)
        return;
    vgpu_be_log(LOG_WARNING, "shutdown: jobs still running after %llu s; killing their workers",
                SHUTDOWN_WAIT_NS / 1000000000ull);
    vgpu_be__workers_abort(be); /* their pool threads see it and answer the jobs */
    wait_channels(be, vgpu_be_now() + SHUTDOWN_WAIT_NS);
}

static void teardown(struct vgpu_be *be)
{
    struct vgpu_be_vm *vm, *next;

    if (be->loop)
        drain_channels(be);
    vgpu_be__pools_stop(be);
    vgpu_be__workers_stop(be);
    vgpu_be__worker_log_stop(be);
    for (unsigned i = 0; i < be->ntransports; i++)
        be->transports[i]->stop(be->tstate[i]);
    vgpu_be__ctl_stop(be);
    vgpu_be__metrics_stop(be);
    vgpu_be__watchdog_stop(be);
    for (vm = be->vms; vm; vm = next) {
        next = vm->next;
        pthread_mutex_destroy(&vm->lock);
        free(vm);
    }
    vgpu_sched_destroy(be->sched);
    vgpu_store_close(be->store);
    if (be->exec_log)
        fclose(be->exec_log);
    if (be->done_fd >= 0)
        close(be->done_fd);
    if (be->worker_exe >= 0)
        close(be->worker_exe);
    if (sig_fd >= 0)
        close(sig_fd);
    vgpu_be__loop_destroy(be->loop);
    pthread_cond_destroy(&be->hop_free);
    pthread_mutex_destroy(&be->lock);
}

int vgpu_be__daemon_run(struct vgpu_be *be)
{
    int r = setup(be);

    if (r == 0) {
        vgpu_be_log(LOG_INFO, "ready");
        r = vgpu_be__loop_run(be);
    }
    teardown(be);
    vgpu_be_log(LOG_INFO, "stopped");
    return r;
}
