/* exec_cuda.c: the CUDA executor: the driver API, the VM's context on its worker's device. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exec_cuda.h"
#include "exec_cuda_global.h"

#define COPY_CHUNK   (16u << 20)   /* async copies are queued in chunks this size */
#define JIT_LOG_SIZE 4096u         /* bytes the driver may write of a PTX compile's logs */
#define SHMEM_STATIC (48u * 1024u) /* dynamic shared memory a kernel gets without opting in */

struct vgpu_exec {
    CUdevice dev;
    char name[64];
    size_t total;
    int cc_major, cc_minor, sms;
    int shmem_optin; /* CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN */
};

/* Host memory registered with the driver (the data areas, host buffers). */
struct host_reg {
    struct host_reg *next;
    void *p;
};

/*
 * One VM's context. Once a call returned an error that poisons it (lost is
 * that CUresult), no other call reaches the driver: each answers
 * VGPU_S_CONTEXT_LOST with that code, and the worker is replaced.
 */
struct vgpu_exec_ctx {
    struct vgpu_exec *e;
    CUcontext ctx;            /* the device's primary context: one worker, one VM, one process */
    CUstream stream;          /* the VM's work, in order */
    CUevent ev_start, ev_end; /* GPU time of the work since the last sync */
    bool timing;              /* ev_start recorded since the last sync */
    uint64_t gpu_ns;          /* measured, not yet collected */
    CUresult lost;            /* 0, or the error that poisoned the context */
    pthread_mutex_t lock;     /* the tables */
    struct cu_tab modules, funcs;
    struct host_reg *regs;
};

/* The status of r; remembers an error that poisons the context and logs it once. */
static int result(struct vgpu_exec_ctx *c, CUresult r, uint32_t *detail)
{
    char name[64];

    if (r == CUDA_SUCCESS)
        return VGPU_S_OK;
    if (detail)
        *detail = (uint32_t)r;
    if (vgpu_cu__sticky(r) && c && !c->lost) {
        c->lost = r;
        fprintf(stderr, "CUDA: the context is lost: %s (%d); the worker will be replaced\n",
                vgpu_cu__name(r, name, sizeof(name)), (int)r);
    }
    return vgpu_cu__status(r);
}

int vgpu_cu__enter(struct vgpu_exec_ctx *c, uint32_t *detail)
{
    if (c->lost) {
        if (detail)
            *detail = (uint32_t)c->lost;
        return VGPU_S_CONTEXT_LOST;
    }
    return result(c, vgpu_cu->CtxPushCurrent(c->ctx), detail);
}

int vgpu_cu__leave(struct vgpu_exec_ctx *c, CUresult r, uint32_t *detail)
{
    CUcontext prev;

    vgpu_cu->CtxPopCurrent(&prev);
    return result(c, r, detail);
}

/* Run `call` with c's context current on this thread; its status. */
#define IN_CTX(c, detail, call)                                                                    \
    ({                                                                                             \
        int st_ = vgpu_cu__enter(c, detail);                                                       \
        if (st_ == VGPU_S_OK)                                                                      \
            st_ = vgpu_cu__leave(c, call, detail);                                                 \
        st_;                                                                                       \
    })

static int cuda_open(const struct vgpu_exec_config *cfg, struct vgpu_exec **out, char *err,
                     size_t errlen)
{
    static struct cu_api api;
    const char *dev = cfg && cfg->device ? cfg->device : "";
    struct cu_dev_sel sel;
    struct vgpu_exec *e;
    char env[64];
    int st;

    if (vgpu_cu__dev_parse(dev, &sel) < 0) {
        snprintf(err, errlen,
                 "device '%s' is not a GPU index, GPU-<uuid> or MIG-<uuid> (see nvidia-smi -L)",
                 dev);
        return VGPU_S_NO_DEVICE;
    }
    /* A MIG instance is visible to CUDA only when named before cuInit; this process is the VM's. */
    if (vgpu_cu__dev_env(&sel, dev, env, sizeof(env)) && setenv("CUDA_VISIBLE_DEVICES", env, 1))
        return VGPU_S_NO_MEMORY;
    if (!vgpu_cu) {
        if (vgpu_cu__api_load(&api, err, errlen) < 0)
            return VGPU_S_NO_DEVICE;
        vgpu_cu = &api;
    }
    e = calloc(1, sizeof(*e));
    if (!e)
        return VGPU_S_NO_MEMORY;
    st = vgpu_cu__dev_find(&sel, &e->dev, err, errlen);
    if (st == VGPU_S_OK &&
        (vgpu_cu->DeviceGetName(e->name, sizeof(e->name), e->dev) ||
         vgpu_cu->DeviceTotalMem(&e->total, e->dev) ||
         vgpu_cu->DeviceGetAttribute(&e->cc_major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                                     e->dev) ||
         vgpu_cu->DeviceGetAttribute(&e->cc_minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                                     e->dev) ||
         vgpu_cu->DeviceGetAttribute(&e->sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, e->dev) ||
         vgpu_cu->DeviceGetAttribute(
             &e->shmem_optin, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, e->dev))) {
        snprintf(err, errlen, "CUDA device '%s': its properties cannot be read", dev);
        st = VGPU_S_NO_DEVICE;
    }
    if (st != VGPU_S_OK) {
        free(e);
        return st;
    }
    *out = e;
    return VGPU_S_OK;
}

static void cuda_close(struct vgpu_exec *e)
{
    free(e);
}

static void cuda_device_info(struct vgpu_exec *e, struct vgpu_device_info *out)
{
    snprintf(out->name, sizeof(out->name), "%s", e->name);
    out->total_mem = e->total;
    out->executor = VGPU_EXECUTOR_CUDA;
    out->cc_major = (uint32_t)e->cc_major;
    out->cc_minor = (uint32_t)e->cc_minor;
    out->multiprocessors = (uint32_t)e->sms;
}

/* Tolerates a half-built c. */
static void ctx_free(struct vgpu_exec_ctx *c)
{
    CUcontext prev;

    if (c->ctx && vgpu_cu->CtxPushCurrent(c->ctx) == CUDA_SUCCESS) {
        while (c->regs) {
            struct host_reg *r = c->regs;
            c->regs = r->next;
            vgpu_cu->MemHostUnregister(r->p);
            free(r);
        }
        if (c->ev_start)
            vgpu_cu->EventDestroy(c->ev_start);
        if (c->ev_end)
            vgpu_cu->EventDestroy(c->ev_end);
        if (c->stream)
            vgpu_cu->StreamDestroy(c->stream);
        vgpu_cu->CtxPopCurrent(&prev);
    }
    if (c->ctx)
        vgpu_cu->DevicePrimaryCtxRelease(c->e->dev); /* the last reference frees all it holds */
    while (c->regs) {
        struct host_reg *r = c->regs;
        c->regs = r->next;
        free(r);
    }
    vgpu_cu__tab_free(&c->modules);
    vgpu_cu__tab_free(&c->funcs);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static int cuda_ctx_create(struct vgpu_exec *e, uint32_t vm_id, struct vgpu_exec_ctx **out,
                           uint32_t *detail)
{
    struct vgpu_exec_ctx *c = calloc(1, sizeof(*c));
    int st;

    (void)vm_id;
    if (!c)
        return VGPU_S_NO_MEMORY;
    c->e = e;
    pthread_mutex_init(&c->lock, NULL);
    st = result(NULL, vgpu_cu->DevicePrimaryCtxRetain(&c->ctx, e->dev), detail);
    if (st == VGPU_S_OK)
        st = IN_CTX(c, detail, vgpu_cu->StreamCreate(&c->stream, CU_STREAM_NON_BLOCKING));
    if (st == VGPU_S_OK)
        st = IN_CTX(c, detail, vgpu_cu->EventCreate(&c->ev_start, CU_EVENT_DEFAULT));
    if (st == VGPU_S_OK)
        st = IN_CTX(c, detail, vgpu_cu->EventCreate(&c->ev_end, CU_EVENT_DEFAULT));
    if (st != VGPU_S_OK) {
        ctx_free(c);
        return st;
    }
    *out = c;
    return VGPU_S_OK;
}

static void cuda_ctx_destroy(struct vgpu_exec_ctx *c)
{
    if (c)
        ctx_free(c);
}

/* Work is about to be queued: start the GPU clock if it is not running. In the context. */
static CUresult clock_start(struct vgpu_exec_ctx *c)
{
    CUresult r = CUDA_SUCCESS;

    if (!c->timing && (r = vgpu_cu->EventRecord(c->ev_start, c->stream)) == CUDA_SUCCESS)
        c->timing = true;
    return r;
}

/* Wait for all the VM's queued work; adds its GPU time. In the context. */
static CUresult drain(struct vgpu_exec_ctx *c)
{
    CUresult r = CUDA_SUCCESS;
    float ms = 0;

    if (c->timing)
        r = vgpu_cu->EventRecord(c->ev_end, c->stream);
    if (r == CUDA_SUCCESS)
        r = vgpu_cu->StreamSynchronize(c->stream);
    if (r == CUDA_SUCCESS && c->timing &&
        vgpu_cu->EventElapsedTime(&ms, c->ev_start, c->ev_end) == CUDA_SUCCESS && ms > 0)
        c->gpu_ns += (uint64_t)((double)ms * 1e6);
    c->timing = false;
    return r;
}

static CUresult alloc_(struct vgpu_exec_ctx *c, uint64_t size, CUdeviceptr *p)
{
    (void)c;
    return size > SIZE_MAX ? CUDA_ERROR_OUT_OF_MEMORY : vgpu_cu->MemAlloc(p, (size_t)size);
}

static int cuda_mem_alloc(struct vgpu_exec_ctx *c, uint64_t size, uint64_t *dptr, uint32_t *detail)
{
    CUdeviceptr p = 0;
    int st = IN_CTX(c, detail, alloc_(c, size, &p));

    *dptr = st == VGPU_S_OK ? p : 0;
    return st;
}

/* cuMemFree waits for the work queued on the memory; the wait's own error comes first. */
static CUresult free_(struct vgpu_exec_ctx *c, uint64_t dptr)
{
    CUresult r = drain(c);

    return r != CUDA_SUCCESS ? r : vgpu_cu->MemFree((CUdeviceptr)dptr);
}

static int cuda_mem_free(struct vgpu_exec_ctx *c, uint64_t dptr, uint32_t *detail)
{
    return IN_CTX(c, detail, free_(c, dptr));
}

static CUresult memset_(struct vgpu_exec_ctx *c, uint64_t dptr, uint8_t value, uint64_t len)
{
    CUresult r = clock_start(c);

    return r != CUDA_SUCCESS ? r : vgpu_cu->MemsetD8Async((CUdeviceptr)dptr, value, len, c->stream);
}

static int cuda_memset(struct vgpu_exec_ctx *c, uint64_t dptr, uint8_t value, uint64_t len,
                       uint32_t *detail)
{
    return len ? IN_CTX(c, detail, memset_(c, dptr, value, len)) : VGPU_S_OK;
}

enum dir { HTOD, DTOH, DTOD };

/*
 * Queue a copy on the VM's stream in chunks, several in flight: from
 * registered memory each is DMA, from pageable memory the driver stages
 * one while the next is queued. The job's end waits for them (sync), so
 * the data area is read and written before the guest sees the answer.
 */
static CUresult copy_(struct vgpu_exec_ctx *c, enum dir d, uint64_t dst, uint64_t src, uint64_t len)
{
    CUresult r = clock_start(c);
    uint64_t off, n;

    for (off = 0; r == CUDA_SUCCESS && off < len; off += n) {
        n = len - off < COPY_CHUNK ? len - off : COPY_CHUNK;
        if (d == HTOD)
            r = vgpu_cu->MemcpyHtoDAsync(dst + off, (const uint8_t *)(uintptr_t)src + off, n,
                                         c->stream);
        else if (d == DTOH)
            r = vgpu_cu->MemcpyDtoHAsync((uint8_t *)(uintptr_t)dst + off, src + off, n, c->stream);
        else
            r = vgpu_cu->MemcpyDtoDAsync(dst + off, src + off, n, c->stream);
    }
    return r;
}

static int cuda_copy_htod(struct vgpu_exec_ctx *c, uint64_t dptr, const void *src, uint64_t len,
                          uint32_t *detail)
{
    return len ? IN_CTX(c, detail, copy_(c, HTOD, dptr, (uintptr_t)src, len)) : VGPU_S_OK;
}

static int cuda_copy_dtoh(struct vgpu_exec_ctx *c, void *dst, uint64_t dptr, uint64_t len,
                          uint32_t *detail)
{
    return len ? IN_CTX(c, detail, copy_(c, DTOH, (uintptr_t)dst, dptr, len)) : VGPU_S_OK;
}

static int cuda_copy_dtod(struct vgpu_exec_ctx *c, uint64_t dst, uint64_t src, uint64_t len,
                          uint32_t *detail)
{
    return len ? IN_CTX(c, detail, copy_(c, DTOD, dst, src, len)) : VGPU_S_OK;
}

/* JIT with bounded logs (the worker's job limit bounds its time); the error log's first line. */
static CUresult load_(struct vgpu_exec_ctx *c, CUmodule *m, const void *image)
{
    static char info[JIT_LOG_SIZE], error[JIT_LOG_SIZE];
    CUjit_option o[] = {CU_JIT_INFO_LOG_BUFFER, CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES,
                        CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
    void *v[] = {info, (void *)(uintptr_t)JIT_LOG_SIZE, error, (void *)(uintptr_t)JIT_LOG_SIZE};
    CUresult r;

    (void)c;
    error[0] = '\0';
    r = vgpu_cu->ModuleLoadDataEx(m, image, 4, o, v);
    error[JIT_LOG_SIZE - 1] = '\0';
    if (r != CUDA_SUCCESS && error[0])
        fprintf(stderr, "CUDA: module rejected: %.*s\n", (int)strcspn(error, "\n"), error);
    return r;
}

static int cuda_module_load(struct vgpu_exec_ctx *c, const void *image, size_t len,
                            uint64_t *module, uint32_t *detail)
{
    enum cu_image_kind kind;
    CUmodule m = NULL;
    uint64_t h;
    int st;

    /* The core passes a private copy with a NUL at image[len]. */
    if (vgpu_cu__image_check(image, len, &kind) < 0)
        return VGPU_S_BAD_IMAGE;
    st = IN_CTX(c, detail, load_(c, &m, image));
    if (st != VGPU_S_OK)
        return st;
    pthread_mutex_lock(&c->lock);
    h = vgpu_cu__tab_put(&c->modules, m, 0);
    pthread_mutex_unlock(&c->lock);
    if (!h) {
        IN_CTX(c, NULL, vgpu_cu->ModuleUnload(m));
        return VGPU_S_NO_MEMORY;
    }
    *module = h;
    return VGPU_S_OK;
}

CUmodule vgpu_cu__module(struct vgpu_exec_ctx *c, uint64_t module)
{
    struct cu_slot *s;
    CUmodule m = NULL;

    pthread_mutex_lock(&c->lock);
    if ((s = vgpu_cu__tab_get(&c->modules, module)))
        m = s->obj;
    pthread_mutex_unlock(&c->lock);
    return m;
}

/* Unloading waits for the work that may run the module's code. */
static CUresult unload_(struct vgpu_exec_ctx *c, CUmodule m)
{
    CUresult r = drain(c);

    return r != CUDA_SUCCESS ? r : vgpu_cu->ModuleUnload(m);
}

static int cuda_module_unload(struct vgpu_exec_ctx *c, uint64_t module, uint32_t *detail)
{
    struct cu_slot *s;
    CUmodule m = NULL;

    pthread_mutex_lock(&c->lock);
    if ((s = vgpu_cu__tab_get(&c->modules, module))) {
        m = s->obj;
        vgpu_cu__tab_del(&c->modules, module);
        vgpu_cu__tab_del_owned(&c->funcs, module); /* its functions go with it */
    }
    pthread_mutex_unlock(&c->lock);
    if (!m)
        return VGPU_S_BAD_HANDLE;
    return IN_CTX(c, detail, unload_(c, m));
}

/* Bytes of f's parameters (the last one's end), or -1 where the driver cannot say. */
static int param_bytes(CUfunction f)
{
    size_t i, off, size, end = 0;

    if (!vgpu_cu->FuncGetParamInfo)
        return -1;
    for (i = 0; i < VGPU_PARAMS_MAX; i++) {
        CUresult r = vgpu_cu->FuncGetParamInfo(f, i, &off, &size);
        if (r == CUDA_ERROR_INVALID_VALUE) /* the first index past the last parameter */
            break;
        if (r != CUDA_SUCCESS)
            return -1;
        if (off + size > end)
            end = off + size;
    }
    return end <= VGPU_PARAMS_MAX ? (int)end : -1;
}

static int cuda_func_get(struct vgpu_exec_ctx *c, uint64_t module, const char *name, uint64_t *func,
                         uint32_t *detail)
{
    CUmodule m = vgpu_cu__module(c, module);
    CUfunction f = NULL;
    uint64_t h;
    int st, bytes;

    if (!m)
        return VGPU_S_BAD_HANDLE;
    st = IN_CTX(c, detail, vgpu_cu->ModuleGetFunction(&f, m, name));
    if (st != VGPU_S_OK)
        return st;
    bytes = param_bytes(f);
    pthread_mutex_lock(&c->lock);
    h = vgpu_cu__tab_find(&c->funcs, f); /* the driver answers one CUfunction per name */
    if (!h && (h = vgpu_cu__tab_put(&c->funcs, f, module)))
        vgpu_cu__tab_get(&c->funcs, h)->aux = bytes;
    pthread_mutex_unlock(&c->lock);
    if (!h)
        return VGPU_S_NO_MEMORY;
    *func = h;
    return VGPU_S_OK;
}

/* GLOBAL_GET: exec_cuda_global.c, on the module behind the VM's handle. */
static int cuda_global_get(struct vgpu_exec_ctx *c, uint64_t module, const char *name,
                           uint64_t *dptr, uint64_t *bytes, uint32_t *detail)
{
    CUmodule m = vgpu_cu__module(c, module);

    return m ? vgpu__cuda_global_get(c, m, name, dptr, bytes, detail) : VGPU_S_BAD_HANDLE;
}

/* Opt f in to more than 48 KiB of dynamic shared memory, once per size it grows to. */
static CUresult shmem_optin(struct vgpu_exec_ctx *c, CUfunction f, int *have, uint32_t shmem)
{
    CUresult r;

    if (shmem <= SHMEM_STATIC || (int)shmem <= *have)
        return CUDA_SUCCESS;
    if ((int)shmem > c->e->shmem_optin)
        return CUDA_ERROR_INVALID_VALUE;
    r = vgpu_cu->FuncSetAttribute(f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, (int)shmem);
    if (r == CUDA_SUCCESS)
        *have = (int)shmem;
    return r;
}

static CUresult launch_(struct vgpu_exec_ctx *c, CUfunction f, int *have,
                        const struct vgpu_req_launch *l, const void *params, size_t size)
{
    void *extra[] = {CU_LAUNCH_PARAM_BUFFER_POINTER, (void *)params, CU_LAUNCH_PARAM_BUFFER_SIZE,
                     &size, CU_LAUNCH_PARAM_END};
    CUresult r = shmem_optin(c, f, have, l->shmem);

    if (r == CUDA_SUCCESS)
        r = clock_start(c);
    if (r != CUDA_SUCCESS)
        return r;
    return vgpu_cu->LaunchKernel(f, l->grid[0], l->grid[1], l->grid[2], l->block[0], l->block[1],
                                 l->block[2], l->shmem, c->stream, NULL, size ? extra : NULL);
}

/*
 * params: the caller's private buffer of VGPU_PARAMS_MAX bytes, zero past
 * params_len. Where the driver knows the kernel's parameter size, fewer
 * bytes are refused and exactly that many are passed.
 */
static int cuda_launch(struct vgpu_exec_ctx *c, uint64_t func, const struct vgpu_req_launch *l,
                       const void *params, size_t params_len, uint32_t *detail)
{
    struct cu_slot *s;
    CUfunction f = NULL;
    int bytes = -1, have = 0, st;

    pthread_mutex_lock(&c->lock);
    if ((s = vgpu_cu__tab_get(&c->funcs, func))) {
        f = s->obj;
        bytes = s->aux;
        have = s->shmem;
    }
    pthread_mutex_unlock(&c->lock);
    if (!f)
        return VGPU_S_BAD_HANDLE;
    if (bytes >= 0 && params_len < (size_t)bytes)
        return VGPU_S_BAD_LAUNCH;
    if ((int)l->shmem > c->e->shmem_optin && l->shmem > SHMEM_STATIC)
        return VGPU_S_BAD_LAUNCH;
    st =
        IN_CTX(c, detail, launch_(c, f, &have, l, params, bytes >= 0 ? (size_t)bytes : params_len));
    pthread_mutex_lock(&c->lock);
    if ((s = vgpu_cu__tab_get(&c->funcs, func)))
        s->shmem = have;
    pthread_mutex_unlock(&c->lock);
    return st;
}

static int cuda_sync(struct vgpu_exec_ctx *c, uint32_t *detail)
{
    return IN_CTX(c, detail, drain(c));
}

static int cuda_func_params(struct vgpu_exec_ctx *c, uint64_t func, struct vgpu_param_info *out,
                            uint32_t max, uint32_t *count, uint32_t *detail)
{
    struct cu_slot *s;
    CUfunction f = NULL;
    size_t i, off, size;
    CUresult r = CUDA_SUCCESS;

    pthread_mutex_lock(&c->lock);
    if ((s = vgpu_cu__tab_get(&c->funcs, func)))
        f = s->obj;
    pthread_mutex_unlock(&c->lock);
    if (!f)
        return VGPU_S_BAD_HANDLE;
    if (!vgpu_cu->FuncGetParamInfo)
        return VGPU_S_UNSUPPORTED;
    /* The driver answers INVALID_VALUE for the first index past the last parameter. */
    for (i = 0; i < VGPU_PARAMS_MAX && (r = vgpu_cu->FuncGetParamInfo(f, i, &off, &size)) == 0; i++)
        if (i < max)
            out[i] = (struct vgpu_param_info){.offset = (uint32_t)off, .size = (uint32_t)size};
    if (r != CUDA_SUCCESS && r != CUDA_ERROR_INVALID_VALUE)
        return result(c, r, detail);
    *count = (uint32_t)i;
    return VGPU_S_OK;
}

/* PORTABLE: page-locked for every context, as the data area outlives none of them. */
static int cuda_host_register(struct vgpu_exec_ctx *c, void *p, size_t len, uint32_t *detail)
{
    struct host_reg *r = calloc(1, sizeof(*r));
    int st;

    if (!r)
        return VGPU_S_NO_MEMORY;
    st = IN_CTX(c, detail, vgpu_cu->MemHostRegister(p, len, CU_MEMHOSTREGISTER_PORTABLE));
    if (st != VGPU_S_OK) {
        free(r);
        return st;
    }
    r->p = p;
    pthread_mutex_lock(&c->lock);
    r->next = c->regs;
    c->regs = r;
    pthread_mutex_unlock(&c->lock);
    return VGPU_S_OK;
}

/* Copies queued from or to p finish before the driver lets go of it. */
static CUresult unregister_(struct vgpu_exec_ctx *c, void *p)
{
    drain(c);
    return vgpu_cu->MemHostUnregister(p);
}

static void cuda_host_unregister(struct vgpu_exec_ctx *c, void *p)
{
    struct host_reg **pp, *r = NULL;

    pthread_mutex_lock(&c->lock);
    for (pp = &c->regs; *pp; pp = &(*pp)->next)
        if ((*pp)->p == p) {
            r = *pp;
            *pp = r->next;
            break;
        }
    pthread_mutex_unlock(&c->lock);
    if (!r)
        return;
    IN_CTX(c, NULL, unregister_(c, p));
    free(r);
}

/*
 * An estimate of what cuMemAlloc holds: device memory is mapped in 2 MiB
 * pages; small allocations are sub-allocated from shared pages on 512-byte
 * boundaries (so under 1 MiB they are charged that), larger ones get whole
 * pages. scripts/gpu-check compares it with cuMemGetInfo on the GPU.
 */
static uint64_t cuda_mem_charge(uint64_t size)
{
    uint64_t grain = size < (1u << 20) ? 512u : 2u << 20;

    return (size + grain - 1) / grain * grain;
}

/* The GPU time of the work waited for since the last call, ns. */
static uint64_t cuda_gpu_time(struct vgpu_exec_ctx *c)
{
    uint64_t ns = c->gpu_ns;

    c->gpu_ns = 0;
    return ns;
}

const struct vgpu_exec_ops vgpu_exec_cuda_ops = {
    .name = "cuda",
    .kind = VGPU_EXECUTOR_CUDA,
    .open = cuda_open,
    .close = cuda_close,
    .device_info = cuda_device_info,
    .ctx_create = cuda_ctx_create,
    .ctx_destroy = cuda_ctx_destroy,
    .mem_alloc = cuda_mem_alloc,
    .mem_free = cuda_mem_free,
    .memset = cuda_memset,
    .copy_htod = cuda_copy_htod,
    .copy_dtoh = cuda_copy_dtoh,
    .copy_dtod = cuda_copy_dtod,
    .module_load = cuda_module_load,
    .module_unload = cuda_module_unload,
    .func_get = cuda_func_get,
    .launch = cuda_launch,
    .sync = cuda_sync,
    .func_params = cuda_func_params,
    .global_get = cuda_global_get, /* exec_cuda_global.c */
    .host_register = cuda_host_register,
    .host_unregister = cuda_host_unregister,
    .gpu_time = cuda_gpu_time,
    .mem_charge = cuda_mem_charge,
};
