/* exec_cpu.c: the CPU reference executor: device memory is host memory; a test and demo aid, not a GPU. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cpu_kernels.h"
#include "exec.h"
#include "memtab.h"

#define CPU_MEM_DEFAULT (1ull << 30)
#define DPTR_BASE       0x100000000000ull /* device addresses start here, never reused */
#define DPTR_ALIGN      256u
#define MAX_MODULES     256u

struct vgpu_exec {
    pthread_mutex_t lock;      /* protects used */
    uint64_t total, used;
};

struct vgpu_exec_ctx {
    struct vgpu_exec *e;
    pthread_mutex_t lock;      /* a VM may run in two pools for a moment while it moves */
    uint32_t vm_id;
    struct vgpu_memtab mem;    /* tag: host pointer */
    uint64_t next_dptr;
    uint8_t module_live[MAX_MODULES]; /* module handle i+1 is loaded */
};

static int cpu_open(const struct vgpu_exec_config *cfg, struct vgpu_exec **out, char *err,
                    size_t errlen)
{
    struct vgpu_exec *e = calloc(1, sizeof(*e));

    (void)err;
    (void)errlen;
    if (!e)
        return VGPU_S_NO_MEMORY;
    pthread_mutex_init(&e->lock, NULL);
    e->total = cfg && cfg->cpu_mem_bytes ? cfg->cpu_mem_bytes : CPU_MEM_DEFAULT;
    *out = e;
    return VGPU_S_OK;
}

static void cpu_close(struct vgpu_exec *e)
{
    if (!e)
        return;
    pthread_mutex_destroy(&e->lock);
    free(e);
}

static void cpu_device_info(struct vgpu_exec *e, struct vgpu_device_info *out)
{
    snprintf(out->name, sizeof(out->name), "CPU reference executor (not a GPU)");
    out->total_mem = e->total;
    out->executor = VGPU_EXECUTOR_CPU_REF;
    out->multiprocessors = 1;
}

static int cpu_ctx_create(struct vgpu_exec *e, uint32_t vm_id, struct vgpu_exec_ctx **out,
                          uint32_t *detail)
{
    struct vgpu_exec_ctx *c = calloc(1, sizeof(*c));

    (void)detail;
    if (!c)
        return VGPU_S_NO_MEMORY;
    c->e = e;
    c->vm_id = vm_id;
    c->next_dptr = DPTR_BASE;
    pthread_mutex_init(&c->lock, NULL);
    *out = c;
    return VGPU_S_OK;
}

static void cpu_ctx_destroy(struct vgpu_exec_ctx *c)
{
    size_t i;

    if (!c)
        return;
    for (i = 0; i < c->mem.n; i++)
        free(c->mem.v[i].tag);
    pthread_mutex_lock(&c->e->lock);
    c->e->used -= c->mem.bytes;
    pthread_mutex_unlock(&c->e->lock);
    vgpu_memtab_free(&c->mem);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* Host memory behind [dptr, dptr+len) of this VM, or NULL. Caller holds c->lock. */
static void *xlate(void *ctx, uint64_t dptr, uint64_t len)
{
    struct vgpu_exec_ctx *c = ctx;
    const struct vgpu_memtab_entry *m = vgpu_memtab_find(&c->mem, dptr, len);

    return m ? (uint8_t *)m->tag + (dptr - m->base) : NULL;
}

static int reserve(struct vgpu_exec *e, uint64_t size)
{
    int st = VGPU_S_OK;

    pthread_mutex_lock(&e->lock);
    if (size > e->total - e->used)
        st = VGPU_S_NO_MEMORY;
    else
        e->used += size;
    pthread_mutex_unlock(&e->lock);
    return st;
}

static void unreserve(struct vgpu_exec *e, uint64_t size)
{
    pthread_mutex_lock(&e->lock);
    e->used -= size;
    pthread_mutex_unlock(&e->lock);
}

static int cpu_mem_alloc(struct vgpu_exec_ctx *c, uint64_t size, uint64_t *dptr, uint32_t *detail)
{
    uint64_t span = (size + DPTR_ALIGN - 1) & ~(uint64_t)(DPTR_ALIGN - 1);
    void *p;
    int st;

    (void)detail;
    if (size > c->e->total || reserve(c->e, size) != VGPU_S_OK)
        return VGPU_S_NO_MEMORY;
    p = calloc(1, size);
    if (!p) {
        unreserve(c->e, size);
        return VGPU_S_NO_MEMORY;
    }
    pthread_mutex_lock(&c->lock);
    *dptr = c->next_dptr;
    st = vgpu_memtab_insert(&c->mem, *dptr, size, p) == 0 ? VGPU_S_OK : VGPU_S_NO_MEMORY;
    if (st == VGPU_S_OK)
        c->next_dptr += span + DPTR_ALIGN; /* a guard gap between allocations */
    pthread_mutex_unlock(&c->lock);
    if (st != VGPU_S_OK) {
        free(p);
        unreserve(c->e, size);
    }
    return st;
}

static int cpu_mem_free(struct vgpu_exec_ctx *c, uint64_t dptr, uint32_t *detail)
{
    struct vgpu_memtab_entry m;
    int r;

    (void)detail;
    pthread_mutex_lock(&c->lock);
    r = vgpu_memtab_remove(&c->mem, dptr, &m);
    pthread_mutex_unlock(&c->lock);
    if (r)
        return VGPU_S_BAD_HANDLE;
    free(m.tag);
    unreserve(c->e, m.size);
    return VGPU_S_OK;
}

static int cpu_memset(struct vgpu_exec_ctx *c, uint64_t dptr, uint8_t value, uint64_t len,
                      uint32_t *detail)
{
    void *p;

    (void)detail;
    pthread_mutex_lock(&c->lock);
    p = xlate(c, dptr, len);
    if (p)
        memset(p, value, len);
    pthread_mutex_unlock(&c->lock);
    return p ? VGPU_S_OK : VGPU_S_BAD_HANDLE;
}

static int cpu_copy_htod(struct vgpu_exec_ctx *c, uint64_t dptr, const void *src, uint64_t len,
                         uint32_t *detail)
{
    void *p;

    (void)detail;
    pthread_mutex_lock(&c->lock);
    p = xlate(c, dptr, len);
    if (p && len)
        memcpy(p, src, len);
    pthread_mutex_unlock(&c->lock);
    return p ? VGPU_S_OK : VGPU_S_BAD_HANDLE;
}

static int cpu_copy_dtoh(struct vgpu_exec_ctx *c, void *dst, uint64_t dptr, uint64_t len,
                         uint32_t *detail)
{
    void *p;

    (void)detail;
    pthread_mutex_lock(&c->lock);
    p = xlate(c, dptr, len);
    if (p && len)
        memcpy(dst, p, len);
    pthread_mutex_unlock(&c->lock);
    return p ? VGPU_S_OK : VGPU_S_BAD_HANDLE;
}

static int cpu_copy_dtod(struct vgpu_exec_ctx *c, uint64_t dst, uint64_t src, uint64_t len,
                         uint32_t *detail)
{
    void *d, *s;

    (void)detail;
    pthread_mutex_lock(&c->lock);
    d = xlate(c, dst, len);
    s = xlate(c, src, len);
    if (d && s && len)
        memmove(d, s, len);
    pthread_mutex_unlock(&c->lock);
    return d && s ? VGPU_S_OK : VGPU_S_BAD_HANDLE;
}

/* Any non-empty image is accepted: functions resolve against the built-in table. */
static int cpu_module_load(struct vgpu_exec_ctx *c, const void *image, size_t len,
                           uint64_t *module, uint32_t *detail)
{
    uint32_t i;
    int st = VGPU_S_NO_MEMORY;

    (void)image;
    (void)detail;
    if (len == 0)
        return VGPU_S_BAD_IMAGE;
    pthread_mutex_lock(&c->lock);
    for (i = 0; i < MAX_MODULES; i++)
        if (!c->module_live[i]) {
            c->module_live[i] = 1;
            *module = i + 1;
            st = VGPU_S_OK;
            break;
        }
    pthread_mutex_unlock(&c->lock);
    return st;
}

static bool module_ok(const struct vgpu_exec_ctx *c, uint64_t module)
{
    return module >= 1 && module <= MAX_MODULES && c->module_live[module - 1];
}

static int cpu_module_unload(struct vgpu_exec_ctx *c, uint64_t module, uint32_t *detail)
{
    int st = VGPU_S_BAD_HANDLE;

    (void)detail;
    pthread_mutex_lock(&c->lock);
    if (module_ok(c, module)) {
        c->module_live[module - 1] = 0;
        st = VGPU_S_OK;
    }
    pthread_mutex_unlock(&c->lock);
    return st;
}

/* Function handle: module << 16 | (kernel index + 1). */
static int cpu_func_get(struct vgpu_exec_ctx *c, uint64_t module, const char *name, uint64_t *func,
                        uint32_t *detail)
{
    int k, st;

    (void)detail;
    pthread_mutex_lock(&c->lock);
    st = module_ok(c, module) ? VGPU_S_OK : VGPU_S_BAD_HANDLE;
    pthread_mutex_unlock(&c->lock);
    if (st != VGPU_S_OK)
        return st;
    k = vgpu_cpu_kernel_find(name);
    if (k < 0)
        return VGPU_S_NOT_FOUND;
    *func = module << 16 | (uint64_t)(k + 1);
    return VGPU_S_OK;
}

static int cpu_launch(struct vgpu_exec_ctx *c, uint64_t func, const struct vgpu_req_launch *l,
                      const void *params, size_t params_len, uint32_t *detail)
{
    const struct vgpu_cpu_kernel *k = vgpu_cpu_kernel_get((int)(func & 0xffff) - 1);
    int st;

    (void)detail;
    pthread_mutex_lock(&c->lock);
    if (!k || !module_ok(c, func >> 16))
        st = VGPU_S_BAD_HANDLE;
    else if (params_len != k->params_len)
        st = VGPU_S_BAD_LAUNCH;
    else
        st = k->run(l, params, xlate, c);
    pthread_mutex_unlock(&c->lock);
    return st;
}

static int cpu_sync(struct vgpu_exec_ctx *c, uint32_t *detail)
{
    (void)c;
    (void)detail;
    return VGPU_S_OK; /* every call above completes before it returns */
}

const struct vgpu_exec_ops vgpu_exec_cpu_ops = {
    .name = "cpu-reference",
    .kind = VGPU_EXECUTOR_CPU_REF,
    .open = cpu_open,
    .close = cpu_close,
    .device_info = cpu_device_info,
    .ctx_create = cpu_ctx_create,
    .ctx_destroy = cpu_ctx_destroy,
    .mem_alloc = cpu_mem_alloc,
    .mem_free = cpu_mem_free,
    .memset = cpu_memset,
    .copy_htod = cpu_copy_htod,
    .copy_dtoh = cpu_copy_dtoh,
    .copy_dtod = cpu_copy_dtod,
    .module_load = cpu_module_load,
    .module_unload = cpu_module_unload,
    .func_get = cpu_func_get,
    .launch = cpu_launch,
    .sync = cpu_sync,
};
