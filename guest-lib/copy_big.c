/* copy_big.c: large copies between ordinary memory and the device through a staging host buffer of
 * the channel's own, in pieces the host copies while the next ones are filled or emptied. */
#include <string.h>
#include "channel_int.h"

/*
 * Why: through the data area a copy moves 1 MiB per job (half of its ~2 MiB staging half), and
 * the guest can fill only one chunk ahead, so each chunk waits for a round trip. A host buffer of
 * VGPU_BIG_PIECES pieces lets the guest run that many pieces ahead, each piece one request of
 * VGPU_BIG_PIECE bytes (what the CUDA driver does with its pinned staging buffers).
 */

/* Whether copies of len bytes go through the staging buffer; makes it on first use. */
static bool big_ready(vgpu_channel *ch, uint64_t len)
{
    struct vgpu__bigstage *b = &ch->big;
    struct vgpu_error keep = ch->last_err;
    char *p;

    if (len < VGPU_BIG_MIN)
        return false;
    if (b->buf)
        return true;
    if (b->off || b->refused || !(ch->features & VGPU_FEAT_HOSTBUF))
        return false;
    p = vgpu__shm_alloc(ch, (size_t)VGPU_BIG_PIECE * VGPU_BIG_PIECES);
    /* Refused (the VM's pinned limit, Dom0's memory): the data area, as before. Not the caller's
     * error: what vgpu_last_error() said stays. */
    ch->last_err = keep;
    if (!p) {
        b->refused = true;
        return false;
    }
    b->buf = vgpu__shm_find(ch, p, 0);
    memset(b->busy, 0, sizeof(b->busy));
    return true;
}

/* Wait until piece i's last request was answered (and, for DTOH, its bytes copied out). */
static int piece_wait(vgpu_channel *ch, uint32_t i)
{
    struct vgpu__bigstage *b = &ch->big;
    int r = 0;

    while (r == 0 && b->busy[i] && vgpu__outstanding(ch) > 0 &&
           (int32_t)(ch->ring.rsp_cons - b->ticket[i]) < 0) {
        r = vgpu__submit(ch);
        if (r == 0)
            r = vgpu__wait_one_long(ch);
    }
    b->busy[i] = false;
    return r;
}

/* Note piece i's request, just queued, and let the host start on it. */
static int piece_sent(vgpu_channel *ch, uint32_t i)
{
    ch->big.ticket[i] = ch->ring.req_prod_pvt;
    ch->big.busy[i] = true;
    return vgpu__submit(ch);
}

static char *piece_at(const vgpu_channel *ch, uint32_t i)
{
    return ch->big.buf->p + (uint64_t)i * VGPU_BIG_PIECE;
}

/*
 * One piece: once its slot is free, HTOD fills it from host and sends it; DTOH sends it with
 * host as where vgpu__reap copies it to once answered (while the host copies the next ones).
 */
static int piece_send(vgpu_channel *ch, uint16_t op, uint32_t i, char *host, uint64_t dptr,
                      uint64_t n)
{
    struct vgpu__pending how = {.dst = host, .src = piece_at(ch, i), .len = n};
    struct vgpu_req req = {.op = op};
    int r = piece_wait(ch, i);

    if (r < 0)
        return r;
    if (op == VGPU_OP_HOSTBUF_HTOD)
        memcpy(piece_at(ch, i), host, n);
    req.u.hostbuf_copy.dptr = dptr;
    req.u.hostbuf_copy.buf = ch->big.buf->id;
    req.u.hostbuf_copy.off = (uint64_t)i * VGPU_BIG_PIECE;
    req.u.hostbuf_copy.len = n;
    r = vgpu__queue(ch, &req, op == VGPU_OP_HOSTBUF_DTOH ? &how : NULL);
    return r < 0 ? r : piece_sent(ch, i);
}

/* The whole copy, piece after piece, the slots taken in turn. */
static int pieces(vgpu_channel *ch, uint16_t op, char *host, uint64_t dptr, uint64_t len)
{
    uint32_t i = 0;
    int r = 0;

    while (r == 0 && len > 0) {
        uint64_t n = len < VGPU_BIG_PIECE ? len : VGPU_BIG_PIECE;

        r = piece_send(ch, op, i, host, dptr, n);
        i = (i + 1) % VGPU_BIG_PIECES;
        host += n;
        dptr += n;
        len -= n;
    }
    return r;
}

int vgpu__big_htod(vgpu_channel *ch, uint64_t dptr, const void *src, uint64_t len)
{
    if (!big_ready(ch, len))
        return 1;
    return pieces(ch, VGPU_OP_HOSTBUF_HTOD, (char *)src, dptr, len); /* src is only read */
}

int vgpu__big_dtoh(vgpu_channel *ch, void *dst, uint64_t dptr, uint64_t len)
{
    int r;

    if (!big_ready(ch, len))
        return 1;
    r = pieces(ch, VGPU_OP_HOSTBUF_DTOH, dst, dptr, len);
    if (r == 0)
        r = vgpu__drain(ch);
    return r < 0 ? r : vgpu__take_error(ch);
}

int vgpu__big_release(vgpu_channel *ch)
{
    struct vgpu__shm *buf = ch->big.buf;

    if (!buf)
        return -1;
    ch->big.buf = NULL;
    ch->big.refused = true;         /* until a host buffer is freed: no room for it now */
    return vgpu__shm_free(ch, buf); /* answered after every piece queued before it */
}

void vgpu__big_room(vgpu_channel *ch)
{
    ch->big.refused = false;
}
