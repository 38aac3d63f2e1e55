/* chan.c: a channel's hot path: snapshot the ring, copy and validate requests, gather jobs, answer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include "vgpud.h"

static struct vgpu_be_job *job_new(struct vgpu_be_chan *c)
{
    struct vgpu_be_job *job = calloc(1, sizeof(*job));

    if (!job)
        return NULL;
    job->chan = c;
    pthread_mutex_lock(&c->be->lock);
    job->gen = c->vm->gen; /* if its VM loses its context before the job runs, so does the job */
    pthread_mutex_unlock(&c->be->lock);
    job->cap = 8;
    job->items = calloc(job->cap, sizeof(*job->items));
    if (!job->items) {
        free(job);
        return NULL;
    }
    return job;
}

void vgpu_be__job_free(struct vgpu_be_job *job)
{
    if (!job)
        return;
    free(job->items);
    free(job);
}

static int job_append(struct vgpu_be_job *job, const struct vgpu_req *req, uint32_t prefail)
{
    if (job->n == job->cap) {
        struct vgpu_be_item *v = realloc(job->items, 2 * job->cap * sizeof(*v));
        if (!v)
            return -ENOMEM;
        job->items = v;
        job->cap *= 2;
    }
    memset(&job->items[job->n], 0, sizeof(job->items[0]));
    job->items[job->n].req = *req;
    job->items[job->n].prefail = prefail;
    job->n++;
    return 0;
}

/* Publish each item's response, in order, and wake the guest if it waits. */
static void respond(struct vgpu_be_chan *c, struct vgpu_be_job *job)
{
    uint32_t i;

    for (i = 0; i < job->n; i++) {
        struct vgpu_be_item *it = &job->items[i];
        it->rsp.id = it->req.id;
        it->rsp.op = it->req.op;
        vgpu_back_put_rsp(&c->ring, &it->rsp);
        c->vm->requests++;
        c->vm->failed += it->rsp.status != VGPU_S_OK;
    }
    if (vgpu_back_push(&c->ring))
        c->d.ops->notify(c->d.tctx);
}

/* Answer every request of job with status (cancelled, shut down) without running it. */
void vgpu_be__chan_fail_job(struct vgpu_be_chan *c, struct vgpu_be_job *job, uint32_t status)
{
    uint32_t i;

    for (i = 0; i < job->n; i++)
        job->items[i].rsp.status = status;
    respond(c, job);
}

/* Start the channel's next job: one at a time per channel, in order. */
static void pump(struct vgpu_be_chan *c)
{
    while (!c->inflight && c->pending_head && c->state == CHAN_OPEN) {
        struct vgpu_be_job *job = c->pending_head;
        c->pending_head = job->next;
        if (!c->pending_head)
            c->pending_tail = NULL;
        job->next = NULL;
        if (vgpu_be__job_is_control(job)) {
            /* No GPU work in it: answered here, without a trip through the scheduler. */
            vgpu_be__job_execute_control(c->be, job);
            respond(c, job);
            vgpu_be__job_free(job);
            continue;
        }
        c->inflight = job;
        vgpu_be__job_submit(c->be, job);
    }
}

/* The job being gathered is complete: move it to the end of the pending list. */
void vgpu_be__chan_queue_cur(struct vgpu_be_chan *c)
{
    struct vgpu_be_job *job = c->cur;

    c->cur = NULL;
    if (c->pending_tail)
        c->pending_tail->next = job;
    else
        c->pending_head = job;
    c->pending_tail = job;
}

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
    if (!c->cur && !(c->cur = job_new(c))) {
        vgpu_be__chan_close(c, "out of memory");
        return false;
    }
    if (st == VGPU_S_OK) /* host buffers: checked against what vgpud holds for the channel */
        st = vgpu_be__hostbuf_take(c, c->cur, req);
    if (job_append(c->cur, req, st) < 0) {
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
            pump(c);
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

/* The loop learned that c's in-flight job finished (or was never run). */
void vgpu_be__chan_job_done(struct vgpu_be_chan *c, struct vgpu_be_job *job)
{
    c->inflight = NULL;
    vgpu_be__execlog_write(c->be, job);
    vgpu_be__hostbuf_settle(c, job);
    if (c->state == CHAN_OPEN)
        respond(c, job);
    vgpu_be__job_free(job);
    if (c->state == CHAN_OPEN)
        pump(c);
    else
        vgpu_be__chan_close(c, NULL); /* finishes a close that waited for this job */
}
