/* wk_sandbox.c: the worker's system-call filter: only what the job loop and its executor use. */
#include <errno.h>
#include <seccomp.h>
#include <stddef.h>
#include "wk.h"

/* The job loop, stdio to the log socket, malloc and threads' basics: every executor. */
static const char *const base_calls[] = {
    "read",        "write",         "writev",          "close",           "poll",
    "ppoll",       "recvmsg",       "sendmsg",         "sendto",          "mmap",
    "munmap",      "mremap",        "madvise",         "mprotect",        "brk",
    "futex",       "clock_gettime", "clock_nanosleep", "nanosleep",       "gettid",
    "getpid",      "tgkill",        "rt_sigprocmask",  "rt_sigaction",    "rt_sigreturn",
    "sigaltstack", "exit",          "exit_group",      "fstat",           "newfstatat",
    "lseek",       "getrandom",     "sched_yield",     "restart_syscall",
};

/*
 * The CUDA driver also opens its device nodes lazily, talks to them with
 * ioctl and starts threads of its own. Not exercised by the tests (they
 * have no GPU); a missing call shows as a worker dead by SIGSYS in the log.
 */
static const char *const cuda_calls[] = {
    "openat",
    "open",
    "clone",
    "clone3",
    "set_robust_list",
    "rseq",
    "sched_getaffinity",
    "sched_setaffinity",
    "readlink",
    "readlinkat",
    "stat",
    "lstat",
    "access",
    "faccessat",
    "faccessat2",
    "getdents64",
    "prctl",
    "sysinfo",
    "uname",
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "statx",
    "pread64",
    "pwrite64",
    "fcntl",
    "dup",
    "dup2",
    "dup3",
    "pipe2",
    "eventfd2",
    "epoll_create1",
    "epoll_ctl",
    "epoll_wait",
    "epoll_pwait",
    "memfd_create",
    "ftruncate",
    "mlock",
    "munlock",
    "prlimit64",
    "getrlimit",
    "sched_getparam",
    "sched_getscheduler",
    "getpriority",
    "setpriority",
    "getcwd",
};

static int allow_all(scmp_filter_ctx f, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int nr = seccomp_syscall_resolve_name(names[i]);
        int r;
        if (nr == __NR_SCMP_ERROR)
            continue; /* not a call on this architecture */
        if ((r = seccomp_rule_add(f, SCMP_ACT_ALLOW, nr, 0)) < 0)
            return r;
    }
    return 0;
}

/*
 * ioctl for the driver's device nodes, of every type but gntdev's ('G'):
 * the worker holds a gntdev fd for a moment (its channels' data pages, Xen)
 * and must not map other grants through it. The CPU executor needs none.
 */
static int allow_ioctl(scmp_filter_ctx f)
{
    for (unsigned t = 0; t < 256; t++) {
        int r;
        if (t == 'G')
            continue;
        r = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
                             SCMP_A1(SCMP_CMP_MASKED_EQ, 0xff00u, (scmp_datum_t)t << 8));
        if (r < 0)
            return r;
    }
    return 0;
}

int wk__sandbox(const struct vgpu_exec_ops *xops)
{
    scmp_filter_ctx f = seccomp_init(SCMP_ACT_KILL_PROCESS);
    int r;

    if (!f)
        return -ENOMEM;
    r = allow_all(f, base_calls, sizeof(base_calls) / sizeof(base_calls[0]));
    if (r == 0 && xops->kind == VGPU_EXECUTOR_CUDA)
        r = allow_all(f, cuda_calls, sizeof(cuda_calls) / sizeof(cuda_calls[0]));
    if (r == 0 && xops->kind == VGPU_EXECUTOR_CUDA)
        r = allow_ioctl(f);
    if (r == 0)
        r = seccomp_load(f); /* no_new_privs was set by vgpud before exec */
    seccomp_release(f);
    return r;
}
