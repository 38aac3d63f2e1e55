/* local_hb.h: the local transport's host-buffer descriptors, between their message and the MAP. */
#ifndef VGPUD_LOCAL_HB_H
#define VGPUD_LOCAL_HB_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include "vgpu_local.h"

/* Descriptors a client sent (struct vgpu_local_hostbuf) that no MAP claimed yet. */
struct vgpu_local_hb_pending {
    unsigned n;
    uint64_t buf[VGPU_LOCAL_HOSTBUF_PENDING_MAX];
    int fd[VGPU_LOCAL_HOSTBUF_PENDING_MAX];
};

/*
 * Read every message waiting on the channel's socket (never blocks).
 * Returns 0 when none is left, -EPIPE when the client hung up, -EPROTO when
 * it sent anything but a well-formed message with one descriptor, or one
 * too many (every descriptor of that message is closed).
 */
int vgpu_be__local_hb_recv(int sock, struct vgpu_local_hb_pending *p);

/*
 * The MAP of buf, size bytes: its descriptor (read from sock first, if it
 * is still there), checked: a memfd of exactly size bytes, sealed
 * F_SEAL_SHRINK | F_SEAL_GROW. VGPU_S_OK and *fd (the caller's), else
 * BAD_HANDLE (none sent) or BAD_FIELD (refused, closed).
 */
uint32_t vgpu_be__local_hb_take(struct vgpu_local_hb_pending *p, int sock, uint64_t buf,
                                uint64_t size, int *fd);

/* Does fd's /proc/self/fd link start with prefix? ("anon_inode:[eventfd]": an eventfd; "/memfd:":
 * a memfd; not a file, socket or FIFO that could block the loop or change under it.) */
bool vgpu_local_fd_is(int fd, const char *prefix);
/* Close every unclaimed descriptor. */
void vgpu_be__local_hb_clear(struct vgpu_local_hb_pending *p);
/* Close every descriptor a received message carried (a client may send any number). */
void vgpu_local_close_passed_fds(struct msghdr *msg);

#endif /* VGPUD_LOCAL_HB_H */
