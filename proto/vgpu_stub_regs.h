/*
 * vgpu_stub_regs.h: the register map of vgpu-stub, the QEMU PCI device that
 * shows a guest its vgpu identity (docs/qemu-vgpu.md). The device model
 * (qemu-vgpu/), the guest driver (guest-kmod/vgpu_pci.c) and the qtest
 * (tests/qemu/qtest_vgpu_stub.py, which reads this file) use it; plain
 * defines only, so QEMU, the kernel and Python can all take it.
 */
#ifndef VGPU_STUB_REGS_H
#define VGPU_STUB_REGS_H

#include "vgpu_identity.h"

#define VGPU_STUB_VENDOR_ID 0x1af4 /* Red Hat, Inc. (virtio range) */
#define VGPU_STUB_DEVICE_ID 0x10f0 /* pci-ids.rst: experimental */
#define VGPU_STUB_REVISION  0x01
#define VGPU_STUB_CLASS     0x0380 /* display controller, other */
#define VGPU_STUB_BAR_SIZE  0x1000 /* BAR 0: 4 KiB, 32-bit memory */

/* Registers of BAR 0: 32-bit little-endian, read-only; writes are ignored. */
#define VGPU_STUB_REG_MAGIC     0x00 /* VGPU_STUB_MAGIC */
#define VGPU_STUB_REG_VERSION   0x04 /* VGPU_STUB_VERSION */
#define VGPU_STUB_REG_VM_ID     0x08 /* VGPU_VM_ID_MIN..VGPU_VM_ID_MAX */
#define VGPU_STUB_REG_POOL_LEN  0x0c /* bytes in POOL_NAME, 1..VGPU_POOL_NAME_MAX */
#define VGPU_STUB_REG_PRIORITY  0x10 /* enum vgpu_priority */
#define VGPU_STUB_REG_FLAGS     0x14 /* reserved, reads 0 */
#define VGPU_STUB_REG_POOL_NAME 0x20 /* 32 bytes, NUL-padded */
#define VGPU_STUB_REGS_SIZE     0x40 /* everything above reads 0 */

#define VGPU_STUB_MAGIC   0x55504756 /* bytes 'V' 'G' 'P' 'U' */
#define VGPU_STUB_VERSION 1

#endif /* VGPU_STUB_REGS_H */
