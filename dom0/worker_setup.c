/* worker_setup.c: what every worker start needs, found once: the binary, the user, the executor. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>
#include "vgpud.h"

#ifndef VGPU_WORKER_DIR
#define VGPU_WORKER_DIR "/usr/local/libexec/vgpu"
#endif
#define WORKER_BIN    "vgpud-worker"
#define PROBE_WAIT_NS (60ull * 1000000000ull) /* the CUDA driver may take long to initialise */

/* $VGPU_WORKER, next to vgpud (a build tree), then the install directory. */
static int find_binary(struct vgpu_be *be)
{
    char self[PATH_MAX];
    const char *env = getenv("VGPU_WORKER");
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

    if (env && *env) {
        snprintf(be->worker_path, sizeof(be->worker_path), "%s", env);
        return access(be->worker_path, X_OK) == 0 ? 0 : -errno;
    }
    if (n > 0) {
        self[n] = '\0';
        snprintf(be->worker_path, sizeof(be->worker_path), "%.*s/%s",
                 (int)(strrchr(self, '/') - self), self, WORKER_BIN);
        if (access(be->worker_path, X_OK) == 0)
            return 0;
    }
    snprintf(be->worker_path, sizeof(be->worker_path), "%s/%s", VGPU_WORKER_DIR, WORKER_BIN);
    return access(be->worker_path, X_OK) == 0 ? 0 : -errno;
}

/* Workers run as VGPUD_WORKER_USER, or nobody where the install did not create it. */
static int pick_user(struct vgpu_be *be)
{
    struct passwd *pw;

    if (geteuid() != 0) {
        vgpu_be_log(LOG_NOTICE, "workers run as vgpud's own uid %u (vgpud is not root)",
                    (unsigned)geteuid());
        return 0;
    }
    pw = getpwnam(VGPUD_WORKER_USER);
    if (!pw) {
        vgpu_be_log(LOG_WARNING,
                    "no user '%s' (the install creates it): workers run as "
                    "'nobody'",
                    VGPUD_WORKER_USER);
        pw = getpwnam("nobody");
    }
    if (!pw || pw->pw_uid == 0) {
        vgpu_be_log(LOG_ERR, "no unprivileged user for the workers ('%s' or 'nobody')",
                    VGPUD_WORKER_USER);
        return -ENOENT;
    }
    be->worker_setuid = true;
    be->worker_uid = pw->pw_uid;
    be->worker_gid = pw->pw_gid;
    return 0;
}

/* A worker that opens the executor, reports the device and exits. */
static int probe(struct vgpu_be *be)
{
    struct vgpu_worker_msg m;
    struct vgpu_be_worker *w;
    int status = 0, r;

    r = vgpu_be__worker_spawn(be, NULL, NULL, true, vgpu_be_now() + PROBE_WAIT_NS, &w, &m);
    if (r < 0) {
        vgpu_be_log(LOG_ERR, "the executor probe (%s) did not answer: %s", be->worker_path,
                    strerror(-r));
        return r;
    }
    while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
        ;
    vgpu_be__worker_free(w);
    if (m.status != VGPU_S_OK) {
        vgpu_be_log(LOG_ERR, "executor '%s' cannot run: %s (the worker's log line says why)",
                    be->cfg.executor, vgpu_strerror((int)m.status));
        return -ENODEV;
    }
    m.executor[sizeof(m.executor) - 1] = '\0';
    snprintf(be->exec_name, sizeof(be->exec_name), "%s", m.executor);
    be->devinfo = m.info;
    be->exec_kind = m.info.executor;
    return 0;
}

/*
 * The binary is opened now, as vgpud's user: a worker that has dropped to
 * its own uid execs this descriptor, so it runs even where that uid could
 * not reach the path (a build tree under /root, mode 0700).
 */
static int open_binary(struct vgpu_be *be)
{
    be->worker_exe = open(be->worker_path, O_PATH | O_CLOEXEC);
    return be->worker_exe < 0 ? -errno : 0;
}

int vgpu_be__workers_setup(struct vgpu_be *be)
{
    int r = find_binary(be);

    if (r == 0)
        r = open_binary(be);
    if (r < 0) {
        vgpu_be_log(LOG_ERR, "cannot run the worker %s: %s (set VGPU_WORKER?)", be->worker_path,
                    strerror(-r));
        return r;
    }
    if ((r = pick_user(be)) < 0 || (r = vgpu_be__worker_log_start(be)) < 0 || (r = probe(be)) < 0)
        return r;
    if (be->exec_kind == VGPU_EXECUTOR_CPU_REF && strcmp(be->cfg.executor, "auto") == 0)
        /* Never silently: guests' work on Dom0's CPU is a choice, not a fallback. */
        vgpu_be_log(LOG_ERR, "--executor auto found no usable GPU: guests' work runs on Dom0's "
                             "CPU, in the CPU reference executor (a test and demo aid, not a "
                             "GPU). Pass --executor cpu to choose that on purpose, or "
                             "--executor cuda to refuse to start without a GPU");
    if (be->exec_kind == VGPU_EXECUTOR_CPU_REF)
        vgpu_be_log(LOG_WARNING, "executor: CPU reference executor (a test and demo aid, not a "
                                 "GPU), in one worker process per VM");
    else
        vgpu_be_log(LOG_INFO, "executor: %s, in one worker process per VM", be->exec_name);
    return 0;
}
