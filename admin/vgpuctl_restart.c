/* vgpuctl: confirmation prompts and restarting a VM through the toolstack. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vgpuctl.h"

bool vgpuctl_confirm(struct vgpuctl *c, const char *question)
{
    char line[16];

    if (c->yes)
        return true;
    fprintf(stderr, "%s [y/N] ", question);
    fflush(stderr);
    if (!fgets(line, sizeof(line), stdin))
        return false;
    line[strcspn(line, "\r\n")] = '\0';
    return !strcasecmp(line, "y") || !strcasecmp(line, "yes");
}

/* True if @prog is an executable in $PATH. */
static bool in_path(const char *prog)
{
    const char *path = getenv("PATH");
    char buf[4096];

    while (path && *path) {
        size_t n = strcspn(path, ":");

        snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, prog);
        if (n && access(buf, X_OK) == 0)
            return true;
        path += n + (path[n] == ':');
    }
    return false;
}

static int run(char *const argv[])
{
    int status;
    pid_t pid = fork();

    if (pid < 0)
        return -errno;
    if (pid == 0) {
        execvp(argv[0], argv);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -errno;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* XCP-ng / XenServer: xe (the VM keeps its UUID); plain Xen: xl. */
int vgpuctl_restart_vm(const char *uuid, unsigned int domid)
{
    char uuid_arg[64], domid_arg[16];
    int rc;

    snprintf(uuid_arg, sizeof(uuid_arg), "uuid=%s", uuid);
    snprintf(domid_arg, sizeof(domid_arg), "%u", domid);
    if (in_path("xe")) {
        char *const argv[] = {"xe", "vm-reboot", uuid_arg, NULL};

        rc = run(argv);
    } else {
        char *const argv[] = {"xl", "reboot", domid_arg, NULL};

        rc = run(argv);
    }
    if (rc == 0) {
        printf("restarting VM %s (domain %u)\n", uuid, domid);
        return 0;
    }
    vgpuctl_err("could not restart VM %s (domain %u): the toolstack (%s) %s %d; the change is "
                "stored, restart the VM yourself",
                uuid, domid, in_path("xe") ? "xe" : "xl", rc < 0 ? "failed with" : "exited with",
                rc < 0 ? -rc : rc);
    return -EIO;
}
