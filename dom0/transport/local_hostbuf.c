/* local_hostbuf.c: host buffers on the local transport: sealed memfds sent on the channel's socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "local_hb.h"
#include "vgpu_proto.h"

#define NEEDED_SEALS (F_SEAL_SHRINK | F_SEAL_GROW)

/* Close every descriptor a message carried (a client may send any number). */
void vgpu_local_close_passed_fds(struct msghdr *msg)
{
    struct cmsghdr *cm;

    for (cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
        size_t k, nfd;

        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
            continue;
        nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (k = 0; k < nfd; k++) {
            int fd;
            memcpy(&fd, CMSG_DATA(cm) + k * sizeof(int), sizeof(int));
            close(fd);
        }
    }
}

static bool pending_has(const struct vgpu_local_hb_pending *p, uint64_t buf)
{
    for (unsigned i = 0; i < p->n; i++)
        if (p->buf[i] == buf)
            return true;
    return false;
}

/* One message: 1 if one was taken, 0 if none waits, -EPIPE, -EPROTO. */
static int recv_one(int sock, struct vgpu_local_hb_pending *p)
{
    union {
        char buf[CMSG_SPACE(4 * sizeof(int))]; /* room to see a message carrying more than one */
        struct cmsghdr align;
    } cbuf;
    struct vgpu_local_hostbuf m;
    struct iovec iov = {.iov_base = &m, .iov_len = sizeof(m)};
    struct msghdr msg = {.msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = cbuf.buf,
                         .msg_controllen = sizeof(cbuf.buf)};
    struct cmsghdr *cm;
    ssize_t n = recvmsg(sock, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    int fd;

    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -EPIPE;
    if (n == 0)
        return -EPIPE;
    cm = CMSG_FIRSTHDR(&msg);
    if (n != sizeof(m) || !cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
        cm->cmsg_len != CMSG_LEN(sizeof(int)) || CMSG_NXTHDR(&msg, cm) ||
        (msg.msg_flags & MSG_CTRUNC) || m.magic != VGPU_LOCAL_HOSTBUF_MAGIC || m.rsvd0 ||
        m.buf == 0 || pending_has(p, m.buf) || p->n >= VGPU_LOCAL_HOSTBUF_PENDING_MAX) {
        vgpu_local_close_passed_fds(&msg);
        return -EPROTO;
    }
    memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
    p->buf[p->n] = m.buf;
    p->fd[p->n] = fd;
    p->n++;
    return 1;
}

int vgpu_be__local_hb_recv(int sock, struct vgpu_local_hb_pending *p)
{
    int r;

    while ((r = recv_one(sock, p)) > 0)
        ;
    return r;
}

bool vgpu_local_fd_is(int fd, const char *prefix)
{
    char link[64], path[32];
    ssize_t n;

    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    n = readlink(path, link, sizeof(link) - 1);
    if (n < 0)
        return false;
    link[n] = '\0';
    return strncmp(link, prefix, strlen(prefix)) == 0;
}

static uint32_t check(int fd, uint64_t size)
{
    struct stat st;
    int seals;

    if (!vgpu_local_fd_is(fd, "/memfd:"))
        return VGPU_S_BAD_FIELD;
    seals = fcntl(fd, F_GET_SEALS);
    if (seals < 0 || (seals & NEEDED_SEALS) != NEEDED_SEALS)
        return VGPU_S_BAD_FIELD;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != size)
        return VGPU_S_BAD_FIELD;
    return VGPU_S_OK;
}

uint32_t vgpu_be__local_hb_take(struct vgpu_local_hb_pending *p, int sock, uint64_t buf,
                                uint64_t size, int *fd)
{
    uint32_t st;
    unsigned i;

    /* The client sends the descriptor before it pushes the MAP: it is in the socket by now.
     * An error here is the socket handler's to act on. */
    (void)vgpu_be__local_hb_recv(sock, p);
    for (i = 0; i < p->n && p->buf[i] != buf; i++)
        ;
    if (i == p->n)
        return VGPU_S_BAD_HANDLE;
    *fd = p->fd[i];
    p->n--;
    p->buf[i] = p->buf[p->n];
    p->fd[i] = p->fd[p->n];
    st = check(*fd, size);
    if (st != VGPU_S_OK) {
        close(*fd);
        *fd = -1;
    }
    return st;
}

void vgpu_be__local_hb_clear(struct vgpu_local_hb_pending *p)
{
    while (p->n > 0)
        close(p->fd[--p->n]);
}
