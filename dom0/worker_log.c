/* worker_log.c: workers' stdout and stderr: datagrams with the sender's pid, into vgpud's log. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>
#include "vgpud.h"

#define LOG_TEXT_MAX 200 /* of one line, as logged */

/* The VM whose worker has pid: its id and a rate-limit key; 0 and the daemon's own otherwise. */
static uint32_t vm_of(struct vgpu_be *be, pid_t pid, const void **key)
{
    struct vgpu_be_vm *vm;
    uint32_t id = 0;

    *key = &be->log_fd;
    pthread_mutex_lock(&be->lock);
    for (vm = be->vms; vm && !id; vm = vm->next)
        if ((vm->worker && vm->worker->pid == pid) || vm->wk_pid == pid) {
            id = vm->id.vm_id;
            *key = &vm->wk_starts;
        }
    pthread_mutex_unlock(&be->lock);
    return id;
}

/* Printable ASCII only: a kernel's printf is the guest's text, never the journal's. */
static void sanitize(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\n' || s[i] == '\r')
            s[i] = ' ';
        else if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
            s[i] = '?';
    while (n > 0 && s[n - 1] == ' ')
        s[--n] = '\0';
}

static void on_log(void *ctx, uint32_t events)
{
    struct vgpu_be *be = ctx;
    char text[LOG_TEXT_MAX + 1], cbuf[CMSG_SPACE(sizeof(struct ucred))];
    struct iovec iov = {.iov_base = text, .iov_len = LOG_TEXT_MAX};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    struct ucred cred = {0};
    struct cmsghdr *cm;
    const void *key;
    ssize_t n;
    uint32_t vm_id;

    (void)events;
    for (int i = 0; i < 64; i++) { /* bounded: the loop serves the others too */
        msg.msg_control = cbuf;
        msg.msg_controllen = sizeof(cbuf);
        n = recvmsg(be->log_fd, &msg, MSG_DONTWAIT);
        if (n < 0)
            return;
        text[n] = '\0';
        cm = CMSG_FIRSTHDR(&msg);
        if (cm && cm->cmsg_type == SCM_CREDENTIALS)
            memcpy(&cred, CMSG_DATA(cm), sizeof(cred));
        sanitize(text, (size_t)n);
        vm_id = vm_of(be, cred.pid, &key);
        /* One line per VM and second at most: a worker cannot flood the journal. */
        if (vm_id)
            vgpu_be_log_ratelimited(LOG_NOTICE, key, "VM %u worker %d: %s%s", vm_id, (int)cred.pid,
                                    text, (msg.msg_flags & MSG_TRUNC) ? " [...]" : "");
        else /* the start-up probe, or a worker whose VM is gone */
            vgpu_be_log_ratelimited(LOG_NOTICE, key, "worker %d: %s%s", (int)cred.pid, text,
                                    (msg.msg_flags & MSG_TRUNC) ? " [...]" : "");
    }
}

int vgpu_be__worker_log_start(struct vgpu_be *be)
{
    int sv[2], one = 1;

    if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0)
        return -errno;
    be->log_fd = sv[0];
    be->log_wfd = sv[1];
    /* Workers never block on their output: what does not fit is dropped. */
    if (setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 ||
        fcntl(sv[1], F_SETFL, O_NONBLOCK) < 0)
        return -errno;
    return vgpu_be_loop_add(be->loop, be->log_fd, EPOLLIN, on_log, be);
}

void vgpu_be__worker_log_stop(struct vgpu_be *be)
{
    if (be->log_fd >= 0) {
        vgpu_be_loop_del(be->loop, be->log_fd);
        close(be->log_fd);
    }
    if (be->log_wfd >= 0)
        close(be->log_wfd);
    be->log_fd = be->log_wfd = -1;
}
