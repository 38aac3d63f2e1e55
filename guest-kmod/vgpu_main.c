// SPDX-License-Identifier: GPL-2.0
/*
 * vgpu_main.c: module entry of vgpu.ko, the guest side of vgpu.
 *
 * This first version only carries the wire protocol (proto/, compiled in
 * unchanged) and checks it at load time; the xenbus frontend and
 * /dev/vgpu come with the Xen transport.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include "vgpu_proto.h"

static int __init vgpu_init(void)
{
	struct vgpu_req req = { .id = 1, .op = VGPU_OP_NOP };
	struct vgpu_limits lim;

	vgpu_proto_limits_default(&lim, VGPU_PAGE_SIZE);
	if (vgpu_proto_check_req(&req, &lim) != VGPU_S_OK) {
		pr_err("vgpu: protocol self-check failed\n");
		return -EINVAL;
	}
	pr_info("vgpu: protocol version %u, %u ring slots per page\n",
		VGPU_PROTO_VERSION, vgpu_ring_slots(0));
	return 0;
}

static void __exit vgpu_exit(void)
{
}

module_init(vgpu_init);
module_exit(vgpu_exit);
MODULE_DESCRIPTION("vgpu guest frontend");
MODULE_LICENSE("GPL");
