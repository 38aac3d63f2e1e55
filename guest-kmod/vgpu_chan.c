// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_chan.c: channel setup and teardown: ring and data-area pages
 * granted to the backend, the data directory, the event channel, and the
 * channel's xenstore entries.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/interrupt.h>
#include <linux/jiffies.h>
#include <xen/xenbus.h>
#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/interface/event_channel.h>
#include <asm/xen/hypercall.h>
#include "vgpu_fe.h"

#define VGPU_TEARDOWN_POLL_MS 100	/* how often teardown looks for the backend's ack */
#define VGPU_TEARDOWN_POLLS 50		/* then the grants are ended anyway (deferred) */

static void vgpu_chan_teardown_work(struct work_struct *work);

static irqreturn_t vgpu_chan_interrupt(int irq, void *dev_id)
{
	struct vgpu_chan *ch = dev_id;

	atomic_inc(&ch->events);
	wake_up_interruptible(&ch->wq);
	return IRQ_HANDLED;
}

/* Allocate (gfp) and grant one zeroed page to domid. Returns 0 or -errno. */
int vgpu_grant_page(domid_t domid, gfp_t gfp, bool readonly, struct page **page,
		    grant_ref_t *ref)
{
	int r;

	*page = alloc_page(gfp | __GFP_ZERO);
	if (!*page)
		return -ENOMEM;
	r = gnttab_grant_foreign_access(domid, xen_page_to_gfn(*page), readonly);
	if (r < 0) {
		__free_page(*page);
		*page = NULL;
		return r;
	}
	*ref = r;
	return 0;
}

/*
 * End a grant and hand the page to the grant table code, which frees it
 * only once the backend no longer maps it.
 */
void vgpu_ungrant_page(struct page **page, grant_ref_t ref)
{
	if (!*page)
		return;
	gnttab_end_foreign_access(ref, *page);
	*page = NULL;
}

/* Free everything the channel holds in Xen. Tolerates half-built state. */
static void vgpu_chan_release_res(struct vgpu_chan *ch)
{
	unsigned int i;

	if (ch->watching) {
		unregister_xenbus_watch(&ch->be_watch);
		kfree(ch->be_watch.node);
		ch->be_watch.node = NULL;
		ch->watching = false;
	}
	if (ch->irq >= 0) {
		unbind_from_irqhandler(ch->irq, ch);	/* also closes the port */
		ch->irq = -1;
	}
	if (ch->fe_dir)
		xenbus_rm(XBT_NIL, ch->fe_dir, "");
	for (i = 0; i < ch->nr_ring_pages; i++)
		vgpu_ungrant_page(&ch->ring_pages[i], ch->ring_refs[i]);
	vgpu_ungrant_page(&ch->dir_page, ch->dir_ref);
	for (i = 0; ch->data_pages && i < ch->nr_data_pages; i++)
		vgpu_ungrant_page(&ch->data_pages[i], ch->data_refs[i]);
	kvfree(ch->data_pages);
	ch->data_pages = NULL;
	kvfree(ch->data_refs);
	ch->data_refs = NULL;
	kfree(ch->fe_dir);
	ch->fe_dir = NULL;
	kfree(ch->be_dir);
	ch->be_dir = NULL;
	if (ch->has_index)
		ida_free(&ch->front->chan_ida, ch->index);
	ch->has_index = false;
	WRITE_ONCE(ch->released, true);
}

static void vgpu_chan_free(struct kref *kref)
{
	struct vgpu_chan *ch = container_of(kref, struct vgpu_chan, kref);

	if (ch->sring_page)
		put_page(ch->sring_page);
	vgpu_fe_put(ch->front);
	kfree(ch);
}

/* Drop the file's or the resources' reference; the last one frees the struct. */
static void vgpu_chan_put(struct vgpu_chan *ch)
{
	kref_put(&ch->kref, vgpu_chan_free);
}

/* Release the Xen resources (caller set @detached) and drop their reference. */
static void vgpu_chan_release_put(struct vgpu_chan *ch)
{
	vgpu_chan_release_res(ch);
	vgpu_chan_put(ch);
}

/* Backend's channel-<n>/state changed (or the watch was just set). */
static void vgpu_chan_be_changed(struct xenbus_watch *w, const char *path,
				 const char *token)
{
	struct vgpu_chan *ch = container_of(w, struct vgpu_chan, be_watch);
	struct vgpu_fe *front = ch->front;
	enum xenbus_state st;

	st = xenbus_read_unsigned(ch->be_dir, "state", XenbusStateUnknown);
	mutex_lock(&front->lock);
	WRITE_ONCE(ch->be_state, st);
	if (st == XenbusStateConnected)
		ch->be_seen_connected = true;
	/* A Closed left over from an earlier channel of this index is not ours. */
	if (ch->be_seen_connected && st >= XenbusStateClosing)
		WRITE_ONCE(ch->broken, true);
	if (ch->file_closed && !ch->detached && st == XenbusStateClosed)
		mod_delayed_work(vgpu_wq, &ch->teardown, 0);
	mutex_unlock(&front->lock);
	wake_up_interruptible(&ch->wq);
}

static int vgpu_chan_alloc_pages(struct vgpu_chan *ch, domid_t domid)
{
	struct vgpu_data_dir *dir;
	unsigned int i;
	int err;

	for (i = 0; i < ch->nr_ring_pages; i++) {
		err = vgpu_grant_page(domid, GFP_KERNEL, false, &ch->ring_pages[i],
				      &ch->ring_refs[i]);
		if (err)
			return err;
	}
	vgpu_sring_init(page_address(ch->ring_pages[0]));
	/* poll() reads the ring header until the file is gone. */
	ch->sring_page = ch->ring_pages[0];
	get_page(ch->sring_page);

	ch->data_pages = kvcalloc(ch->nr_data_pages, sizeof(*ch->data_pages), GFP_KERNEL);
	ch->data_refs = kvcalloc(ch->nr_data_pages, sizeof(*ch->data_refs), GFP_KERNEL);
	if (!ch->data_pages || !ch->data_refs)
		return -ENOMEM;
	for (i = 0; i < ch->nr_data_pages; i++) {
		err = vgpu_grant_page(domid, GFP_KERNEL, false, &ch->data_pages[i],
				      &ch->data_refs[i]);
		if (err)
			return err;
	}

	/* The directory is filled before it is granted: the backend reads it once. */
	ch->dir_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!ch->dir_page)
		return -ENOMEM;
	dir = page_address(ch->dir_page);
	dir->magic = VGPU_DATA_DIR_MAGIC;
	dir->nr_pages = ch->nr_data_pages;
	for (i = 0; i < ch->nr_data_pages; i++)
		dir->gref[i] = ch->data_refs[i];
	err = gnttab_grant_foreign_access(domid, xen_page_to_gfn(ch->dir_page), 1);
	if (err < 0) {
		__free_page(ch->dir_page);
		ch->dir_page = NULL;
		return err;
	}
	ch->dir_ref = err;
	return 0;
}

/* Write channel-<n>/ in one transaction, state last. */
static int vgpu_chan_publish(struct vgpu_chan *ch, struct xenbus_device *xbdev)
{
	struct xenbus_transaction xbt;
	unsigned int i;
	int err;

again:
	err = xenbus_transaction_start(&xbt);
	if (err)
		return err;
	err = xenbus_printf(xbt, ch->fe_dir, "ring-page-order", "%u", ch->ring_order);
	for (i = 0; !err && i < ch->nr_ring_pages; i++) {
		char key[16];

		snprintf(key, sizeof(key), "ring-ref-%u", i);
		err = xenbus_printf(xbt, ch->fe_dir, key, "%u", ch->ring_refs[i]);
	}
	if (!err)
		err = xenbus_printf(xbt, ch->fe_dir, "data-dir-ref", "%u", ch->dir_ref);
	if (!err)
		err = xenbus_printf(xbt, ch->fe_dir, "event-channel", "%u", ch->port);
	if (!err)
		err = xenbus_printf(xbt, ch->fe_dir, "state", "%u", XenbusStateConnected);
	if (err) {
		xenbus_transaction_end(xbt, 1);
		return err;
	}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	return err;
}

/* Pick a free channel index, round-robin so a fresh channel rarely reuses one. */
static int vgpu_chan_alloc_index(struct vgpu_fe *front)
{
	unsigned int max = front->max_channels;
	int idx;

	idx = ida_alloc_range(&front->chan_ida, front->next_index % max, max - 1, GFP_KERNEL);
	if (idx == -ENOSPC && front->next_index % max)
		idx = ida_alloc_range(&front->chan_ida, 0, max - 1, GFP_KERNEL);
	if (idx >= 0)
		front->next_index = idx + 1;
	return idx == -ENOSPC ? -EBUSY : idx;
}

/*
 * An unbound port for the backend. Not xenbus_alloc_evtchn(): its failure
 * would close the whole device, this only fails one open().
 */
static int vgpu_chan_alloc_evtchn(struct vgpu_chan *ch, domid_t remote)
{
	struct evtchn_alloc_unbound alloc = {
		.dom = DOMID_SELF,
		.remote_dom = remote,
	};
	int err;

	err = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &alloc);
	if (err)
		return err;
	ch->port = alloc.port;
	return 0;
}

/*
 * Watch the backend's channel-<n>/state. Not xenbus_watch_pathfmt(): its
 * failure (xenstored's watch quota, say) would close the whole device
 * with xenbus_dev_fatal(); this one only fails one open().
 */
static int vgpu_chan_watch(struct vgpu_chan *ch)
{
	int err;

	ch->be_watch.node = kasprintf(GFP_KERNEL, "%s/state", ch->be_dir);
	if (!ch->be_watch.node)
		return -ENOMEM;
	ch->be_watch.callback = vgpu_chan_be_changed;
	err = register_xenbus_watch(&ch->be_watch);
	if (err) {
		pr_warn_ratelimited("vgpu: cannot watch %s (%d): channel refused\n",
				    ch->be_watch.node, err);
		kfree(ch->be_watch.node);
		ch->be_watch.node = NULL;
		return err;
	}
	ch->watching = true;
	return 0;
}

/* Build the channel's Xen resources and publish them. Caller holds front->lock. */
static int vgpu_chan_setup(struct vgpu_chan *ch, struct xenbus_device *xbdev)
{
	struct vgpu_fe *front = ch->front;
	int idx, err;

	idx = vgpu_chan_alloc_index(front);
	if (idx < 0)
		return idx;
	ch->index = idx;
	ch->has_index = true;
	ch->ring_order = min(vgpu_param_ring_order, front->max_ring_order);
	ch->nr_ring_pages = 1u << ch->ring_order;
	ch->nr_data_pages = clamp(vgpu_param_data_pages, 1u, front->max_data_pages);
	ch->be_domid = xbdev->otherend_id;
	ch->fe_dir = kasprintf(GFP_KERNEL, "%s/channel-%u", xbdev->nodename, ch->index);
	ch->be_dir = kasprintf(GFP_KERNEL, "%s/channel-%u", xbdev->otherend, ch->index);
	if (!ch->fe_dir || !ch->be_dir)
		return -ENOMEM;

	err = vgpu_chan_alloc_pages(ch, xbdev->otherend_id);
	if (err)
		return err;
	err = vgpu_chan_alloc_evtchn(ch, xbdev->otherend_id);
	if (err)
		return err;
	err = bind_evtchn_to_irqhandler(ch->port, vgpu_chan_interrupt, 0, "vgpu", ch);
	if (err < 0) {
		struct evtchn_close close = { .port = ch->port };

		HYPERVISOR_event_channel_op(EVTCHNOP_close, &close);
		return err;
	}
	ch->irq = err;
	err = vgpu_chan_watch(ch);
	if (err)
		return err;
	return vgpu_chan_publish(ch, xbdev);
}

/*
 * The wait of open() is over. A wait_event() condition must not sleep, so
 * this reads without front->lock; open() decides under the lock afterwards.
 */
static bool vgpu_chan_settled(struct vgpu_chan *ch)
{
	return READ_ONCE(ch->be_state) == XenbusStateConnected || READ_ONCE(ch->broken) ||
	       !READ_ONCE(ch->front->connected);
}

/**
 * vgpu_chan_open() - create a channel and wait until the backend connected it
 * @front: a connected device (referenced by the caller; the channel takes
 *         its own reference)
 * @out:   the channel, owned by the caller until vgpu_chan_close()
 *
 * Return: 0; -ENODEV when the backend is not connected or closed the
 * channel; -ETIMEDOUT when it did not connect it within connect_ms;
 * -EBUSY when all max-channels are in use; -EINTR; -ENOMEM; a xenbus error.
 */
int vgpu_chan_open(struct vgpu_fe *front, struct vgpu_chan **out)
{
	struct vgpu_chan *ch;
	long left;
	int err;

	ch = kzalloc(sizeof(*ch), GFP_KERNEL);
	if (!ch)
		return -ENOMEM;
	kref_init(&ch->kref);		/* the file's reference */
	kref_get(&ch->kref);		/* the Xen resources' reference */
	ch->front = front;
	ch->irq = -1;
	ch->be_state = XenbusStateUnknown;
	init_waitqueue_head(&ch->wq);
	atomic_set(&ch->events, 0);
	mutex_init(&ch->hb_lock);
	INIT_LIST_HEAD(&ch->hostbufs);
	INIT_DELAYED_WORK(&ch->teardown, vgpu_chan_teardown_work);
	kref_get(&front->kref);

	mutex_lock(&front->lock);
	if (!front->connected || !front->xbdev) {
		mutex_unlock(&front->lock);
		err = -ENODEV;
		goto release;
	}
	err = vgpu_chan_setup(ch, front->xbdev);
	if (err) {
		mutex_unlock(&front->lock);
		goto release;
	}
	list_add_tail(&ch->node, &front->chans);
	front->nr_chans++;
	mutex_unlock(&front->lock);

	left = wait_event_interruptible_timeout(ch->wq, vgpu_chan_settled(ch),
						msecs_to_jiffies(vgpu_param_connect_ms));
	mutex_lock(&front->lock);
	if (ch->be_state == XenbusStateConnected && !ch->broken && front->connected)
		err = 0;
	else if (left < 0)
		err = -EINTR;
	else if (left == 0)
		err = -ETIMEDOUT;
	else
		err = -ENODEV;
	if (!err) {
		mutex_unlock(&front->lock);
		*out = ch;
		return 0;
	}
	ch->file_closed = true;
	if (ch->detached) {
		/* The device is being removed: removal releases the resources. */
		mutex_unlock(&front->lock);
		vgpu_chan_put(ch);
		return err;
	}
	list_del(&ch->node);
	front->nr_chans--;
	ch->detached = true;
	mutex_unlock(&front->lock);
	if (err == -ETIMEDOUT)
		pr_warn("vgpu: backend did not connect channel %u within %u ms\n",
			ch->index, vgpu_param_connect_ms);
release:
	vgpu_chan_release_put(ch);
	vgpu_chan_put(ch);
	return err;
}

/* Teardown after close: wait (bounded) for the backend to unmap, then release. */
static void vgpu_chan_teardown_work(struct work_struct *work)
{
	struct vgpu_chan *ch = container_of(to_delayed_work(work), struct vgpu_chan, teardown);
	struct vgpu_fe *front = ch->front;
	bool acked;

	mutex_lock(&front->lock);
	if (ch->detached) {
		mutex_unlock(&front->lock);
		return;
	}
	acked = ch->be_state == XenbusStateClosed || !ch->be_seen_connected ||
		!front->connected || ch->broken;
	if (!acked && ch->teardown_polls++ < VGPU_TEARDOWN_POLLS) {
		queue_delayed_work(vgpu_wq, &ch->teardown,
				   msecs_to_jiffies(VGPU_TEARDOWN_POLL_MS));
		mutex_unlock(&front->lock);
		return;
	}
	list_del(&ch->node);
	front->nr_chans--;
	ch->detached = true;
	mutex_unlock(&front->lock);
	if (!acked)
		pr_warn("vgpu: backend did not acknowledge closing channel %u; grants end when it unmaps\n",
			ch->index);
	vgpu_chan_release_put(ch);
}

/**
 * vgpu_chan_close() - the file is closed: tell the backend, release later
 * @ch: the channel; not to be used by the caller afterwards
 *
 * Sets channel-<n>/state to Closing and kicks the backend; a work item
 * ends the grants once the backend wrote Closed (or after a bounded wait:
 * the grant table code then frees each page only when it is unmapped).
 */
void vgpu_chan_close(struct vgpu_chan *ch)
{
	struct vgpu_fe *front = ch->front;

	mutex_lock(&front->lock);
	ch->file_closed = true;
	if (!ch->detached) {
		if (!ch->broken)
			xenbus_printf(XBT_NIL, ch->fe_dir, "state", "%u", XenbusStateClosing);
		if (ch->irq >= 0)
			notify_remote_via_irq(ch->irq);
		mod_delayed_work(vgpu_wq, &ch->teardown, 0);
	}
	mutex_unlock(&front->lock);
	vgpu_chan_put(ch);
}

/**
 * vgpu_chan_break_all() - the backend is gone: fail every open channel
 * @front: the device
 *
 * Pollers see POLLERR, kicks and reads fail with -EIO. Each channel's
 * frontend state becomes Closing so a restarted backend leaves it alone.
 */
void vgpu_chan_break_all(struct vgpu_fe *front)
{
	struct vgpu_chan *ch;

	mutex_lock(&front->lock);
	list_for_each_entry(ch, &front->chans, node) {
		if (!ch->broken && ch->fe_dir)
			xenbus_printf(XBT_NIL, ch->fe_dir, "state", "%u", XenbusStateClosing);
		WRITE_ONCE(ch->broken, true);
		if (ch->file_closed)
			mod_delayed_work(vgpu_wq, &ch->teardown, 0);
		wake_up_interruptible(&ch->wq);
	}
	mutex_unlock(&front->lock);
}

/**
 * vgpu_chan_remove_all() - the xenbus device goes away: release every channel now
 * @front: the device; its channels stay usable as broken files
 */
void vgpu_chan_remove_all(struct vgpu_fe *front)
{
	struct vgpu_chan *ch, *tmp;
	LIST_HEAD(gone);

	mutex_lock(&front->lock);
	list_for_each_entry(ch, &front->chans, node) {
		ch->detached = true;
		WRITE_ONCE(ch->broken, true);
		wake_up_interruptible(&ch->wq);
	}
	list_splice_init(&front->chans, &gone);
	front->nr_chans = 0;
	mutex_unlock(&front->lock);

	list_for_each_entry_safe(ch, tmp, &gone, node) {
		list_del(&ch->node);
		cancel_delayed_work_sync(&ch->teardown);
		vgpu_chan_release_put(ch);
	}
}

/**
 * vgpu_chan_kick() - notify the backend of new requests
 * @ch: an open channel that is not broken
 */
void vgpu_chan_kick(struct vgpu_chan *ch)
{
	if (ch->irq >= 0)
		notify_remote_via_irq(ch->irq);
}

/**
 * vgpu_chan_broken() - whether the backend closed the channel or went away
 * @ch: the channel
 */
bool vgpu_chan_broken(struct vgpu_chan *ch)
{
	return READ_ONCE(ch->broken) || READ_ONCE(ch->released);
}

/**
 * vgpu_chan_rsp_pending() - responses past what the process armed for
 * @ch: the channel
 *
 * The process arms rsp_event to rsp_cons + 1 before it sleeps
 * (vgpu_fe_arm); a response is pending when rsp_prod moved past
 * rsp_cons. A process that is polling (disarmed) always sees true.
 */
bool vgpu_chan_rsp_pending(struct vgpu_chan *ch)
{
	struct vgpu_sring *s = page_address(ch->sring_page);

	return VGPU_READ_ONCE(s->rsp_prod) != VGPU_READ_ONCE(s->rsp_event) - 1;
}
