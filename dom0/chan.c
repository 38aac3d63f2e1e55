/* chan.c: a channel's hot path: snapshot the ring, copy and validate requests, gather jobs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include "vgpud.h"

static bool ends_job(const struct vgpu_req *req)
{
    return req->op == VGPU_OP_SYNC || req->op == VGPU_OP_BATCH_END ||
           (req->flags & VGPU_REQF_END_JOB);
}

/*
 * The channel's limits. features is written by HELLO's answer, which runs on a pool thread when a
 * (hostile) guest put HELLO in a job with executor work, so it is read atomically.
 */
static void chan_limits(const struct vgpu_be_chan *c, struct vgpu_limits *lim)
{
    lim->data_size = c->lim.data_size;
    lim->max_shmem = c->lim.max_shmem;
    lim->max_params = c->lim.max_params;
    lim->rsvd0 = 0;
    lim->features = __atomic_load_n(&c->lim.features, __ATOMIC_RELAXED);
}

/*
 * Take one copied request. A request only a broken or hostile guest would
 * send (unknown op, reserved header bits, anything before HELLO) closes the
 * channel; other invalid requests are answered, in order, with their status.
 * Returns false if the channel was closed.
 */
static bool take(struct vgpu_be_chan *c, const struct vgpu_req *req)
{
    struct vgpu_limits lim;
    uint32_t st;

    chan_limits(c, &lim);
    st = (uint32_t)vgpu_proto_check_req(req, &lim);
    if (st == VGPU_S_BAD_OP || !vgpu_proto_stream_ok(req, lim.features) ||
        (req->flags & ~VGPU_REQF_MASK)) {
        vgpu_be__chan_close(c, "malformed request header (unknown op or reserved bits set)");
        return false;
    }
    if (!c->hello_done && req->op != VGPU_OP_HELLO) {
        vgpu_be__chan_close(c, "request before HELLO");
        return false;
    }
    if (req->op == VGPU_OP_HELLO)
        c->hello_done = true;
    if (!c->cur && !(c->cur = vgpu_be__job_new(c))) {
        vgpu_be__chan_close(c, "out of memory");
        return false;
    }
    if (st == VGPU_S_OK) /* host buffers: checked against what vgpud holds for the channel */
        st = vgpu_be__hostbuf_take(c, c->cur, req);
    if (vgpu_be__job_append(c->cur, req, st) < 0) {
        vgpu_be__chan_close(c, "out of memory");
        return false;
    }
    /* A job also ends when it holds a whole ring: the guest cannot add more. */
    if (ends_job(req) || c->cur->n >= c->ring.nr_slots)
        vgpu_be__chan_queue_cur(c);
    return true;
}

/*
 * At most this many requests per channel per pass (as netback's NAPI weight):
 * a guest that refills its ring as fast as it is read gets its share of the
 * loop, and the other rings and event sources get theirs.
 */
#define CHAN_POLL_BUDGET 128u

bool vgpu_be__chan_poll(struct vgpu_be_chan *c)
{
    uint32_t budget = CHAN_POLL_BUDGET, ready, i;
    bool did = false;
    struct vgpu_req req;

    while (c->state == CHAN_OPEN) {
        if (!vgpu_back_snapshot(&c->ring, &ready)) {
            vgpu_be__chan_close(c, "producer index beyond the ring");
            return true;
        }
        if (ready > budget)
            ready = budget;
        for (i = 0; i < ready; i++) {
            vgpu_back_take_req(&c->ring, &req);
            if (!take(c, &req))
                return true;
        }
        budget -= ready;
        if (ready) {
            did = true;
            vgpu_be__job_start_next(c);
        }
        /* Budget spent: the next pass comes back here, so there is no need to arm. */
        if (!budget)
            break;
        /* Sleeping: ask for a kick, and look once more for a request that raced in. */
        if (!c->be->armed || c->state != CHAN_OPEN || !vgpu_back_arm(&c->ring))
            break;
    }
    return did;
}

void vgpu_be__chans_arm(struct vgpu_be *be, bool armed)
{
    struct vgpu_be_chan *c;

    for (c = be->chans; c; c = c->next) {
        if (c->state != CHAN_OPEN)
            continue;
        if (armed)
            vgpu_back_arm(&c->ring); /* a raced request is found by the next poll pass */
        else
            vgpu_back_disarm(&c->ring);
    }
}

/* Transports rate-limit kicks themselves (event storms): here a kick is only a hint. */
void vgpu_be_chan_kick(struct vgpu_be_chan *c)
{
    c->vm->kicks++;
    vgpu_be__chan_poll(c);
}

void vgpu_be_chan_throttled(struct vgpu_be_chan *c)
{
    c->vm->throttles++;
}
