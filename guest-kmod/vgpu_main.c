// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_main.c: module entry of vgpu.ko, the guest side of vgpu.
 *
 * Registers the vgpu-stub PCI driver (vgpu_pci.c) and, under Xen, the
 * xenbus frontend driver (vgpu_xenbus.c) and the /dev/vgpu misc device
 * (vgpu_fops.c). proto/ is compiled in unchanged and checked at load time.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <xen/xen.h>
#include <xen/page.h>
#include "vgpu_fe.h"

struct workqueue_struct *vgpu_wq;

unsigned int vgpu_param_ring_order;
module_param_named(ring_order, vgpu_param_ring_order, uint, 0644);
MODULE_PARM_DESC(ring_order, "ring pages per channel, log2 (capped by the backend's max-ring-page-order)");

unsigned int vgpu_param_data_pages = 256;
module_param_named(data_pages, vgpu_param_data_pages, uint, 0644);
MODULE_PARM_DESC(data_pages, "data-area pages per channel (capped by the backend's max-data-pages)");

unsigned int vgpu_param_hostbuf_max_mb = 1024;
module_param_named(hostbuf_max_mb, vgpu_param_hostbuf_max_mb, uint, 0644);
MODULE_PARM_DESC(hostbuf_max_mb, "host buffers one open of /dev/vgpu may hold, MiB in all (at most 64 buffers)");

unsigned int vgpu_param_connect_ms = 10000;
module_param_named(connect_ms, vgpu_param_connect_ms, uint, 0644);
MODULE_PARM_DESC(connect_ms, "how long open() waits for the backend to connect a channel, ms");

static int vgpu_proto_selfcheck(void)
{
	struct vgpu_req req = { .id = 1, .op = VGPU_OP_NOP };
	struct vgpu_limits lim;

	vgpu_proto_limits_default(&lim, VGPU_PAGE_SIZE);
	if (vgpu_proto_check_req(&req, &lim) != VGPU_S_OK)
		return -EINVAL;
	return 0;
}

/**
 * vgpu_xen_register() - start the Xen side: workqueue, /dev/vgpu, xenbus driver
 *
 * Return: 0 or -errno, with nothing left registered.
 */
static int vgpu_xen_register(void)
{
	int err;

	/*
	 * Each granted page is one struct page (xen_page_to_gfn of its first
	 * frame) and mmap() maps them one PAGE_SIZE at a time: the frontend
	 * supports kernels whose pages are Xen's 4 KiB pages only.
	 */
	if (PAGE_SIZE != XEN_PAGE_SIZE || PAGE_SIZE != VGPU_PAGE_SIZE) {
		pr_err("vgpu: kernel page size %lu, Xen page size %lu: the Xen frontend needs 4 KiB pages (build a 4K-page kernel)\n",
		       PAGE_SIZE, (unsigned long)XEN_PAGE_SIZE);
		return -EOPNOTSUPP;
	}
	vgpu_wq = alloc_workqueue("vgpu", WQ_UNBOUND, 0);
	if (!vgpu_wq)
		return -ENOMEM;
	err = vgpu_misc_register();
	if (err)
		goto destroy_wq;
	err = vgpu_xenbus_register();
	if (err)
		goto unregister_misc;
	return 0;

unregister_misc:
	vgpu_misc_unregister();
destroy_wq:
	destroy_workqueue(vgpu_wq);
	vgpu_wq = NULL;
	return err;
}

/*
 * Open files hold a module reference (fops.owner), so no channel has a
 * file here; device removal releases the channels still waiting for the
 * backend's acknowledgement.
 */
static void vgpu_xen_unregister(void)
{
	if (!vgpu_wq)
		return;
	vgpu_misc_unregister();
	vgpu_xenbus_unregister();
	destroy_workqueue(vgpu_wq);
	vgpu_wq = NULL;
}

/*
 * The PCI driver (vgpu-stub, HVM guests) is registered on every guest; the
 * xenbus frontend and /dev/vgpu only under Xen. A PV guest has no PCI
 * devices and a plain VM no xenbus: each driver then binds to nothing.
 */
static int __init vgpu_init(void)
{
	int err;

	if (vgpu_proto_selfcheck()) {
		pr_err("vgpu: protocol self-check failed\n");
		return -EINVAL;
	}
	err = vgpu_pci_register();
	if (err)
		return err;
	if (xen_domain()) {
		err = vgpu_xen_register();
		if (err) {
			vgpu_pci_unregister();
			return err;
		}
		pr_info("vgpu: protocol version %u, frontend ready\n", VGPU_PROTO_VERSION);
	}
	return 0;
}

static void __exit vgpu_exit(void)
{
	vgpu_xen_unregister();
	vgpu_pci_unregister();
}

module_init(vgpu_init);
module_exit(vgpu_exit);
MODULE_DESCRIPTION("vgpu guest frontend (xenbus) and vgpu-stub PCI driver");
MODULE_LICENSE("GPL");
MODULE_ALIAS("xen:vgpu");
