/* submit.c: the hot path: write requests, publish jobs, match responses to their requests. */
#include <string.h>
#include "channel_int.h"
#include "vgpu_proto.h"

int vgpu__break(vgpu_channel *ch, int err)
{
    if (!ch->broken)
        ch->broken = err;
    return ch->broken;
}

int vgpu__take_error(vgpu_channel *ch)
{
    int err = ch->error;

    if (err)
        ch->last_err = ch->async_err;
    ch->error = 0;
    return err;
}

/* Wait until one more request may be written. */
static int make_room(vgpu_channel *ch)
{
    int r;

    while (vgpu__outstanding(ch) >= ch->max_out) {
        r = vgpu__submit(ch);
        if (r < 0)
            return r;
        r = vgpu__wait_one(ch);
        if (r < 0)
            return r;
    }
    return 0;
}

int vgpu__queue(vgpu_channel *ch, struct vgpu_req *req, const struct vgpu__pending *how)
{
    struct vgpu__pending *p;
    int r;

    if (ch->broken)
        return ch->broken;
    r = make_room(ch);
    if (r < 0)
        return r;
    req->id = ++ch->next_id;
    if ((ch->features & VGPU_FEAT_STREAMS) && vgpu_proto_op_has_stream(req->op))
        req->rsvd0 = ch->stream;
    p = &ch->pend[ch->ring.req_prod_pvt & (ch->ring.nr_slots - 1)];
    if (how)
        *p = *how;
    else
        memset(p, 0, sizeof(*p));
    p->id = req->id;
    p->op = req->op;
    p->stage_end = ch->stage.head;
    memcpy(vgpu_front_next_req(&ch->ring), req, sizeof(*req));
    ch->stats.requests++;
    return 0;
}

int vgpu__submit(vgpu_channel *ch)
{
    struct vgpu_req *last;
    bool notify;

    if (ch->broken)
        return ch->broken;
    if (ch->ring.req_prod_pvt == ch->pushed)
        return 0;
    /* Still ours: unpublished. SYNC and BATCH_END close the job themselves. */
    last = &ch->ring.sring->ring[(ch->ring.req_prod_pvt - 1) & (ch->ring.nr_slots - 1)].req;
    if (last->op != VGPU_OP_SYNC && last->op != VGPU_OP_BATCH_END)
        last->flags |= VGPU_REQF_END_JOB;
    ch->stats.jobs++;
    notify = vgpu_front_push(&ch->ring);
    ch->pushed = ch->ring.req_prod_pvt;
    if (!notify && !ch->always_kick)
        return 0;
    ch->stats.kicks++;
    return ch->port.ops->kick(&ch->port) < 0 ? vgpu__break(ch, -VGPU_S_NO_DEVICE) : 0;
}

/* Keep what a failed request was about: at once for a call, as the first async error otherwise. */
static void record_error(vgpu_channel *ch, const struct vgpu_rsp *rsp, bool call)
{
    struct vgpu_error e = {.op = rsp->op, .status = rsp->status, .detail = rsp->detail};
    if (call) {
        ch->last_err = e;
    } else if (!ch->error) {
        ch->error = -(int)rsp->status;
        ch->async_err = e;
    }
}

void vgpu_last_error(const vgpu_channel *ch, struct vgpu_error *out)
{
    *out = ch->last_err;
}

/* Act on one response, copied out of the ring; p is its request's record. */
static int complete(vgpu_channel *ch, const struct vgpu_rsp *rsp, const struct vgpu__pending *p)
{
    int err;

    if (rsp->id != p->id || rsp->op != p->op || rsp->status >= 0x10000u)
        return vgpu__break(ch, -VGPU_S_PROTOCOL);
    err = -(int)rsp->status;
    if (err == 0 && p->dst)
        memcpy(p->dst, p->src ? p->src : (const char *)ch->port.data + p->data_off, p->len);
    if (p->rsp)
        memcpy(p->rsp, rsp, sizeof(*rsp));
    if (p->mark)
        vgpu__mark_answer(p->mark, rsp);
    if (err)
        record_error(ch, rsp, p->rsp != NULL);
    ch->stage.tail = p->stage_end;
    ch->stats.responses++;
    return 0;
}

int vgpu__reap(vgpu_channel *ch)
{
    uint32_t ready, i;

    if (ch->broken)
        return ch->broken;
    if (!vgpu_front_snapshot(&ch->ring, &ready))
        return vgpu__break(ch, -VGPU_S_PROTOCOL);
    /* Nothing published can be answered: a response beyond that is a lie. */
    if (ready > ch->pushed - ch->ring.rsp_cons)
        return vgpu__break(ch, -VGPU_S_PROTOCOL);
    for (i = 0; i < ready; i++) {
        struct vgpu__pending *p = &ch->pend[ch->ring.rsp_cons & (ch->ring.nr_slots - 1)];
        struct vgpu_rsp rsp;
        int r;

        vgpu_front_take_rsp(&ch->ring, &rsp);
        r = complete(ch, &rsp, p);
        if (r < 0)
            return r;
    }
    return (int)ready;
}

int vgpu__drain(vgpu_channel *ch)
{
    int r = vgpu__submit(ch);

    while (r == 0 && ch->ring.rsp_cons != ch->ring.req_prod_pvt)
        r = vgpu__wait_one(ch);
    return r;
}

int vgpu__call(vgpu_channel *ch, struct vgpu_req *req, struct vgpu_rsp *rsp,
               const struct vgpu__pending *how)
{
    struct vgpu__pending p = {0};
    uint32_t idx;
    int r;

    if (how)
        p = *how;
    p.rsp = rsp;
    idx = ch->ring.req_prod_pvt;
    r = vgpu__queue(ch, req, &p);
    if (r == 0)
        r = vgpu__submit(ch);
    /* Responses come in order: ours is in once rsp_cons passed its index. */
    while (r == 0 && (int32_t)(ch->ring.rsp_cons - (idx + 1)) < 0)
        r = vgpu__wait_one(ch);
    return r < 0 ? r : -(int)rsp->status;
}
