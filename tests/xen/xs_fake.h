/* xs_fake.h: an in-memory xenstore, grant table, event channels and core under the Xen transport.
 */
#ifndef VGPU_XS_FAKE_H
#define VGPU_XS_FAKE_H

#include <stdbool.h>
#include <stdint.h>
#include "xen_internal.h"

#define FAKE_CHANS_MAX 64
#define FAKE_BAD_REF   100000u /* grant refs from here on do not map */

/* What the stand-in core saw. */
struct fake_core {
    unsigned int attached, detached, released, reads;
    bool defer_release;            /* detach keeps the release for fake_run_deferred() */
    struct vgpu_be_chan_desc last; /* the last attach's descriptor */
    struct vgpu_be_chan *deferred[FAKE_CHANS_MAX]; /* detached, release pending */
    unsigned int nr_deferred;
};

extern struct fake_core fake_core;
extern unsigned int fake_dir_pages;  /* nr_pages of every data directory mapped */
extern const char *fake_read_prefix; /* count xs_read calls under this path */
extern unsigned int fake_prefix_reads;
extern unsigned int fake_gntdev_shares; /* gntdev instances handed out */
extern uint32_t fake_gntdev_last_pages; /* grant refs in the last one */

/* What a map of grant ref ref shows (a copy of one page); up to 64 refs. */
void fake_gref_page(uint32_t ref, const void *page);

/* The transport's state over the fakes, with these budgets (0: defaults). */
struct vgpu_xen *fake_xen_new(uint32_t max_grants, uint32_t max_grants_per_domain);
/* Stop the transport (drops every device and channel) and reset the fakes. */
void fake_xen_free(struct vgpu_xen *x);

void fake_write(const char *path, const char *value);
/* Write len bytes (may hold NULs). */
void fake_write_raw(const char *path, const void *value, unsigned int len);
void fake_rm(const char *path);
/* Value of path or NULL (the fake's own string). */
const char *fake_read(const char *path);
void fake_introduce(unsigned int domid, bool introduced);
/* Run the releases kept by defer_release. */
void fake_run_deferred(void);

/*
 * A domain as provisioning makes it: /local/domain/<domid>/{vm,name},
 * backend and frontend directories of device 0 with vm-id and vm-uuid.
 */
void fake_domain(unsigned int domid, uint32_t vm_id, const char *uuid);
/* Frontend state of device 0, and a channel published as vgpu.ko does. */
void fake_fe_state(unsigned int domid, unsigned int state);
void fake_channel(unsigned int domid, const char *name, unsigned int state);

#endif /* VGPU_XS_FAKE_H */
