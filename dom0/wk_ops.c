/* wk_ops.c: one request on the executor, after checking its handles against the VM's own. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "wk.h"

#define MODULE_IMAGE_MAX VGPU_MODULE_MAX

uint64_t wk__charge(const struct wk *w, uint64_t size)
{
    uint64_t held = w->xops->mem_charge ? w->xops->mem_charge(size) : 0;

    if (held < size)
        held = (size + WK_ALLOC_GRAIN - 1) / WK_ALLOC_GRAIN * WK_ALLOC_GRAIN;
    return held + WK_ALLOC_OVERHEAD;
}

static uint32_t op_alloc(struct wk *w, struct wk_chan *c, const struct vgpu_req *req,
                         struct vgpu_rsp *rsp, uint64_t quota)
{
    uint64_t size = req->u.alloc.size, dptr = 0;
    uint32_t st;

    if (size > (UINT64_MAX >> 2) || w->mem.n >= WK_MAX_ALLOCS)
        return VGPU_S_NO_MEMORY;
    if (quota && (wk__charge(w, size) > quota || w->mem_charged > quota - wk__charge(w, size)))
        return VGPU_S_NO_MEMORY;
    st = (uint32_t)w->xops->mem_alloc(w->ctx, size, &dptr, &rsp->detail);
    /* A new allocation never shows what an earlier owner of the memory left there. */
    if (st == VGPU_S_OK)
        st = (uint32_t)w->xops->memset(w->ctx, dptr, 0, size, &rsp->detail);
    if (st == VGPU_S_OK && vgpu_memtab_insert(&w->mem, dptr, size, c) < 0)
        st = VGPU_S_NO_MEMORY;
    if (st == VGPU_S_OK)
        w->mem_charged += wk__charge(w, size);
    if (st != VGPU_S_OK && dptr) {
        uint32_t detail;
        w->xops->mem_free(w->ctx, dptr, &detail);
    }
    rsp->u.handle = st == VGPU_S_OK ? dptr : 0;
    return st;
}

static uint32_t op_free(struct wk *w, struct wk_chan *c, const struct vgpu_req *req,
                        struct vgpu_rsp *rsp)
{
    uint64_t dptr = req->u.ptr.handle;
    const struct vgpu_memtab_entry *e = vgpu_memtab_find(&w->mem, dptr, 0);

    if (!e || e->base != dptr || e->tag != c)
        return VGPU_S_BAD_HANDLE;
    w->mem_charged -= wk__charge(w, e->size);
    vgpu_memtab_remove(&w->mem, dptr, NULL);
    return (uint32_t)w->xops->mem_free(w->ctx, dptr, &rsp->detail);
}

uint32_t wk__module_install(struct wk *w, struct wk_chan *c, const void *image, uint64_t len,
                            struct vgpu_rsp *rsp)
{
    uint64_t handle = 0;
    uint32_t st, slot;

    for (slot = 0; slot < WK_MAX_MODULES && c->modules[slot]; slot++)
        ;
    if (slot == WK_MAX_MODULES)
        return VGPU_S_NO_MEMORY;
    st = (uint32_t)w->xops->module_load(w->ctx, image, len, &handle, &rsp->detail);
    if (st == VGPU_S_OK) {
        c->modules[slot] = handle;
        rsp->u.handle = handle;
    }
    return st;
}

static uint32_t op_module_load(struct wk *w, struct wk_chan *c, const struct vgpu_req *req,
                               struct vgpu_rsp *rsp)
{
    const struct vgpu_req_module *m = &req->u.module;
    uint32_t st;
    void *image;

    if (m->len > MODULE_IMAGE_MAX)
        return VGPU_S_NO_MEMORY;
    image = malloc(m->len + 1);
    if (!image)
        return VGPU_S_NO_MEMORY;
    /* The executor parses the image: it gets a private, NUL-terminated copy. */
    st = (uint32_t)vgpu_proto_copy_in(c->data, c->data_size, m->data_off, m->len, image);
    ((char *)image)[m->len] = '\0';
    if (st == VGPU_S_OK)
        st = wk__module_install(w, c, image, m->len, rsp);
    free(image);
    return st;
}

int wk__module_slot(const struct wk_chan *c, uint64_t module)
{
    int i;

    for (i = 0; module && i < WK_MAX_MODULES; i++)
        if (c->modules[i] == module)
            return i;
    return -1;
}

static uint32_t op_module_unload(struct wk *w, struct wk_chan *c, const struct vgpu_req *req,
                                 struct vgpu_rsp *rsp)
{
    int slot = wk__module_slot(c, req->u.ptr.handle);

    if (slot < 0)
        return VGPU_S_BAD_HANDLE;
    c->modules[slot] = 0;
    wk__globals_forget(w, c, slot);
    /* Its functions go with it: a stale handle is refused here, never passed on. */
    for (int i = 0; i < WK_MAX_FUNCS; i++)
        if (c->funcs[i].module == req->u.ptr.handle)
            c->funcs[i] = (struct wk_func){0, 0};
    return (uint32_t)w->xops->module_unload(w->ctx, req->u.ptr.handle, &rsp->detail);
}

/* The channel's table of the function handles it got: launches name one of these. */
static int func_find(const struct wk_chan *c, uint64_t handle)
{
    for (int i = 0; handle && i < WK_MAX_FUNCS; i++)
        if (c->funcs[i].handle == handle)
            return i;
    return -1;
}

bool wk__func_owned(const struct wk_chan *c, uint64_t handle)
{
    return func_find(c, handle) >= 0;
}

static int func_remember(struct wk_chan *c, uint64_t handle, uint64_t module)
{
    int i = func_find(c, handle);

    for (int k = 0; i < 0 && k < WK_MAX_FUNCS; k++)
        if (!c->funcs[k].handle)
            i = k;
    if (i < 0)
        return -1;
    c->funcs[i] = (struct wk_func){handle, module};
    return 0;
}

static uint32_t op_func_get(struct wk *w, struct wk_chan *c, const struct vgpu_req *req,
                            struct vgpu_rsp *rsp)
{
    char name[VGPU_NAME_MAX];
    uint32_t st;

    if (wk__module_slot(c, req->u.func.module) < 0)
        return VGPU_S_BAD_HANDLE;
    st = (uint32_t)vgpu_proto_copy_name(c->data, c->data_size, &req->u.func, name);
    if (st != VGPU_S_OK)
        return st;
    st =
        (uint32_t)w->xops->func_get(w->ctx, req->u.func.module, name, &rsp->u.handle, &rsp->detail);
    if (st == VGPU_S_OK && func_remember(c, rsp->u.handle, req->u.func.module) < 0) {
        rsp->u.handle = 0;
        return VGPU_S_NO_MEMORY;
    }
    return st;
}

static uint32_t op_launch(struct wk *w, struct wk_chan *c, const struct vgpu_req *req,
                          struct vgpu_rsp *rsp)
{
    const struct vgpu_req_launch *l = &req->u.launch;
    uint8_t params[VGPU_PARAMS_MAX];
    uint32_t st;

    if (func_find(c, l->func) < 0)
        return VGPU_S_BAD_HANDLE;      /* not this channel's, or its module is gone */
    memset(params, 0, sizeof(params)); /* what the kernel reads past params_len is zeros */
    st = (uint32_t)vgpu_proto_copy_in(c->data, c->data_size, l->params_off, l->params_len, params);
    if (st != VGPU_S_OK)
        return st;
    return (uint32_t)w->xops->launch(w->ctx, l->func, l, params, l->params_len, &rsp->detail);
}

static uint32_t op_copy(struct wk *w, struct wk_chan *c, const struct vgpu_req *req,
                        struct vgpu_rsp *rsp)
{
    const struct vgpu_req_copy *cp = &req->u.copy;
    uint8_t *area = c->data + cp->data_off; /* range checked against this mapping */

    if (!wk__owned(w, c, cp->dptr, cp->len))
        return VGPU_S_BAD_HANDLE;
    if (req->op == VGPU_OP_COPY_HTOD)
        return (uint32_t)w->xops->copy_htod(w->ctx, cp->dptr, area, cp->len, &rsp->detail);
    return (uint32_t)w->xops->copy_dtoh(w->ctx, area, cp->dptr, cp->len, &rsp->detail);
}

static uint32_t op_memset(struct wk *w, struct wk_chan *c, const struct vgpu_req *req,
                          struct vgpu_rsp *rsp)
{
    const struct vgpu_req_memset *m = &req->u.memset;

    if (!wk__owned(w, c, m->dptr, m->len))
        return VGPU_S_BAD_HANDLE;
    return (uint32_t)w->xops->memset(w->ctx, m->dptr, (uint8_t)m->value, m->len, &rsp->detail);
}

static uint32_t op_copy_dtod(struct wk *w, struct wk_chan *c, const struct vgpu_req *req,
                             struct vgpu_rsp *rsp)
{
    const struct vgpu_req_copy_dd *d = &req->u.copy_dd;

    if (!wk__owned(w, c, d->dst, d->len) || !wk__owned(w, c, d->src, d->len))
        return VGPU_S_BAD_HANDLE;
    return (uint32_t)w->xops->copy_dtod(w->ctx, d->dst, d->src, d->len, &rsp->detail);
}

/*
 * EVENT_MARK: the worker runs a channel's requests one at a time, in order,
 * whatever their stream, so the work before the mark on its stream is done
 * once the executor has finished all it was given; the answer is the host's
 * CLOCK_MONOTONIC then. Streams are kept in order, never overlapped.
 */
static uint32_t op_event_mark(struct wk *w, struct vgpu_rsp *rsp)
{
    struct timespec ts;
    uint32_t st = (uint32_t)w->xops->sync(w->ctx, &rsp->detail);

    if (st != VGPU_S_OK)
        return st;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    rsp->u.handle = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    return VGPU_S_OK;
}

/* The caller checked req with vgpu_proto_check_req() against c's limits. */
uint32_t wk__run_one(struct wk *w, struct wk_chan *c, const struct vgpu_req *req,
                     struct vgpu_rsp *rsp, uint64_t quota)
{
    switch (req->op) {
    case VGPU_OP_MEM_ALLOC:
        return op_alloc(w, c, req, rsp, quota);
    case VGPU_OP_MEM_FREE:
        return op_free(w, c, req, rsp);
    case VGPU_OP_MEMSET:
        return op_memset(w, c, req, rsp);
    case VGPU_OP_COPY_HTOD:
    case VGPU_OP_COPY_DTOH:
        return op_copy(w, c, req, rsp);
    case VGPU_OP_COPY_DTOD:
        return op_copy_dtod(w, c, req, rsp);
    case VGPU_OP_MODULE_LOAD:
        return op_module_load(w, c, req, rsp);
    case VGPU_OP_MODULE_UNLOAD:
        return op_module_unload(w, c, req, rsp);
    case VGPU_OP_FUNC_GET:
        return op_func_get(w, c, req, rsp);
    case VGPU_OP_LAUNCH:
        return op_launch(w, c, req, rsp);
    case VGPU_OP_SYNC:
        return (uint32_t)w->xops->sync(w->ctx, &rsp->detail);
    case VGPU_OP_EVENT_MARK:
        return op_event_mark(w, rsp);
    case VGPU_OP_FUNC_PARAMS:
        return wk__op_func_params(w, c, req, rsp);
    case VGPU_OP_MODULE_CHUNK:
        return wk__op_module_chunk(w, c, req, rsp);
    case VGPU_OP_GLOBAL_GET:
        return wk__op_global_get(w, c, req, rsp);
    case VGPU_OP_HOSTBUF_MAP:
    case VGPU_OP_HOSTBUF_UNMAP:
    case VGPU_OP_HOSTBUF_HTOD:
    case VGPU_OP_HOSTBUF_DTOH:
        return wk__op_hostbuf(w, c, req, rsp);
    default:
        return VGPU_S_INTERNAL; /* vgpud answers the others itself */
    }
}
