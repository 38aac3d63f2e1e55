/* cuda_int.h: libcuda's objects and the helpers its files share (not part of any API). */
#ifndef VCU_INT_H
#define VCU_INT_H

#include <pthread.h>
#include <stdbool.h>
#include "cu_abi.h"
#include "vgpu.h"

#define VCU_API __attribute__((visibility("default")))
/*
 * fn exported once more as name: the per-thread default stream variants
 * (_ptds, _ptsz) that programs built with --default-stream per-thread
 * import. Our streams of a context are one ordered queue either way.
 */
#define VCU_ALIAS(name, fn) VCU_API __typeof__(fn) name __attribute__((alias(#fn)))

/* Kinds of handle; every handle starts with a struct vcu_obj and is registered while alive. */
enum vcu_kind { VCU_CTX = 1, VCU_MOD, VCU_FUNC, VCU_LIB, VCU_KERN, VCU_STREAM, VCU_EVENT };

struct vcu_obj {
    uint32_t kind;          /* enum vcu_kind */
    struct CUctx_st *owner; /* streams and events: freed with this context; else NULL */
    struct vcu_obj *next;
};

/* A packed kernel parameter layout (CU_LAUNCH_PARAM_BUFFER_POINTER). */
struct vcu_params {
    uint32_t count;
    uint32_t total; /* bytes, rounded to the largest alignment */
    uint32_t *off;  /* count offsets */
    uint32_t *size; /* count sizes */
};

struct vcu_alloc { /* one device allocation, for range checks and cuMemcpy's direction */
    CUdeviceptr base;
    size_t size;
    struct vcu_alloc *next;
};

struct vcu_hostmem { /* one cuMemAllocHost/cuMemHostAlloc block */
    void *p;
    size_t size;
    bool shared; /* a libvgpu host buffer (zero copy), else malloc'ed */
    struct vcu_hostmem *next;
};

/*
 * A context: one libvgpu channel, used by one thread at a time under
 * lock. Streams of the context all queue on that channel, so work of one
 * context runs in submission order (stronger than CUDA requires).
 */
struct CUctx_st {
    struct vcu_obj obj;
    pthread_mutex_t lock; /* protects ch and every list below */
    vgpu_channel *ch;
    CUdevice dev;
    unsigned int flags;
    bool primary;
    unsigned int refs; /* primary: retains */
    CUresult sticky;   /* latched fatal error; every later call returns it */
    size_t limits[CU_LIMIT_MAX];
    CUfunc_cache cache;
    struct vcu_alloc *allocs;
    struct vcu_hostmem *host;
    struct CUmod_st *mods;
    uint32_t stream_ids; /* the last stream id given (0 is the default stream) */
};

struct CUfunc_st {
    struct vcu_obj obj;
    struct CUmod_st *mod;
    uint64_t handle; /* the host's */
    char *name;
    struct vcu_params params; /* count 0 and total 0: unknown unless known */
    bool params_known;
    int max_dyn_shmem;
    CUfunc_cache cache;
    struct CUkern_st *kernel; /* its cuLibraryGetKernel handle, if one was asked for */
    struct CUfunc_st *next;
};

struct CUmod_st {
    struct vcu_obj obj;
    CUcontext ctx;
    uint64_t handle; /* the host's */
    char *ptx;       /* the image's PTX text, for parameter layouts; may be NULL */
    struct CUfunc_st *funcs;
    struct vcu_alloc *globals; /* variables asked for (cuModuleGetGlobal): copies may reach them */
    struct CUmod_st *next;
};

struct CUlib_st {
    struct vcu_obj obj;
    CUmodule mod; /* loaded in the context current at load time */
};

struct CUkern_st {
    struct vcu_obj obj;
    CUlibrary lib;
    CUfunction func;
};

struct CUstream_st {
    struct vcu_obj obj;
    CUcontext ctx;
    unsigned int flags;
    int priority;
    uint32_t id; /* its id on the wire (VGPU_FEAT_STREAMS), unique in ctx, != 0 */
};

/*
 * An event. Where the host has streams and the stream is of the event's
 * own context, recording sends an event mark on that context's channel and
 * returns; mark is filled when the host answers, with the host's time.
 * Elsewhere recording waits for the work and notes the guest's time in ns.
 */
struct CUevent_st {
    struct vcu_obj obj;
    CUcontext ctx; /* the context it was created in */
    unsigned int flags;
    bool recorded;
    bool marked;           /* mark was sent on ctx's channel (answered or not) */
    struct vgpu_mark mark; /* libvgpu fills it while !mark.done: free only after forgetting */
    uint64_t ns;           /* without marks: CLOCK_MONOTONIC when the work before it completed */
};

/* handle.c: the registry of live handles. */
void vcu__obj_add(struct vcu_obj *o, enum vcu_kind kind);
void vcu__obj_del(struct vcu_obj *o);
bool vcu__obj_ok(const void *h, enum vcu_kind kind);
/* Unregister and free every object owned by c (each a malloc'ed block starting with its obj). */
void vcu__obj_free_owned(struct CUctx_st *c);

/* init.c */
bool vcu__initialized(void);
const struct vgpu_device_info *vcu__device(void);
int vcu__open_channel(vgpu_channel **out);

/* ctx.c: the current context, checked, locked and not in a sticky error. */
CUresult vcu__ctx_enter(CUcontext *out);
CUresult vcu__ctx_enter_this(CUcontext c);
void vcu__ctx_leave(CUcontext c);
/* The context a stream handle belongs to (0, LEGACY, PER_THREAD: the current one), entered, with
 * the stream's id set on its channel for the work queued next. */
CUresult vcu__stream_enter(CUstream s, CUcontext *out);
/* event.c: wait until e's mark is answered (CUDA_SUCCESS where it has none); its result. */
CUresult vcu__event_wait(CUevent e);
/* Lock c whatever its sticky state (no checks but that it is alive); false if it is not. */
bool vcu__ctx_lock_any(CUcontext c);

/* error.c: a libvgpu result as the CUresult the driver would give; latches sticky errors. */
CUresult vcu__result(CUcontext c, int r);
bool vcu__is_sticky(CUresult r);

/*
 * image.c: where a module image's bytes are (past the runtime's fatbin
 * wrapper) and how many; then, on those bytes, whether it carries PTX and
 * its PTX text (malloc'ed; NULL if none can be read).
 */
int vcu__image_span(const void *image, const void **data, size_t *len);
bool vcu__image_has_ptx(const void *image, size_t len);
char *vcu__image_ptx(const void *image, size_t len);
/* ptx_params.c: the .entry signature of name in ptx as a packed layout. */
int vcu__ptx_params(const char *ptx, const char *name, struct vcu_params *out);
/* params.c: the layout as the host's executor knows it (vgpu_func_params); 0 or -1. */
int vcu__params_from_host(vgpu_channel *ch, uint64_t func, struct vcu_params *out);
void vcu__params_free(struct vcu_params *p);

/* mem.c */
bool vcu__dev_range(CUcontext c, CUdeviceptr p, size_t len);
const struct vcu_hostmem *vcu__host_find(CUcontext c, const void *p, size_t len);
void vcu__mem_release(CUcontext c);

/* global.c: [p, p+len) lies in a module variable of c that was asked for. */
bool vcu__global_range(CUcontext c, CUdeviceptr p, size_t len);

/* module.c (cuModuleGetGlobal_v2 and cuModuleUnload: for library.c) */
CUresult cuModuleGetGlobal_v2(CUdeviceptr *dptr, size_t *bytes, CUmodule m, const char *name);
CUresult cuModuleLoadData(CUmodule *module, const void *image);
CUresult cuModuleUnload(CUmodule m);
CUresult cuModuleGetFunction(CUfunction *pf, CUmodule m, const char *name);
CUresult cuDeviceGetAttribute(int *value, CUdevice_attribute attrib, CUdevice dev);
CUresult vcu__module_load(CUcontext c, const void *image, CUmodule *out);
void vcu__module_free(CUmodule m);
CUfunction vcu__func_of(const void *h); /* a CUfunction or a CUkernel; NULL if neither */

/* occupancy.c: compute capability as major * 10 + minor. */
void vcu__func_cc(int *v);

uint64_t vcu__now_ns(void);

#endif /* VCU_INT_H */
