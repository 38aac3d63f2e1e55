/* exec.h: the executor interface (CUDA driver API, CPU reference), as vgpud's pool threads call it.
 */
#ifndef VGPUD_EXEC_H
#define VGPUD_EXEC_H

#include <stddef.h>
#include <stdint.h>
#include "vgpu_proto.h"

struct vgpu_exec;     /* one device */
struct vgpu_exec_ctx; /* one VM on it (a CUDA context per VM) */

struct vgpu_exec_config {
    const char *device;     /* GPU index or UUID ("" = 0); CPU: ignored */
    uint64_t cpu_mem_bytes; /* CPU reference: simulated device memory */
};

/*
 * Every call returns an enum vgpu_status (VGPU_S_OK = 0). On VGPU_S_EXEC
 * the executor's own code (a CUresult) is in *detail. VGPU_S_CONTEXT_LOST
 * (code in *detail) means the context is poisoned (an illegal address, a
 * failed launch, ...): every later call answers the same, and the caller
 * must destroy it (the worker ends and vgpud starts a fresh one). Device pointers
 * handed in have been checked by the core against the VM's allocations;
 * module and function handles are the executor's own and it checks them.
 * A ctx is used by one thread at a time per call, but possibly from
 * different pool threads over its life (a VM can change pool).
 */
struct vgpu_exec_ops {
    const char *name; /* "cpu-reference", "cuda" */
    uint32_t kind;    /* enum vgpu_executor_kind */
    int (*open)(const struct vgpu_exec_config *cfg, struct vgpu_exec **out, char *err,
                size_t errlen);
    void (*close)(struct vgpu_exec *e);
    void (*device_info)(struct vgpu_exec *e, struct vgpu_device_info *out);
    int (*ctx_create)(struct vgpu_exec *e, uint32_t vm_id, struct vgpu_exec_ctx **out,
                      uint32_t *detail);
    void (*ctx_destroy)(struct vgpu_exec_ctx *c); /* frees all the VM still holds */
    int (*mem_alloc)(struct vgpu_exec_ctx *c, uint64_t size, uint64_t *dptr, uint32_t *detail);
    int (*mem_free)(struct vgpu_exec_ctx *c, uint64_t dptr, uint32_t *detail);
    int (*memset)(struct vgpu_exec_ctx *c, uint64_t dptr, uint8_t value, uint64_t len,
                  uint32_t *detail);
    int (*copy_htod)(struct vgpu_exec_ctx *c, uint64_t dptr, const void *src, uint64_t len,
                     uint32_t *detail);
    int (*copy_dtoh)(struct vgpu_exec_ctx *c, void *dst, uint64_t dptr, uint64_t len,
                     uint32_t *detail);
    int (*copy_dtod)(struct vgpu_exec_ctx *c, uint64_t dst, uint64_t src, uint64_t len,
                     uint32_t *detail);
    int (*module_load)(struct vgpu_exec_ctx *c, const void *image, size_t len, uint64_t *module,
                       uint32_t *detail);
    int (*module_unload)(struct vgpu_exec_ctx *c, uint64_t module, uint32_t *detail);
    int (*func_get)(struct vgpu_exec_ctx *c, uint64_t module, const char *name, uint64_t *func,
                    uint32_t *detail);
    /* params: a private copy of the packed parameter buffer. */
    int (*launch)(struct vgpu_exec_ctx *c, uint64_t func, const struct vgpu_req_launch *l,
                  const void *params, size_t params_len, uint32_t *detail);
    int (*sync)(struct vgpu_exec_ctx *c, uint32_t *detail);
    /*
     * Optional (NULL: the host answers VGPU_S_UNSUPPORTED). The packed
     * parameter layout of func, in order: the first min(count, max)
     * entries written to out, their number in *count.
     */
    int (*func_params)(struct vgpu_exec_ctx *c, uint64_t func, struct vgpu_param_info *out,
                       uint32_t max, uint32_t *count, uint32_t *detail);
    /*
     * Optional (NULL: VGPU_S_UNSUPPORTED). A module's global variable
     * (__device__ or __constant__) by name: its device address and size.
     */
    int (*global_get)(struct vgpu_exec_ctx *c, uint64_t module, const char *name, uint64_t *dptr,
                      uint64_t *bytes, uint32_t *detail);
    /*
     * Optional (NULL: nothing to do). Host memory shared with the guest (the
     * data area, a host buffer) for the life of the mapping: the CUDA
     * executor page-locks it with the driver so copies from it are DMA.
     * host_unregister is called before the memory is unmapped.
     */
    int (*host_register)(struct vgpu_exec_ctx *c, void *p, size_t len, uint32_t *detail);
    void (*host_unregister)(struct vgpu_exec_ctx *c, void *p);
    /*
     * Optional (NULL: not measured). The device time, in ns, of the work
     * that completed since the last call (GPU events): status shows it per VM.
     */
    uint64_t (*gpu_time)(struct vgpu_exec_ctx *c);
    /*
     * Optional (NULL: the size rounded up to 256 bytes). The device memory
     * an allocation of size bytes really holds (the driver's granularity),
     * which the VM's quota is charged.
     */
    uint64_t (*mem_charge)(uint64_t size);
};

extern const struct vgpu_exec_ops vgpu_exec_cpu_ops;
/* Exported by the CUDA executor module (vgpu-exec-cuda.so), loaded with dlopen. */
extern const struct vgpu_exec_ops vgpu_exec_cuda_ops;

/* Executor by name ("cpu", "cuda"). NULL if unknown or (cuda) its module cannot load. */
const struct vgpu_exec_ops *vgpu_exec_lookup(const char *name);
/* Why the last lookup of "cuda" failed (dlerror's text). */
const char *vgpu_exec_load_error(void);

#endif /* VGPUD_EXEC_H */
