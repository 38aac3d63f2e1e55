/* memtab.h: a VM's device allocations: lookup of [ptr, ptr+len) in O(log n). */
#ifndef VGPUD_MEMTAB_H
#define VGPUD_MEMTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vgpu_memtab_entry {
    uint64_t base;
    uint64_t size;
    void *tag; /* owner's data: the CPU executor's host pointer, the core's channel */
};

/* A sorted array of non-overlapping allocations. Zero-initialised is empty. */
struct vgpu_memtab {
    struct vgpu_memtab_entry *v;
    size_t n, cap;
    uint64_t bytes; /* sum of sizes */
};

/* Insert; -EEXIST if it overlaps an entry, -ENOMEM. */
int vgpu_memtab_insert(struct vgpu_memtab *t, uint64_t base, uint64_t size, void *tag);
/* Remove the allocation starting at base: 0 and *out, or -ENOENT. out may be NULL. */
int vgpu_memtab_remove(struct vgpu_memtab *t, uint64_t base, struct vgpu_memtab_entry *out);
/* The allocation holding all of [ptr, ptr+len) (len 0: ptr inside one), or NULL. */
const struct vgpu_memtab_entry *vgpu_memtab_find(const struct vgpu_memtab *t, uint64_t ptr,
                                                 uint64_t len);
void vgpu_memtab_free(struct vgpu_memtab *t);

#endif /* VGPUD_MEMTAB_H */
