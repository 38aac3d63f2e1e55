// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_xenbus.c: the xenbus side of vgpu.ko: probe, the XenbusState
 * handshake with the backend, its limits and the VM's identity.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <xen/xenbus.h>
#include "vgpu_fe.h"

static LIST_HEAD(vgpu_fes);
static DEFINE_MUTEX(vgpu_fes_lock);

static void vgpu_fe_free(struct kref *kref)
{
	struct vgpu_fe *front = container_of(kref, struct vgpu_fe, kref);

	ida_destroy(&front->chan_ida);
	kfree(front);
}

/**
 * vgpu_fe_put() - drop a reference taken by vgpu_fe_get_connected()
 * @front: the device
 */
void vgpu_fe_put(struct vgpu_fe *front)
{
	kref_put(&front->kref, vgpu_fe_free);
}

/**
 * vgpu_fe_get_connected() - the first device connected to its backend
 *
 * Return: a referenced front (drop with vgpu_fe_put()), or NULL.
 */
struct vgpu_fe *vgpu_fe_get_connected(void)
{
	struct vgpu_fe *front, *found = NULL;

	mutex_lock(&vgpu_fes_lock);
	list_for_each_entry(front, &vgpu_fes, node) {
		if (READ_ONCE(front->connected)) {
			kref_get(&front->kref);
			found = front;
			break;
		}
	}
	mutex_unlock(&vgpu_fes_lock);
	return found;
}

/* Read the backend's limits and the VM's identity. Caller holds front->lock. */
static void vgpu_fe_read_backend(struct vgpu_fe *front)
{
	const char *be = front->xbdev->otherend;
	char *pool;

	front->max_ring_order = min_t(u32, VGPU_RING_ORDER_MAX,
		xenbus_read_unsigned(be, "max-ring-page-order", 2));
	front->max_data_pages = clamp_t(u32,
		xenbus_read_unsigned(be, "max-data-pages", 1024), 1, VGPU_DATA_PAGES_MAX);
	front->max_channels = clamp_t(u32,
		xenbus_read_unsigned(be, "max-channels", 8), 1, VGPU_CHANNELS_MAX);
	front->priority = xenbus_read_unsigned(be, "priority", 1);
	front->vm_id = xenbus_read_unsigned(be, "vm-id", 0);
	pool = xenbus_read(XBT_NIL, be, "pool", NULL);
	if (IS_ERR(pool)) {
		strscpy(front->pool, "A", sizeof(front->pool));
	} else {
		strscpy(front->pool, pool, sizeof(front->pool));
		kfree(pool);
	}
}

/* The backend is (again) ready: read what it published and connect. */
static void vgpu_fe_connect(struct vgpu_fe *front)
{
	struct xenbus_device *xbdev = front->xbdev;
	bool was_connected;

	mutex_lock(&front->lock);
	was_connected = front->connected;
	vgpu_fe_read_backend(front);
	WRITE_ONCE(front->connected, true);
	mutex_unlock(&front->lock);
	if (!was_connected)
		dev_info(&xbdev->dev, "backend ready: pool %s priority %u vm-id %u, ring order <= %u, data pages <= %u, channels <= %u\n",
			 front->pool, front->priority, front->vm_id, front->max_ring_order,
			 front->max_data_pages, front->max_channels);
	xenbus_switch_state(xbdev, XenbusStateConnected);
}

/* The backend went away or restarted: existing channels are dead. */
static void vgpu_fe_disconnect(struct vgpu_fe *front)
{
	mutex_lock(&front->lock);
	WRITE_ONCE(front->connected, false);
	mutex_unlock(&front->lock);
	vgpu_chan_break_all(front);
}

static void vgpu_fe_backend_changed(struct xenbus_device *xbdev,
				       enum xenbus_state be_state)
{
	struct vgpu_fe *front = dev_get_drvdata(&xbdev->dev);
	enum xenbus_state old;

	mutex_lock(&front->lock);
	old = front->be_state;
	front->be_state = be_state;
	mutex_unlock(&front->lock);
	if (old != be_state)
		dev_info(&xbdev->dev, "backend %s -> %s\n", xenbus_strstate(old),
			 xenbus_strstate(be_state));

	switch (be_state) {
	case XenbusStateInitialising:
	case XenbusStateInitWait:
	case XenbusStateInitialised:
		/* A backend that starts over (vgpud restarted) lost our channels. */
		if (old == XenbusStateConnected)
			vgpu_fe_disconnect(front);
		if (be_state != XenbusStateInitialising)
			vgpu_fe_connect(front);
		break;
	case XenbusStateConnected:
		/* Repeated or skipped states: (re)read the limits and identity. */
		vgpu_fe_connect(front);
		break;
	case XenbusStateClosing:
		vgpu_fe_disconnect(front);
		xenbus_switch_state(xbdev, XenbusStateClosing);
		break;
	case XenbusStateClosed:
	case XenbusStateUnknown:
		vgpu_fe_disconnect(front);
		/*
		 * A frontend starting over (re-probe) still sees the Closed
		 * of the previous round: wait for the backend's InitWait.
		 */
		if (xbdev->state == XenbusStateClosed ||
		    xbdev->state == XenbusStateInitialising)
			break;
		xenbus_frontend_closed(xbdev);
		break;
	default:
		break;
	}
}

static int vgpu_fe_probe(struct xenbus_device *xbdev,
			    const struct xenbus_device_id *id)
{
	struct vgpu_fe *front;
	int err;

	front = kzalloc(sizeof(*front), GFP_KERNEL);
	if (!front)
		return -ENOMEM;
	kref_init(&front->kref);
	ida_init(&front->chan_ida);
	mutex_init(&front->lock);
	INIT_LIST_HEAD(&front->chans);
	front->xbdev = xbdev;
	front->be_state = XenbusStateUnknown;
	strscpy(front->pool, "A", sizeof(front->pool));
	front->max_channels = 1;
	dev_set_drvdata(&xbdev->dev, front);

	err = device_add_group(&xbdev->dev, &vgpu_fe_attr_group);
	if (err)
		goto free_front;
	mutex_lock(&vgpu_fes_lock);
	list_add_tail(&front->node, &vgpu_fes);
	mutex_unlock(&vgpu_fes_lock);
	/* A re-probe after module reload starts the handshake over. */
	xenbus_switch_state(xbdev, XenbusStateInitialising);
	return 0;

free_front:
	dev_set_drvdata(&xbdev->dev, NULL);
	vgpu_fe_put(front);
	return err;
}

static void vgpu_fe_remove(struct xenbus_device *xbdev)
{
	struct vgpu_fe *front = dev_get_drvdata(&xbdev->dev);

	mutex_lock(&vgpu_fes_lock);
	list_del(&front->node);
	mutex_unlock(&vgpu_fes_lock);
	vgpu_fe_disconnect(front);
	vgpu_chan_remove_all(front);
	device_remove_group(&xbdev->dev, &vgpu_fe_attr_group);
	mutex_lock(&front->lock);
	front->xbdev = NULL;
	mutex_unlock(&front->lock);
	dev_set_drvdata(&xbdev->dev, NULL);
	vgpu_fe_put(front);
}

static const struct xenbus_device_id vgpu_fe_ids[] = {
	{ "vgpu" },
	{ "" }
};

static struct xenbus_driver vgpu_fe_driver = {
	.ids = vgpu_fe_ids,
	.probe = vgpu_fe_probe,
	.remove = vgpu_fe_remove,
	.otherend_changed = vgpu_fe_backend_changed,
	.not_essential = true,
};

int vgpu_xenbus_register(void)
{
	return xenbus_register_frontend(&vgpu_fe_driver);
}

void vgpu_xenbus_unregister(void)
{
	xenbus_unregister_driver(&vgpu_fe_driver);
}
