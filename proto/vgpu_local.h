/* vgpu_local.h: the local transport's connection handshake (unix socket + memfd + eventfds). */
#ifndef VGPU_LOCAL_H
#define VGPU_LOCAL_H

#include "vgpu_proto_types.h"

/*
 * A client connects to vgpud's unix stream socket and sends one
 * struct vgpu_local_hello with three descriptors (SCM_RIGHTS), in order:
 *   [0] a memfd: the ring (VGPU_PAGE_SIZE << ring_order bytes, sring
 *       initialised by the client) followed by the data area
 *       (data_pages * VGPU_PAGE_SIZE bytes); it must carry F_SEAL_SHRINK
 *       so the mapping can never be cut under vgpud;
 *   [1] an eventfd the client writes to kick vgpud (requests pushed);
 *   [2] an eventfd vgpud writes to wake the client (responses pushed).
 * vgpud answers with one struct vgpu_local_welcome. On VGPU_S_OK the
 * channel is up; the socket stays open for the channel's life: its hang-up
 * tells vgpud the client died, and tells the client vgpud went away.
 * Identity: `instance` names a registered VM (UUID or name); vgpud accepts
 * it only if the peer's uid (SO_PEERCRED) is allowed for it.
 */
#define VGPU_LOCAL_MAGIC          0x4c504756u /* "VGPL" little-endian */
#define VGPU_LOCAL_VERSION        1u
#define VGPU_LOCAL_SOCKET_DEFAULT "/run/vgpu/vgpud.sock"
#define VGPU_LOCAL_SOCKET_ENV     "VGPU_SOCKET"
#define VGPU_LOCAL_INSTANCE_ENV   "VGPU_INSTANCE"

struct vgpu_local_hello {
    uint32_t magic;   /* VGPU_LOCAL_MAGIC */
    uint16_t version; /* VGPU_LOCAL_VERSION */
    uint16_t rsvd0;
    uint32_t ring_order; /* <= VGPU_RING_ORDER_MAX and the daemon's limit */
    uint32_t data_pages; /* >= 1, <= the daemon's limit */
    char instance[64];   /* NUL-terminated VM UUID or name */
};

struct vgpu_local_welcome {
    uint32_t magic;  /* VGPU_LOCAL_MAGIC */
    uint32_t status; /* enum vgpu_status: OK, DENIED, BAD_FIELD, ... */
    uint32_t vm_id;
    uint32_t priority;
    char pool[32];
    uint32_t max_ring_order; /* the daemon's limits, useful after BAD_FIELD */
    uint32_t max_data_pages;
    char message[64]; /* why, when status is not OK */
};

/*
 * Host buffers (VGPU_FEAT_HOSTBUF): after the handshake the client may send
 * on the same socket, before each VGPU_OP_HOSTBUF_MAP, one
 * struct vgpu_local_hostbuf with exactly one descriptor: a memfd of the
 * buffer's exact size, sealed F_SEAL_SHRINK | F_SEAL_GROW. MAP then names
 * buf. vgpud holds at most VGPU_LOCAL_HOSTBUF_PENDING_MAX descriptors not
 * yet claimed by a MAP; anything else on the socket closes the channel.
 */
#define VGPU_LOCAL_HOSTBUF_MAGIC       0x42484756u /* "VGHB" little-endian */
#define VGPU_LOCAL_HOSTBUF_PENDING_MAX 4u
struct vgpu_local_hostbuf {
    uint32_t magic; /* VGPU_LOCAL_HOSTBUF_MAGIC */
    uint32_t rsvd0; /* zero */
    uint64_t buf;   /* the id the MAP will name, != 0 */
};

VGPU_STATIC_ASSERT(sizeof(struct vgpu_local_hostbuf) == 16, "local hostbuf is 16 bytes");
VGPU_STATIC_ASSERT(sizeof(struct vgpu_local_hello) == 80, "local hello is 80 bytes");
VGPU_STATIC_ASSERT(sizeof(struct vgpu_local_welcome) == 120, "local welcome is 120 bytes");

#endif /* VGPU_LOCAL_H */
