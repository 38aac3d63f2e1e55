// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_sysfs.c: sysfs attributes of the vgpu xenbus device: connection
 * state and the identity the backend published (pool, priority, vm id).
 */
#include <linux/device.h>
#include <linux/sysfs.h>
#include "vgpu_fe.h"

static struct vgpu_fe *vgpu_dev_front(struct device *dev)
{
	return dev_get_drvdata(dev);
}

static ssize_t vgpu_state_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct vgpu_fe *front = vgpu_dev_front(dev);
	ssize_t n;

	mutex_lock(&front->lock);
	n = sysfs_emit(buf, "%s backend=%s channels=%u\n",
		       front->connected ? "connected" : "disconnected",
		       xenbus_strstate(front->be_state), front->nr_chans);
	mutex_unlock(&front->lock);
	return n;
}
static DEVICE_ATTR_RO(vgpu_state);

static ssize_t pool_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct vgpu_fe *front = vgpu_dev_front(dev);
	ssize_t n;

	mutex_lock(&front->lock);
	n = sysfs_emit(buf, "%s\n", front->pool);
	mutex_unlock(&front->lock);
	return n;
}
static DEVICE_ATTR_RO(pool);

static ssize_t priority_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(vgpu_dev_front(dev)->priority));
}
static DEVICE_ATTR_RO(priority);

static ssize_t vm_id_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(vgpu_dev_front(dev)->vm_id));
}
static DEVICE_ATTR_RO(vm_id);

static ssize_t limits_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct vgpu_fe *front = vgpu_dev_front(dev);

	return sysfs_emit(buf, "max-ring-page-order=%u max-data-pages=%u max-channels=%u\n",
			  front->max_ring_order, front->max_data_pages, front->max_channels);
}
static DEVICE_ATTR_RO(limits);

static struct attribute *vgpu_fe_attrs[] = {
	&dev_attr_vgpu_state.attr,
	&dev_attr_pool.attr,
	&dev_attr_priority.attr,
	&dev_attr_vm_id.attr,
	&dev_attr_limits.attr,
	NULL
};

const struct attribute_group vgpu_fe_attr_group = {
	.attrs = vgpu_fe_attrs,
};
