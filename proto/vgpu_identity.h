/* vgpu_identity.h: what names a VM to vgpu, one definition for every component. */
#ifndef VGPU_IDENTITY_H
#define VGPU_IDENTITY_H

/*
 * Priorities: one scale for the wire (welcome, ioctl INFO), the stub
 * device's PRIORITY register, the scheduler and the config store. A larger
 * value is served first.
 */
enum vgpu_priority {
    VGPU_PRIORITY_LOW = 0,
    VGPU_PRIORITY_MEDIUM = 1,
    VGPU_PRIORITY_HIGH = 2,
};
#define VGPU_PRIORITY_MAX VGPU_PRIORITY_HIGH

#define VGPU_VM_ID_MIN     1 /* vm ids: 1..65535 (0: none) */
#define VGPU_VM_ID_MAX     65535
#define VGPU_POOL_NAME_MAX 31 /* bytes of [A-Za-z0-9_-], without the NUL */

#endif /* VGPU_IDENTITY_H */
