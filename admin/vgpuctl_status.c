/* vgpuctl: status, the control panel (store + live figures from vgpud). */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "vgpuctl.h"

static volatile sig_atomic_t stop_watch;

static void on_signal(int sig)
{
    stop_watch = 1;
}

static int64_t get_i64(json_object *o, const char *key)
{
    json_object *v;

    if (!o || !json_object_object_get_ex(o, key, &v) || !v)
        return -1;
    return json_object_get_int64(v);
}

/* The element of @arr whose @key is the string @value, or NULL. */
static json_object *find_by(json_object *arr, const char *key, const char *value)
{
    size_t i,
        n = arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;

    for (i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(arr, i), *v;

        if (json_object_object_get_ex(e, key, &v) && !strcasecmp(json_object_get_string(v), value))
            return e;
    }
    return NULL;
}

static int add_pool(const struct vgpu_store_pool *pool, void *ctx)
{
    json_object *doc = ctx, *pools, *live = NULL, *lp, *o = vgpuctl_pool_json(pool);

    json_object_object_get_ex(doc, "live", &live);
    lp = find_by(json_object_object_get(live, "pools"), "name", pool->name);
    json_object_object_add(o, "live", lp ? json_object_get(lp) : NULL);
    json_object_object_add(o, "vms", json_object_new_array());
    json_object_object_get_ex(doc, "pools", &pools);
    json_object_array_add(pools, o);
    return 0;
}

static int add_vm(const struct vgpu_store_vm *vm, void *ctx)
{
    json_object *doc = ctx, *pools, *live = NULL, *pool, *vms, *o = vgpuctl_vm_json(vm);
    json_object *lv;

    json_object_object_get_ex(doc, "pools", &pools);
    json_object_object_get_ex(doc, "live", &live);
    pool = find_by(pools, "name", vm->pool);
    lv = find_by(json_object_object_get(live, "vms"), "uuid", vm->uuid);
    json_object_object_add(o, "live", lv ? json_object_get(lv) : NULL);
    if (pool && json_object_object_get_ex(pool, "vms", &vms))
        json_object_array_add(vms, o);
    else
        json_object_put(o);
    return 0;
}

/* {"vgpud": {...}} and, while building, "live": vgpud's raw reply. */
static void add_vgpud(struct vgpuctl *c, json_object *doc)
{
    json_object *req = json_object_new_object(), *reply = NULL, *v = json_object_new_object();
    int rc;

    json_object_object_add(req, VGPU_CTL_KEY_CMD, json_object_new_string(VGPU_CTL_CMD_STATUS));
    rc = vgpuctl_ctl_request(c->ctl_path, req, &reply);
    json_object_put(req);
    json_object_object_add(v, "socket", json_object_new_string(c->ctl_path));
    json_object_object_add(v, "running", json_object_new_boolean(rc == 0));
    if (rc == 0) {
        json_object *ex;

        static const char *const keep[] = {"executor", "uptime_ns", "now_ns"};

        for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
            if (json_object_object_get_ex(reply, keep[i], &ex))
                json_object_object_add(v, keep[i], json_object_get(ex));
        json_object_object_add(doc, "live", reply);
    } else {
        json_object_object_add(v, "error",
                               json_object_new_string(rc == -ENOENT || rc == -ECONNREFUSED
                                                          ? "not running"
                                                      : rc == -EPROTO ? "malformed reply"
                                                                      : strerror(-rc)));
    }
    json_object_object_add(doc, "vgpud", v);
}

static json_object *build_status(struct vgpuctl *c, struct vgpu_store *store)
{
    json_object *doc = json_object_new_object();
    int rc;

    json_object_object_add(doc, "database", json_object_new_string(c->db_path));
    add_vgpud(c, doc);
    json_object_object_add(doc, "pools", json_object_new_array());
    rc = vgpu_store_pool_list(store, add_pool, doc);
    if (!rc)
        rc = vgpu_store_vm_list(store, add_vm, doc);
    json_object_object_del(doc, "live");
    if (rc) {
        json_object_put(doc);
        vgpuctl_store_error(store, rc);
        return NULL;
    }
    return doc;
}

static void print_count(int64_t v)
{
    if (v < 0)
        printf(" %7s", "-");
    else
        printf(" %7" PRId64, v);
}

/* The VM's worker process: pid and state, restarts, kills by the limit, crashes. */
static void print_worker(json_object *w)
{
    const char *state = json_object_get_string(json_object_object_get(w, "state"));
    char pid[16] = "-";

    if (get_i64(w, "pid") > 0)
        snprintf(pid, sizeof(pid), "%" PRId64, get_i64(w, "pid"));
    printf("  %7s %-8s", pid, state ? state : "-");
    print_count(get_i64(w, "restarts"));
    print_count(get_i64(w, "kills"));
    print_count(get_i64(w, "crashes"));
    printf("\n");
}

/* Host buffers the VM holds and its limit: "40M/256M"; "-" when vgpud does not say. */
static void print_pinned(json_object *live)
{
    int64_t used = get_i64(live, "pinned_used"), limit = get_i64(live, "pinned_limit");
    char u[16] = "0", l[16], both[40];

    if (used < 0 || limit < 0) {
        printf(" %13s", "-");
        return;
    }
    if (used > 0)
        vgpuctl_format_size((uint64_t)used, u, sizeof(u));
    vgpuctl_format_size((uint64_t)limit, l, sizeof(l));
    snprintf(both, sizeof(both), "%s/%s", u, l);
    printf(" %13s", both);
}

static void print_vm_line(json_object *vm)
{
    json_object *live = json_object_object_get(vm, "live");
    const char *name = json_object_get_string(json_object_object_get(vm, "name"));
    char p50[16], p99[16];

    vgpuctl_format_ns(get_i64(live, "wait_p50_ns"), p50, sizeof(p50));
    vgpuctl_format_ns(get_i64(live, "wait_p99_ns"), p99, sizeof(p99));
    printf("  %5" PRId64 "  %-36s  %-12.12s  %-6s", get_i64(vm, "vm_id"),
           json_object_get_string(json_object_object_get(vm, "uuid")), name ? name : "-",
           json_object_get_string(json_object_object_get(vm, "priority_name")));
    print_count(get_i64(live, "submitted"));
    print_count(get_i64(live, "completed"));
    print_count(get_i64(live, "failed"));
    printf(" %9s %9s", p50, p99);
    print_pinned(live);
    print_worker(json_object_object_get(live, "worker"));
}

static void print_pool(json_object *pool, bool running)
{
    json_object *vms = json_object_object_get(pool, "vms");
    json_object *live = json_object_object_get(pool, "live");
    json_object *run = json_object_object_get(live, "running");
    const char *gpu = json_object_get_string(json_object_object_get(pool, "gpu"));
    const char *mig = json_object_get_string(json_object_object_get(pool, "mig"));
    size_t i, n = json_object_array_length(vms);
    char busy[16];

    printf("\npool %s  gpu %s%s%s", json_object_get_string(json_object_object_get(pool, "name")),
           gpu ? gpu : "(unmapped)", mig ? "  mig " : "", mig ? mig : "");
    if (running) {
        vgpuctl_format_ns(get_i64(live, "busy_ns"), busy, sizeof(busy));
        printf("  queued %" PRId64 "  busy %s  running ", get_i64(live, "queued"), busy);
        if (run)
            printf("vm %" PRId64 " job %" PRId64, get_i64(run, "vm_id"), get_i64(run, "job"));
        else
            printf("nothing");
    }
    printf("\n  %5s  %-36s  %-12s  %-6s %7s %7s %7s %9s %9s %13s  %7s %-8s %7s %7s %7s\n", "VM_ID",
           "UUID", "NAME", "PRIO", "SUBMIT", "DONE", "FAILED", "WAIT_P50", "WAIT_P99", "PINNED",
           "WORKER", "STATE", "RESTART", "KILLED", "CRASHED");
    for (i = 0; i < n; i++)
        print_vm_line(json_object_array_get_idx(vms, i));
    if (n == 0)
        printf("  (no VMs)\n");
}

static void print_status(json_object *doc)
{
    json_object *v = json_object_object_get(doc, "vgpud");
    json_object *pools = json_object_object_get(doc, "pools");
    bool running = json_object_get_boolean(json_object_object_get(v, "running"));
    const char *err = json_object_get_string(json_object_object_get(v, "error"));
    size_t i;

    printf("database %s\n", json_object_get_string(json_object_object_get(doc, "database")));
    if (running)
        printf("vgpud running, executor %s\n",
               json_object_get_string(json_object_object_get(v, "executor")));
    else if (err && !strcmp(err, "not running"))
        printf("vgpud is not running (no control socket at %s): stored configuration only\n",
               json_object_get_string(json_object_object_get(v, "socket")));
    else
        printf("vgpud did not answer at %s (%s): stored configuration only\n",
               json_object_get_string(json_object_object_get(v, "socket")), err);
    for (i = 0; i < json_object_array_length(pools); i++)
        print_pool(json_object_array_get_idx(pools, i), running);
}

static int status_once(struct vgpuctl *c, struct vgpu_store *store, bool clear)
{
    json_object *doc = build_status(c, store);

    if (!doc)
        return VGPUCTL_ERR;
    if (c->json && !(c->given & VGPUCTL_OPT_WATCH)) {
        vgpuctl_print_json(doc);
        return VGPUCTL_OK;
    }
    if (c->json) { /* one object per line while watching */
        puts(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
        json_object_put(doc);
        return VGPUCTL_OK;
    }
    if (clear)
        printf("\033[H\033[2J");
    print_status(doc);
    json_object_put(doc);
    return VGPUCTL_OK;
}

int vgpuctl_cmd_status(struct vgpuctl *c)
{
    struct sigaction sa = {.sa_handler = on_signal};
    struct vgpu_store *store;
    long frame;
    int rc = vgpuctl_open_store(c, VGPU_STORE_RDONLY, &store);

    if (rc)
        return rc;
    if (!(c->given & VGPUCTL_OPT_WATCH)) {
        rc = status_once(c, store, false);
        vgpu_store_close(store);
        return rc;
    }
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    for (frame = 0; !rc && !stop_watch && (!c->count || frame < c->count); frame++) {
        struct timespec ts = {(time_t)c->interval,
                              (long)((c->interval - (double)(time_t)c->interval) * 1e9)};

        if (frame)
            nanosleep(&ts, NULL);
        if (stop_watch)
            break;
        rc = status_once(c, store, !c->json);
        fflush(stdout);
    }
    vgpu_store_close(store);
    return rc;
}
