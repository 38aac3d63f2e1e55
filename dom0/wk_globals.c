/* wk_globals.c: GLOBAL_GET: a module variable's address and size, and the copies it lets reach it.
 */
#include <errno.h>
#include "wk.h"

/*
 * A variable of a module is entered in the VM's memory table tagged with
 * the address of the module's slot in its channel (&c->modules[slot]), so
 * that the channel's copies and memsets reach it (wk__owned), MEM_FREE
 * refuses it (its tag is not the channel) and unloading the module or
 * closing the channel forgets it (wk__globals_forget) without freeing it:
 * the memory is the module's.
 */
static bool module_tag(const struct wk_chan *c, const void *tag)
{
    const uint64_t *t = tag;

    return t >= &c->modules[0] && t < &c->modules[WK_MAX_MODULES];
}

bool wk__owned(const struct wk *w, const struct wk_chan *c, uint64_t ptr, uint64_t len)
{
    const struct vgpu_memtab_entry *e = vgpu_memtab_find(&w->mem, ptr, len);

    return e && (e->tag == c || module_tag(c, e->tag));
}

void wk__globals_forget(struct wk *w, struct wk_chan *c, int slot)
{
    for (size_t i = w->mem.n; i-- > 0;)
        if (w->mem.v[i].tag == &c->modules[slot])
            vgpu_memtab_remove(&w->mem, w->mem.v[i].base, NULL);
}

/* Enter [dptr, dptr+size) for the module in slot; asking twice for one variable is fine. */
static uint32_t remember(struct wk *w, struct wk_chan *c, int slot, uint64_t dptr, uint64_t size)
{
    const struct vgpu_memtab_entry *e;
    int r;

    if (size == 0)
        return VGPU_S_OK; /* nothing a copy could reach */
    if (w->mem.n >= WK_MAX_ALLOCS)
        return VGPU_S_NO_MEMORY;
    r = vgpu_memtab_insert(&w->mem, dptr, size, &c->modules[slot]);
    if (r == -EEXIST) {
        e = vgpu_memtab_find(&w->mem, dptr, size);
        if (e && e->base == dptr && e->size == size && e->tag == &c->modules[slot])
            return VGPU_S_OK;
        wk__log("VM %u: the executor placed a module variable at 0x%llx over other memory",
                w->vm_id, (unsigned long long)dptr);
        return VGPU_S_INTERNAL;
    }
    return r == 0 ? VGPU_S_OK : VGPU_S_NO_MEMORY;
}

uint32_t wk__op_global_get(struct wk *w, struct wk_chan *c, const struct vgpu_req *req,
                           struct vgpu_rsp *rsp)
{
    char name[VGPU_NAME_MAX];
    uint64_t dptr = 0, size = 0;
    int slot = wk__module_slot(c, req->u.func.module);
    uint32_t st;

    if (slot < 0)
        return VGPU_S_BAD_HANDLE;
    if (!w->xops->global_get)
        return VGPU_S_UNSUPPORTED;
    st = (uint32_t)vgpu_proto_copy_name(c->data, c->data_size, &req->u.func, name);
    if (st == VGPU_S_OK)
        st = (uint32_t)w->xops->global_get(w->ctx, req->u.func.module, name, &dptr, &size,
                                           &rsp->detail);
    if (st == VGPU_S_OK)
        st = remember(w, c, slot, dptr, size);
    if (st == VGPU_S_OK) {
        rsp->u.global.dptr = dptr;
        rsp->u.global.size = size;
    }
    return st;
}
