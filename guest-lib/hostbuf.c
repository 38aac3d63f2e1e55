/* hostbuf.c: host buffers: small ones inside the data area (first fit), the others of their own
 * (hostbuf_shm.c); the zero-copy async copies. */
#include <stdlib.h>
#include "channel_int.h"

/*
 * Up to this size a host buffer is carved from the data area when it fits
 * there: no memfd, no mapping and no round trip to the host, and it does not
 * count against the VM's pinned limit (the data area is shared anyway).
 */
#define HOST_SMALL_MAX (64u << 10)

static void *area_alloc(vgpu_channel *ch, size_t size)
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

void *vgpu_host_alloc(vgpu_channel *ch, size_t size)
{
    void *p = NULL;

    if (!ch)
        return NULL;
    if (size == 0 || ch->broken) {
        ch->last_err = (struct vgpu_error){
            .op = VGPU_OP_HOSTBUF_MAP, .status = size ? (uint32_t)-ch->broken : VGPU_S_BAD_FIELD};
        return NULL;
    }
    if (size <= HOST_SMALL_MAX)
        p = area_alloc(ch, size);
    if (!p && (ch->features & VGPU_FEAT_HOSTBUF)) {
        p = vgpu__shm_alloc(ch, size);
        /* The staging buffer of large copies gives way to the caller's (the pinned limit). */
        if (!p && ch->last_err.status == VGPU_S_PINNED_LIMIT && vgpu__big_release(ch) == 0) {
            p = vgpu__shm_alloc(ch, size);
            if (!p) /* too large anyway: freeing it did not help, the next large copy remakes it */
                vgpu__big_room(ch);
        }
        return p;
    }
    if (!p && size > HOST_SMALL_MAX)
        p = area_alloc(ch, size); /* a host without buffers of their own: the data area only */
    /* No room, and no buffers of their own on this host (Xen today): UNSUPPORTED tells a
     * caller that ordinary memory is the way (guest-cuda's cuMemHostAlloc). */
    if (!p)
        ch->last_err = (struct vgpu_error){.op = VGPU_OP_HOSTBUF_MAP, .status = VGPU_S_UNSUPPORTED};
    return p;
}

void vgpu_host_free(vgpu_channel *ch, void *p)
{
    struct vgpu__hostblk **pp, *b;
    struct vgpu__shm *s;
    uint64_t off;

    if (!ch || !p)
        return;
    if ((s = vgpu__shm_find(ch, p, 0)) && s->p == (char *)p) {
        if (s == ch->big.buf)
            return;                  /* libvgpu's own, not the caller's */
        (void)vgpu__shm_free(ch, s); /* an error is the channel's: its next call says it */
        vgpu__big_room(ch);
        return;
    }
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
    struct vgpu__shm *s = vgpu__shm_find(ch, buf, len);

    if (s)
        return vgpu__shm_copy(ch,
                              op == VGPU_OP_COPY_HTOD ? VGPU_OP_HOSTBUF_HTOD : VGPU_OP_HOSTBUF_DTOH,
                              s, buf, dptr, len);
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
