/* job_ops.c: one request on the executor, after the core checked its handles against the VM's own. */
#include <stdlib.h>
#include <string.h>
#include "vgpud.h"

#define MODULE_IMAGE_MAX (64u << 20)

/* True if [ptr, ptr+len) lies in one allocation of the VM. */
static bool owned(struct vgpu_be_vm *vm, uint64_t ptr, uint64_t len)
{
    bool ok;

    pthread_mutex_lock(&vm->lock);
    ok = vgpu_memtab_find(&vm->mem, ptr, len) != NULL;
    pthread_mutex_unlock(&vm->lock);
    return ok;
}

static uint32_t op_alloc(struct vgpu_be *be, struct vgpu_be_chan *c, struct vgpu_exec_ctx *ctx,
                         struct vgpu_be_item *it)
{
    struct vgpu_be_vm *vm = c->vm;
    uint64_t size = it->req.u.alloc.size, dptr = 0;
    uint32_t st;

    pthread_mutex_lock(&vm->lock);
    if (vm->id.mem_quota && (size > vm->id.mem_quota || vm->mem.bytes > vm->id.mem_quota - size)) {
        pthread_mutex_unlock(&vm->lock);
        return VGPU_S_NO_MEMORY;
    }
    st = (uint32_t)be->xops->mem_alloc(ctx, size, &dptr, &it->rsp.detail);
    if (st == VGPU_S_OK && vgpu_memtab_insert(&vm->mem, dptr, size, c) < 0) {
        be->xops->mem_free(ctx, dptr, &it->rsp.detail);
        st = VGPU_S_NO_MEMORY;
    }
    pthread_mutex_unlock(&vm->lock);
    it->rsp.u.handle = st == VGPU_S_OK ? dptr : 0;
    return st;
}

static uint32_t op_free(struct vgpu_be *be, struct vgpu_be_vm *vm, struct vgpu_exec_ctx *ctx,
                        struct vgpu_be_item *it)
{
    uint64_t dptr = it->req.u.ptr.handle;
    int r;

    pthread_mutex_lock(&vm->lock);
    r = vgpu_memtab_remove(&vm->mem, dptr, NULL);
    pthread_mutex_unlock(&vm->lock);
    if (r < 0)
        return VGPU_S_BAD_HANDLE;
    return (uint32_t)be->xops->mem_free(ctx, dptr, &it->rsp.detail);
}

static uint32_t op_module_load(struct vgpu_be *be, struct vgpu_be_chan *c,
                               struct vgpu_exec_ctx *ctx, struct vgpu_be_item *it)
{
    const struct vgpu_req_module *m = &it->req.u.module;
    uint64_t handle = 0;
    uint32_t st, slot;
    void *image;

    for (slot = 0; slot < VGPUD_MAX_MODULES && c->modules[slot]; slot++)
        ;
    if (slot == VGPUD_MAX_MODULES || m->len > MODULE_IMAGE_MAX)
        return VGPU_S_NO_MEMORY;
    image = malloc(m->len + 1);
    if (!image)
        return VGPU_S_NO_MEMORY;
    /* The executor parses the image: it gets a private, NUL-terminated copy. */
    st = (uint32_t)vgpu_proto_copy_in(c->d.data, c->d.data_size, m->data_off, m->len, image);
    ((char *)image)[m->len] = '\0';
    if (st == VGPU_S_OK)
        st = (uint32_t)be->xops->module_load(ctx, image, m->len, &handle, &it->rsp.detail);
    free(image);
    if (st == VGPU_S_OK) {
        c->modules[slot] = handle;
        it->rsp.u.handle = handle;
    }
    return st;
}

static int module_slot(const struct vgpu_be_chan *c, uint64_t module)
{
    int i;

    for (i = 0; module && i < VGPUD_MAX_MODULES; i++)
        if (c->modules[i] == module)
            return i;
    return -1;
}

static uint32_t op_module_unload(struct vgpu_be *be, struct vgpu_be_chan *c,
                                 struct vgpu_exec_ctx *ctx, struct vgpu_be_item *it)
{
    int slot = module_slot(c, it->req.u.ptr.handle);

    if (slot < 0)
        return VGPU_S_BAD_HANDLE;
    c->modules[slot] = 0;
    return (uint32_t)be->xops->module_unload(ctx, it->req.u.ptr.handle, &it->rsp.detail);
}

static uint32_t op_func_get(struct vgpu_be *be, struct vgpu_be_chan *c, struct vgpu_exec_ctx *ctx,
                            struct vgpu_be_item *it)
{
    char name[VGPU_NAME_MAX];
    uint32_t st;

    if (module_slot(c, it->req.u.func.module) < 0)
        return VGPU_S_BAD_HANDLE;
    st = (uint32_t)vgpu_proto_copy_name(c->d.data, c->d.data_size, &it->req.u.func, name);
    if (st != VGPU_S_OK)
        return st;
    return (uint32_t)be->xops->func_get(ctx, it->req.u.func.module, name, &it->rsp.u.handle,
                                        &it->rsp.detail);
}

static uint32_t op_launch(struct vgpu_be *be, struct vgpu_be_chan *c, struct vgpu_exec_ctx *ctx,
                          struct vgpu_be_item *it)
{
    const struct vgpu_req_launch *l = &it->req.u.launch;
    uint8_t params[VGPU_PARAMS_MAX];
    uint32_t st;

    st = (uint32_t)vgpu_proto_copy_in(c->d.data, c->d.data_size, l->params_off, l->params_len,
                                      params);
    if (st != VGPU_S_OK)
        return st;
    return (uint32_t)be->xops->launch(ctx, l->func, l, params, l->params_len, &it->rsp.detail);
}

static uint32_t op_copy(struct vgpu_be *be, struct vgpu_be_chan *c, struct vgpu_exec_ctx *ctx,
                        struct vgpu_be_item *it)
{
    const struct vgpu_req_copy *cp = &it->req.u.copy;
    uint8_t *area = (uint8_t *)c->d.data + cp->data_off; /* range checked by validation */

    if (!owned(c->vm, cp->dptr, cp->len))
        return VGPU_S_BAD_HANDLE;
    if (it->req.op == VGPU_OP_COPY_HTOD)
        return (uint32_t)be->xops->copy_htod(ctx, cp->dptr, area, cp->len, &it->rsp.detail);
    return (uint32_t)be->xops->copy_dtoh(ctx, area, cp->dptr, cp->len, &it->rsp.detail);
}

uint32_t vgpu_be__run_one(struct vgpu_be *be, struct vgpu_be_chan *c, struct vgpu_exec_ctx *ctx,
                          struct vgpu_be_item *it)
{
    const struct vgpu_req *r = &it->req;
    struct vgpu_be_vm *vm = c->vm;

    switch (r->op) {
    case VGPU_OP_MEM_ALLOC:
        return op_alloc(be, c, ctx, it);
    case VGPU_OP_MEM_FREE:
        return op_free(be, vm, ctx, it);
    case VGPU_OP_MEMSET:
        if (!owned(vm, r->u.memset.dptr, r->u.memset.len))
            return VGPU_S_BAD_HANDLE;
        return (uint32_t)be->xops->memset(ctx, r->u.memset.dptr, (uint8_t)r->u.memset.value,
                                          r->u.memset.len, &it->rsp.detail);
    case VGPU_OP_COPY_HTOD:
    case VGPU_OP_COPY_DTOH:
        return op_copy(be, c, ctx, it);
    case VGPU_OP_COPY_DTOD:
        if (!owned(vm, r->u.copy_dd.dst, r->u.copy_dd.len) ||
            !owned(vm, r->u.copy_dd.src, r->u.copy_dd.len))
            return VGPU_S_BAD_HANDLE;
        return (uint32_t)be->xops->copy_dtod(ctx, r->u.copy_dd.dst, r->u.copy_dd.src,
                                             r->u.copy_dd.len, &it->rsp.detail);
    case VGPU_OP_MODULE_LOAD:
        return op_module_load(be, c, ctx, it);
    case VGPU_OP_MODULE_UNLOAD:
        return op_module_unload(be, c, ctx, it);
    case VGPU_OP_FUNC_GET:
        return op_func_get(be, c, ctx, it);
    case VGPU_OP_LAUNCH:
        return op_launch(be, c, ctx, it);
    default:
        return VGPU_S_INTERNAL;
    }
}
