/* xen_internal.h: state shared by the files of vgpud's Xen transport (internal). */
#ifndef VGPUD_XEN_INTERNAL_H
#define VGPUD_XEN_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <xenstore.h>
#include <xengnttab.h>
#include <xenevtchn.h>
#include "transport.h"

#define VGPU_XEN_BACKEND_ROOT "/local/domain/0/backend/vgpu"
#define VGPU_XEN_CHANNELS_MAX 64u     /* channel-<n> indices looked at per device */
#define VGPU_XEN_DOMID_MAX    0x7fefu /* DOMID_FIRST_RESERVED - 1 */
#define VGPU_XEN_DEVID_MAX    0xffffu
#define VGPU_XEN_VM_ID_MAX    65535u /* vm-id is 1..65535 (docs/provisioning.md) */
#define VGPU_XEN_NOTES_MAX    16u    /* devices noted per watch batch before a full scan */

/* XenbusState values (xen/io/xenbus.h), as written into xenstore. */
enum {
    VGPU_XS_UNKNOWN = 0,
    VGPU_XS_INITIALISING = 1,
    VGPU_XS_INITWAIT = 2,
    VGPU_XS_INITIALISED = 3,
    VGPU_XS_CONNECTED = 4,
    VGPU_XS_CLOSING = 5,
    VGPU_XS_CLOSED = 6,
};

struct vgpu_xen;
struct vgpu_xen_dev;
struct vgpu_xen_hb;

/* One channel: the transport context (tctx) the core hands back in ops. */
struct vgpu_xen_chan {
    struct vgpu_xen_chan *next; /* in x->chans (event lookup by port) */
    struct vgpu_xen_dev *dev;   /* referenced until release */
    unsigned int index;         /* channel-<index> */
    struct vgpu_be_chan *core;  /* NULL once detached */
    void *ring;                 /* mapped ring, 1 << ring_order pages */
    uint32_t ring_order;
    void *data;                   /* mapped data area */
    uint32_t nr_data;             /* data pages */
    int data_fd;                  /* gntdev fd with the data grants only, for the worker */
    uint64_t data_fd_off;         /* their mmap offset in it */
    uint32_t grants;              /* grant pages mapped for it (ring + data + host buffers) */
    struct vgpu_xen_hb *hostbufs; /* host buffers handed to the core (xen_hostbuf.c) */
    uint32_t vm_id;               /* identity it was attached with */
    char vm_uuid[37];
    int local_port;           /* -1 when not bound */
    uint64_t window_start_ms; /* kick rate limiting */
    uint32_t kicks_in_window;
    bool throttled; /* port left masked until the window ends */
};

/* Per-index state of a device's channels, as the backend sees them. */
struct vgpu_xen_slot {
    struct vgpu_xen_chan *chan; /* connected channel, or NULL */
    bool refused;               /* closed by us: wait for the frontend to close it */
};

/* One vgpu device: /local/domain/0/backend/vgpu/<domid>/<devid>. */
struct vgpu_xen_dev {
    struct vgpu_xen_dev *next; /* in x->devs */
    struct vgpu_xen *x;
    unsigned int refs; /* the list's + one per live channel */
    bool gone;         /* off the list: domain or backend dir gone */
    unsigned int domid, devid;
    char be_path[96];
    char fe_path[128];
    char watch_token[32];
    bool watching;
    bool dirty;    /* a watch fired for it: sync at the end of the batch */
    bool id_valid; /* id passed vgpu_xen_read_identity's checks */
    struct vgpu_be_identity id;
    struct vgpu_xen_slot slots[VGPU_XEN_CHANNELS_MAX];
};

/* The transport's state. */
struct vgpu_xen {
    struct vgpu_be *be;
    struct vgpu_be_loop *loop;
    struct vgpu_be_limits limits;
    struct xs_handle *xs;
    xengnttab_handle *xgt;
    xenevtchn_handle *xce;
    int xs_fd, evtchn_fd, timer_fd; /* -1 when not added to the loop */
    unsigned int refs;              /* 1 until stop + one per live channel */
    bool stopping;
    struct vgpu_xen_dev *devs;
    struct vgpu_xen_chan *chans;
    uint64_t grants;       /* grant pages mapped by all channels */
    bool rescan;           /* a watch asked for a full scan */
    unsigned int nr_notes; /* backend paths noted in this watch batch */
    struct {
        uint32_t domid, devid;
        bool whole_domain;
    } notes[VGPU_XEN_NOTES_MAX];
};

/* xen_transport.c */
void vgpu_xen__put(struct vgpu_xen *x);
uint64_t vgpu_xen__now_ms(void);
int vgpu_xen__arm_timer(struct vgpu_xen *x);

/* xen_parse.c: strict parsers (pure; also used by the fuzz target and unit tests). */
/* Canonical decimal ("0" or no leading zero, digits only) not above max. */
bool vgpu_xen__parse_u64(const char *s, uint64_t max, uint64_t *out);
bool vgpu_xen__parse_u32(const char *s, uint32_t max, uint32_t *out);
/* "channel-<n>" with n canonical and below VGPU_XEN_CHANNELS_MAX. */
bool vgpu_xen__parse_channel_name(const char *name, uint32_t *index);
/* 8-4-4-4-12 hex digits; equal ignores case. */
bool vgpu_xen__uuid_valid(const char *s);
bool vgpu_xen__uuid_equal(const char *a, const char *b);
/* The toolstack's /local/domain/<domid>/vm is "/vm/<uuid>" of this uuid. */
bool vgpu_xen__vm_path_is(const char *vm_path, const char *uuid);
/*
 * A path under VGPU_XEN_BACKEND_ROOT: 0 the root itself, 1 "<root>/<domid>",
 * 2 "<root>/<domid>/<devid>[/...]" (domid and devid set as far as known);
 * -1 anything else (outside the root, malformed numbers, domid 0).
 */
int vgpu_xen__parse_backend_path(const char *path, uint32_t *domid, uint32_t *devid);

/* xen_xs.c: xenstore helpers; values are read into caller buffers. */
int vgpu_xen__read_str(struct vgpu_xen *x, const char *dir, const char *key, char *buf,
                       size_t size);
int vgpu_xen__read_u32(struct vgpu_xen *x, const char *dir, const char *key, uint32_t *out);
int vgpu_xen__read_u64(struct vgpu_xen *x, const char *dir, const char *key, uint64_t *out);
int vgpu_xen__write_u32(struct vgpu_xen *x, const char *dir, const char *key, uint32_t v);

/* xen_dev.c */
void vgpu_xen__scan(struct vgpu_xen *x);
void vgpu_xen__note_watch(struct vgpu_xen *x, const char *path, const char *token);
void vgpu_xen__sync_noted(struct vgpu_xen *x);
void vgpu_xen__dev_put(struct vgpu_xen_dev *d);
void vgpu_xen__dev_drop_all(struct vgpu_xen *x);

/* xen_chan.c */
int vgpu_xen__chan_connect(struct vgpu_xen_dev *d, unsigned int index);
void vgpu_xen__chan_detach(struct vgpu_xen_chan *c);
struct vgpu_xen_chan *vgpu_xen__chan_by_port(struct vgpu_xen *x, int port);
void vgpu_xen__chan_event(struct vgpu_xen_chan *c);
void vgpu_xen__chan_unthrottle_all(struct vgpu_xen *x);
/*
 * The grant budgets (struct vgpu_be_limits): may c keep n more grant pages
 * mapped? NULL or why not. take/give count n pages mapped for c, or no more.
 */
const char *vgpu_xen__grants_refused(struct vgpu_xen_chan *c, uint64_t n);
void vgpu_xen__grants_take(struct vgpu_xen_chan *c, uint32_t n);
void vgpu_xen__grants_give(struct vgpu_xen_chan *c, uint32_t n);

/* xen_gntdev.c (faked in the unit tests) */
/*
 * A fresh gntdev instance holding exactly refs[0..n) of domid, for a worker
 * to mmap at *off (the grants map when it does; nothing maps before).
 * 0 and *fd (the caller's), or -errno and *fd = -1.
 */
int vgpu_xen__gntdev_share(uint32_t domid, const uint32_t *refs, uint32_t n, int *fd,
                           uint64_t *off);

/* xen_hostbuf.c: the ops of host buffers (transport.h) on Xen. Loop thread. */
uint32_t vgpu_xen__hostbuf_take(void *tctx, const struct vgpu_req_hostbuf_map *m, int *fd);
void vgpu_xen__hostbuf_drop(void *tctx, uint64_t buf);
/* The channel goes: forget its buffers (their pages return with the channel's grants). */
void vgpu_xen__hostbufs_forget(struct vgpu_xen_chan *c);

#endif /* VGPUD_XEN_INTERNAL_H */
