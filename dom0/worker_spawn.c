/* worker_spawn.c: starting a worker: its fds, its user, its limits, exec; and the start-up probe.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>
#include "vgpud.h"

#define WORKER_BIN    "vgpud-worker"
#define WORKER_NOFILE 64 /* the worker's descriptors: its own, its channels', the driver's */

/* Environment a worker keeps; everything else is dropped. */
static const char *const env_keep[] = {
    "ASAN_OPTIONS",
    "UBSAN_OPTIONS",
    "LSAN_OPTIONS",
    "VGPU_CUDA_MODULE",
    "CUDA_VISIBLE_DEVICES",
    "LD_LIBRARY_PATH",
    "VGPU_TEST_WORKER_SYSCALL",
};

/* Everything the child needs, prepared before fork: it calls async-signal-safe functions only. */
struct spawn_plan {
    int fds[VGPU_WORKER_NFDS]; /* what becomes fds 0..6 in the worker */
    char *argv[16];
    char *envp[sizeof(env_keep) / sizeof(env_keep[0]) + 2];
    char args[6][VGPUD_DEVICE_MAX];
    char asan[512];
    bool setuid;
    uid_t uid;
    gid_t gid;
    pid_t parent;
};

static void child_limits(void)
{
    struct rlimit nofile = {WORKER_NOFILE, WORKER_NOFILE}, zero = {0, 0};

    setrlimit(RLIMIT_NOFILE, &nofile);
    setrlimit(RLIMIT_CORE, &zero);  /* a dump would hold the VM's data */
#ifndef __SANITIZE_THREAD__         /* ThreadSanitizer writes a file in /tmp as it starts */
    setrlimit(RLIMIT_FSIZE, &zero); /* it writes no files */
#endif
}

/* In the child, between fork and exec. Never returns. */
static void child_exec(struct spawn_plan *p, int exe)
{
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    sigset_t none;
    int i, tmp[VGPU_WORKER_NFDS];

    /*
     * Out of the way of 0..6 first, then into place (dup2 clears
     * close-on-exec); the binary's descriptor goes to 7, closed by the exec.
     */
    for (i = 0; i < VGPU_WORKER_NFDS; i++)
        if ((tmp[i] = fcntl(p->fds[i], F_DUPFD_CLOEXEC, VGPU_WORKER_NFDS)) < 0)
            _exit(126);
    if ((exe = fcntl(exe, F_DUPFD_CLOEXEC, VGPU_WORKER_NFDS)) < 0)
        _exit(126);
    for (i = 0; i < VGPU_WORKER_NFDS; i++)
        if (dup2(tmp[i], i) < 0)
            _exit(126);
    if (exe != VGPU_WORKER_NFDS && dup3(exe, VGPU_WORKER_NFDS, O_CLOEXEC) < 0)
        _exit(126);
    exe = VGPU_WORKER_NFDS;
    syscall(SYS_close_range, VGPU_WORKER_NFDS + 1, ~0u, 0);
    setsid();
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    sigaction(SIGPIPE, &dfl, NULL);
    child_limits();
    if (p->setuid && (setgroups(0, NULL) < 0 || setgid(p->gid) < 0 || setuid(p->uid) < 0))
        _exit(126);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        _exit(126);
    if (getppid() != p->parent) /* vgpud died before the death signal was set */
        _exit(126);
    syscall(SYS_execveat, exe, "", p->argv, p->envp, AT_EMPTY_PATH);
    _exit(127);
}

static void plan_env(struct spawn_plan *p)
{
    size_t i, n = 0;

    for (i = 0; i < sizeof(env_keep) / sizeof(env_keep[0]); i++) {
        const char *v = getenv(env_keep[i]);
        if (!v)
            continue;
        if (strcmp(env_keep[i], "ASAN_OPTIONS") == 0) {
            /* LeakSanitizer stops the world with ptrace, which the filter forbids. */
            snprintf(p->asan, sizeof(p->asan), "ASAN_OPTIONS=%s:detect_leaks=0", v);
            p->envp[n++] = p->asan;
            continue;
        }
        p->envp[n++] = (char *)v - strlen(env_keep[i]) - 1; /* "NAME=value" as environ has it */
    }
    /* The driver's JIT cache would be a file write, which the worker's rlimit forbids. */
    p->envp[n++] = "CUDA_CACHE_DISABLE=1";
    p->envp[n] = NULL;
}

static void plan_args(struct vgpu_be *be, struct spawn_plan *p, uint32_t vm_id, const char *device,
                      bool probe)
{
    int n = 0;

    snprintf(p->args[0], sizeof(p->args[0]), "%u", vm_id);
    snprintf(p->args[1], sizeof(p->args[1]), "%llu", (unsigned long long)be->cfg.poll_ns);
    snprintf(p->args[2], sizeof(p->args[2]), "%llu", (unsigned long long)be->cfg.cpu_mem_bytes);
    snprintf(p->args[3], sizeof(p->args[3]), "%s", device ? device : be->cfg.device);
    p->argv[n++] = WORKER_BIN;
    p->argv[n++] = "--vm";
    p->argv[n++] = p->args[0];
    p->argv[n++] = "--poll-ns";
    p->argv[n++] = p->args[1];
    p->argv[n++] = "--cpu-mem";
    p->argv[n++] = p->args[2];
    p->argv[n++] = "--executor";
    p->argv[n++] = (char *)(probe || !be->exec_name[0] ? be->cfg.executor : be->exec_name);
    p->argv[n++] = "--device";
    p->argv[n++] = p->args[3];
    if (probe)
        p->argv[n++] = "--probe";
    p->argv[n] = NULL;
    plan_env(p);
    p->setuid = be->worker_setuid;
    p->uid = be->worker_uid;
    p->gid = be->worker_gid;
    p->parent = getpid();
}

void vgpu_be__worker_free(struct vgpu_be_worker *w)
{
    if (!w)
        return;
    if (w->sring)
        munmap(w->sring, vgpu_ring_bytes(VGPU_WORKER_RING_ORDER));
    if (w->pidfd >= 0)
        close(w->pidfd);
    if (w->ctl >= 0)
        close(w->ctl);
    if (w->kick >= 0)
        close(w->kick);
    if (w->notify >= 0)
        close(w->notify);
    free(w);
}

int vgpu_be__worker_kill(struct vgpu_be_worker *w)
{
    int status = 0;

    if (w->pid <= 0)
        return 0;
    kill(w->pid, SIGKILL); /* not reaped yet: the pid is still ours */
    while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
        ;
    return status;
}

/* The job ring and the eventfds, on the vgpud side. */
static int make_channel(struct vgpu_be_worker *w, int *ring_fd)
{
    size_t len = vgpu_ring_bytes(VGPU_WORKER_RING_ORDER);
    void *p;

    *ring_fd = memfd_create("vgpu-jobs", MFD_CLOEXEC);
    if (*ring_fd < 0 || ftruncate(*ring_fd, (off_t)len) < 0)
        return -errno;
    p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, *ring_fd, 0);
    if (p == MAP_FAILED)
        return -errno;
    w->sring = p;
    vgpu_sring_init(w->sring);
    vgpu_front_init(&w->ring, w->sring, vgpu_ring_slots(VGPU_WORKER_RING_ORDER));
    w->kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    w->notify = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    return w->kick < 0 || w->notify < 0 ? -errno : 0;
}

/*
 * The VM's newest worker is pid from the fork on: what the worker logs before
 * it is ready (opening the executor, creating its context) is the VM's.
 */
static void note_pid(struct vgpu_be *be, uint32_t vm_id, pid_t pid)
{
    struct vgpu_be_vm *vm;
    bool match;

    if (!vm_id)
        return;
    /* A pool thread: the loop adds VMs under be->lock and rewrites their ids under vm->lock. */
    pthread_mutex_lock(&be->lock);
    for (vm = be->vms; vm; vm = vm->next) {
        pthread_mutex_lock(&vm->lock);
        match = vm->id.vm_id == vm_id;
        pthread_mutex_unlock(&vm->lock);
        if (match) {
            vm->wk_pid = pid;
            break;
        }
    }
    pthread_mutex_unlock(&be->lock);
}

/* Fork and exec; the fds the worker gets are in p. */
static int start_process(struct vgpu_be *be, struct vgpu_be_worker *w, struct spawn_plan *p)
{
    pid_t pid = fork();

    if (pid < 0)
        return -errno;
    if (pid == 0)
        child_exec(p, be->worker_exe);
    w->pid = pid;
    note_pid(be, w->vm_id, pid);
    w->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (w->pidfd < 0) {
        int e = errno;
        vgpu_be__worker_kill(w);
        return -e;
    }
    return 0;
}

/* Wait for READY until deadline. 0, -ETIMEDOUT, or -EPIPE if it ended first. */
static int wait_ready(struct vgpu_be_worker *w, uint64_t deadline, struct vgpu_worker_msg *m)
{
    struct pollfd pf = {.fd = w->ctl, .events = POLLIN};
    uint64_t now;
    ssize_t n;

    while ((now = vgpu_be_now()) < deadline) {
        int ms = (int)((deadline - now) / 1000000) + 1;
        if (poll(&pf, 1, ms) < 0 && errno != EINTR)
            return -errno;
        if (!pf.revents)
            continue;
        n = recv(w->ctl, m, sizeof(*m), MSG_DONTWAIT);
        if (n == sizeof(*m) && m->type == VGPU_WMSG_READY)
            return 0;
        if (n < 0 && errno == EAGAIN)
            continue;
        return -EPIPE; /* closed, or not what a worker sends first */
    }
    return -ETIMEDOUT;
}

int vgpu_be__worker_spawn(struct vgpu_be *be, uint32_t vm_id, const char *device, bool probe,
                          uint64_t deadline_ns, struct vgpu_be_worker **out,
                          struct vgpu_worker_msg *ready)
{
    struct vgpu_be_worker *w = calloc(1, sizeof(*w));
    struct spawn_plan *p = calloc(1, sizeof(*p));
    int sv[2] = {-1, -1}, ring_fd = -1, null_fd = -1, r;

    if (!w || !p) {
        free(w);
        free(p);
        return -ENOMEM;
    }
    w->pidfd = w->ctl = w->kick = w->notify = -1;
    w->vm_id = vm_id;
    w->be = be;
    r = make_channel(w, &ring_fd);
    if (r == 0 && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        r = -errno;
    if (r == 0 && (null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
        r = -errno;
    if (r == 0) {
        int fds[VGPU_WORKER_NFDS] = {null_fd, be->log_wfd, be->log_wfd, sv[1],
                                     ring_fd, w->kick,     w->notify};
        memcpy(p->fds, fds, sizeof(fds));
        plan_args(be, p, vm_id, device, probe);
        w->ctl = sv[0];
        sv[0] = -1;
        r = start_process(be, w, p);
    }
    if (sv[0] >= 0)
        close(sv[0]);
    if (sv[1] >= 0)
        close(sv[1]);
    if (ring_fd >= 0)
        close(ring_fd);
    if (null_fd >= 0)
        close(null_fd);
    free(p);
    if (r == 0 && (r = wait_ready(w, deadline_ns, ready)) < 0)
        vgpu_be__worker_kill(w);
    if (r < 0) {
        vgpu_be__worker_free(w);
        return r;
    }
    pthread_mutex_lock(&be->lock);
    w->serial = ++be->worker_serial;
    pthread_mutex_unlock(&be->lock);
    *out = w;
    return 0;
}
