/* port_local.c: the local port: vgpud's unix socket, one memfd (ring + data area), two eventfds. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "port.h"
#include "vgpu_local.h"

/* How long vgpud may take to answer the hello before open gives up. */
#define LOCAL_WELCOME_TIMEOUT_MS 10000

/* Connect to vgpud. A missing or refusing socket is NO_DEVICE, a forbidden one DENIED. */
static int local_connect(struct vgpu_port *p, const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};

    if (strlen(path) >= sizeof(sa.sun_path))
        return -VGPU_S_BAD_FIELD;
    strcpy(sa.sun_path, path);
    p->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (p->fd < 0)
        return -VGPU_S_INTERNAL;
    if (connect(p->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
        return 0;
    return (errno == EACCES || errno == EPERM) ? -VGPU_S_DENIED : -VGPU_S_NO_DEVICE;
}

/* Create the sealed memfd holding ring and data area, map it, initialise the ring. */
static int local_map(struct vgpu_port *p, const struct vgpu_port_cfg *cfg, int *memfd)
{
    size_t ring = vgpu_ring_bytes(cfg->ring_order);
    size_t len = ring + (size_t)cfg->data_pages * VGPU_PAGE_SIZE;
    void *m;

    *memfd = memfd_create("vgpu-channel", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (*memfd < 0)
        return -VGPU_S_INTERNAL;
    if (ftruncate(*memfd, (off_t)len) < 0 ||
        fcntl(*memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0)
        return -VGPU_S_INTERNAL;
    m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, *memfd, 0);
    if (m == MAP_FAILED)
        return -VGPU_S_NO_MEMORY;
    p->map[0] = m;
    p->map_len[0] = len;
    p->sring = m;
    p->ring_order = cfg->ring_order;
    p->nr_slots = vgpu_ring_slots(cfg->ring_order);
    p->data = (char *)m + ring;
    p->data_size = (uint64_t)cfg->data_pages * VGPU_PAGE_SIZE;
    vgpu_sring_init(p->sring);
    return 0;
}

/* Send the hello with [memfd, kick_fd, notify_fd]. */
static int local_send_hello(struct vgpu_port *p, const struct vgpu_port_cfg *cfg, int memfd)
{
    struct vgpu_local_hello h = {0};
    int fds[3] = {memfd, p->kick_fd, p->notify_fd};
    union {
        char buf[CMSG_SPACE(sizeof(fds))];
        struct cmsghdr align;
    } u;
    struct iovec iov = {.iov_base = &h, .iov_len = sizeof(h)};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
    struct cmsghdr *c;
    ssize_t n;

    h.magic = VGPU_LOCAL_MAGIC;
    h.version = VGPU_LOCAL_VERSION;
    h.ring_order = cfg->ring_order;
    h.data_pages = cfg->data_pages;
    strcpy(h.instance, cfg->instance); /* length checked by the caller */
    memset(u.buf, 0, sizeof(u.buf));
    c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(fds));
    memcpy(CMSG_DATA(c), fds, sizeof(fds));
    do {
        n = sendmsg(p->fd, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof(h) ? 0 : -VGPU_S_NO_DEVICE;
}

/* Read exactly len bytes within the welcome timeout. */
static int local_read_full(int fd, void *buf, size_t len)
{
    size_t got = 0;

    while (got < len) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        ssize_t n;
        int r = poll(&pfd, 1, LOCAL_WELCOME_TIMEOUT_MS);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -VGPU_S_NO_DEVICE;
        n = read(fd, (char *)buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -VGPU_S_NO_DEVICE;
        got += (size_t)n;
    }
    return 0;
}

/* Read the welcome and turn its status into ours. */
static int local_read_welcome(struct vgpu_port *p)
{
    struct vgpu_local_welcome w;
    int r = local_read_full(p->fd, &w, sizeof(w));

    if (r < 0)
        return r;
    if (w.magic != VGPU_LOCAL_MAGIC)
        return -VGPU_S_PROTOCOL;
    if (w.status != VGPU_S_OK)
        return w.status < VGPU_S_COUNT_ ? -(int)w.status : -VGPU_S_PROTOCOL;
    p->vm_id = w.vm_id;
    p->priority = w.priority;
    memcpy(p->pool, w.pool, sizeof(p->pool));
    p->pool[sizeof(p->pool) - 1] = '\0';
    return 0;
}

static int local_open(struct vgpu_port *p, const struct vgpu_port_cfg *cfg)
{
    int memfd = -1;
    int r;

    vgpu__port_reset(p);
    if (cfg->ring_order > VGPU_RING_ORDER_MAX || cfg->data_pages == 0 ||
        cfg->data_pages > VGPU_DATA_PAGES_MAX ||
        strlen(cfg->instance) >= sizeof(((struct vgpu_local_hello *)0)->instance))
        return -VGPU_S_BAD_FIELD;
    r = local_connect(p, cfg->socket_path);
    if (r < 0)
        goto out_release;
    r = local_map(p, cfg, &memfd);
    if (r < 0)
        goto out_release;
    p->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    p->notify_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (p->kick_fd < 0 || p->notify_fd < 0) {
        r = -VGPU_S_INTERNAL;
        goto out_release;
    }
    r = local_send_hello(p, cfg, memfd);
    if (r < 0)
        goto out_release;
    r = local_read_welcome(p);
    if (r < 0)
        goto out_release;
    close(memfd); /* vgpud holds its own copy; our mapping stays */
    return 0;

out_release:
    if (memfd >= 0)
        close(memfd);
    vgpu__port_release(p);
    return r;
}

static int local_kick(struct vgpu_port *p)
{
    uint64_t one = 1;
    ssize_t n;

    do {
        n = write(p->kick_fd, &one, sizeof(one));
    } while (n < 0 && errno == EINTR);
    /* EAGAIN: the counter is saturated, so vgpud has a kick pending anyway. */
    return (n == sizeof(one) || errno == EAGAIN) ? 0 : -VGPU_S_NO_DEVICE;
}

static int local_wait(struct vgpu_port *p, int timeout_ms)
{
    struct pollfd pfd[2] = {{.fd = p->notify_fd, .events = POLLIN},
                            {.fd = p->fd, .events = POLLIN}};
    uint64_t cnt;
    int r;

    do {
        r = poll(pfd, 2, timeout_ms);
    } while (r < 0 && errno == EINTR);
    if (r < 0)
        return -VGPU_S_INTERNAL;
    /* vgpud never writes on the socket after the welcome: readable means closed. */
    if (pfd[1].revents)
        return -VGPU_S_NO_DEVICE;
    if (pfd[0].revents & POLLIN) {
        if (read(p->notify_fd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
            return -VGPU_S_NO_DEVICE;
    }
    return 0;
}

/* One struct vgpu_local_hostbuf with the buffer's memfd, before its MAP (vgpu_local.h). */
static int hostbuf_send(struct vgpu_port *p, uint64_t buf, int fd)
{
    struct vgpu_local_hostbuf m = {.magic = VGPU_LOCAL_HOSTBUF_MAGIC, .buf = buf};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct iovec iov = {.iov_base = &m, .iov_len = sizeof(m)};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
    struct cmsghdr *c;
    ssize_t n;

    memset(u.buf, 0, sizeof(u.buf));
    c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    do {
        n = sendmsg(p->fd, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof(m) ? 0 : -VGPU_S_NO_DEVICE;
}

/* Pages sealed so the host's mapping can never be cut (SHRINK) and it holds what it counted. */
static int make_memfd(uint64_t size, void **mem)
{
    int fd = memfd_create("vgpu-hostbuf", MFD_CLOEXEC | MFD_ALLOW_SEALING);

    if (fd < 0)
        return -1;
    if (ftruncate(fd, (off_t)size) < 0 ||
        fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0 ||
        (*mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED) {
        close(fd);
        return -1;
    }
    return fd;
}

static int local_hostbuf_alloc(struct vgpu_port *p, uint64_t buf, uint64_t size, void **mem,
                               uint32_t *grant_dir, uint64_t *handle)
{
    int fd = make_memfd(size, mem), r;

    if (fd < 0)
        return -VGPU_S_NO_MEMORY;
    r = hostbuf_send(p, buf, fd);
    close(fd); /* vgpud has its own descriptor; our mapping stays */
    if (r < 0) {
        munmap(*mem, size);
        return r;
    }
    *grant_dir = 0;
    *handle = 0;
    return 0;
}

static void local_hostbuf_free(struct vgpu_port *p, void *mem, uint64_t size, uint64_t handle)
{
    (void)p;
    (void)handle;
    munmap(mem, size);
}

static void local_close(struct vgpu_port *p)
{
    vgpu__port_release(p);
}

const struct vgpu_port_ops vgpu__port_local = {
    .name = "local",
    .open = local_open,
    .kick = local_kick,
    .wait = local_wait,
    .close = local_close,
    .hostbuf_alloc = local_hostbuf_alloc,
    .hostbuf_free = local_hostbuf_free,
};
