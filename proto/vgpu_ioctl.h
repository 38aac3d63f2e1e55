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

#define VGPU_IOC_MAGIC 'V'
#define VGPU_IOC_INFO  _IOR(VGPU_IOC_MAGIC, 1, struct vgpu_ioc_info)
#define VGPU_IOC_KICK  _IO(VGPU_IOC_MAGIC, 2) /* notify the backend of new requests */

#endif /* VGPU_IOCTL_H */
