/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vgpu_fe.h: internal interfaces of vgpu.ko, the guest's xenbus frontend.
 *
 * Objects: one struct vgpu_fe per "vgpu" xenbus device, one struct
 * vgpu_chan per open of /dev/vgpu. A channel holds a reference on its
 * front (kref), so the front outlives the xenbus device when files are
 * still open after the device went away.
 */
#ifndef VGPU_FE_H
#define VGPU_FE_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/version.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/idr.h>
#include <xen/xenbus.h>
#include <xen/grant_table.h>
#include "vgpu_proto.h"

#define VGPU_CHANNELS_MAX 64u /* hard cap on max-channels, whatever the backend says */

/**
 * struct vgpu_fe - one vgpu xenbus device
 *
 * Fields below @lock are protected by it. @xbdev is NULL once the xenbus
 * device was removed; channels then only release what they own.
 */
struct vgpu_fe {
	struct kref kref;
	struct list_head node;		/* in vgpu_fes, under vgpu_fes_lock */
	struct ida chan_ida;		/* channel indices */
	struct mutex lock;
	struct xenbus_device *xbdev;	/* NULL after remove */
	bool connected;			/* limits read, frontend state Connected */
	enum xenbus_state be_state;	/* backend device state, last seen */
	unsigned int next_index;	/* where the next index search starts */
	u32 max_ring_order;		/* backend limits */
	u32 max_data_pages;
	u32 max_channels;
	char pool[32];			/* identity, as the backend published it */
	u32 priority;
	u32 vm_id;
	struct list_head chans;		/* channels holding xenbus resources */
	unsigned int nr_chans;
};

/**
 * struct vgpu_chan - one channel: ring, data area, event channel
 *
 * Ownership: @kref counts two holders, the file (dropped by
 * vgpu_chan_close(), or by a failed open) and the channel's Xen resources
 * (dropped by whoever releases them). Exactly one party takes the channel
 * off @front->chans, under @front->lock, and sets @detached: the teardown
 * work after close, device removal, or a failed open. That party releases
 * the grants, irq and xenstore entries and drops the resources'
 * reference. The struct is freed with the last reference, so close and
 * removal may run in any order.
 */
struct vgpu_chan {
	struct kref kref;
	struct vgpu_fe *front;
	struct list_head node;		/* in front->chans */
	unsigned int index;		/* channel-<index> in xenstore */
	bool has_index;			/* index allocated in front->chan_ida */
	struct page *sring_page;	/* ring page 0, referenced until the struct is freed */
	u32 ring_order;
	unsigned int nr_ring_pages;
	struct page *ring_pages[1 << VGPU_RING_ORDER_MAX];
	grant_ref_t ring_refs[1 << VGPU_RING_ORDER_MAX];
	struct page *dir_page;		/* struct vgpu_data_dir */
	grant_ref_t dir_ref;
	unsigned int nr_data_pages;
	struct page **data_pages;
	grant_ref_t *data_refs;
	evtchn_port_t port;
	int irq;			/* < 0 when not bound */
	char *fe_dir;			/* <frontend>/channel-<n> */
	char *be_dir;			/* <backend>/channel-<n> */
	struct xenbus_watch be_watch;	/* on be_dir/state */
	bool watching;
	wait_queue_head_t wq;		/* woken on events and state changes */
	atomic_t events;		/* events since the last read() */
	struct delayed_work teardown;
	unsigned int teardown_polls;
	/* under front->lock: */
	enum xenbus_state be_state;	/* backend's channel state */
	bool be_seen_connected;		/* be_state was Connected once */
	bool broken;			/* backend closed or went away */
	bool file_closed;
	bool detached;			/* off front->chans: resources being released */
	bool released;			/* resources released */
	domid_t be_domid;		/* the backend's domain, what host buffers are granted to */
	struct mutex hb_lock;		/* host buffers (vgpu_hostbuf.c): */
	struct list_head hostbufs;
	u64 hb_slots;			/* mmap slots in use, a bit each */
	u64 hb_bytes;			/* their bytes, against hostbuf_max_mb */
};

extern struct workqueue_struct *vgpu_wq;
extern unsigned int vgpu_param_ring_order;
extern unsigned int vgpu_param_data_pages;
extern unsigned int vgpu_param_connect_ms;
extern unsigned int vgpu_param_hostbuf_max_mb;

/* vgpu_xenbus.c */
int vgpu_xenbus_register(void);
void vgpu_xenbus_unregister(void);
struct vgpu_fe *vgpu_fe_get_connected(void);
void vgpu_fe_put(struct vgpu_fe *front);

/* vgpu_chan.c */
int vgpu_chan_open(struct vgpu_fe *front, struct vgpu_chan **out);
void vgpu_chan_close(struct vgpu_chan *ch);
void vgpu_chan_break_all(struct vgpu_fe *front);
void vgpu_chan_remove_all(struct vgpu_fe *front);
void vgpu_chan_kick(struct vgpu_chan *ch);
bool vgpu_chan_broken(struct vgpu_chan *ch);
bool vgpu_chan_rsp_pending(struct vgpu_chan *ch);

/*
 * vm_flags became read-only in 6.3 (vm_flags_set()); Debian 12's 6.1 has
 * no vm_flags_set() yet.
 */
static inline void vgpu_vma_set_flags(struct vm_area_struct *vma, vm_flags_t flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

/* vgpu_chan.c: one page granted to domid (zeroed; gfp), and its grant ended (the page goes
 * once the backend no longer maps it). */
int vgpu_grant_page(domid_t domid, gfp_t gfp, bool readonly, struct page **page,
		    grant_ref_t *ref);
void vgpu_ungrant_page(struct page **page, grant_ref_t ref);

/* vgpu_hostbuf.c */
long vgpu_hostbuf_alloc(struct vgpu_chan *ch, void __user *arg);
long vgpu_hostbuf_free(struct vgpu_chan *ch, void __user *arg);
long vgpu_hostbuf_free_off(struct vgpu_chan *ch, u64 off);
int vgpu_hostbuf_mmap(struct vgpu_chan *ch, struct vm_area_struct *vma);
void vgpu_hostbuf_free_all(struct vgpu_chan *ch);

/* vgpu_fops.c */
int vgpu_misc_register(void);
void vgpu_misc_unregister(void);

/* vgpu_pci.c: the vgpu-stub PCI device of HVM guests */
int vgpu_pci_register(void);
void vgpu_pci_unregister(void);

/* vgpu_sysfs.c */
extern const struct attribute_group vgpu_fe_attr_group;

#endif /* VGPU_FE_H */
