/* ctl.c: the control socket: one JSON request line in, one JSON answer line out (for vgpuctl). */
#include <errno.h>
#include <grp.h>
#include <json-c/json.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>
#include "vgpu_ctl.h"
#include "vgpud.h"

static void add_u64(json_object *o, const char *k, uint64_t v)
{
    json_object_object_add(o, k, json_object_new_int64((int64_t)v));
}

static json_object *pool_json(struct vgpu_be *be, const char *name, uint64_t now)
{
    struct vgpu_sched_pool_stats ps;
    struct vgpu_sched_policy pol;
    json_object *o = json_object_new_object(), *running = NULL;
    struct vgpu_be_chan *c;

    json_object_object_add(o, "name", json_object_new_string(name));
    if (vgpu_sched_pool_get_policy(be->sched, name, &pol) == 0) {
        static const char *const fair[] = {"none", "rr", "weighted"};
        add_u64(o, "aging_ns", pol.aging_ns);
        add_u64(o, "budget_ns", pol.budget_ns);
        add_u64(o, "job_limit_ns",
                __atomic_load_n(&vgpu_be__pool_find(be, name)->job_limit_ns, __ATOMIC_RELAXED));
        json_object_object_add(o, "fair", json_object_new_string(fair[pol.fair % 3]));
    }
    if (vgpu_sched_pool_stats(be->sched, name, now, &ps) == 0) {
        add_u64(o, "submitted", ps.submitted);
        add_u64(o, "queued", ps.depth);
        add_u64(o, "max_queued", ps.max_depth);
        add_u64(o, "busy_ns", ps.busy_ns);
        add_u64(o, "completed", ps.completed);
        add_u64(o, "cancelled", ps.cancelled);
        add_u64(o, "overruns", ps.overruns);
        add_u64(o, "wait_p50_ns", ps.wait.p50);
        add_u64(o, "wait_p99_ns", ps.wait.p99);
    }
    for (c = be->chans; c; c = c->next)
        if (c->inflight && c->inflight->running && strcmp(c->inflight->pool, name) == 0) {
            running = json_object_new_object();
            add_u64(running, "vm_id", c->vm->id.vm_id);
            add_u64(running, "job", c->inflight->sched_id);
            add_u64(running, "since_ns", c->inflight->dispatch_ns);
        }
    json_object_object_add(o, "running", running);
    return o;
}

/* Under be->lock. */
static json_object *worker_json(const struct vgpu_be_vm *vm)
{
    json_object *o = json_object_new_object();

    add_u64(o, "pid", vm->worker ? (uint64_t)vm->worker->pid : 0);
    json_object_object_add(o, "state", json_object_new_string(vgpu_be__worker_state(vm)));
    add_u64(o, "starts", vm->wk_starts);
    add_u64(o, "restarts", vm->wk_restarts);
    add_u64(o, "kills", vm->wk_kills);
    add_u64(o, "crashes", vm->wk_crashes);
    add_u64(o, "faults", vm->wk_faults);
    add_u64(o, "gpu_ns", vm->gpu_ns);
    json_object_object_add(o, "device", json_object_new_string(vm->wk_device));
    return o;
}

static json_object *vm_json(struct vgpu_be *be, struct vgpu_be_vm *vm)
{
    struct vgpu_sched_vm_stats vs;
    json_object *o = json_object_new_object();

    add_u64(o, "vm_id", vm->id.vm_id);
    json_object_object_add(o, "uuid", json_object_new_string(vm->id.vm_uuid));
    json_object_object_add(o, "name", json_object_new_string(vm->id.vm_name));
    json_object_object_add(o, "pool", json_object_new_string(vm->id.pool));
    add_u64(o, "priority", (uint64_t)vm->id.priority);
    add_u64(o, "channels", vm->nchan);
    add_u64(o, "requests", vm->requests);
    add_u64(o, "failed", vm->failed);
    add_u64(o, "mem_used", vm->mem_used);
    add_u64(o, "mem_quota", vgpu_be__vm_quota(be, vm));
    add_u64(o, "pinned_used", vm->pinned_used);
    add_u64(o, "pinned_limit", vgpu_be__vm_pinned_limit(be, vm));
    add_u64(o, "kicks", vm->kicks);
    add_u64(o, "throttles", vm->throttles);
    json_object_object_add(o, "worker", worker_json(vm));
    if (vgpu_sched_vm_stats(be->sched, vm->id.vm_id, &vs) == 0) {
        add_u64(o, "submitted", vs.submitted);
        add_u64(o, "completed", vs.completed);
        add_u64(o, "cancelled", vs.cancelled);
        add_u64(o, "overruns", vs.overruns);
        add_u64(o, "queued", vs.queued);
        add_u64(o, "wait_p50_ns", vs.wait.p50);
        add_u64(o, "wait_p99_ns", vs.wait.p99);
        add_u64(o, "run_p50_ns", vs.run.p50);
        add_u64(o, "run_p99_ns", vs.run.p99);
    }
    return o;
}

json_object *vgpu_be__status_json(struct vgpu_be *be)
{
    json_object *o = json_object_new_object(), *pools = json_object_new_array(),
                *vms = json_object_new_array();
    uint64_t now = vgpu_be_now();
    struct vgpu_be_vm *vm;

    json_object_object_add(o, VGPU_CTL_KEY_OK, json_object_new_boolean(1));
    json_object_object_add(o, "executor", json_object_new_string(be->exec_name));
    add_u64(o, "uptime_ns", now - be->started_ns);
    add_u64(o, "now_ns", now); /* the execution log's clock, to line samples up with it */
    add_u64(o, "poll_spin_ns", be->poll_spin_ns);
    pthread_mutex_lock(&be->lock);
    for (unsigned i = 0; i < be->npools; i++)
        json_object_array_add(pools, pool_json(be, be->pools[i].name, now));
    for (vm = be->vms; vm; vm = vm->next)
        json_object_array_add(vms, vm_json(be, vm));
    pthread_mutex_unlock(&be->lock);
    json_object_object_add(o, "pools", pools);
    json_object_object_add(o, "vms", vms);
    return o;
}

static json_object *result(int r, const char *err)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, VGPU_CTL_KEY_OK, json_object_new_boolean(r == 0));
    if (r)
        json_object_object_add(o, VGPU_CTL_KEY_ERROR, json_object_new_string(err));
    return o;
}

static json_object *pool_update(struct vgpu_be *be, json_object *req)
{
    json_object *pool;
    const char *name;
    char err[160] = "";

    if (!json_object_object_get_ex(req, VGPU_CTL_KEY_POOL, &pool) ||
        !(name = json_object_get_string(pool)))
        return result(-EINVAL, "missing \"pool\"");
    return result(vgpu_be__apply_pool(be, name, err, sizeof(err)), err);
}

static json_object *handle(struct vgpu_be *be, const char *line)
{
    json_object *req = json_tokener_parse(line), *cmd, *uuid;
    const char *name, *u;
    char err[160] = "";
    json_object *ans;
    int r;

    if (!req || !json_object_is_type(req, json_type_object) ||
        !json_object_object_get_ex(req, VGPU_CTL_KEY_CMD, &cmd) ||
        !json_object_is_type(cmd, json_type_string))
        ans = result(-EINVAL, "expected a JSON object with a string \"cmd\"");
    else if (strcmp(name = json_object_get_string(cmd), VGPU_CTL_CMD_STATUS) == 0)
        ans = vgpu_be__status_json(be);
    else if (strcmp(name, VGPU_CTL_CMD_POOL_UPDATE) == 0)
        ans = pool_update(be, req);
    else if (strcmp(name, VGPU_CTL_CMD_VM_UPDATE) != 0 && strcmp(name, VGPU_CTL_CMD_VM_REMOVE) != 0)
        ans = result(-EINVAL, "unknown cmd (status, vm-update, vm-remove, pool-update)");
    else if (!json_object_object_get_ex(req, VGPU_CTL_KEY_UUID, &uuid) ||
             !json_object_is_type(uuid, json_type_string) || !(u = json_object_get_string(uuid)))
        ans = result(-EINVAL, "missing \"uuid\" (a string)");
    else {
        r = strcmp(name, VGPU_CTL_CMD_VM_UPDATE) == 0 ? vgpu_be__apply_vm(be, u, err, sizeof(err))
                                                      : vgpu_be__remove_vm(be, u, err, sizeof(err));
        ans = result(r, err);
    }
    json_object_put(req);
    return ans;
}

/*
 * Read one request line, all of it within VGPU_CTL_DEADLINE_MS: the socket is
 * root's (or the ctl group's), but a client that trickles bytes must not
 * hold the loop for longer than that.
 */
static size_t read_request(int fd, char *line, size_t size)
{
    uint64_t deadline = vgpu_be_now() + VGPU_CTL_DEADLINE_MS * 1000000ull;
    size_t len = 0;

    while (len < size - 1) {
        uint64_t now = vgpu_be_now();
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        ssize_t n;

        if (now >= deadline || poll(&pfd, 1, (int)((deadline - now) / 1000000) + 1) <= 0)
            break;
        n = read(fd, line + len, size - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        if (memchr(line, '\n', len))
            break;
    }
    line[len] = '\0';
    return len;
}

static void on_ctl(void *ctx, uint32_t events)
{
    struct vgpu_be *be = ctx;
    struct timeval tv = {.tv_sec = 1};
    char line[VGPU_CTL_REQUEST_MAX];
    json_object *ans;
    const char *out;
    int fd;

    (void)events;
    fd = accept4(be->ctl_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (read_request(fd, line, sizeof(line)) == 0) {
        close(fd);
        return;
    }
    ans = handle(be, line);
    out = json_object_to_json_string_ext(ans, JSON_C_TO_STRING_PLAIN);
    if (write(fd, out, strlen(out)) < 0 || write(fd, "\n", 1) < 0)
        vgpu_be_log(LOG_DEBUG, "control client went away");
    json_object_put(ans);
    close(fd);
}

static int ctl_perms(struct vgpu_be *be, const char *path)
{
    struct group *g;

    if (!be->cfg.ctl_group)
        return chmod(path, 0600);
    g = getgrnam(be->cfg.ctl_group);
    if (!g) {
        vgpu_be_log(LOG_ERR, "--ctl-group: no group '%s'", be->cfg.ctl_group);
        errno = EINVAL;
        return -1;
    }
    if (chown(path, 0, g->gr_gid) < 0)
        return -1;
    return chmod(path, 0660);
}

int vgpu_be__ctl_start(struct vgpu_be *be)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    const char *path = be->cfg.ctl_path;
    int r;

    if (strlen(path) >= sizeof(addr.sun_path))
        return -ENAMETOOLONG;
    memcpy(addr.sun_path, path, strlen(path) + 1); /* length checked above */
    be->ctl_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    unlink(path);
    /* The socket file is created with this mode (less the umask): never wider than 0600. */
    if (be->ctl_fd >= 0)
        fchmod(be->ctl_fd, 0600);
    if (be->ctl_fd < 0 || bind(be->ctl_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        ctl_perms(be, path) < 0 || listen(be->ctl_fd, 16) < 0) {
        r = -errno;
        vgpu_be_log(LOG_ERR, "cannot open the control socket %s: %s", path, strerror(errno));
        return r;
    }
    return vgpu_be_loop_add(be->loop, be->ctl_fd, EPOLLIN, on_ctl, be);
}

void vgpu_be__ctl_stop(struct vgpu_be *be)
{
    if (be->ctl_fd < 0)
        return;
    vgpu_be_loop_del(be->loop, be->ctl_fd);
    close(be->ctl_fd);
    unlink(be->cfg.ctl_path);
    be->ctl_fd = -1;
}
