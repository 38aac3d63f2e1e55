/* vgpu_ptx.h: a PTX interpreter: load a module image once, run its kernels on the CPU. */
#ifndef VGPU_PTX_H
#define VGPU_PTX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A pure library (no threads, no I/O): the caller owns the memory a kernel
 * may touch and describes it with a region callback. Everything outside
 * the regions it returns faults the launch. The subset that runs, and what
 * is refused at load, is written down in docs/ptx-cpu.md.
 */
struct vgpu_ptx_module;

/* One span of device memory the kernel may access, backed by host memory. */
struct vgpu_ptx_region {
    uint64_t base; /* device address of the first byte */
    uint64_t size; /* bytes */
    void *host;    /* host memory behind base */
};

/*
 * Finds the region holding the device address addr. Returns true and fills
 * *out, or false where addr belongs to no region (an illegal address).
 */
typedef bool (*vgpu_ptx_region_fn)(void *ctx, uint64_t addr, struct vgpu_ptx_region *out);

/* Device addresses the interpreter keeps for itself: callers' regions stay below. */
#define VGPU_PTX_RESERVED_BASE 0x7d0000000000ull

struct vgpu_ptx_launch {
    uint32_t grid[3];      /* blocks along x, y, z: each >= 1 */
    uint32_t block[3];     /* threads per block along x, y, z: product <= 1024 */
    uint32_t shared_bytes; /* dynamic shared memory per block */
    const void *params;    /* packed kernel parameters (natural alignment) */
    size_t params_len;
    vgpu_ptx_region_fn region; /* device memory lookup */
    void *region_ctx;
    const atomic_bool *stop; /* may be NULL; when it turns true the launch stops */
    uint64_t deadline_ns;    /* CLOCK_MONOTONIC time at which the launch stops; 0: none */
};

enum vgpu_ptx_fault_kind {
    VGPU_PTX_FAULT_NONE = 0,
    VGPU_PTX_FAULT_ILLEGAL_ADDRESS, /* an access outside every region */
    VGPU_PTX_FAULT_MISALIGNED,      /* an access not aligned to its size */
    VGPU_PTX_FAULT_TRAP,            /* the kernel executed trap */
    VGPU_PTX_FAULT_STOPPED,         /* *stop turned true */
    VGPU_PTX_FAULT_DEADLINE,        /* deadline_ns passed */
};

/* What stopped a failed launch, for the log. */
struct vgpu_ptx_fault {
    enum vgpu_ptx_fault_kind kind;
    uint64_t addr;                /* the faulting address (memory faults) */
    uint32_t block[3], thread[3]; /* the faulting thread */
    uint32_t line;                /* PTX source line of the instruction */
    uint64_t insns;               /* thread-instructions executed before the stop */
};

/*
 * Parses image (PTX text, NUL-terminated or not, or a fatbin holding PTX,
 * zstd-compressed or not) and lowers every .entry. Returns 0 and *out, or
 * -ENOEXEC (image refused: err says why, naming the construct), -ENOMEM.
 */
int vgpu_ptx_module_load(const void *image, size_t len, struct vgpu_ptx_module **out, char *err,
                         size_t errlen);
void vgpu_ptx_module_free(struct vgpu_ptx_module *m);

/* Index of the .entry called name, or -ENOENT. */
int vgpu_ptx_entry_find(const struct vgpu_ptx_module *m, const char *name);
/* Number of .entry functions: indexes are 0 to this - 1. */
int vgpu_ptx_entry_count(const struct vgpu_ptx_module *m);
/* Bytes of the packed parameters the entry expects. */
size_t vgpu_ptx_entry_params_size(const struct vgpu_ptx_module *m, int entry);
/* Its parameters, in order: how many, and where parameter i (< that) lies in the buffer. */
uint32_t vgpu_ptx_entry_nparams(const struct vgpu_ptx_module *m, int entry);
void vgpu_ptx_entry_param(const struct vgpu_ptx_module *m, int entry, uint32_t i, uint32_t *offset,
                          uint32_t *size);

/*
 * The module's .global or .const variable name: its memory (alive as long as
 * the module; launches see what is written there), bytes and device address.
 * Returns 0 or -ENOENT.
 */
int vgpu_ptx_global(struct vgpu_ptx_module *m, const char *name, void **host, uint64_t *size,
                    uint64_t *addr);

/*
 * The block holding all the module's .global and .const variables (each at
 * its address minus that of the first byte of the block, as
 * vgpu_ptx_global gives it): host memory alive as long as the module.
 * *size may be 0.
 */
void vgpu_ptx_module_data(struct vgpu_ptx_module *m, void **host, uint64_t *size);

/*
 * Runs entry over the grid on the calling thread. Returns 0, -EINVAL (a bad
 * launch shape, parameter size or shared size: nothing ran), -ENOMEM, or
 * -EFAULT with *fault filled (a memory fault, trap or stop: the launch
 * stopped at that instruction; memory outside the regions was not touched).
 * fault may be NULL. Instructions executed are added to fault->insns.
 */
int vgpu_ptx_launch(const struct vgpu_ptx_module *m, int entry, const struct vgpu_ptx_launch *l,
                    struct vgpu_ptx_fault *fault);

/* Name of a fault kind ("illegal address", ...). */
const char *vgpu_ptx_fault_name(enum vgpu_ptx_fault_kind kind);

#endif /* VGPU_PTX_H */
