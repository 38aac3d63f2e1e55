/* mark.c: streams and event marks (VGPU_FEAT_STREAMS): a stream id on queued work, marks answered
 * with the host's completion time. */
#include <string.h>
#include "channel_int.h"

int vgpu_set_stream(vgpu_channel *ch, uint32_t stream)
{
    if (stream && !(ch->features & VGPU_FEAT_STREAMS))
        return -VGPU_S_UNSUPPORTED;
    ch->stream = stream;
    return 0;
}

void vgpu__mark_answer(struct vgpu_mark *m, const struct vgpu_rsp *rsp)
{
    m->host_ns = rsp->status ? 0 : rsp->u.handle;
    m->status = rsp->status;
    m->detail = rsp->detail;
    m->done = 1;
}

int vgpu_mark(vgpu_channel *ch, struct vgpu_mark *m)
{
    struct vgpu_req req = {.op = VGPU_OP_EVENT_MARK};
    struct vgpu__pending how = {.mark = m};
    int r;

    if (!(ch->features & VGPU_FEAT_STREAMS))
        return -VGPU_S_UNSUPPORTED;
    memset(m, 0, sizeof(*m));
    r = vgpu__queue(ch, &req, &how);
    return r < 0 ? r : vgpu__submit(ch);
}

/* True if m waits for an answer: an unanswered request still points at it. */
static bool outstanding(const vgpu_channel *ch, const struct vgpu_mark *m)
{
    uint32_t i;

    for (i = ch->ring.rsp_cons; i != ch->ring.req_prod_pvt; i++)
        if (ch->pend[i & (ch->ring.nr_slots - 1)].mark == m)
            return true;
    return false;
}

int vgpu_mark_wait(vgpu_channel *ch, struct vgpu_mark *m)
{
    int r = 0;

    if (!m->done && !outstanding(ch, m))
        return -VGPU_S_BAD_HANDLE;
    if (!m->done)
        r = vgpu__submit(ch);
    while (r == 0 && !m->done)
        r = vgpu__wait_one(ch);
    if (r < 0)
        return r;
    if (m->status) {
        ch->last_err =
            (struct vgpu_error){.op = VGPU_OP_EVENT_MARK, .status = m->status, .detail = m->detail};
        return -(int)m->status;
    }
    return vgpu__take_error(ch);
}

void vgpu_mark_forget(vgpu_channel *ch, struct vgpu_mark *m)
{
    uint32_t i;

    for (i = ch->ring.rsp_cons; i != ch->ring.req_prod_pvt; i++) {
        struct vgpu__pending *p = &ch->pend[i & (ch->ring.nr_slots - 1)];
        if (p->mark == m)
            p->mark = NULL;
    }
}

int vgpu_poll(vgpu_channel *ch, int *idle)
{
    int r = vgpu__submit(ch);

    if (r == 0)
        r = vgpu__reap(ch);
    if (r < 0)
        return r;
    if (ch->ring.rsp_cons != ch->ring.req_prod_pvt) {
        if (idle)
            *idle = 0;
        return 0;
    }
    if (idle)
        *idle = 1;
    return vgpu__take_error(ch);
}
