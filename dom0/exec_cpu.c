/* exec_cpu.c: the CPU reference executor: device memory is host memory, kernels the guest's PTX
 * interpreted (ptx/); a test and demo aid, not a GPU. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "exec.h"
#include "memtab.h"
#include "vgpu_ptx.h"
#include "wk.h"

#define CPU_MEM_DEFAULT (1ull << 30)
#define DPTR_BASE       0x100000000000ull /* device addresses start here, never reused */
#define DPTR_ALIGN      256u
#define MAX_MODULES     256u
#define MAX_ENTRIES     0xffffu
#define LAUNCH_MAX_NS   (10ull * 1000 * 1000 * 1000) /* a launch runs at most 10 s */

/* The CUresult a GPU gives for each fault, in the response's detail. */
#define CU_ILLEGAL_ADDRESS 700u
#define CU_LAUNCH_FAILED   719u
#define CU_MISALIGNED      716u

struct vgpu_exec {
    pthread_mutex_t lock; /* protects used */
    uint64_t total, used;
};

struct vgpu_exec_ctx {
    struct vgpu_exec *e;
    pthread_mutex_t lock; /* a VM may run in two pools for a moment while it moves */
    uint32_t vm_id;
    struct vgpu_memtab mem; /* tag: host pointer */
    struct vgpu_memtab
        globals; /* each module's variables (vgpu_ptx_module_data); tag: host pointer */
    uint64_t next_dptr;
    struct vgpu_ptx_module *modules[MAX_MODULES]; /* module handle i+1, or NULL */
    uint64_t data_dptr[MAX_MODULES]; /* device address of that module's variables, or 0 */
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
    for (i = 0; i < MAX_MODULES; i++)
        vgpu_ptx_module_free(c->modules[i]);
    pthread_mutex_lock(&c->e->lock);
    c->e->used -= c->mem.bytes;
    pthread_mutex_unlock(&c->e->lock);
    vgpu_memtab_free(&c->mem);
    vgpu_memtab_free(&c->globals); /* the memory is the modules' */
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* The allocation or module variables holding [dptr, dptr+len), or NULL. Caller holds c->lock. */
static const struct vgpu_memtab_entry *lookup(const struct vgpu_exec_ctx *c, uint64_t dptr,
                                              uint64_t len)
{
    const struct vgpu_memtab_entry *m = vgpu_memtab_find(&c->mem, dptr, len);

    return m ? m : vgpu_memtab_find(&c->globals, dptr, len);
}

/* Host memory behind [dptr, dptr+len) of this VM, or NULL. Caller holds c->lock. */
static void *xlate(void *ctx, uint64_t dptr, uint64_t len)
{
    struct vgpu_exec_ctx *c = ctx;
    const struct vgpu_memtab_entry *m = lookup(c, dptr, len);

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

/*
 * Gives module slot i's variables device addresses of their own (never
 * reused), so that copies and kernels of any module reach them there as
 * well as at the addresses the module's own code uses. Caller holds c->lock.
 */
static int place_data(struct vgpu_exec_ctx *c, struct vgpu_ptx_module *m, uint32_t i)
{
    uint64_t size;
    void *host;

    vgpu_ptx_module_data(m, &host, &size);
    c->data_dptr[i] = 0;
    if (size == 0)
        return 0;
    if (vgpu_memtab_insert(&c->globals, c->next_dptr, size, host) < 0)
        return -ENOMEM;
    c->data_dptr[i] = c->next_dptr;
    c->next_dptr += ((size + DPTR_ALIGN - 1) & ~(uint64_t)(DPTR_ALIGN - 1)) + DPTR_ALIGN;
    return 0;
}

/* Parses the PTX (text or fatbin) once; a refused image is logged with the reason. */
static int cpu_module_load(struct vgpu_exec_ctx *c, const void *image, size_t len, uint64_t *module,
                           uint32_t *detail)
{
    struct vgpu_ptx_module *m = NULL;
    char err[256];
    uint32_t i;
    int r;

    (void)detail;
    if (len == 0)
        return VGPU_S_BAD_IMAGE;
    r = vgpu_ptx_module_load(image, len, &m, err, sizeof(err));
    if (r == -ENOMEM)
        return VGPU_S_NO_MEMORY;
    if (r) {
        wk__log("VM %u: CPU reference executor refused a module: %s", c->vm_id, err);
        return VGPU_S_BAD_IMAGE;
    }
    pthread_mutex_lock(&c->lock);
    for (i = 0; i < MAX_MODULES && c->modules[i]; i++)
        ;
    if (i < MAX_MODULES && place_data(c, m, i) == 0) {
        c->modules[i] = m;
        *module = i + 1;
    } else {
        i = MAX_MODULES;
    }
    pthread_mutex_unlock(&c->lock);
    if (i == MAX_MODULES) {
        vgpu_ptx_module_free(m);
        return VGPU_S_NO_MEMORY;
    }
    return VGPU_S_OK;
}

/* The module behind a handle, or NULL. Caller holds c->lock. */
static struct vgpu_ptx_module *module_get(const struct vgpu_exec_ctx *c, uint64_t module)
{
    return module >= 1 && module <= MAX_MODULES ? c->modules[module - 1] : NULL;
}

static int cpu_module_unload(struct vgpu_exec_ctx *c, uint64_t module, uint32_t *detail)
{
    struct vgpu_ptx_module *m;

    (void)detail;
    pthread_mutex_lock(&c->lock);
    m = module_get(c, module);
    if (m) {
        c->modules[module - 1] = NULL;
        if (c->data_dptr[module - 1])
            vgpu_memtab_remove(&c->globals, c->data_dptr[module - 1], NULL);
        c->data_dptr[module - 1] = 0;
    }
    pthread_mutex_unlock(&c->lock);
    vgpu_ptx_module_free(m);
    return m ? VGPU_S_OK : VGPU_S_BAD_HANDLE;
}

/* Function handle: module << 16 | (entry index + 1). */
static int cpu_func_get(struct vgpu_exec_ctx *c, uint64_t module, const char *name, uint64_t *func,
                        uint32_t *detail)
{
    struct vgpu_ptx_module *m;
    int e = -ENOENT, st = VGPU_S_BAD_HANDLE;

    (void)detail;
    pthread_mutex_lock(&c->lock);
    m = module_get(c, module);
    if (m) {
        e = vgpu_ptx_entry_find(m, name);
        st = e >= 0 && e < (int)MAX_ENTRIES ? VGPU_S_OK : VGPU_S_NOT_FOUND;
    }
    pthread_mutex_unlock(&c->lock);
    if (st == VGPU_S_OK)
        *func = module << 16 | (uint64_t)(e + 1);
    return st;
}

/* A module variable: its address among the VM's (place_data) and its size. */
static int cpu_global_get(struct vgpu_exec_ctx *c, uint64_t module, const char *name,
                          uint64_t *dptr, uint64_t *bytes, uint32_t *detail)
{
    struct vgpu_ptx_module *m;
    uint64_t size, addr, data_size;
    void *host, *data;
    int st = VGPU_S_BAD_HANDLE;

    (void)detail;
    pthread_mutex_lock(&c->lock);
    m = module_get(c, module);
    if (m && vgpu_ptx_global(m, name, &host, &size, &addr) == 0) {
        vgpu_ptx_module_data(m, &data, &data_size);
        *dptr = c->data_dptr[module - 1] + (uint64_t)((uint8_t *)host - (uint8_t *)data);
        *bytes = size;
        st = VGPU_S_OK;
    } else if (m) {
        st = VGPU_S_NOT_FOUND;
    }
    pthread_mutex_unlock(&c->lock);
    return st;
}

/* The VM's allocation holding addr, for the interpreter. Caller holds c->lock. */
static bool region(void *ctx, uint64_t addr, struct vgpu_ptx_region *out)
{
    struct vgpu_exec_ctx *c = ctx;
    const struct vgpu_memtab_entry *m = lookup(c, addr, 1);

    if (!m)
        return false;
    out->base = m->base;
    out->size = m->size;
    out->host = m->tag;
    return true;
}

/* When a launch stops: its job's deadline (the pool's hard limit), at most LAUNCH_MAX_NS away. */
static uint64_t deadline(void)
{
    struct timespec ts;
    uint64_t max;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    max = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec + LAUNCH_MAX_NS;
    return wk__job_deadline_ns && wk__job_deadline_ns < max ? wk__job_deadline_ns : max;
}

/* A failed launch's status (and CUresult in *detail), as a GPU would report it. */
static int fault_status(const struct vgpu_exec_ctx *c, const struct vgpu_ptx_fault *f,
                        uint32_t *detail)
{
    wk__log("VM %u: kernel stopped by the CPU reference executor: %s at 0x%llx (PTX line %u, "
            "block %u,%u,%u thread %u,%u,%u)",
            c->vm_id, vgpu_ptx_fault_name(f->kind), (unsigned long long)f->addr, f->line,
            f->block[0], f->block[1], f->block[2], f->thread[0], f->thread[1], f->thread[2]);
    switch (f->kind) {
    case VGPU_PTX_FAULT_DEADLINE:
        return VGPU_S_TIMEOUT;
    case VGPU_PTX_FAULT_STOPPED:
        return VGPU_S_CANCELLED;
    case VGPU_PTX_FAULT_MISALIGNED:
        *detail = CU_MISALIGNED;
        return VGPU_S_EXEC;
    case VGPU_PTX_FAULT_ILLEGAL_ADDRESS:
        *detail = CU_ILLEGAL_ADDRESS;
        return VGPU_S_EXEC;
    default:
        *detail = CU_LAUNCH_FAILED;
        return VGPU_S_EXEC;
    }
}

/* The packed parameter layout of an entry, from its PTX .entry signature. */
static int cpu_func_params(struct vgpu_exec_ctx *c, uint64_t func, struct vgpu_param_info *out,
                           uint32_t max, uint32_t *count, uint32_t *detail)
{
    struct vgpu_ptx_module *m;
    int entry = (int)(func & 0xffff) - 1, st = VGPU_S_BAD_HANDLE;

    (void)detail;
    pthread_mutex_lock(&c->lock);
    m = module_get(c, func >> 16);
    if (m && entry >= 0 && entry < vgpu_ptx_entry_count(m)) {
        *count = vgpu_ptx_entry_nparams(m, entry);
        for (uint32_t i = 0; i < *count && i < max; i++)
            vgpu_ptx_entry_param(m, entry, i, &out[i].offset, &out[i].size);
        st = VGPU_S_OK;
    }
    pthread_mutex_unlock(&c->lock);
    return st;
}

static int cpu_launch(struct vgpu_exec_ctx *c, uint64_t func, const struct vgpu_req_launch *l,
                      const void *params, size_t params_len, uint32_t *detail)
{
    struct vgpu_ptx_launch pl = {.shared_bytes = l->shmem,
                                 .params = params,
                                 .params_len = params_len,
                                 .region = region,
                                 .region_ctx = c,
                                 .deadline_ns = deadline()};
    struct vgpu_ptx_fault f = {0};
    struct vgpu_ptx_module *m;
    int entry = (int)(func & 0xffff) - 1, r = -ENOENT;

    memcpy(pl.grid, l->grid, sizeof(pl.grid));
    memcpy(pl.block, l->block, sizeof(pl.block));
    pthread_mutex_lock(&c->lock);
    m = module_get(c, func >> 16);
    if (m && entry >= 0 && entry < vgpu_ptx_entry_count(m))
        r = vgpu_ptx_launch(m, entry, &pl, &f);
    pthread_mutex_unlock(&c->lock);
    switch (r) {
    case 0:
        return VGPU_S_OK;
    case -EINVAL:
        return VGPU_S_BAD_LAUNCH;
    case -ENOMEM:
        return VGPU_S_NO_MEMORY;
    case -EFAULT:
        return fault_status(c, &f, detail);
    default:
        return VGPU_S_BAD_HANDLE;
    }
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
    .func_params = cpu_func_params,
    .launch = cpu_launch,
    .sync = cpu_sync,
    .global_get = cpu_global_get,
};
