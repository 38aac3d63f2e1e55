/* vgpu_ioctl.h: the /dev/vgpu interface between libvgpu and the guest kernel module. */
#ifndef VGPU_IOCTL_H
#define VGPU_IOCTL_H

#include "vgpu_proto_types.h"
#include <linux/ioctl.h>

/*
 * Each open of /dev/vgpu is one channel. mmap at offset
 * VGPU_MMAP_RING_OFF maps the ring (ring_bytes), at VGPU_MMAP_DATA_OFF
 * the data area (data_bytes). poll() reports POLLIN when responses are
 * pending, POLLERR when the backend closed the channel.
 */
#define VGPU_MMAP_RING_OFF 0ull
#define VGPU_MMAP_DATA_OFF (1ull << 30)

/*
 * Host buffers (VGPU_IOC_HOSTBUF_ALLOC): pages of their own, granted to the
 * backend, each mapped at its own offset VGPU_MMAP_HOSTBUF_OFF + slot *
 * VGPU_MMAP_HOSTBUF_STRIDE (exactly its size, MAP_SHARED). The module caps
 * a channel at VGPU_HOSTBUF_SLOTS buffers and at its hostbuf_max_mb
 * parameter of bytes in all.
 */
#define VGPU_MMAP_HOSTBUF_OFF    (1ull << 40)
#define VGPU_MMAP_HOSTBUF_STRIDE (1ull << 32) /* above the layout's ~4 GiB per buffer */
#define VGPU_HOSTBUF_SLOTS       64u

struct vgpu_ioc_info {
    uint32_t ring_order; /* ring is VGPU_PAGE_SIZE << ring_order bytes */
    uint32_t nr_slots;
    uint64_t data_bytes; /* data area size */
    uint32_t vm_id;      /* as the backend published it */
    uint32_t priority;
    char pool[32];
    uint32_t state; /* XenbusState of the channel */
    uint32_t rsvd0;
};

VGPU_STATIC_ASSERT(sizeof(struct vgpu_ioc_info) == 64, "ioc info is 64 bytes");

/* HOSTBUF_ALLOC and HOSTBUF_FREE. */
struct vgpu_ioc_hostbuf {
    uint64_t size;      /* ALLOC in: bytes, a multiple of VGPU_PAGE_SIZE */
    uint64_t mmap_off;  /* ALLOC out, FREE in: where the buffer maps */
    uint32_t grant_dir; /* ALLOC out: the top directory's grant ref (HOSTBUF_MAP's) */
    uint32_t rsvd0;     /* zero */
};

VGPU_STATIC_ASSERT(sizeof(struct vgpu_ioc_hostbuf) == 24, "ioc hostbuf is 24 bytes");

#define VGPU_IOC_MAGIC 'V'
#define VGPU_IOC_INFO  _IOR(VGPU_IOC_MAGIC, 1, struct vgpu_ioc_info)
#define VGPU_IOC_KICK  _IO(VGPU_IOC_MAGIC, 2) /* notify the backend of new requests */
/*
 * Allocate zeroed pages, grant them read/write to the backend with their
 * directory (vgpu_wire.h, VGPU_HOSTBUF_TOP_MAGIC) read-only; -EINVAL bad
 * size, -ENOSPC past the channel's cap, -ENOMEM, -EIO channel broken.
 */
#define VGPU_IOC_HOSTBUF_ALLOC _IOWR(VGPU_IOC_MAGIC, 3, struct vgpu_ioc_hostbuf)
/*
 * End the grants of the buffer at mmap_off and drop its pages (each is
 * freed once the backend and every mapping let go of it); -ENOENT if none.
 * Closing the file does the same for every buffer left.
 */
#define VGPU_IOC_HOSTBUF_FREE _IOW(VGPU_IOC_MAGIC, 4, struct vgpu_ioc_hostbuf)

#endif /* VGPU_IOCTL_H */
