/* port.c: what every port shares: a reset state and the release of mappings and descriptors. */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "port.h"

void vgpu__port_reset(struct vgpu_port *p)
{
    const struct vgpu_port_ops *ops = p->ops;

    memset(p, 0, sizeof(*p));
    p->ops = ops;
    p->fd = -1;
    p->kick_fd = -1;
    p->notify_fd = -1;
}

void vgpu__port_release(struct vgpu_port *p)
{
    int *fds[] = {&p->fd, &p->kick_fd, &p->notify_fd};
    size_t i;

    for (i = 0; i < 2; i++) {
        if (p->map[i])
            munmap(p->map[i], p->map_len[i]);
    }
    for (i = 0; i < 3; i++) {
        if (*fds[i] >= 0)
            close(*fds[i]);
    }
    vgpu__port_reset(p);
}
