/* hostbuf.c: host buffers inside the data area (first fit) and the zero-copy async copies. */
#include <stdlib.h>
#include "channel_int.h"

void *vgpu_host_alloc(vgpu_channel *ch, size_t size)
{
    struct vgpu__hostblk **pp, *b;
    uint64_t at = ch->host_off, end = ch->host_off + ch->host_size;
    uint64_t len = ((uint64_t)size + VGPU_STAGE_ALIGN - 1) & ~(uint64_t)(VGPU_STAGE_ALIGN - 1);

    if (size == 0 || ch->broken || len > ch->host_size)
        return NULL;
    /* The list is sorted by offset: take the first gap that is big enough. */
    for (pp = &ch->host; *pp; pp = &(*pp)->next) {
        if ((*pp)->off - at >= len)
            break;
        at = (*pp)->off + (*pp)->len;
    }
    if (end - at < len)
        return NULL;
    b = malloc(sizeof(*b));
    if (!b)
        return NULL;
    b->off = at;
    b->len = len;
    b->next = *pp;
    *pp = b;
    return (char *)ch->port.data + at;
}

void vgpu_host_free(vgpu_channel *ch, void *p)
{
    struct vgpu__hostblk **pp, *b;
    uint64_t off;

    if (!ch || !p)
        return;
    off = (uint64_t)((char *)p - (char *)ch->port.data);
    for (pp = &ch->host; *pp; pp = &(*pp)->next) {
        if ((*pp)->off == off) {
            b = *pp;
            *pp = b->next;
            free(b);
            return;
        }
    }
}

void vgpu__host_free_all(vgpu_channel *ch)
{
    while (ch->host) {
        struct vgpu__hostblk *b = ch->host;

        ch->host = b->next;
        free(b);
    }
}

/* Offset of [p, p + len) in the data area, or false if it is not all inside. */
static bool data_off(const vgpu_channel *ch, const void *p, uint64_t len, uint64_t *off)
{
    uintptr_t base = (uintptr_t)ch->port.data, q = (uintptr_t)p;

    if (q < base || !vgpu_proto_range_ok(q - base, len, ch->port.data_size))
        return false;
    *off = q - base;
    return true;
}

/* Queue one copy between a host buffer and the device; errors go to the next vgpu_sync(). */
static int copy_async(vgpu_channel *ch, uint16_t op, uint64_t dptr, const void *buf, uint64_t len)
{
    struct vgpu_req req = {.op = op};

    if (ch->broken)
        return ch->broken;
    if (!data_off(ch, buf, len, &req.u.copy.data_off))
        return -VGPU_S_BAD_RANGE;
    if (len == 0)
        return 0;
    req.u.copy.dptr = dptr;
    req.u.copy.len = len;
    return vgpu__queue(ch, &req, NULL);
}

int vgpu_copy_htod_async(vgpu_channel *ch, uint64_t dptr, const void *host_buf, uint64_t len)
{
    return copy_async(ch, VGPU_OP_COPY_HTOD, dptr, host_buf, len);
}

int vgpu_copy_dtoh_async(vgpu_channel *ch, void *host_buf, uint64_t dptr, uint64_t len)
{
    return copy_async(ch, VGPU_OP_COPY_DTOH, dptr, host_buf, len);
}
