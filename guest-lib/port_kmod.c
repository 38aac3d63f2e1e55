/* port_kmod.c: the Xen port: /dev/vgpu of the guest kernel module (mmap, ioctl, poll). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "port.h"
#include "vgpu_ioctl.h"

#define KMOD_DEVICE      "/dev/vgpu"
#define XENBUS_CONNECTED 4u

/* Map len bytes of /dev/vgpu at off into p->map[i]. */
static int kmod_map(struct vgpu_port *p, int i, uint64_t off, size_t len)
{
    void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, p->fd, (off_t)off);

    if (m == MAP_FAILED)
        return -VGPU_S_NO_MEMORY;
    p->map[i] = m;
    p->map_len[i] = len;
    return 0;
}

static int kmod_open(struct vgpu_port *p, const struct vgpu_port_cfg *cfg)
{
    struct vgpu_ioc_info info;
    int r;

    (void)cfg; /* the kernel module chose the ring and data sizes */
    vgpu__port_reset(p);
    p->fd = open(KMOD_DEVICE, O_RDWR | O_CLOEXEC);
    if (p->fd < 0) {
        r = (errno == EACCES || errno == EPERM) ? -VGPU_S_DENIED : -VGPU_S_NO_DEVICE;
        goto out_release;
    }
    r = -VGPU_S_NO_DEVICE;
    if (ioctl(p->fd, VGPU_IOC_INFO, &info) < 0 || info.state != XENBUS_CONNECTED)
        goto out_release;
    r = -VGPU_S_PROTOCOL;
    if (info.ring_order > VGPU_RING_ORDER_MAX ||
        info.nr_slots != vgpu_ring_slots(info.ring_order) || info.data_bytes == 0 ||
        info.data_bytes > (uint64_t)VGPU_DATA_PAGES_MAX * VGPU_PAGE_SIZE)
        goto out_release;
    r = kmod_map(p, 0, VGPU_MMAP_RING_OFF, vgpu_ring_bytes(info.ring_order));
    if (r < 0)
        goto out_release;
    r = kmod_map(p, 1, VGPU_MMAP_DATA_OFF, (size_t)info.data_bytes);
    if (r < 0)
        goto out_release;
    p->sring = p->map[0];
    p->ring_order = info.ring_order;
    p->nr_slots = info.nr_slots;
    p->data = p->map[1];
    p->data_size = info.data_bytes;
    p->vm_id = info.vm_id;
    p->priority = info.priority;
    memcpy(p->pool, info.pool, sizeof(p->pool));
    p->pool[sizeof(p->pool) - 1] = '\0';
    /* The module initialised the shared ring when it granted it. */
    return 0;

out_release:
    vgpu__port_release(p);
    return r;
}

static int kmod_kick(struct vgpu_port *p)
{
    int r;

    do {
        r = ioctl(p->fd, VGPU_IOC_KICK);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? -VGPU_S_NO_DEVICE : 0;
}

static int kmod_wait(struct vgpu_port *p, int timeout_ms)
{
    struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
    int r;

    do {
        r = poll(&pfd, 1, timeout_ms);
    } while (r < 0 && errno == EINTR);
    if (r < 0)
        return -VGPU_S_INTERNAL;
    if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL))
        return -VGPU_S_NO_DEVICE;
    return 0;
}

/*
 * vgpu.ko allocates the pages and grants them with their directory; we map
 * them at the offset it gives. The MAP that follows names the directory.
 */
static int kmod_hostbuf_alloc(struct vgpu_port *p, uint64_t buf, uint64_t size, void **mem,
                              uint32_t *grant_dir, uint64_t *handle)
{
    struct vgpu_ioc_hostbuf hb = {.size = size};
    void *m;

    (void)buf; /* the module knows buffers by their mmap offset */
    if (ioctl(p->fd, VGPU_IOC_HOSTBUF_ALLOC, &hb) < 0)
        return errno == ENOSPC ? -VGPU_S_PINNED_LIMIT
               : errno == EIO  ? -VGPU_S_NO_DEVICE
                               : -VGPU_S_NO_MEMORY;
    m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, p->fd, (off_t)hb.mmap_off);
    if (m == MAP_FAILED) {
        ioctl(p->fd, VGPU_IOC_HOSTBUF_FREE, &hb);
        return -VGPU_S_NO_MEMORY;
    }
    *mem = m;
    *grant_dir = hb.grant_dir;
    *handle = hb.mmap_off;
    return 0;
}

/* After the backend's UNMAP answer, or once the file is closed (it then frees them all). */
static void kmod_hostbuf_free(struct vgpu_port *p, void *mem, uint64_t size, uint64_t handle)
{
    struct vgpu_ioc_hostbuf hb = {.mmap_off = handle};

    munmap(mem, size);
    if (p->fd >= 0)
        ioctl(p->fd, VGPU_IOC_HOSTBUF_FREE, &hb);
}

static void kmod_close(struct vgpu_port *p)
{
    vgpu__port_release(p);
}

const struct vgpu_port_ops vgpu__port_kmod = {
    .name = "xen",
    .open = kmod_open,
    .kick = kmod_kick,
    .wait = kmod_wait,
    .close = kmod_close,
    .hostbuf_alloc = kmod_hostbuf_alloc,
    .hostbuf_free = kmod_hostbuf_free,
};
