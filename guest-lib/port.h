/* port.h: libvgpu's transport ports (internal): how a channel's ring, data area and kicks are
 * reached. */
#ifndef VGPU_PORT_H
#define VGPU_PORT_H

#include <stddef.h>
#include <stdint.h>
#include "vgpu_proto.h"

/* What vgpu_open() asks of a port. Strings are only read during open. */
struct vgpu_port_cfg {
    const char *socket_path; /* local: vgpud's socket (already resolved, never NULL) */
    const char *instance;    /* local: VM UUID or name ("" lets vgpud decide) */
    uint32_t ring_order;     /* local: ring is VGPU_PAGE_SIZE << ring_order bytes */
    uint32_t data_pages;     /* local: data-area pages */
};

/*
 * One open transport endpoint. After a successful open, sring (initialised,
 * nr_slots slots) and data (data_size bytes) are mapped and shared with the
 * backend. Descriptors not in use are -1, mappings not in use NULL, so
 * close() may run on a half-built port and may run twice.
 */
struct vgpu_port {
    const struct vgpu_port_ops *ops;
    struct vgpu_sring *sring;
    uint32_t nr_slots;
    uint32_t ring_order;
    void *data; /* the data area */
    uint64_t data_size;
    int fd;        /* local: the socket; kmod: /dev/vgpu */
    int kick_fd;   /* local: eventfd we write to kick vgpud */
    int notify_fd; /* local: eventfd vgpud writes to wake us */
    void *map[2];  /* mappings to undo at close */
    size_t map_len[2];
    uint32_t vm_id; /* as the host reports it */
    uint32_t priority;
    char pool[32];
};

struct vgpu_port_ops {
    const char *name; /* "local", "xen" */
    /* Connect and map. Returns 0 or -VGPU_S_*; on failure the port is closed. */
    int (*open)(struct vgpu_port *p, const struct vgpu_port_cfg *cfg);
    /* Notify the backend that requests were pushed. 0 or -VGPU_S_NO_DEVICE. */
    int (*kick)(struct vgpu_port *p);
    /*
     * Sleep until the backend notifies us or timeout_ms passes (-1: no
     * limit). Returns 0 (woken or timed out: look at the ring either way),
     * or -VGPU_S_NO_DEVICE when the backend is gone.
     */
    int (*wait)(struct vgpu_port *p, int timeout_ms);
    /* Unmap and close whatever open() set up; tolerates half-built state. */
    void (*close)(struct vgpu_port *p);
    /*
     * Optional (NULL: no host buffers of their own on this transport).
     * Pages for host buffer buf, size bytes (whole pages), mapped at *mem and
     * made reachable by the backend: local, a sealed memfd sent on the
     * socket; Xen, pages vgpu.ko granted. *grant_dir is what HOSTBUF_MAP
     * names them by (local: 0), *handle what hostbuf_free needs.
     * 0, -VGPU_S_NO_MEMORY (or PINNED_LIMIT: past the module's cap), or
     * -VGPU_S_NO_DEVICE.
     */
    int (*hostbuf_alloc)(struct vgpu_port *p, uint64_t buf, uint64_t size, void **mem,
                         uint32_t *grant_dir, uint64_t *handle);
    /* Unmap and let go of what hostbuf_alloc made; also after close(). */
    void (*hostbuf_free)(struct vgpu_port *p, void *mem, uint64_t size, uint64_t handle);
};

extern const struct vgpu_port_ops vgpu__port_local;
extern const struct vgpu_port_ops vgpu__port_kmod;

/* A port with nothing open (all descriptors -1). */
void vgpu__port_reset(struct vgpu_port *p);
/* Unmap p's mappings and close its descriptors; leaves p reset. */
void vgpu__port_release(struct vgpu_port *p);

#endif /* VGPU_PORT_H */
