/* hostbuf_shm.c: host buffers of their own (VGPU_FEAT_HOSTBUF): the port's pages, any size. */
#include <stdlib.h>
#include "channel_int.h"

/* A request that fails before it reaches the host still says why in vgpu_last_error(). */
static void *fail(vgpu_channel *ch, int status)
{
    ch->last_err = (struct vgpu_error){.op = VGPU_OP_HOSTBUF_MAP, .status = (uint32_t)status};
    return NULL;
}

static int map_on_host(vgpu_channel *ch, struct vgpu__shm *b, uint32_t grant_dir)
{
    struct vgpu_req req = {.op = VGPU_OP_HOSTBUF_MAP};
    struct vgpu_rsp rsp;

    req.u.hostbuf_map.buf = b->id;
    req.u.hostbuf_map.size = b->size;
    req.u.hostbuf_map.grant_dir = grant_dir;
    return vgpu__call(ch, &req, &rsp, NULL); /* a failed answer sets ch->last_err */
}

void *vgpu__shm_alloc(vgpu_channel *ch, size_t size)
{
    uint64_t len = ((uint64_t)size + VGPU_PAGE_SIZE - 1) & ~(uint64_t)(VGPU_PAGE_SIZE - 1);
    const struct vgpu_port_ops *ops = ch->port.ops;
    struct vgpu__shm *b;
    uint32_t grant_dir = 0;
    void *p = NULL;
    int r;

    if (!(ch->features & VGPU_FEAT_HOSTBUF) || !ops->hostbuf_alloc)
        return fail(ch, VGPU_S_UNSUPPORTED);
    if (len == 0 || len > VGPU_HOSTBUF_SIZE_MAX)
        return fail(ch, VGPU_S_PINNED_LIMIT);
    b = calloc(1, sizeof(*b));
    if (!b)
        return fail(ch, VGPU_S_NO_MEMORY);
    b->id = ++ch->shm_ids;
    r = ops->hostbuf_alloc(&ch->port, b->id, len, &p, &grant_dir, &b->handle);
    if (r < 0) {
        free(b);
        fail(ch, -r);
        if (r == -VGPU_S_NO_DEVICE)
            vgpu__break(ch, r);
        return NULL;
    }
    b->p = p;
    b->size = len;
    r = map_on_host(ch, b, grant_dir);
    if (r < 0) {
        ops->hostbuf_free(&ch->port, p, len, b->handle);
        free(b);
        return NULL;
    }
    b->next = ch->shm;
    ch->shm = b;
    return p;
}

struct vgpu__shm *vgpu__shm_find(const vgpu_channel *ch, const void *p, uint64_t len)
{
    uintptr_t q = (uintptr_t)p;
    struct vgpu__shm *b;

    for (b = ch->shm; b; b = b->next) {
        uintptr_t base = (uintptr_t)b->p;
        if (q >= base && vgpu_proto_range_ok(q - base, len, b->size))
            return b;
    }
    return NULL;
}

static void unlink_shm(vgpu_channel *ch, struct vgpu__shm *b)
{
    struct vgpu__shm **pp;

    for (pp = &ch->shm; *pp; pp = &(*pp)->next)
        if (*pp == b) {
            *pp = b->next;
            break;
        }
    ch->port.ops->hostbuf_free(&ch->port, b->p, b->size, b->handle);
    free(b);
}

int vgpu__shm_free(vgpu_channel *ch, struct vgpu__shm *b)
{
    struct vgpu_req req = {.op = VGPU_OP_HOSTBUF_UNMAP};
    struct vgpu_rsp rsp;
    int r = ch->broken;

    /* Waits: once answered, the host holds nothing of it and the limit counts it no more. */
    req.u.hostbuf_unmap.handle = b->id;
    if (r == 0)
        r = vgpu__call(ch, &req, &rsp, NULL);
    unlink_shm(ch, b);
    return r;
}

void vgpu__shm_free_all(vgpu_channel *ch)
{
    while (ch->shm)
        unlink_shm(ch, ch->shm);
}

int vgpu__shm_copy(vgpu_channel *ch, uint16_t op, struct vgpu__shm *b, const void *buf,
                   uint64_t dptr, uint64_t len)
{
    struct vgpu_req req = {.op = op};

    if (ch->broken)
        return ch->broken;
    if (len == 0)
        return 0;
    req.u.hostbuf_copy.dptr = dptr;
    req.u.hostbuf_copy.buf = b->id;
    req.u.hostbuf_copy.off = (uint64_t)((const char *)buf - b->p);
    req.u.hostbuf_copy.len = len;
    return vgpu__queue(ch, &req, NULL);
}
