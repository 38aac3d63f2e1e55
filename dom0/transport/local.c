/* local.c: the local transport: a unix socket; ring and data area in a sealed memfd; eventfd kicks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>
#include "local_hb.h"
#include "vgpu_local.h"
#include "transport.h"
#include "vgpu_store.h"

/*
 * Connections that have not said hello yet cost an fd each and prove
 * nothing: at most MAX_PENDING of them are kept (a new one pushes out the
 * oldest), and each gets HELLO_TIMEOUT_NS to send its hello. When accept
 * fails for want of fds the listening socket is ignored for ACCEPT_PAUSE_NS
 * (it stays readable, and the loop would spin on it).
 */
#define MAX_PENDING      64u
#define HELLO_TIMEOUT_NS (2ull * 1000 * 1000 * 1000)
#define ACCEPT_PAUSE_NS  (100ull * 1000 * 1000)

struct local_conn;

struct local_state {
    struct vgpu_be *be;
    int listen_fd;
    int sweep_fd; /* timerfd: hello deadlines and accept pauses */
    bool accept_paused;
    struct local_conn *pending; /* before the hello, oldest first */
    unsigned npending;
    char path[108];
};

/* One client: from accept to release. */
struct local_conn {
    struct local_state *ls;
    int sock, memfd, kick_fd, notify_fd;
    void *map;
    size_t map_len;
    struct vgpu_be_chan *chan;
    pid_t pid;
    uid_t uid;
    uint64_t kick_window;              /* start of the current rate window */
    uint32_t kicks;                    /* kicks in it */
    int throttle_fd;                   /* timerfd while kicks are ignored, else -1 */
    uint64_t accepted_ns;              /* for the hello deadline */
    struct local_conn *pnext, **pprev; /* on ls->pending until the hello */
    struct vgpu_local_hb_pending hb;   /* host-buffer memfds not yet claimed by a MAP */
};

static void pending_remove(struct local_conn *lc)
{
    if (!lc->pprev)
        return;
    *lc->pprev = lc->pnext;
    if (lc->pnext)
        lc->pnext->pprev = lc->pprev;
    lc->pnext = NULL;
    lc->pprev = NULL;
    lc->ls->npending--;
}

static void conn_free(struct local_conn *lc)
{
    struct vgpu_be_loop *l = vgpu_be_get_loop(lc->ls->be);

    pending_remove(lc);

    if (lc->sock >= 0) {
        vgpu_be_loop_del(l, lc->sock);
        close(lc->sock);
    }
    if (lc->kick_fd >= 0) {
        vgpu_be_loop_del(l, lc->kick_fd);
        close(lc->kick_fd);
    }
    if (lc->throttle_fd >= 0) {
        vgpu_be_loop_del(l, lc->throttle_fd);
        close(lc->throttle_fd);
    }
    if (lc->notify_fd >= 0)
        close(lc->notify_fd);
    if (lc->memfd >= 0)
        close(lc->memfd);
    if (lc->map)
        munmap(lc->map, lc->map_len);
    vgpu_be__local_hb_clear(&lc->hb);
    free(lc);
}

static void op_notify(void *tctx)
{
    struct local_conn *lc = tctx;
    uint64_t one = 1;

    if (write(lc->notify_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
        vgpu_be_log_ratelimited(LOG_WARNING, lc, "local pid %d: notify: %s", (int)lc->pid,
                                strerror(errno));
}

static void op_release(void *tctx)
{
    conn_free(tctx);
}

static uint32_t op_hostbuf_take(void *tctx, const struct vgpu_req_hostbuf_map *m, int *fd)
{
    struct local_conn *lc = tctx;
    uint32_t st = vgpu_be__local_hb_take(&lc->hb, lc->sock, m->buf, m->size, fd);

    /* grant_dir is the Xen transport's; here it must be zero. Taken (and closed) either way. */
    if (st == VGPU_S_OK && m->grant_dir != 0) {
        close(*fd);
        *fd = -1;
        st = VGPU_S_BAD_FIELD;
    }
    return st;
}

static const struct vgpu_be_chan_ops local_chan_ops = {
    .notify = op_notify,
    .release = op_release,
    .hostbuf_take = op_hostbuf_take,
};

static void on_kick(void *ctx, uint32_t events);

/* The client is gone, or cannot be served: no more events; release() frees lc, maybe later. */
static void conn_drop(struct local_conn *lc)
{
    struct vgpu_be_chan *c = lc->chan;
    struct vgpu_be_loop *l = vgpu_be_get_loop(lc->ls->be);

    vgpu_be_loop_del(l, lc->sock);
    vgpu_be_loop_del(l, lc->kick_fd);
    if (lc->throttle_fd >= 0)
        vgpu_be_loop_del(l, lc->throttle_fd);
    lc->chan = NULL;
    vgpu_be_chan_detach(c);
}

static void on_unthrottle(void *ctx, uint32_t events)
{
    struct local_conn *lc = ctx;
    struct vgpu_be_loop *l = vgpu_be_get_loop(lc->ls->be);

    (void)events;
    vgpu_be_loop_del(l, lc->throttle_fd);
    close(lc->throttle_fd);
    lc->throttle_fd = -1;
    lc->kicks = 0;
    lc->kick_window = vgpu_be_now();
    if (!lc->chan)
        return;
    if (vgpu_be_loop_add(l, lc->kick_fd, EPOLLIN | EPOLLET, on_kick, lc) < 0) {
        vgpu_be_log(LOG_ERR, "local pid %d: cannot watch its kick fd again: channel closed",
                    (int)lc->pid);
        conn_drop(lc);
    } else
        vgpu_be_chan_kick(lc->chan); /* what came in while we did not listen */
}

/* Stop listening to the client's kicks for one window. */
static void throttle(struct local_conn *lc)
{
    const struct vgpu_be_limits *lim = vgpu_be_get_limits(lc->ls->be);
    uint64_t ns = (uint64_t)lim->kick_window_ms * 1000000;
    struct itimerspec its = {
        .it_value = {.tv_sec = (time_t)(ns / 1000000000), .tv_nsec = (long)(ns % 1000000000)}};
    struct vgpu_be_loop *l = vgpu_be_get_loop(lc->ls->be);

    lc->throttle_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (lc->throttle_fd < 0 || timerfd_settime(lc->throttle_fd, 0, &its, NULL) < 0 ||
        vgpu_be_loop_add(l, lc->throttle_fd, EPOLLIN, on_unthrottle, lc) < 0) {
        if (lc->throttle_fd >= 0)
            close(lc->throttle_fd);
        lc->throttle_fd = -1;
        return; /* no timer: keep serving the kicks */
    }
    vgpu_be_loop_del(l, lc->kick_fd);
    vgpu_be_chan_throttled(lc->chan);
    vgpu_be_log_ratelimited(LOG_WARNING, lc,
                            "local pid %d: event storm (%u kicks in %u ms): "
                            "kicks ignored for %u ms",
                            (int)lc->pid, lc->kicks, lim->kick_window_ms, lim->kick_window_ms);
}

static void on_kick(void *ctx, uint32_t events)
{
    struct local_conn *lc = ctx;
    const struct vgpu_be_limits *lim = vgpu_be_get_limits(lc->ls->be);
    uint64_t now;

    (void)events;
    /*
     * The kick fd is edge-triggered: every write by the client is an event
     * of its own, so the counter is never read (one syscall less per kick;
     * it would take 2^64 kicks to saturate it).
     */
    if (!lc->chan)
        return;
    now = vgpu_be_now();
    if (now - lc->kick_window > (uint64_t)lim->kick_window_ms * 1000000) {
        lc->kick_window = now;
        lc->kicks = 0;
    }
    if (++lc->kicks > lim->kick_budget) {
        throttle(lc);
        return;
    }
    vgpu_be_chan_kick(lc->chan);
}

static void on_sock(void *ctx, uint32_t events);

static void send_welcome(struct local_conn *lc, uint32_t status, const struct vgpu_be_identity *id,
                         const char *msg)
{
    const struct vgpu_be_limits *lim = vgpu_be_get_limits(lc->ls->be);
    struct vgpu_local_welcome w;

    memset(&w, 0, sizeof(w));
    w.magic = VGPU_LOCAL_MAGIC;
    w.status = status;
    w.max_ring_order = lim->max_ring_order;
    w.max_data_pages = lim->max_data_pages;
    if (id) {
        w.vm_id = id->vm_id;
        w.priority = (uint32_t)id->priority;
        snprintf(w.pool, sizeof(w.pool), "%s", id->pool);
    }
    snprintf(w.message, sizeof(w.message), "%s", msg ? msg : "");
    if (send(lc->sock, &w, sizeof(w), MSG_NOSIGNAL) != sizeof(w))
        vgpu_be_log_ratelimited(LOG_INFO, lc->ls->path, "local pid %d: welcome not delivered",
                                (int)lc->pid);
}

/*
 * Receive the hello and its three descriptors. Returns 0 or a vgpu status.
 * The control buffer has room for more than three so that a client sending
 * more is seen (and every descriptor closed) rather than cut short by the
 * kernel in a way the checks below could miss.
 */
static uint32_t recv_hello(struct local_conn *lc, struct vgpu_local_hello *h)
{
    union {
        char buf[CMSG_SPACE(16 * sizeof(int))];
        struct cmsghdr align;
    } cbuf;
    struct iovec iov = {.iov_base = h, .iov_len = sizeof(*h)};
    struct msghdr msg = {.msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = cbuf.buf,
                         .msg_controllen = sizeof(cbuf.buf)};
    struct cmsghdr *cm;
    ssize_t n = recvmsg(lc->sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
    int fds[3];

    if (n < 0)
        return VGPU_S_PROTOCOL;
    cm = CMSG_FIRSTHDR(&msg);
    if (n != sizeof(*h) || !cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
        cm->cmsg_len != CMSG_LEN(3 * sizeof(int)) || CMSG_NXTHDR(&msg, cm) ||
        (msg.msg_flags & MSG_CTRUNC)) {
        vgpu_local_close_passed_fds(&msg);
        return VGPU_S_PROTOCOL;
    }
    memcpy(fds, CMSG_DATA(cm), sizeof(fds));
    lc->memfd = fds[0];
    lc->kick_fd = fds[1];
    lc->notify_fd = fds[2];
    if (h->magic != VGPU_LOCAL_MAGIC || h->version != VGPU_LOCAL_VERSION || h->rsvd0)
        return VGPU_S_VERSION;
    /* The kick and notify descriptors must be eventfds: a file or a FIFO could block the loop. */
    if (!vgpu_local_fd_is(lc->kick_fd, "anon_inode:[eventfd]") ||
        !vgpu_local_fd_is(lc->notify_fd, "anon_inode:[eventfd]"))
        return VGPU_S_BAD_FIELD;
    return VGPU_S_OK;
}

/* Map the client's memfd: it must be sealed against shrinking and large enough. */
static uint32_t map_memfd(struct local_conn *lc, const struct vgpu_local_hello *h)
{
    const struct vgpu_be_limits *lim = vgpu_be_get_limits(lc->ls->be);
    size_t need;
    struct stat st;
    int seals = fcntl(lc->memfd, F_GET_SEALS);

    if (h->ring_order > lim->max_ring_order || h->data_pages == 0 ||
        h->data_pages > lim->max_data_pages)
        return VGPU_S_BAD_FIELD;
    if (seals < 0 || !(seals & F_SEAL_SHRINK) || fstat(lc->memfd, &st) < 0)
        return VGPU_S_BAD_FIELD;
    need = vgpu_ring_bytes(h->ring_order) + (size_t)h->data_pages * VGPU_PAGE_SIZE;
    if ((uint64_t)st.st_size < need)
        return VGPU_S_BAD_FIELD;
    lc->map = mmap(NULL, need, PROT_READ | PROT_WRITE, MAP_SHARED, lc->memfd, 0);
    if (lc->map == MAP_FAILED) {
        lc->map = NULL;
        return VGPU_S_NO_MEMORY;
    }
    lc->map_len = need;
    return VGPU_S_OK;
}

/* Who may the peer act as? Only what the config store says. */
static uint32_t resolve(struct local_conn *lc, const struct vgpu_local_hello *h,
                        struct vgpu_be_identity *id, char *why, size_t whylen)
{
    struct vgpu_store *store = vgpu_be_get_store(lc->ls->be);
    struct vgpu_store_vm vm;
    char inst[sizeof(h->instance) + 1];
    int r;

    memcpy(inst, h->instance, sizeof(h->instance));
    inst[sizeof(h->instance)] = '\0';
    if (!inst[0]) {
        snprintf(why, whylen, "no instance named (set VGPU_INSTANCE)");
        return VGPU_S_DENIED;
    }
    r = store ? vgpu_store_vm_find(store, inst, &vm) : -ENOENT;
    if (r < 0) {
        snprintf(why, whylen, "instance '%.40s' is not registered", inst);
        return VGPU_S_DENIED;
    }
    if (lc->uid != 0 && (vm.uid < 0 || (uid_t)vm.uid != lc->uid)) {
        snprintf(why, whylen, "uid %u may not act as '%.30s'", (unsigned)lc->uid, inst);
        return VGPU_S_DENIED;
    }
    memset(id, 0, sizeof(*id));
    snprintf(id->vm_uuid, sizeof(id->vm_uuid), "%s", vm.uuid);
    snprintf(id->vm_name, sizeof(id->vm_name), "%s", vm.name);
    snprintf(id->pool, sizeof(id->pool), "%s", vm.pool);
    id->vm_id = vm.vm_id;
    id->priority = vm.priority;
    id->mem_quota = vm.mem_quota;
    return VGPU_S_OK;
}

static uint32_t handshake(struct local_conn *lc, struct vgpu_be_identity *id, char *why,
                          size_t whylen)
{
    struct vgpu_local_hello h;
    struct vgpu_be_chan_desc d;
    uint32_t st;
    int r;

    if ((st = recv_hello(lc, &h)) != VGPU_S_OK) {
        snprintf(why, whylen,
                 st == VGPU_S_BAD_FIELD ? "kick and notify must be eventfds" : "malformed hello");
        return st;
    }
    if ((st = resolve(lc, &h, id, why, whylen)) != VGPU_S_OK)
        return st;
    if ((st = map_memfd(lc, &h)) != VGPU_S_OK) {
        snprintf(why, whylen, "ring/data area refused (sizes, seals or mapping)");
        return st;
    }
    memset(&d, 0, sizeof(d));
    d.sring = lc->map;
    d.ring_order = h.ring_order;
    d.data = (uint8_t *)lc->map + vgpu_ring_bytes(h.ring_order);
    d.data_size = (uint64_t)h.data_pages * VGPU_PAGE_SIZE;
    d.data_fd = lc->memfd; /* the worker maps the data area only, at its offset */
    d.data_fd_off = vgpu_ring_bytes(h.ring_order);
    d.id = *id;
    d.ops = &local_chan_ops;
    d.tctx = lc;
    snprintf(d.label, sizeof(d.label), "local pid %d", (int)lc->pid);
    fcntl(lc->kick_fd, F_SETFL, O_NONBLOCK);
    fcntl(lc->notify_fd, F_SETFL, O_NONBLOCK);
    r = vgpu_be_loop_add(vgpu_be_get_loop(lc->ls->be), lc->kick_fd, EPOLLIN | EPOLLET, on_kick, lc);
    if (r < 0) {
        snprintf(why, whylen, "internal error");
        return VGPU_S_INTERNAL;
    }
    r = vgpu_be_chan_attach(lc->ls->be, &d, &lc->chan);
    if (r == -EMFILE) {
        snprintf(why, whylen, "VM has its maximum of %u channels open",
                 vgpu_be_get_limits(lc->ls->be)->max_channels_per_vm);
        return VGPU_S_BUSY;
    }
    if (r == -EADDRINUSE) {
        snprintf(why, whylen,
                 "vm_id %u or VM %s has channels open as another VM: close them "
                 "first (was its vm_id changed without vgpud being told?)",
                 id->vm_id, id->vm_uuid);
        return VGPU_S_DENIED;
    }
    if (r < 0) {
        snprintf(why, whylen, "channel set-up failed: %s", strerror(-r));
        return VGPU_S_INTERNAL;
    }
    send_welcome(lc, VGPU_S_OK, id, NULL);
    return VGPU_S_OK;
}

static void on_sock(void *ctx, uint32_t events)
{
    struct local_conn *lc = ctx;
    struct vgpu_be_identity id;
    char why[160] = "";
    uint32_t st;

    if (lc->chan) {
        /* After the handshake the socket carries host-buffer memfds, and says when the client
         * is gone. */
        int r = (events & EPOLLIN) ? vgpu_be__local_hb_recv(lc->sock, &lc->hb) : 0;
        if (r == -EPROTO) /* only those messages may follow the hello: a broken client */
            vgpu_be_log_ratelimited(LOG_WARNING, lc,
                                    "local pid %d: data after the handshake "
                                    "that is not a host buffer's memfd (or one too many)",
                                    (int)lc->pid);
        if (r < 0 || (events & (EPOLLHUP | EPOLLERR | EPOLLRDHUP)))
            conn_drop(lc);
        return;
    }
    pending_remove(lc);
    st = handshake(lc, &id, why, sizeof(why));
    if (st == VGPU_S_OK)
        return;
    /* One key for all refusals: a client that retries in a loop cannot flood the log. */
    vgpu_be_log_ratelimited(LOG_NOTICE, lc->ls, "local pid %d uid %u refused: %s (%s)",
                            (int)lc->pid, (unsigned)lc->uid, why, vgpu_status_name((int)st));
    send_welcome(lc, st, NULL, why);
    conn_free(lc);
}

static void arm_sweep(struct local_state *ls, uint64_t ns)
{
    struct itimerspec its = {
        .it_value = {.tv_sec = (time_t)(ns / 1000000000), .tv_nsec = (long)(ns % 1000000000)}};

    timerfd_settime(ls->sweep_fd, 0, &its, NULL);
}

static void on_accept(void *ctx, uint32_t events);

/* Hello deadlines, and the end of an accept pause. */
static void on_sweep(void *ctx, uint32_t events)
{
    struct local_state *ls = ctx;
    uint64_t now = vgpu_be_now(), expirations;

    (void)events;
    if (read(ls->sweep_fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
        vgpu_be_log(LOG_DEBUG, "local: sweep timer: %s", strerror(errno));
    while (ls->pending && now - ls->pending->accepted_ns >= HELLO_TIMEOUT_NS) {
        vgpu_be_log_ratelimited(LOG_NOTICE, &ls->pending,
                                "local pid %d: no hello within %llu ms: closed",
                                (int)ls->pending->pid, HELLO_TIMEOUT_NS / 1000000);
        conn_free(ls->pending);
    }
    if (ls->accept_paused &&
        vgpu_be_loop_add(vgpu_be_get_loop(ls->be), ls->listen_fd, EPOLLIN, on_accept, ls) == 0)
        ls->accept_paused = false;
    if (ls->accept_paused)
        arm_sweep(ls, ACCEPT_PAUSE_NS);
    else if (ls->pending)
        arm_sweep(ls, ls->pending->accepted_ns + HELLO_TIMEOUT_NS - now);
}

/* Out of descriptors: make room, and stop listening for a moment. */
static void pause_accept(struct local_state *ls, int err)
{
    vgpu_be_log_ratelimited(LOG_WARNING, &ls->listen_fd,
                            "local: accept: %s: not accepting for %llu ms", strerror(err),
                            ACCEPT_PAUSE_NS / 1000000);
    if (ls->pending)
        conn_free(ls->pending);
    vgpu_be_loop_del(vgpu_be_get_loop(ls->be), ls->listen_fd);
    ls->accept_paused = true;
    arm_sweep(ls, ACCEPT_PAUSE_NS);
}

static void pending_add(struct local_state *ls, struct local_conn *lc)
{
    struct local_conn **tail = &ls->pending;

    if (ls->npending >= MAX_PENDING)
        conn_free(ls->pending); /* the oldest silent one makes room */
    while (*tail)
        tail = &(*tail)->pnext;
    lc->pprev = tail;
    *tail = lc;
    ls->npending++;
    if (ls->pending == lc && !ls->accept_paused)
        arm_sweep(ls, HELLO_TIMEOUT_NS);
}

static void on_accept(void *ctx, uint32_t events)
{
    struct local_state *ls = ctx;
    struct local_conn *lc;
    struct ucred cred;
    socklen_t len = sizeof(cred);
    int fd;

    (void)events;
    fd = accept4(ls->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
            pause_accept(ls, errno);
        return;
    }
    lc = calloc(1, sizeof(*lc));
    if (!lc || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
        free(lc);
        close(fd);
        return;
    }
    lc->ls = ls;
    lc->sock = fd;
    lc->memfd = lc->kick_fd = lc->notify_fd = lc->throttle_fd = -1;
    lc->pid = cred.pid;
    lc->uid = cred.uid;
    lc->accepted_ns = vgpu_be_now();
    if (vgpu_be_loop_add(vgpu_be_get_loop(ls->be), fd, EPOLLIN | EPOLLRDHUP, on_sock, lc) < 0) {
        close(fd);
        free(lc);
        return;
    }
    pending_add(ls, lc);
}

static int local_start(struct vgpu_be *be, void **state)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    const char *path = vgpu_be_get_socket_path(be);
    struct local_state *ls;
    int r;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        vgpu_be_log(LOG_ERR, "socket path too long: %s", path);
        return -ENAMETOOLONG;
    }
    ls = calloc(1, sizeof(*ls));
    if (!ls)
        return -ENOMEM;
    ls->be = be;
    snprintf(ls->path, sizeof(ls->path), "%s", path);
    memcpy(addr.sun_path, path, strlen(path) + 1); /* length checked above */
    ls->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    ls->sweep_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    unlink(path);
    if (ls->listen_fd < 0 || ls->sweep_fd < 0 ||
        bind(ls->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || chmod(path, 0666) < 0 ||
        listen(ls->listen_fd, 64) < 0) {
        r = -errno;
        vgpu_be_log(LOG_ERR, "cannot listen on %s: %s", path, strerror(errno));
        goto err_close;
    }
    r = vgpu_be_loop_add(vgpu_be_get_loop(be), ls->listen_fd, EPOLLIN, on_accept, ls);
    if (r == 0)
        r = vgpu_be_loop_add(vgpu_be_get_loop(be), ls->sweep_fd, EPOLLIN, on_sweep, ls);
    if (r < 0)
        goto err_close;
    vgpu_be_log(LOG_INFO, "local transport listening on %s", path);
    *state = ls;
    return 0;

err_close:
    if (ls->listen_fd >= 0) {
        vgpu_be_loop_del(vgpu_be_get_loop(be), ls->listen_fd);
        close(ls->listen_fd);
    }
    if (ls->sweep_fd >= 0)
        close(ls->sweep_fd);
    free(ls);
    return r;
}

static void local_stop(void *state)
{
    struct local_state *ls = state;

    if (!ls)
        return;
    while (ls->pending)
        conn_free(ls->pending);
    if (!ls->accept_paused)
        vgpu_be_loop_del(vgpu_be_get_loop(ls->be), ls->listen_fd);
    close(ls->listen_fd);
    vgpu_be_loop_del(vgpu_be_get_loop(ls->be), ls->sweep_fd);
    close(ls->sweep_fd);
    unlink(ls->path);
    free(ls);
}

const struct vgpu_be_transport vgpu_be_local_transport = {
    .name = "local",
    .start = local_start,
    .stop = local_stop,
};
