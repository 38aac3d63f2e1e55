/* copy.c: copies of any size between user memory and the device: host buffers, the staging
 * buffer (copy_big.c), or chunks through the data area. */
#include <string.h>
#include "channel_int.h"

/*
 * A chunk is half the staging area: while the host copies one, the next
 * is filled (htod) or the previous one is copied out (dtoh).
 */
static uint64_t chunk_size(const vgpu_channel *ch)
{
    uint64_t c = (ch->stage.size / 2) & ~(uint64_t)(VGPU_STAGE_ALIGN - 1);

    return c ? c : ch->stage.size;
}

int vgpu_copy_htod(vgpu_channel *ch, uint64_t dptr, const void *src, uint64_t len)
{
    const char *s = src;
    uint64_t chunk = chunk_size(ch);
    bool several = len > chunk;
    struct vgpu__shm *b = vgpu__shm_find(ch, src, len);
    int r = ch->broken;

    if (b && len) /* from a host buffer: one request, no staging */
        return vgpu__shm_copy(ch, VGPU_OP_HOSTBUF_HTOD, b, src, dptr, len);
    if (r == 0) { /* a large one: through the staging buffer, if there is one */
        int big = vgpu__big_htod(ch, dptr, src, len);
        if (big <= 0)
            return big;
    }
    while (r == 0 && len > 0) {
        uint64_t n = len < chunk ? len : chunk;
        struct vgpu_req req = {.op = VGPU_OP_COPY_HTOD};

        r = vgpu__stage_put(ch, s, n, &req.u.copy.data_off);
        if (r < 0)
            break;
        req.u.copy.dptr = dptr;
        req.u.copy.len = n;
        r = vgpu__queue(ch, &req, NULL);
        /* A copy that fits stays in the open job; a long one keeps the host busy. */
        if (r == 0 && several)
            r = vgpu__submit(ch);
        s += n;
        dptr += n;
        len -= n;
    }
    return r;
}

int vgpu_copy_dtoh(vgpu_channel *ch, void *dst, uint64_t dptr, uint64_t len)
{
    char *d = dst;
    uint64_t chunk = chunk_size(ch);
    struct vgpu__shm *b = vgpu__shm_find(ch, dst, len);
    int r = ch->broken;

    if (b && len) { /* into a host buffer: one request, no staging */
        r = vgpu__shm_copy(ch, VGPU_OP_HOSTBUF_DTOH, b, dst, dptr, len);
        len = 0;
    }
    if (r == 0 && len) {
        int big = vgpu__big_dtoh(ch, dst, dptr, len);
        if (big <= 0)
            return big;
    }
    while (r == 0 && len > 0) {
        uint64_t n = len < chunk ? len : chunk;
        struct vgpu_req req = {.op = VGPU_OP_COPY_DTOH};
        struct vgpu__pending how = {.dst = d, .len = n};

        r = vgpu__stage_alloc(ch, n, &how.data_off);
        if (r < 0)
            break;
        req.u.copy.dptr = dptr;
        req.u.copy.data_off = how.data_off;
        req.u.copy.len = n;
        r = vgpu__queue(ch, &req, &how);
        if (r == 0 && len > n)
            r = vgpu__submit(ch);
        d += n;
        dptr += n;
        len -= n;
    }
    if (r == 0)
        r = vgpu__drain(ch);
    return r < 0 ? r : vgpu__take_error(ch);
}

int vgpu_copy_dtod(vgpu_channel *ch, uint64_t dst, uint64_t src, uint64_t len)
{
    struct vgpu_req req = {.op = VGPU_OP_COPY_DTOD};

    if (len == 0)
        return ch->broken;
    req.u.copy_dd.dst = dst;
    req.u.copy_dd.src = src;
    req.u.copy_dd.len = len;
    return vgpu__queue(ch, &req, NULL);
}
