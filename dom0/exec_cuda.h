/* exec_cuda.h: the CUDA executor's insides: driver entry points, tables, checks. */
#ifndef VGPUD_EXEC_CUDA_H
#define VGPUD_EXEC_CUDA_H

#include <cuda.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "exec.h"

/*
 * The driver entry points, each fetched with cuGetProcAddress at the ABI of
 * the CUDA version named in exec_cuda_api.c (12.0 for most), not through
 * cuda.h's macros: cuda.h maps names to the newest variant of its own
 * version (CUDA 13's cuCtxCreate is the 4-argument _v4), which an older
 * driver lacks. So one build, with CUDA 12.x or 13.x headers, runs on every
 * driver from R525 (CUDA 12.0) on; cuFuncGetParamInfo (12.4, R550) is
 * optional. Tests replace the table with a fake.
 */
struct cu_api {
    CUresult (*Init)(unsigned int flags);
    CUresult (*GetErrorName)(CUresult r, const char **s);
    CUresult (*GetErrorString)(CUresult r, const char **s);
    CUresult (*DeviceGetCount)(int *n);
    CUresult (*DeviceGet)(CUdevice *d, int ordinal);
    CUresult (*DeviceGetName)(char *name, int len, CUdevice d);
    CUresult (*DeviceGetUuid)(CUuuid *u, CUdevice d);
    CUresult (*DeviceTotalMem)(size_t *bytes, CUdevice d);
    CUresult (*DeviceGetAttribute)(int *v, CUdevice_attribute a, CUdevice d);
    CUresult (*DevicePrimaryCtxRetain)(CUcontext *c, CUdevice d);
    CUresult (*DevicePrimaryCtxRelease)(CUdevice d);
    CUresult (*CtxPushCurrent)(CUcontext c);
    CUresult (*CtxPopCurrent)(CUcontext *c);
    CUresult (*CtxSynchronize)(void);
    CUresult (*StreamCreate)(CUstream *s, unsigned int flags);
    CUresult (*StreamDestroy)(CUstream s);
    CUresult (*StreamSynchronize)(CUstream s);
    CUresult (*EventCreate)(CUevent *e, unsigned int flags);
    CUresult (*EventDestroy)(CUevent e);
    CUresult (*EventRecord)(CUevent e, CUstream s);
    CUresult (*EventElapsedTime)(float *ms, CUevent start, CUevent end);
    CUresult (*MemAlloc)(CUdeviceptr *p, size_t bytes);
    CUresult (*MemFree)(CUdeviceptr p);
    CUresult (*MemsetD8Async)(CUdeviceptr p, unsigned char v, size_t n, CUstream s);
    CUresult (*MemcpyHtoDAsync)(CUdeviceptr dst, const void *src, size_t n, CUstream s);
    CUresult (*MemcpyDtoHAsync)(void *dst, CUdeviceptr src, size_t n, CUstream s);
    CUresult (*MemcpyDtoDAsync)(CUdeviceptr dst, CUdeviceptr src, size_t n, CUstream s);
    CUresult (*MemHostRegister)(void *p, size_t n, unsigned int flags);
    CUresult (*MemHostUnregister)(void *p);
    CUresult (*ModuleLoadDataEx)(CUmodule *m, const void *image, unsigned int n, CUjit_option *o,
                                 void **v);
    CUresult (*ModuleUnload)(CUmodule m);
    CUresult (*ModuleGetFunction)(CUfunction *f, CUmodule m, const char *name);
    CUresult (*ModuleGetGlobal)(CUdeviceptr *p, size_t *bytes, CUmodule m, const char *name);
    CUresult (*FuncGetAttribute)(int *v, CUfunction_attribute a, CUfunction f);
    CUresult (*FuncSetAttribute)(CUfunction f, CUfunction_attribute a, int v);
    CUresult (*LaunchKernel)(CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz,
                             unsigned int bx, unsigned int by, unsigned int bz, unsigned int shmem,
                             CUstream s, void **params, void **extra);
    /* Optional (NULL on drivers before 12.4). */
    CUresult (*FuncGetParamInfo)(CUfunction f, size_t i, size_t *off, size_t *size);
};

/* The table in use: set by open (exec_cuda_api.c) or by a test. */
extern const struct cu_api *vgpu_cu;

/*
 * exec_cuda.c, for the executor's other files (exec_cuda_global.c): the
 * CUmodule behind a VM's module handle (NULL if none), and a driver call
 * in the VM's context: st = vgpu_cu__enter(c, detail); if (st == VGPU_S_OK)
 * st = vgpu_cu__leave(c, vgpu_cu->Call(...), detail); — enter answers
 * CONTEXT_LOST once the context is poisoned, leave maps the CUresult.
 */
CUmodule vgpu_cu__module(struct vgpu_exec_ctx *c, uint64_t module);
int vgpu_cu__enter(struct vgpu_exec_ctx *c, uint32_t *detail);
int vgpu_cu__leave(struct vgpu_exec_ctx *c, CUresult r, uint32_t *detail);

/* exec_cuda_api.c: cuInit, then fill *api from the driver. 0, or -ENOSYS with why in err. */
int vgpu_cu__api_load(struct cu_api *api, char *err, size_t errlen);

/* exec_cuda_err.c */
/* The status a CUresult answers (VGPU_S_CONTEXT_LOST for errors that poison a context). */
int vgpu_cu__status(CUresult r);
/* True for the errors after which the context is unusable (illegal address, launch failed). */
bool vgpu_cu__sticky(CUresult r);
/* "CUDA_ERROR_ILLEGAL_ADDRESS" (the driver's name, or "CUDA_ERROR_<code>"), into buf. */
const char *vgpu_cu__name(CUresult r, char *buf, size_t len);

/* exec_cuda_dev.c: what --device names. */
enum cu_dev_kind { CU_DEV_INDEX, CU_DEV_GPU_UUID, CU_DEV_MIG_UUID };
struct cu_dev_sel {
    enum cu_dev_kind kind;
    int index;        /* CU_DEV_INDEX */
    uint8_t uuid[16]; /* the UUIDs */
};
/* "" or "N" (index), "GPU-<uuid>", "MIG-<uuid>". 0 or -EINVAL. */
int vgpu_cu__dev_parse(const char *s, struct cu_dev_sel *out);
/*
 * The CUDA device sel names, after cuInit. A MIG instance is only visible
 * to CUDA through CUDA_VISIBLE_DEVICES, which the caller set before cuInit
 * (vgpu_cu__dev_env). 0, or the status with why in err.
 */
int vgpu_cu__dev_find(const struct cu_dev_sel *sel, CUdevice *out, char *err, size_t errlen);
/* For MIG: the CUDA_VISIBLE_DEVICES value to set before cuInit, into buf; NULL otherwise. */
const char *vgpu_cu__dev_env(const struct cu_dev_sel *sel, const char *device, char *buf,
                             size_t len);

/* exec_cuda_image.c: a module image the driver may read: PTX, an ELF cubin or a fatbin. */
enum cu_image_kind { CU_IMAGE_PTX, CU_IMAGE_ELF, CU_IMAGE_FATBIN };
/*
 * Checks image (len bytes, followed by a NUL the caller added) so that the
 * driver, which is given no length, reads nothing past it: every header
 * and table an ELF or fatbin names lies inside len; the fatbin wrapper
 * nvcc links (a pointer to the data) is refused. Anything else is PTX text
 * the driver reads up to the caller's NUL. 0 with its kind, or -EINVAL.
 */
int vgpu_cu__image_check(const void *image, size_t len, enum cu_image_kind *kind);

/* exec_cuda_tab.c: handles the guest holds for driver objects. */
struct cu_slot {
    void *obj;      /* the CUmodule or CUfunction; NULL = free */
    uint64_t owner; /* functions: the module handle they came from */
    uint32_t gen;   /* bumped at each free: stale handles do not match */
    int aux;        /* functions: their parameter bytes, -1 unknown */
    int shmem;      /* functions: the dynamic shared memory they were opted in to */
};
struct cu_tab {
    struct cu_slot *v;
    uint32_t n, cap;
};
#define CU_TAB_MAX (1u << 20)
/* A handle for obj (owner as given), or 0 if out of memory or CU_TAB_MAX are in use. */
uint64_t vgpu_cu__tab_put(struct cu_tab *t, void *obj, uint64_t owner);
/* The slot behind a live handle, or NULL. */
struct cu_slot *vgpu_cu__tab_get(struct cu_tab *t, uint64_t h);
/* The live handle holding obj, or 0. */
uint64_t vgpu_cu__tab_find(struct cu_tab *t, const void *obj);
void vgpu_cu__tab_del(struct cu_tab *t, uint64_t h);
/* Free every slot whose owner is `owner`. */
void vgpu_cu__tab_del_owned(struct cu_tab *t, uint64_t owner);
uint32_t vgpu_cu__tab_live(const struct cu_tab *t);
void vgpu_cu__tab_free(struct cu_tab *t);

#endif /* VGPUD_EXEC_CUDA_H */
