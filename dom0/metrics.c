/* metrics.c: vgpud's Prometheus endpoint (--metrics): libmicrohttpd driven by vgpud's own loop. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <syslog.h>
#include <unistd.h>
#include "metrics.h"
#include "vgpud.h"

#define METRICS_MAX_CONNECTIONS 16
#define METRICS_IDLE_TIMEOUT_S  10

/*
 * The HTTP server runs on the loop thread, like the control socket: MHD in
 * "external epoll" mode, its epoll fd watched by vgpud's loop and its
 * connection timeouts driven by a timerfd. So the status it reads is the
 * same the control socket answers, with the same locking, and no thread of
 * its own touches vgpud's objects.
 */
struct vgpu_be_metrics {
    struct vgpu_be *be;
    struct MHD_Daemon *mhd;
    int mhd_epfd; /* MHD's epoll fd (owned by MHD), -1 when not watched */
    int timer_fd; /* MHD's next timeout, -1 if none */
};

int vgpu_be__metrics_parse(const char *arg, struct sockaddr_storage *ss, char *err, size_t errlen)
{
    struct sockaddr_in *sin = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
    char host[64] = "127.0.0.1";
    const char *port = arg, *colon = strrchr(arg, ':');
    char *end;
    unsigned long p;

    memset(ss, 0, sizeof(*ss));
    if (colon) {
        size_t n = (size_t)(colon - arg);
        if (n >= sizeof(host) || n == 0)
            goto bad;
        memcpy(host, arg, n);
        host[n] = '\0';
        port = colon + 1;
    }
    errno = 0;
    p = strtoul(port, &end, 10);
    if (errno || end == port || *end || p > 65535 || port[0] == '-')
        goto bad;
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        host[strlen(host) - 1] = '\0';
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t)p);
        if (inet_pton(AF_INET6, host + 1, &sin6->sin6_addr) != 1)
            goto bad;
        return 0;
    }
    sin->sin_family = AF_INET;
    sin->sin_port = htons((uint16_t)p);
    if (inet_pton(AF_INET, host, &sin->sin_addr) == 1)
        return 0;
bad:
    snprintf(err, errlen,
             "expected PORT, IPV4:PORT or [IPV6]:PORT (e.g. %d, 127.0.0.1:%d, [::1]:%d)",
             VGPU_METRICS_DEFAULT_PORT, VGPU_METRICS_DEFAULT_PORT, VGPU_METRICS_DEFAULT_PORT);
    return -EINVAL;
}

static json_object *hist_json(const struct vgpu_sched_buckets *b)
{
    json_object *h = json_object_new_object(), *le = json_object_new_array();

    for (unsigned i = 0; i < b->n; i++)
        json_object_array_add(le, json_object_new_int64((int64_t)b->le[i]));
    json_object_object_add(h, "le", le);
    json_object_object_add(h, "sum_ns", json_object_new_int64((int64_t)b->sum_ns));
    json_object_object_add(h, "count", json_object_new_int64((int64_t)b->count));
    return h;
}

/* Add "wait_hist" and "run_hist" to a pool (pool != NULL) or VM object. Holds be->lock. */
static void add_hists(struct vgpu_be *be, json_object *o, const char *pool, uint32_t vm_id)
{
    static const char *const keys[] = {"wait_hist", "run_hist"};
    struct vgpu_sched_buckets b = {.n = VGPU_METRICS_NBOUNDS};
    int r;

    for (unsigned i = 0; i < VGPU_METRICS_NBOUNDS; i++)
        b.bound_ns[i] = vgpu_metrics_bound_ns(i);
    for (int k = 0; k < 2; k++) {
        enum vgpu_sched_dist_kind which = k ? VGPU_SCHED_DIST_RUN : VGPU_SCHED_DIST_WAIT;
        r = pool ? vgpu_sched_pool_buckets(be->sched, pool, which, &b)
                 : vgpu_sched_vm_buckets(be->sched, vm_id, which, &b);
        if (r == 0)
            json_object_object_add(o, keys[k], hist_json(&b));
    }
}

static void add_all_hists(struct vgpu_be *be, json_object *status)
{
    json_object *arr, *v;

    pthread_mutex_lock(&be->lock);
    if (json_object_object_get_ex(status, "pools", &arr))
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
            json_object *o = json_object_array_get_idx(arr, i);
            if (json_object_object_get_ex(o, "name", &v))
                add_hists(be, o, json_object_get_string(v), 0);
        }
    if (json_object_object_get_ex(status, "vms", &arr))
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
            json_object *o = json_object_array_get_idx(arr, i);
            if (json_object_object_get_ex(o, "vm_id", &v))
                add_hists(be, o, NULL, (uint32_t)json_object_get_int64(v));
        }
    pthread_mutex_unlock(&be->lock);
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned code, char *body, size_t len,
                             const char *type)
{
    struct MHD_Response *rsp = MHD_create_response_from_buffer_with_free_callback(len, body, free);
    enum MHD_Result r;

    if (!rsp) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(rsp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    r = MHD_queue_response(conn, code, rsp);
    MHD_destroy_response(rsp);
    return r;
}

static enum MHD_Result reply_text(struct MHD_Connection *conn, unsigned code, const char *text)
{
    char *body = strdup(text);

    return body ? reply(conn, code, body, strlen(body), "text/plain; charset=utf-8") : MHD_NO;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    struct vgpu_be_metrics *m = cls;
    json_object *status;
    char *text = NULL;
    size_t len = 0;
    int r;

    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "vgpud metrics: GET only\n");
    if (strcmp(url, "/metrics") != 0)
        return reply_text(conn, MHD_HTTP_NOT_FOUND,
                          "vgpud serves Prometheus metrics at /metrics\n");
    status = vgpu_be__status_json(m->be);
    add_all_hists(m->be, status);
    r = vgpu_metrics_format(status, VGPU_VERSION, &text, &len);
    json_object_put(status);
    if (r < 0)
        return reply_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "vgpud: out of memory\n");
    return reply(conn, MHD_HTTP_OK, text, len, "text/plain; version=0.0.4; charset=utf-8");
}

/* Arm the timer for MHD's next timeout (connection timeouts), or disarm it. */
static void rearm(struct vgpu_be_metrics *m)
{
    struct itimerspec its = {{0, 0}, {0, 0}};
    MHD_UNSIGNED_LONG_LONG ms;

    if (MHD_get_timeout(m->mhd, &ms) == MHD_YES) {
        its.it_value.tv_sec = (time_t)(ms / 1000);
        its.it_value.tv_nsec = (long)(ms % 1000) * 1000000L;
        if (ms == 0)
            its.it_value.tv_nsec = 1; /* now: a zero it_value would disarm */
    }
    timerfd_settime(m->timer_fd, 0, &its, NULL);
}

static void on_mhd(void *ctx, uint32_t events)
{
    struct vgpu_be_metrics *m = ctx;

    (void)events;
    MHD_run(m->mhd);
    rearm(m);
}

static void on_timer(void *ctx, uint32_t events)
{
    struct vgpu_be_metrics *m = ctx;
    uint64_t n;

    (void)events;
    if (read(m->timer_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
        vgpu_be_log(LOG_DEBUG, "metrics: timer: %s", strerror(errno));
    on_mhd(m, 0);
}

static void metrics_free(struct vgpu_be *be, struct vgpu_be_metrics *m)
{
    if (!m)
        return;
    if (m->timer_fd >= 0) {
        vgpu_be_loop_del(be->loop, m->timer_fd);
        close(m->timer_fd);
    }
    if (m->mhd_epfd >= 0)
        vgpu_be_loop_del(be->loop, m->mhd_epfd);
    if (m->mhd)
        MHD_stop_daemon(m->mhd);
    free(m);
}

static int watch(struct vgpu_be *be, struct vgpu_be_metrics *m)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(m->mhd, MHD_DAEMON_INFO_EPOLL_FD);
    int r;

    m->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (m->timer_fd < 0)
        return -errno;
    if (!info)
        return -EIO;
    if ((r = vgpu_be_loop_add(be->loop, info->epoll_fd, EPOLLIN, on_mhd, m)) < 0)
        return r;
    m->mhd_epfd = info->epoll_fd;
    return vgpu_be_loop_add(be->loop, m->timer_fd, EPOLLIN, on_timer, m);
}

static void log_address(struct vgpu_be_metrics *m, const struct sockaddr_storage *ss)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(m->mhd, MHD_DAEMON_INFO_BIND_PORT);
    char host[INET6_ADDRSTRLEN] = "?";
    bool v6 = ss->ss_family == AF_INET6;

    if (v6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, host, sizeof(host));
    else
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, host, sizeof(host));
    vgpu_be_log(LOG_INFO, "metrics: serving http://%s%s%s:%u/metrics", v6 ? "[" : "", host,
                v6 ? "]" : "", info ? (unsigned)info->port : 0u);
}

int vgpu_be__metrics_start(struct vgpu_be *be)
{
    struct sockaddr_storage ss;
    struct vgpu_be_metrics *m;
    char err[160];
    int r;

    if (!be->cfg.metrics_addr)
        return 0;
    if ((r = vgpu_be__metrics_parse(be->cfg.metrics_addr, &ss, err, sizeof(err))) < 0) {
        vgpu_be_log(LOG_ERR, "--metrics '%s': %s", be->cfg.metrics_addr, err);
        return r;
    }
    m = calloc(1, sizeof(*m));
    if (!m)
        return -ENOMEM;
    m->be = be;
    m->mhd_epfd = m->timer_fd = -1;
    m->mhd = MHD_start_daemon(
        MHD_USE_EPOLL | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0), 0, NULL, NULL, on_request, m,
        MHD_OPTION_SOCK_ADDR, &ss, MHD_OPTION_CONNECTION_LIMIT, (unsigned)METRICS_MAX_CONNECTIONS,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)METRICS_IDLE_TIMEOUT_S, MHD_OPTION_END);
    if (!m->mhd) {
        r = errno ? -errno : -EADDRNOTAVAIL;
        vgpu_be_log(LOG_ERR, "metrics: cannot listen on %s: %s", be->cfg.metrics_addr,
                    strerror(-r));
        metrics_free(be, m);
        return r;
    }
    if ((r = watch(be, m)) < 0) {
        vgpu_be_log(LOG_ERR, "metrics: cannot watch the HTTP server: %s", strerror(-r));
        metrics_free(be, m);
        return r;
    }
    log_address(m, &ss);
    be->metrics = m;
    return 0;
}

void vgpu_be__metrics_stop(struct vgpu_be *be)
{
    metrics_free(be, be->metrics);
    be->metrics = NULL;
}
