// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_pci.c: PCI driver for QEMU's vgpu-stub (1af4:10f0), the device that
 * tells an HVM guest its vgpu identity (docs/qemu-vgpu.md).
 *
 * Probe reads the read-only registers of BAR 0 once and shows the values
 * in sysfs on the PCI device: vgpu_vm_id, vgpu_pool, vgpu_priority. The
 * device has no interrupts and no state; nothing is written to it.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/ctype.h>
#include <linux/pci.h>
#include <linux/device.h>
#include <linux/sysfs.h>
#include <linux/io.h>
#include "vgpu_fe.h"

/* The register map and identity limits, shared with the device model (proto/). */
#include "vgpu_stub_regs.h"

/**
 * struct vgpu_pci - identity read from one vgpu-stub at probe
 * @vm_id: the VM's vm id, 1..65535
 * @priority: 0 low, 1 medium, 2 high
 * @pool: pool name, 1..31 bytes of [A-Za-z0-9_-], NUL-terminated
 *
 * Written once in probe, before the sysfs attributes exist; read-only
 * afterwards, so the show functions need no lock.
 */
struct vgpu_pci {
	u32 vm_id;
	u32 priority;
	char pool[VGPU_POOL_NAME_MAX + 1];
};

static bool vgpu_pci_pool_char_ok(u8 c)
{
	return isalnum(c) || c == '_' || c == '-';
}

/**
 * vgpu_pci_read_pool() - copy and check the pool name from BAR 0
 * @pdev: the device, for messages
 * @regs: BAR 0
 * @vp: where the name goes (@vp->pool)
 *
 * Return: 0, or -EINVAL (logged) when POOL_LEN is out of 1..31 or a byte
 * is outside [A-Za-z0-9_-].
 */
static int vgpu_pci_read_pool(struct pci_dev *pdev, void __iomem *regs,
			      struct vgpu_pci *vp)
{
	u32 len = ioread32(regs + VGPU_STUB_REG_POOL_LEN);
	u32 i;

	if (len < 1 || len > VGPU_POOL_NAME_MAX) {
		dev_err(&pdev->dev, "vgpu-stub POOL_LEN is %u, expected 1..%u; check the device model's pool= argument\n",
			len, VGPU_POOL_NAME_MAX);
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		u8 c = ioread8(regs + VGPU_STUB_REG_POOL_NAME + i);

		if (!vgpu_pci_pool_char_ok(c)) {
			dev_err(&pdev->dev, "vgpu-stub pool name byte %u is 0x%02x, expected [A-Za-z0-9_-]\n",
				i, c);
			return -EINVAL;
		}
		vp->pool[i] = c;
	}
	vp->pool[len] = '\0';
	return 0;
}

/**
 * vgpu_pci_read_regs() - check the layout and copy the identity from BAR 0
 * @pdev: the device, for messages
 * @regs: BAR 0
 * @vp: filled on success
 *
 * Return: 0, or -ENODEV (logged) when MAGIC or VERSION is not what this
 * driver knows, -EINVAL (logged) when a value is out of its documented range.
 */
static int vgpu_pci_read_regs(struct pci_dev *pdev, void __iomem *regs,
			      struct vgpu_pci *vp)
{
	u32 magic = ioread32(regs + VGPU_STUB_REG_MAGIC);
	u32 version = ioread32(regs + VGPU_STUB_REG_VERSION);

	if (magic != VGPU_STUB_MAGIC) {
		dev_err(&pdev->dev, "vgpu-stub MAGIC is 0x%08x, expected 0x%08x; not a vgpu-stub, not binding\n",
			magic, VGPU_STUB_MAGIC);
		return -ENODEV;
	}
	if (version != VGPU_STUB_VERSION) {
		dev_err(&pdev->dev, "vgpu-stub register layout version is %u, this driver knows %u; update vgpu.ko\n",
			version, VGPU_STUB_VERSION);
		return -ENODEV;
	}
	vp->vm_id = ioread32(regs + VGPU_STUB_REG_VM_ID);
	if (vp->vm_id < VGPU_VM_ID_MIN || vp->vm_id > VGPU_VM_ID_MAX) {
		dev_err(&pdev->dev, "vgpu-stub VM_ID is %u, expected 1..%u\n",
			vp->vm_id, VGPU_VM_ID_MAX);
		return -EINVAL;
	}
	vp->priority = ioread32(regs + VGPU_STUB_REG_PRIORITY);
	if (vp->priority > VGPU_PRIORITY_MAX) {
		dev_err(&pdev->dev, "vgpu-stub PRIORITY is %u, expected 0..%u\n",
			vp->priority, VGPU_PRIORITY_MAX);
		return -EINVAL;
	}
	return vgpu_pci_read_pool(pdev, regs, vp);
}

static int vgpu_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct vgpu_pci *vp;
	int err;

	vp = devm_kzalloc(&pdev->dev, sizeof(*vp), GFP_KERNEL);
	if (!vp)
		return -ENOMEM;
	err = pcim_enable_device(pdev);
	if (err) {
		dev_err(&pdev->dev, "cannot enable the vgpu-stub device: %d\n", err);
		return err;
	}
	err = pcim_iomap_regions(pdev, BIT(0), KBUILD_MODNAME);
	if (err) {
		dev_err(&pdev->dev, "cannot map vgpu-stub BAR 0: %d\n", err);
		return err;
	}
	err = vgpu_pci_read_regs(pdev, pcim_iomap_table(pdev)[0], vp);
	if (err)
		return err;
	pci_set_drvdata(pdev, vp);
	dev_info(&pdev->dev, "vgpu-stub: vm_id %u, pool '%s', priority %u\n",
		 vp->vm_id, vp->pool, vp->priority);
	return 0;
}

static ssize_t vgpu_vm_id_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct vgpu_pci *vp = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", vp->vm_id);
}
static DEVICE_ATTR_RO(vgpu_vm_id);

static ssize_t vgpu_pool_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct vgpu_pci *vp = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%s\n", vp->pool);
}
static DEVICE_ATTR_RO(vgpu_pool);

static ssize_t vgpu_priority_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct vgpu_pci *vp = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", vp->priority);
}
static DEVICE_ATTR_RO(vgpu_priority);

static struct attribute *vgpu_pci_attrs[] = {
	&dev_attr_vgpu_vm_id.attr,
	&dev_attr_vgpu_pool.attr,
	&dev_attr_vgpu_priority.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vgpu_pci);

static const struct pci_device_id vgpu_pci_ids[] = {
	{ PCI_DEVICE(VGPU_STUB_VENDOR_ID, VGPU_STUB_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, vgpu_pci_ids);

/* Everything probe takes is managed (pcim_*, devm_*): no remove needed. */
static struct pci_driver vgpu_pci_driver = {
	.name		= "vgpu-stub",
	.id_table	= vgpu_pci_ids,
	.probe		= vgpu_pci_probe,
	.dev_groups	= vgpu_pci_groups,
};

/**
 * vgpu_pci_register() - register the vgpu-stub PCI driver
 *
 * Works on a guest without PCI devices (a PV guest): the driver is then
 * registered and binds to nothing.
 *
 * Return: 0 or the -errno of pci_register_driver().
 */
int vgpu_pci_register(void)
{
	return pci_register_driver(&vgpu_pci_driver);
}

/**
 * vgpu_pci_unregister() - unbind from every vgpu-stub and unregister
 */
void vgpu_pci_unregister(void)
{
	pci_unregister_driver(&vgpu_pci_driver);
}
