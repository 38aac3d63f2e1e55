/* wk_main.c: vgpud-worker: started by vgpud for one VM; opens the executor, sandboxes itself,
 * serves. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "wk.h"

struct wk_args {
    uint32_t vm_id;
    const char *executor; /* auto, cpu, cuda */
    struct vgpu_exec_config xc;
    uint64_t poll_ns;
    bool probe; /* report the device and exit */
};

uint64_t wk__now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void wk__log(const char *fmt, ...)
{
    char line[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s\n", line); /* one write: one datagram, one log line in vgpud */
}

static int parse(int argc, char **argv, struct wk_args *a)
{
    static const struct option opts[] = {
        {"vm", required_argument, NULL, 'v'},
        {"executor", required_argument, NULL, 'e'},
        {"device", required_argument, NULL, 'd'},
        {"cpu-mem", required_argument, NULL, 'm'},
        {"poll-ns", required_argument, NULL, 'p'},
        {"probe", no_argument, NULL, 'P'},
        {NULL, 0, NULL, 0},
    };
    int c;

    memset(a, 0, sizeof(*a));
    a->executor = "cpu";
    a->xc.device = "";
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'v':
            a->vm_id = (uint32_t)strtoul(optarg, NULL, 10);
            break;
        case 'e':
            a->executor = optarg;
            break;
        case 'd':
            a->xc.device = optarg;
            break;
        case 'm':
            a->xc.cpu_mem_bytes = strtoull(optarg, NULL, 10);
            break;
        case 'p':
            a->poll_ns = strtoull(optarg, NULL, 10);
            break;
        case 'P':
            a->probe = true;
            break;
        default:
            return -EINVAL;
        }
    }
    return optind == argc ? 0 : -EINVAL;
}

/* Open the executor; "auto" takes CUDA if a GPU answers, else the CPU reference. */
static uint32_t open_exec(struct wk *w, const struct wk_args *a, char *err, size_t errlen)
{
    const char *name = a->executor;

    if (strcmp(name, "auto") == 0) {
        w->xops = vgpu_exec_lookup("cuda");
        if (w->xops && w->xops->open(&a->xc, &w->exec, err, errlen) == VGPU_S_OK)
            return VGPU_S_OK;
        wk__log("no GPU usable (%s): using the CPU reference executor",
                w->xops ? err : vgpu_exec_load_error());
        name = "cpu";
    }
    w->xops = vgpu_exec_lookup(name);
    if (!w->xops) {
        snprintf(err, errlen, "executor '%s' is not available: %s", name,
                 strcmp(name, "cuda") == 0 ? vgpu_exec_load_error() : "unknown name");
        return VGPU_S_NO_DEVICE;
    }
    return (uint32_t)w->xops->open(&a->xc, &w->exec, err, errlen);
}

static void send_ready(struct wk *w, uint32_t status, uint32_t detail)
{
    struct vgpu_worker_msg m;

    memset(&m, 0, sizeof(m));
    m.type = VGPU_WMSG_READY;
    m.status = status;
    m.detail = detail;
    if (w->xops && w->exec) {
        snprintf(m.executor, sizeof(m.executor), "%s", w->xops->name);
        w->xops->device_info(w->exec, &m.info);
    }
    if (send(VGPU_WORKER_FD_CTL, &m, sizeof(m), MSG_NOSIGNAL) != sizeof(m))
        wk__log("cannot tell vgpud it is ready: %s", strerror(errno));
}

static int map_ring(struct wk *w)
{
    void *p = mmap(NULL, vgpu_ring_bytes(VGPU_WORKER_RING_ORDER), PROT_READ | PROT_WRITE,
                   MAP_SHARED, VGPU_WORKER_FD_RING, 0);

    if (p == MAP_FAILED)
        return -errno;
    vgpu_back_init(&w->ring, p, vgpu_ring_slots(VGPU_WORKER_RING_ORDER));
    return 0;
}

/* Open, create the context, sandbox; READY tells vgpud the outcome. 0 to serve. */
static int start(struct wk *w, const struct wk_args *a)
{
    char err[160] = "";
    uint32_t st, detail = 0;
    int r;

    st = open_exec(w, a, err, sizeof(err));
    if (st != VGPU_S_OK) {
        wk__log("executor: %s", err[0] ? err : vgpu_strerror((int)st));
        send_ready(w, st, 0);
        return -ENODEV;
    }
    if (a->probe) {
        send_ready(w, VGPU_S_OK, 0);
        return 1;
    }
    st = (uint32_t)w->xops->ctx_create(w->exec, w->vm_id, &w->ctx, &detail);
    if (st == VGPU_S_OK && (r = map_ring(w)) < 0) {
        wk__log("cannot map the job ring: %s", strerror(-r));
        st = VGPU_S_INTERNAL;
    }
    if (st == VGPU_S_OK && (r = wk__sandbox(w->xops)) < 0) {
        wk__log("cannot install the system-call filter: %s", strerror(-r));
        st = VGPU_S_INTERNAL;
    }
    send_ready(w, st, detail);
    return st == VGPU_S_OK ? 0 : -ENODEV;
}

static void stop(struct wk *w)
{
    wk__chans_free(w);
    vgpu_memtab_free(&w->mem);
    if (w->ctx)
        w->xops->ctx_destroy(w->ctx);
    if (w->exec)
        w->xops->close(w->exec);
}

int main(int argc, char **argv)
{
    const char *fault = getenv("VGPU_TEST_WORKER_SYSCALL");
    struct wk_args a;
    struct wk w;
    int r;

    if (parse(argc, argv, &a) < 0) {
        fprintf(stderr, "vgpud-worker: started by vgpud only (see vgpud --help)\n");
        return 2;
    }
    memset(&w, 0, sizeof(w));
    w.vm_id = a.vm_id;
    w.poll_ns = a.poll_ns;
    w.test_hooks = fault && strcmp(fault, "1") == 0;
    r = start(&w, &a);
    if (r == 0) {
        r = wk__serve(&w);
        if (r != -EPIPE && r != -ENOTRECOVERABLE) /* EPIPE: vgpud closed the channel to us */
            wk__log("stopping: %s", strerror(-r));
    }
    if (r == -ENOTRECOVERABLE) /* the context is poisoned: the driver frees it with us */
        return 3;
    stop(&w);
    return r == -EPIPE || r == 1 ? 0 : 1;
}
