/*
 * vgpu-stub: a PCI device that shows a guest its vgpu identity.
 *
 * It tells the guest its vm id, pool and priority.  The device has one
 * 4 KiB memory BAR of read-only registers; see
 * docs/qemu-vgpu.md in the vgpu repository for the register map.  The
 * values come from properties that the toolstack sets when it starts the
 * device model:
 *
 *     -device vgpu-stub,vm-id=42,pool=A,priority=2
 *
 * The guest's own view is never trusted by Dom0; the device only tells the
 * guest what Dom0 already decided, so the guest driver can find its
 * channel and report its pool.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "hw/pci/pci.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "qom/object.h"

#define TYPE_VGPU_STUB "vgpu-stub"
OBJECT_DECLARE_SIMPLE_TYPE(VgpuStubState, VGPU_STUB)

/* The register map and the identity limits, shared with the guest driver and the qtest. */
#include "vgpu_stub_regs.h"

struct VgpuStubState {
    PCIDevice pdev;
    MemoryRegion mmio;

    /* Properties, fixed once realized. */
    uint32_t vm_id;
    char *pool;
    uint32_t priority;

    /* The register file as the guest sees it, built at realize. */
    uint8_t regs[VGPU_STUB_REGS_SIZE];
};

static uint64_t vgpu_stub_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    VgpuStubState *s = opaque;

    if (addr + size > VGPU_STUB_REGS_SIZE) {
        return 0;
    }
    return ldn_le_p(s->regs + addr, size);
}

static void vgpu_stub_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                                 unsigned size)
{
    qemu_log_mask(LOG_GUEST_ERROR,
                  "%s: write of 0x%" PRIx64 " (%u bytes) to read-only "
                  "offset 0x%" HWADDR_PRIx " ignored\n",
                  TYPE_VGPU_STUB, val, size, addr);
}

static const MemoryRegionOps vgpu_stub_mmio_ops = {
    .read = vgpu_stub_mmio_read,
    .write = vgpu_stub_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 1,
        .max_access_size = 4,
    },
    .impl = {
        .min_access_size = 1,
        .max_access_size = 4,
    },
};

static bool vgpu_stub_pool_valid(const char *pool)
{
    size_t len = strlen(pool);
    size_t i;

    if (len < 1 || len > VGPU_POOL_NAME_MAX) {
        return false;
    }
    for (i = 0; i < len; i++) {
        if (!g_ascii_isalnum(pool[i]) && pool[i] != '_' && pool[i] != '-') {
            return false;
        }
    }
    return true;
}

/* Checks the properties; on failure sets @errp naming the property. */
static bool vgpu_stub_check_props(VgpuStubState *s, Error **errp)
{
    if (s->vm_id < VGPU_VM_ID_MIN || s->vm_id > VGPU_VM_ID_MAX) {
        error_setg(errp, "vgpu-stub: property 'vm-id' is %" PRIu32
                   ", expected 1..%d (set vm-id=N)",
                   s->vm_id, VGPU_VM_ID_MAX);
        return false;
    }
    if (!s->pool) {
        error_setg(errp, "vgpu-stub: property 'pool' is missing "
                   "(set pool=NAME, 1..%d characters of [A-Za-z0-9_-])",
                   VGPU_POOL_NAME_MAX);
        return false;
    }
    if (!vgpu_stub_pool_valid(s->pool)) {
        error_setg(errp, "vgpu-stub: property 'pool' is '%s', expected "
                   "1..%d characters of [A-Za-z0-9_-]",
                   s->pool, VGPU_POOL_NAME_MAX);
        return false;
    }
    if (s->priority > VGPU_PRIORITY_MAX) {
        error_setg(errp, "vgpu-stub: property 'priority' is %" PRIu32
                   ", expected 0 (low), 1 (medium) or 2 (high)",
                   s->priority);
        return false;
    }
    return true;
}

static void vgpu_stub_fill_regs(VgpuStubState *s)
{
    size_t len = strlen(s->pool);

    memset(s->regs, 0, sizeof(s->regs));
    stl_le_p(s->regs + VGPU_STUB_REG_MAGIC, VGPU_STUB_MAGIC);
    stl_le_p(s->regs + VGPU_STUB_REG_VERSION, VGPU_STUB_VERSION);
    stl_le_p(s->regs + VGPU_STUB_REG_VM_ID, s->vm_id);
    stl_le_p(s->regs + VGPU_STUB_REG_POOL_LEN, len);
    stl_le_p(s->regs + VGPU_STUB_REG_PRIORITY, s->priority);
    stl_le_p(s->regs + VGPU_STUB_REG_FLAGS, 0);
    memcpy(s->regs + VGPU_STUB_REG_POOL_NAME, s->pool, len);
}

static void pci_vgpu_stub_realize(PCIDevice *pdev, Error **errp)
{
    VgpuStubState *s = VGPU_STUB(pdev);

    if (!vgpu_stub_check_props(s, errp)) {
        return;
    }
    vgpu_stub_fill_regs(s);

    memory_region_init_io(&s->mmio, OBJECT(s), &vgpu_stub_mmio_ops, s,
                          "vgpu-stub-mmio", VGPU_STUB_BAR_SIZE);
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &s->mmio);
}

static Property vgpu_stub_properties[] = {
    DEFINE_PROP_UINT32("vm-id", VgpuStubState, vm_id, 0),
    DEFINE_PROP_STRING("pool", VgpuStubState, pool),
    DEFINE_PROP_UINT32("priority", VgpuStubState, priority, 1),
    DEFINE_PROP_END_OF_LIST(),
};

/*
 * Nothing changes after realize, and the destination is started with the
 * same properties, so there is no state to migrate.
 */
static const VMStateDescription vmstate_vgpu_stub = {
    .name = TYPE_VGPU_STUB,
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (VMStateField[]) {
        VMSTATE_PCI_DEVICE(pdev, VgpuStubState),
        VMSTATE_END_OF_LIST()
    }
};

static void vgpu_stub_class_init(ObjectClass *class, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(class);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(class);

    k->realize = pci_vgpu_stub_realize;
    k->vendor_id = VGPU_STUB_VENDOR_ID;
    k->device_id = VGPU_STUB_DEVICE_ID;
    k->revision = VGPU_STUB_REVISION;
    k->class_id = VGPU_STUB_CLASS;
    dc->desc = "vgpu identity stub (vm id, pool, priority)";
    dc->vmsd = &vmstate_vgpu_stub;
    device_class_set_props(dc, vgpu_stub_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static void pci_vgpu_stub_register_types(void)
{
    static InterfaceInfo interfaces[] = {
        { INTERFACE_CONVENTIONAL_PCI_DEVICE },
        { },
    };
    static const TypeInfo vgpu_stub_info = {
        .name          = TYPE_VGPU_STUB,
        .parent        = TYPE_PCI_DEVICE,
        .instance_size = sizeof(VgpuStubState),
        .class_init    = vgpu_stub_class_init,
        .interfaces    = interfaces,
    };

    type_register_static(&vgpu_stub_info);
}
type_init(pci_vgpu_stub_register_types)
