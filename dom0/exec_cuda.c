/* exec_cuda.c: the CUDA executor: the driver API, one context per VM, on the GPU vgpud owns. */
#include <cuda.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exec.h"
#include "exec_cuda_global.h"

#define CUDA_MAX_MODULES 64
#define CUDA_MAX_FUNCS   256

struct vgpu_exec {
    CUdevice dev;
    char name[64];
    size_t total;
    int cc_major, cc_minor, sms;
};

struct vgpu_exec_ctx {
    struct vgpu_exec *e;
    CUcontext ctx;
    pthread_mutex_t lock;                /* the handle tables */
    CUmodule modules[CUDA_MAX_MODULES];  /* handle i+1 */
    CUfunction funcs[CUDA_MAX_FUNCS];    /* handle i+1 */
};

/* Map a CUresult to a status, keeping the code for the guest. */
static int check(CUresult r, uint32_t *detail)
{
    if (r == CUDA_SUCCESS)
        return VGPU_S_OK;
    if (detail)
        *detail = (uint32_t)r;
    if (r == CUDA_ERROR_OUT_OF_MEMORY)
        return VGPU_S_NO_MEMORY;
    if (r == CUDA_ERROR_INVALID_IMAGE || r == CUDA_ERROR_INVALID_PTX ||
        r == CUDA_ERROR_NO_BINARY_FOR_GPU)
        return VGPU_S_BAD_IMAGE;
    if (r == CUDA_ERROR_NOT_FOUND)
        return VGPU_S_NOT_FOUND;
    return VGPU_S_EXEC;
}

static const char *cu_errstr(CUresult r)
{
    const char *s = NULL;

    cuGetErrorString(r, &s);
    return s ? s : "unknown CUDA error";
}

static int cuda_open(const struct vgpu_exec_config *cfg, struct vgpu_exec **out, char *err,
                     size_t errlen)
{
    struct vgpu_exec *e;
    int ordinal = cfg && cfg->device && cfg->device[0] ? atoi(cfg->device) : 0, n = 0;
    CUresult r;

    r = cuInit(0);
    if (r == CUDA_SUCCESS)
        r = cuDeviceGetCount(&n);
    if (r != CUDA_SUCCESS || n == 0) {
        snprintf(err, errlen, "CUDA: %s", r != CUDA_SUCCESS ? cu_errstr(r) : "no device");
        return VGPU_S_NO_DEVICE;
    }
    e = calloc(1, sizeof(*e));
    if (!e)
        return VGPU_S_NO_MEMORY;
    r = cuDeviceGet(&e->dev, ordinal);
    if (r == CUDA_SUCCESS)
        r = cuDeviceGetName(e->name, sizeof(e->name), e->dev);
    if (r == CUDA_SUCCESS)
        r = cuDeviceTotalMem(&e->total, e->dev);
    if (r == CUDA_SUCCESS)
        r = cuDeviceGetAttribute(&e->cc_major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, e->dev);
    if (r == CUDA_SUCCESS)
        r = cuDeviceGetAttribute(&e->cc_minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, e->dev);
    if (r == CUDA_SUCCESS)
        r = cuDeviceGetAttribute(&e->sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, e->dev);
    if (r != CUDA_SUCCESS) {
        snprintf(err, errlen, "CUDA device %d: %s", ordinal, cu_errstr(r));
        free(e);
        return VGPU_S_NO_DEVICE;
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

static int cuda_ctx_create(struct vgpu_exec *e, uint32_t vm_id, struct vgpu_exec_ctx **out,
                           uint32_t *detail)
{
    struct vgpu_exec_ctx *c = calloc(1, sizeof(*c));
    CUresult r;

    (void)vm_id;
    if (!c)
        return VGPU_S_NO_MEMORY;
#if CUDA_VERSION >= 12050
    r = cuCtxCreate(&c->ctx, NULL, 0, e->dev);
#else
    r = cuCtxCreate(&c->ctx, 0, e->dev);
#endif
    if (r != CUDA_SUCCESS) {
        free(c);
        return check(r, detail);
    }
    cuCtxPopCurrent(NULL); /* contexts are pushed around each call, on whichever pool thread */
    c->e = e;
    pthread_mutex_init(&c->lock, NULL);
    *out = c;
    return VGPU_S_OK;
}

static void cuda_ctx_destroy(struct vgpu_exec_ctx *c)
{
    if (!c)
        return;
    cuCtxDestroy(c->ctx); /* frees the VM's memory and modules with it */
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* Run `call` with c's context current on this thread. */
#define IN_CTX(c, detail, call)                                                                    \
    ({                                                                                             \
        int st_ = check(cuCtxPushCurrent((c)->ctx), detail);                                       \
        if (st_ == VGPU_S_OK) {                                                                    \
            st_ = check(call, detail);                                                             \
            cuCtxPopCurrent(NULL);                                                                 \
        }                                                                                          \
        st_;                                                                                       \
    })

static int cuda_mem_alloc(struct vgpu_exec_ctx *c, uint64_t size, uint64_t *dptr, uint32_t *detail)
{
    CUdeviceptr p = 0;
    int st = IN_CTX(c, detail, cuMemAlloc(&p, size));

    *dptr = p;
    return st;
}

static int cuda_mem_free(struct vgpu_exec_ctx *c, uint64_t dptr, uint32_t *detail)
{
    return IN_CTX(c, detail, cuMemFree((CUdeviceptr)dptr));
}

static int cuda_memset(struct vgpu_exec_ctx *c, uint64_t dptr, uint8_t value, uint64_t len,
                       uint32_t *detail)
{
    return IN_CTX(c, detail, cuMemsetD8((CUdeviceptr)dptr, value, len));
}

static int cuda_copy_htod(struct vgpu_exec_ctx *c, uint64_t dptr, const void *src, uint64_t len,
                          uint32_t *detail)
{
    return len ? IN_CTX(c, detail, cuMemcpyHtoD((CUdeviceptr)dptr, src, len)) : VGPU_S_OK;
}

static int cuda_copy_dtoh(struct vgpu_exec_ctx *c, void *dst, uint64_t dptr, uint64_t len,
                          uint32_t *detail)
{
    return len ? IN_CTX(c, detail, cuMemcpyDtoH(dst, (CUdeviceptr)dptr, len)) : VGPU_S_OK;
}

static int cuda_copy_dtod(struct vgpu_exec_ctx *c, uint64_t dst, uint64_t src, uint64_t len,
                          uint32_t *detail)
{
    return len ? IN_CTX(c, detail, cuMemcpyDtoD((CUdeviceptr)dst, (CUdeviceptr)src, len))
               : VGPU_S_OK;
}

static int cuda_module_load(struct vgpu_exec_ctx *c, const void *image, size_t len,
                            uint64_t *module, uint32_t *detail)
{
    CUmodule m = NULL;
    int i, st;

    (void)len; /* the core passes a NUL-terminated private copy: PTX text or a cubin */
    st = IN_CTX(c, detail, cuModuleLoadData(&m, image));
    if (st != VGPU_S_OK)
        return st;
    pthread_mutex_lock(&c->lock);
    for (i = 0; i < CUDA_MAX_MODULES && c->modules[i]; i++)
        ;
    if (i < CUDA_MAX_MODULES)
        c->modules[i] = m;
    pthread_mutex_unlock(&c->lock);
    if (i == CUDA_MAX_MODULES) {
        IN_CTX(c, detail, cuModuleUnload(m));
        return VGPU_S_NO_MEMORY;
    }
    *module = (uint64_t)i + 1;
    return VGPU_S_OK;
}

/* The CUmodule behind a handle of this VM, or NULL. */
static CUmodule module_get(struct vgpu_exec_ctx *c, uint64_t h)
{
    CUmodule m = NULL;

    pthread_mutex_lock(&c->lock);
    if (h >= 1 && h <= CUDA_MAX_MODULES)
        m = c->modules[h - 1];
    pthread_mutex_unlock(&c->lock);
    return m;
}

static int cuda_module_unload(struct vgpu_exec_ctx *c, uint64_t module, uint32_t *detail)
{
    CUmodule m = module_get(c, module);

    if (!m)
        return VGPU_S_BAD_HANDLE;
    pthread_mutex_lock(&c->lock);
    c->modules[module - 1] = NULL;
    pthread_mutex_unlock(&c->lock);
    return IN_CTX(c, detail, cuModuleUnload(m));
}

static int cuda_func_get(struct vgpu_exec_ctx *c, uint64_t module, const char *name,
                         uint64_t *func, uint32_t *detail)
{
    CUmodule m = module_get(c, module);
    CUfunction f = NULL;
    int i, st;

    if (!m)
        return VGPU_S_BAD_HANDLE;
    st = IN_CTX(c, detail, cuModuleGetFunction(&f, m, name));
    if (st != VGPU_S_OK)
        return st;
    pthread_mutex_lock(&c->lock);
    for (i = 0; i < CUDA_MAX_FUNCS && c->funcs[i] && c->funcs[i] != f; i++)
        ;
    if (i < CUDA_MAX_FUNCS)
        c->funcs[i] = f;
    pthread_mutex_unlock(&c->lock);
    if (i == CUDA_MAX_FUNCS)
        return VGPU_S_NO_MEMORY;
    *func = (uint64_t)i + 1;
    return VGPU_S_OK;
}

static int cuda_global_get(struct vgpu_exec_ctx *c, uint64_t module, const char *name,
                           uint64_t *dptr, uint64_t *bytes, uint32_t *detail)
{
    CUmodule m = module_get(c, module);

    return m ? vgpu__cuda_global_get(c->ctx, m, name, dptr, bytes, detail) : VGPU_S_BAD_HANDLE;
}

static int cuda_launch(struct vgpu_exec_ctx *c, uint64_t func, const struct vgpu_req_launch *l,
                       const void *params, size_t params_len, uint32_t *detail)
{
    CUfunction f = NULL;
    size_t size = params_len;
    void *extra[] = {CU_LAUNCH_PARAM_BUFFER_POINTER, (void *)params,
                     CU_LAUNCH_PARAM_BUFFER_SIZE, &size, CU_LAUNCH_PARAM_END};

    pthread_mutex_lock(&c->lock);
    if (func >= 1 && func <= CUDA_MAX_FUNCS)
        f = c->funcs[func - 1];
    pthread_mutex_unlock(&c->lock);
    if (!f)
        return VGPU_S_BAD_HANDLE;
    return IN_CTX(c, detail,
                  cuLaunchKernel(f, l->grid[0], l->grid[1], l->grid[2], l->block[0], l->block[1],
                                 l->block[2], l->shmem, NULL, NULL, params_len ? extra : NULL));
}

static int cuda_sync(struct vgpu_exec_ctx *c, uint32_t *detail)
{
    return IN_CTX(c, detail, cuCtxSynchronize());
}

typedef CUresult (*param_info_fn)(CUfunction f, size_t index, size_t *offset, size_t *size);

/* cuFuncGetParamInfo came with CUDA 12.4: looked up, so that older drivers still load us. */
static param_info_fn param_info(void)
{
    void *fn = NULL;

    if (cuGetProcAddress("cuFuncGetParamInfo", &fn, 12040, CU_GET_PROC_ADDRESS_DEFAULT, NULL) !=
        CUDA_SUCCESS)
        return NULL;
    return (param_info_fn)fn;
}

static int cuda_func_params(struct vgpu_exec_ctx *c, uint64_t func, struct vgpu_param_info *out,
                            uint32_t max, uint32_t *count, uint32_t *detail)
{
    param_info_fn get = param_info();
    CUfunction f = NULL;
    size_t i, off, size;
    CUresult r = CUDA_SUCCESS;

    pthread_mutex_lock(&c->lock);
    if (func >= 1 && func <= CUDA_MAX_FUNCS)
        f = c->funcs[func - 1];
    pthread_mutex_unlock(&c->lock);
    if (!f)
        return VGPU_S_BAD_HANDLE;
    if (!get)
        return VGPU_S_UNSUPPORTED;
    /* The driver answers INVALID_VALUE for the first index past the last parameter. */
    for (i = 0; i < VGPU_PARAMS_MAX && (r = get(f, i, &off, &size)) == CUDA_SUCCESS; i++)
        if (i < max)
            out[i] = (struct vgpu_param_info){.offset = (uint32_t)off, .size = (uint32_t)size};
    if (r != CUDA_SUCCESS && r != CUDA_ERROR_INVALID_VALUE)
        return check(r, detail);
    *count = (uint32_t)i;
    return VGPU_S_OK;
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
    .global_get = cuda_global_get,
};
