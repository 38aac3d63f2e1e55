/*
 * register.c: what nvcc's generated code registers at start-up (fatbins,
 * kernels, variables), and their modules, loaded lazily into each context.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "cudart_int.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; /* everything below */
static struct vrt_fatbin *fatbins;
static struct vrt_func *funcs;
static struct vrt_var *vars;

/* The fatbin behind a handle the program holds, or NULL. Caller holds lock. */
static struct vrt_fatbin *fatbin_of(void **handle)
{
    for (struct vrt_fatbin *fb = fatbins; fb; fb = fb->next)
        if (&fb->handle == handle)
            return fb;
    return NULL;
}

/* The whole fatbin goes to the host at first use (libcuda reads its size from its header). */
VRT_API void **__cudaRegisterFatBinary(void *fatCubin)
{
    struct vrt_fatbin *fb = calloc(1, sizeof(*fb));

    if (!fb)
        return NULL;
    fb->handle = fatCubin;
    pthread_mutex_lock(&lock);
    fb->next = fatbins;
    fatbins = fb;
    pthread_mutex_unlock(&lock);
    return &fb->handle;
}

/* Nothing to do: modules load when a context first needs them. */
VRT_API void __cudaRegisterFatBinaryEnd(void **handle)
{
    (void)handle;
}

VRT_API void __cudaRegisterFunction(void **handle, const char *hostFun, char *deviceFun,
                                    const char *deviceName, int thread_limit, uint3 *tid,
                                    uint3 *bid, dim3 *bDim, dim3 *gDim, int *wSize)
{
    struct vrt_func *f = calloc(1, sizeof(*f));

    if (!f || !(f->name = strdup(deviceName))) {
        free(f);
        return;
    }
    f->host = hostFun;
    pthread_mutex_lock(&lock);
    f->fb = fatbin_of(handle);
    f->next = funcs;
    funcs = f;
    pthread_mutex_unlock(&lock);
}

VRT_API void __cudaRegisterVar(void **handle, char *hostVar, char *deviceAddress,
                               const char *deviceName, int ext, size_t size, int constant,
                               int global)
{
    struct vrt_var *v = calloc(1, sizeof(*v));

    if (!v || !(v->name = strdup(deviceName))) {
        free(v);
        return;
    }
    v->host = hostVar;
    v->size = size;
    pthread_mutex_lock(&lock);
    v->fb = fatbin_of(handle);
    v->next = vars;
    vars = v;
    pthread_mutex_unlock(&lock);
}

/* The fatbin's module in the current context c, loaded now if it is not. Caller holds lock. */
static cudaError_t module_in(struct vrt_fatbin *fb, CUcontext c, CUmodule *out)
{
    struct vrt_mod *m;
    CUresult r;

    for (m = fb->mods; m; m = m->next)
        if (m->ctx == c) {
            *out = m->mod;
            return cudaSuccess;
        }
    m = calloc(1, sizeof(*m));
    if (!m)
        return vrt__ret(cudaErrorMemoryAllocation);
    r = cuModuleLoadData(&m->mod, fb->handle);
    if (r != CUDA_SUCCESS) {
        free(m);
        return vrt__cu(r);
    }
    m->ctx = c;
    m->next = fb->mods;
    fb->mods = m;
    *out = m->mod;
    return cudaSuccess;
}

/* Drop fb's module of context c (stale: the context was destroyed or reset). Caller holds lock. */
static void module_drop(struct vrt_fatbin *fb, CUcontext c)
{
    for (struct vrt_mod **pp = &fb->mods; *pp; pp = &(*pp)->next)
        if ((*pp)->ctx == c) {
            struct vrt_mod *m = *pp;
            *pp = m->next;
            free(m);
            return;
        }
}

void vrt__forget_ctx(CUcontext ctx)
{
    pthread_mutex_lock(&lock);
    for (struct vrt_fatbin *fb = fatbins; fb; fb = fb->next)
        module_drop(fb, ctx);
    pthread_mutex_unlock(&lock);
}

/*
 * Runs get on fb's module in the current context; a module whose context
 * went away without us (cuCtxDestroy) answers CUDA_ERROR_INVALID_HANDLE
 * and is loaded again, once.
 */
static cudaError_t in_module(struct vrt_fatbin *fb, const char *name, void *out,
                             CUresult (*get)(CUmodule, const char *, void *))
{
    cudaError_t e;
    CUcontext c;
    CUmodule m;
    CUresult r = CUDA_ERROR_INVALID_HANDLE;

    if (!fb)
        return vrt__ret(cudaErrorInvalidResourceHandle);
    e = vrt__ctx(&c);
    if (e != cudaSuccess)
        return e;
    pthread_mutex_lock(&lock);
    for (int tries = 0; tries < 2 && r == CUDA_ERROR_INVALID_HANDLE; tries++) {
        if (tries)
            module_drop(fb, c);
        e = module_in(fb, c, &m);
        if (e != cudaSuccess)
            break;
        r = get(m, name, out);
    }
    pthread_mutex_unlock(&lock);
    return e != cudaSuccess ? e : r == CUDA_SUCCESS ? cudaSuccess : vrt__cu(r);
}

static CUresult get_function(CUmodule m, const char *name, void *out)
{
    return cuModuleGetFunction(out, m, name);
}

struct global {
    CUdeviceptr dptr;
    size_t size;
};

static CUresult get_global(CUmodule m, const char *name, void *out)
{
    struct global *g = out;

    return cuModuleGetGlobal(&g->dptr, &g->size, m, name);
}

cudaError_t vrt__function(struct vrt_func *f, CUfunction *out)
{
    return in_module(f->fb, f->name, out, get_function);
}

struct vrt_func *vrt__func_find(const void *host)
{
    struct vrt_func *f;

    pthread_mutex_lock(&lock);
    for (f = funcs; f && f->host != host; f = f->next)
        ;
    pthread_mutex_unlock(&lock);
    return f;
}

bool vrt__func_valid(const struct vrt_func *k)
{
    const struct vrt_func *f;

    pthread_mutex_lock(&lock);
    for (f = funcs; f && f != k; f = f->next)
        ;
    pthread_mutex_unlock(&lock);
    return k && f == k;
}

cudaError_t vrt__symbol(const void *host, CUdeviceptr *dptr, size_t *size)
{
    struct global g = {0, 0};
    struct vrt_var *v;
    cudaError_t e;

    pthread_mutex_lock(&lock);
    for (v = vars; v && v->host != host; v = v->next)
        ;
    pthread_mutex_unlock(&lock);
    if (!v)
        return vrt__ret(cudaErrorInvalidSymbol);
    e = in_module(v->fb, v->name, &g, get_global);
    if (e == cudaErrorSymbolNotFound)
        e = cudaErrorInvalidSymbol;
    *dptr = g.dptr;
    *size = g.size;
    return e;
}

/* Loads the fatbin's module into the current context now; 1 on success, as the runtime's. */
VRT_API char __cudaInitModule(void **handle)
{
    struct vrt_fatbin *fb;
    cudaError_t e;
    CUcontext c;
    CUmodule m;

    e = vrt__ctx(&c);
    if (e != cudaSuccess)
        return 0;
    pthread_mutex_lock(&lock);
    fb = fatbin_of(handle);
    e = fb ? module_in(fb, c, &m) : cudaErrorInvalidResourceHandle;
    pthread_mutex_unlock(&lock);
    return e == cudaSuccess;
}

/* Only this fatbin's bookkeeping goes: its modules go with their contexts at exit. */
static void unlink_entries(struct vrt_fatbin *fb)
{
    for (struct vrt_func **pp = &funcs; *pp;) {
        struct vrt_func *f = *pp;
        if (f->fb == fb) {
            *pp = f->next;
            free(f->name);
            free(f);
        } else {
            pp = &f->next;
        }
    }
    for (struct vrt_var **pp = &vars; *pp;) {
        struct vrt_var *v = *pp;
        if (v->fb == fb) {
            *pp = v->next;
            free(v->name);
            free(v);
        } else {
            pp = &v->next;
        }
    }
}

VRT_API void __cudaUnregisterFatBinary(void **handle)
{
    pthread_mutex_lock(&lock);
    for (struct vrt_fatbin **pp = &fatbins; *pp; pp = &(*pp)->next)
        if (&(*pp)->handle == handle) {
            struct vrt_fatbin *fb = *pp;
            *pp = fb->next;
            unlink_entries(fb);
            while (fb->mods) {
                struct vrt_mod *m = fb->mods;
                fb->mods = m->next;
                free(m);
            }
            free(fb);
            break;
        }
    pthread_mutex_unlock(&lock);
}
