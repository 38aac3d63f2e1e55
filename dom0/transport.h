/* transport.h: how a transport (local, Xen) plugs channels into vgpud's core. */
#ifndef VGPUD_TRANSPORT_H
#define VGPUD_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>
#include "vgpu_proto.h"

struct vgpu_be;      /* the daemon */
struct vgpu_be_chan; /* one channel, owned by the core */
struct vgpu_be_loop; /* the epoll event loop */

/* Who the channel acts for. Resolved by the transport, never taken from the guest. */
struct vgpu_be_identity {
    char vm_uuid[37]; /* "" when the transport knows none (Xen: from the backend dir) */
    char vm_name[64];
    uint32_t vm_id;
    char pool[32];
    int priority;          /* enum vgpu_priority (proto/vgpu_identity.h) */
    uint64_t mem_quota;    /* bytes, 0 = executor default */
    uint64_t pinned_limit; /* host buffers, bytes, 0 = vgpud's default (from the store) */
};

/* What the core asks of the transport for one channel. Called on the loop thread. */
struct vgpu_be_chan_ops {
    /* Wake the guest: responses were pushed and it asked to be notified. */
    void (*notify)(void *tctx);
    /* The core is done with the channel (after detach or a protocol error):
     * unmap the ring and data area, close fds, free tctx. Called once. */
    void (*release)(void *tctx);
    /*
     * Optional (NULL: the transport has no host buffers, VGPU_FEAT_HOSTBUF
     * is not offered). The pages of the host buffer a validated MAP names
     * (m->buf, m->size bytes; m->grant_dir on Xen), as a descriptor the
     * worker can mmap at offset 0: the transport checks them (local: a
     * memfd of that size, sealed against shrinking and growing, and
     * grant_dir zero; Xen: the grant directory and the grant budgets) and
     * hands over ownership of *fd. Returns VGPU_S_OK or the status the MAP
     * is answered with (BAD_HANDLE: none came for buf; BAD_FIELD;
     * PINNED_LIMIT: past what the transport may keep mapped).
     */
    uint32_t (*hostbuf_take)(void *tctx, const struct vgpu_req_hostbuf_map *m, int *fd);
    /*
     * Optional. The core let go of buffer buf that hostbuf_take gave it (its
     * descriptor closed: unmapped, refused, or the channel's end); the
     * transport may count its pages free. Not called after release.
     */
    void (*hostbuf_drop)(void *tctx, uint64_t buf);
};

struct vgpu_be_chan_desc {
    struct vgpu_sring *sring; /* mapped ring, initialised by the guest */
    uint32_t ring_order;
    void *data; /* mapped data area */
    uint64_t data_size;
    int data_fd;          /* what maps the data area in a worker: kept open by the
                             transport until release; -1 if it cannot be shared */
    uint64_t data_fd_off; /* where the data area starts in data_fd (page multiple) */
    struct vgpu_be_identity id;
    const struct vgpu_be_chan_ops *ops;
    void *tctx;     /* the transport's per-channel state */
    char label[48]; /* for logs: "local pid 123", "dom3/0/ch1" */
};

/*
 * Attach a mapped channel to the core. On success the core owns the
 * channel until the transport calls vgpu_be_chan_detach() or the core
 * closes it for a protocol violation; either way ops->release(tctx) runs
 * exactly once, never from inside this call. Returns 0 or -errno
 * (-ENOENT unknown pool, -EMFILE the VM has max_channels_per_vm channels,
 * -EADDRINUSE its vm-id is another VM's with channels open, or its VM has
 * channels open under another vm-id, -ENOMEM); on failure ops->release is NOT called.
 * Loop thread only, from an event callback (the loop serves the ring after it).
 */
int vgpu_be_chan_attach(struct vgpu_be *be, const struct vgpu_be_chan_desc *d,
                        struct vgpu_be_chan **out);

/* The guest signalled (a hint: the core re-reads the ring). Loop thread only. */
void vgpu_be_chan_kick(struct vgpu_be_chan *c);
/* The transport ignores c's kicks for a while (event storm): counted for metrics. Loop thread. */
void vgpu_be_chan_throttled(struct vgpu_be_chan *c);

/*
 * The peer is gone (client died, domain destroyed, frontend closing):
 * queued jobs are cancelled, a running job finishes first, the VM's
 * resources held by this channel are freed, then ops->release runs
 * (possibly later, once the running job returned). Loop thread only.
 */
void vgpu_be_chan_detach(struct vgpu_be_chan *c);

/* A transport: started at daemon start, stopped at shutdown. */
struct vgpu_be_transport {
    const char *name; /* "local", "xen" */
    /* Set up listeners/watches on the loop. -ENODEV with one log line if the
     * transport cannot run here (no Xen); the daemon goes on without it. */
    int (*start)(struct vgpu_be *be, void **state);
    /* Detach every channel and free the state. Tolerates a NULL state. */
    void (*stop)(void *state);
};

extern const struct vgpu_be_transport vgpu_be_local_transport;
extern const struct vgpu_be_transport vgpu_be_xen_transport;

/* Event loop service for transports. cb runs on the loop thread with the epoll events. */
typedef void (*vgpu_be_io_cb)(void *ctx, uint32_t events);
struct vgpu_be_loop *vgpu_be_get_loop(struct vgpu_be *be);
int vgpu_be_loop_add(struct vgpu_be_loop *l, int fd, uint32_t events, vgpu_be_io_cb cb, void *ctx);
int vgpu_be_loop_del(struct vgpu_be_loop *l, int fd);

/* Daemon configuration a transport may need (socket path, limits, store path). */
struct vgpu_be_limits {
    uint32_t max_ring_order;
    uint32_t max_data_pages;
    uint32_t max_channels_per_vm;
    /*
     * Event storms, for every transport: more than kick_budget kicks on one
     * channel within kick_window_ms and the transport stops listening to
     * that channel's kicks until the window ends, then looks at its ring
     * once (nothing is lost). Default 2,000 per 10 ms: 200,000 a second,
     * above what a client that waits for its answers sends.
     */
    uint32_t kick_budget;
    uint32_t kick_window_ms;
    /* Xen: guest pages kept mapped (rings + data areas + host buffers; Dom0's
     * maptrack is shared with blkback and netback), all domains and one domain. */
    uint32_t xen_max_grants;
    uint32_t xen_max_grants_per_domain;
};
#define VGPU_XEN_MAX_GRANTS_DEFAULT 131072u /* 512 MiB */
/* Per domain: 320 MiB, host buffers up to the default pinned limit (256 MiB) + 64 MiB of channels.
 */
#define VGPU_XEN_MAX_GRANTS_PER_DOMAIN_DEFAULT 81920u
const struct vgpu_be_limits *vgpu_be_get_limits(struct vgpu_be *be);
/* vgpud's monotonic clock in ns (the execution log's). */
uint64_t vgpu_be_now(void);
/* The local transport's socket (--socket), and the store VMs are read from (NULL: none). */
const char *vgpu_be_get_socket_path(struct vgpu_be *be);
struct vgpu_store *vgpu_be_get_store(struct vgpu_be *be);

/* Log with a level (LOG_ERR..LOG_DEBUG from syslog.h), to stderr or syslog. */
void vgpu_be_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Same, at most once per second per key and message (fmt): a line per object per kind. */
void vgpu_be_log_ratelimited(int level, const void *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* VGPUD_TRANSPORT_H */
