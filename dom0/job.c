/* job.c: a job's life: made from a channel's requests, queued, dispatched, run, answered, freed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include "vgpud.h"

/*
 * The life of a job, in the order it happens (who does it):
 *   1. made and filled (loop, chan.c's take): vgpu_be__job_new, vgpu_be__job_append;
 *   2. closed at SYNC, BATCH_END, END_JOB or a full ring (loop): vgpu_be__chan_queue_cur;
 *   3. started when its channel has nothing in flight (loop): vgpu_be__job_start_next answers a
 *      control-only job at once, submits the others to the scheduler (vgpu_be__job_submit);
 *   4. dispatched by its pool's thread (vgpu_be__job_dispatch), run in its VM's worker
 *      (vgpu_be__job_execute: the hop over the worker's ring, worker_hop.c), completed in the
 *      scheduler and put on the done list (vgpu_be__job_complete);
 *   4'. or, reaching an idle pool, dispatched by the loop, pushed to a worker that is ready,
 *      its answers polled for and completed there (the fast path, below; what would wait goes
 *      to the pool's thread, vgpu_be__job_resume);
 *   5. taken off the done list (loop, vgpu_be__done_drain), answered on the guest's ring and
 *      freed (vgpu_be__chan_job_done), and its channel's next job started.
 * Cancelled jobs (channel closed, VM removed, shutdown) leave the path through
 * vgpu_be__chan_fail_job and vgpu_be__job_free (chan_setup.c, vm_admin.c).
 */

/* ---- 1. Made and filled (loop) ---- */

struct vgpu_be_job *vgpu_be__job_new(struct vgpu_be_chan *c)
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

int vgpu_be__job_append(struct vgpu_be_job *job, const struct vgpu_req *req, uint32_t prefail)
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

/* ---- 2. Closed (loop) ---- */

/* The job being gathered is complete: move it to the end of the pending list. */
void vgpu_be__chan_queue_cur(struct vgpu_be_chan *c)
{
    struct vgpu_be_job *job = c->cur;

    VGPUD_STAMP(job, st_closed);
    c->cur = NULL;
    if (c->pending_tail)
        c->pending_tail->next = job;
    else
        c->pending_head = job;
    c->pending_tail = job;
}

/* ---- 3. Started (loop) ---- */

static struct vgpu_be_job *loop_dispatch_locked(struct vgpu_be *be, struct vgpu_be_pool *p,
                                                struct vgpu_be_worker **w);
static void handoff_locked(struct vgpu_be_pool *p, struct vgpu_be_job *job);
static bool loop_push(struct vgpu_be *be, struct vgpu_be_pool *p, struct vgpu_be_job *job,
                      struct vgpu_be_worker *w);

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

/* Start the channel's next job: one at a time per channel, in order. */
void vgpu_be__job_start_next(struct vgpu_be_chan *c)
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

/* Queue job in its VM's pool and wake that pool's dispatcher. Loop thread. */
void vgpu_be__job_submit(struct vgpu_be *be, struct vgpu_be_job *job)
{
    struct vgpu_sched_vm_info info;
    struct vgpu_be_job *fast = NULL;
    struct vgpu_be_worker *w = NULL;
    struct vgpu_be_pool *p = NULL;
    int r;

    pthread_mutex_lock(&be->lock);
    job->submit_ns = vgpu_be_now();
    r = vgpu_sched_submit(be->sched, job->chan->vm->id.vm_id, job, job->submit_ns, &job->sched_id);
    if (r == 0 && vgpu_sched_vm_info(be->sched, job->chan->vm->id.vm_id, &info) == 0 &&
        (p = vgpu_be__pool_find(be, info.pool))) {
        /* An idle pool: the loop dispatches (4', below); else the pool's thread will. */
        if ((fast = loop_dispatch_locked(be, p, &w)) && !w)
            handoff_locked(p, fast);
        if (!fast) {
            __atomic_add_fetch(&p->submitted, 1, __ATOMIC_RELEASE);
            pthread_cond_signal(&p->wake);
        }
    }
    pthread_mutex_unlock(&be->lock);
    if (fast && w)
        loop_push(be, p, fast, w);
    if (r < 0) {
        vgpu_be_log_ratelimited(LOG_ERR, &job->chan->vm->failed, "%s: scheduler refused a job: %s",
                                job->chan->d.label, strerror(-r));
        job->status = VGPU_S_INTERNAL;
        for (uint32_t i = 0; i < job->n; i++)
            job->items[i].rsp.status = VGPU_S_INTERNAL;
        vgpu_be__done_add(be, job);
    }
}

/* ---- 4. Dispatched, run in the worker, completed (pool thread) ---- */

int vgpu_be__job_dispatch(struct vgpu_be_pool *p, struct vgpu_be_job **out)
{
    struct vgpu_be *be = p->be;
    struct vgpu_sched_job sj;
    struct vgpu_be_job *job;
    int r;

    r = vgpu_sched_dispatch(be->sched, p->name, vgpu_be_now(), &sj);
    if (r < 0)
        return r;
    job = sj.cookie;
    job->dispatch_ns = sj.dispatch_ns;
    job->priority = sj.priority;
    job->aged = sj.aged;
    job->seq = be->dispatch_seq++;
    job->running = true;
    job->limit_ns = __atomic_load_n(&p->job_limit_ns, __ATOMIC_RELAXED);
    snprintf(job->pool, sizeof(job->pool), "%s", sj.pool);
    *out = job;
    return 0;
}

static const char *loss_reason(int r)
{
    switch (r) {
    case -ETIMEDOUT:
        return "its job ran over the pool's time limit";
    case -EPIPE:
        return "it ended";
    case -EPROTO:
        return "it broke the job ring's protocol";
    default:
        return "it could not be reached";
    }
}

/* The job's worker items could not be sent: they are answered st. */
static void hop_refused(struct vgpu_be *be, struct vgpu_be_vm *vm, struct vgpu_be_job *job,
                        struct vgpu_be_worker *w, uint32_t st)
{
    for (uint32_t i = 0; i < job->n; i++)
        if (vgpu_be__job_item_to_worker(&job->items[i]))
            job->items[i].rsp.status = st;
    if (w && st == VGPU_S_CONTEXT_LOST)
        vgpu_be__worker_lost(be, vm, VGPU_BE_LOSS_CRASH, "it could not be reached");
}

static uint64_t kill_at(uint64_t deadline)
{
    return deadline == UINT64_MAX ? deadline : deadline + VGPUD_KILL_GRACE_NS;
}

/*
 * The hop's chunks from *next on, under deadline; n: the slots of a chunk
 * already pushed and not yet answered (0: none). 0 or -errno; *lost: the
 * executor code if the worker's context was lost.
 */
static int hop_chunks(struct vgpu_be *be, struct vgpu_be_worker *w, struct vgpu_be_job *job,
                      uint32_t *next, uint32_t n, uint64_t deadline, uint32_t *lost)
{
    int r;

    for (;;) {
        if (!n) {
            n = vgpu_be__hop_push(w, job, next, deadline);
            VGPUD_STAMP(job, st_pushed);
        }
        r = vgpu_be__hop_wait(be, w, n, kill_at(deadline));
        VGPUD_STAMP(job, st_answered);
        if (r == 0)
            r = vgpu_be__hop_take(be, w, job, n, lost);
        if (r < 0 || *lost || *next >= job->n)
            return r;
        n = 0;
    }
}

/* The hop is over: the VM is idle again; a worker that failed it is lost. */
static void hop_end(struct vgpu_be *be, struct vgpu_be_vm *vm, int r, uint32_t lost)
{
    char why[96];

    pthread_mutex_lock(&be->lock);
    vm->running = false;
    pthread_mutex_unlock(&be->lock);
    if (r < 0) {
        vgpu_be__worker_lost(be, vm, r == -ETIMEDOUT ? VGPU_BE_LOSS_LIMIT : VGPU_BE_LOSS_CRASH,
                             loss_reason(r));
    } else if (lost) { /* the items it did not reach stay CONTEXT_LOST */
        snprintf(why, sizeof(why), "executor code %u", lost);
        vgpu_be__worker_lost(be, vm, VGPU_BE_LOSS_FAULT, why);
    }
}

/* Run the job's worker items, chunk by chunk, under its deadline; the caller owns the VM's hop. */
static void hop(struct vgpu_be *be, struct vgpu_be_vm *vm, struct vgpu_be_job *job)
{
    struct vgpu_be_worker *w;
    uint32_t st = vgpu_be__hop_get_worker(be, vm, &w), next = 0, lost = 0;
    uint64_t deadline;
    int r;

    if (st == VGPU_S_OK && vgpu_be__hop_attach(w, job->chan, job) < 0)
        st = job->chan->d.data_fd < 0 ? VGPU_S_UNSUPPORTED : VGPU_S_CONTEXT_LOST;
    if (st != VGPU_S_OK) {
        hop_refused(be, vm, job, w, st);
        return;
    }
    /* The limit counts the job's own time, not its worker's start. */
    deadline = job->limit_ns ? vgpu_be_now() + job->limit_ns : UINT64_MAX;
    pthread_mutex_lock(&be->lock);
    vm->running = true;
    pthread_mutex_unlock(&be->lock);
    r = hop_chunks(be, w, job, &next, 0, deadline, &lost);
    hop_end(be, vm, r, lost);
}

static bool has_worker_items(const struct vgpu_be_job *job)
{
    for (uint32_t i = 0; i < job->n; i++)
        if (vgpu_be__job_item_to_worker(&job->items[i]))
            return true;
    return false;
}

/* What the worker does not answer was lost with it. */
static void preset_lost(struct vgpu_be_job *job)
{
    for (uint32_t i = 0; i < job->n; i++)
        if (vgpu_be__job_item_to_worker(&job->items[i]))
            job->items[i].rsp.status = VGPU_S_CONTEXT_LOST;
}

/* The VM's hop is free again (be->lock held). */
static void hop_release_locked(struct vgpu_be *be, struct vgpu_be_vm *vm)
{
    vm->hop_busy = false;
    pthread_cond_broadcast(&be->hop_free);
}

void vgpu_be__job_execute(struct vgpu_be *be, struct vgpu_be_job *job)
{
    struct vgpu_be_vm *vm = job->chan->vm;
    bool current;

    preset_lost(job);
    if (has_worker_items(job)) {
        pthread_mutex_lock(&be->lock);
        while (vm->hop_busy) /* its other pool's job, if the VM just moved */
            pthread_cond_wait(&be->hop_free, &be->lock);
        vm->hop_busy = true;
        current = job->gen == vm->gen;
        pthread_mutex_unlock(&be->lock);
        if (current) /* else made before its VM's context was lost: its handles died with it */
            hop(be, vm, job);
        pthread_mutex_lock(&be->lock);
        hop_release_locked(be, vm);
        pthread_mutex_unlock(&be->lock);
    }
    vgpu_be__job_answer(be, job);
}

/*
 * ---- 4'. The loop's fast path ----
 * A wake-up of the pool's thread costs more than the job (docs/performance.md, "The worker
 * hop"). So when the loop submits a job to an idle pool, or completes one, it dispatches the
 * pool's next job itself (the scheduler chooses it, as for the pool's thread: priority, then
 * FIFO, one at a time per pool) and, if the VM's worker is up and already has what the job
 * needs, pushes it to the worker's ring and watches for the answers as it polls the guests'
 * rings. Whatever would wait (a worker to start, a data area or host buffer to hand over, a
 * job longer than the ring) and a job not answered within the loop's spin go to the pool's
 * thread (p->handoff), which finishes the hop under the job's hard limit: the loop never
 * waits on a worker.
 */

/* Hand job (dispatched; pushed by the loop or not) to its pool's thread. be->lock held. */
static void handoff_locked(struct vgpu_be_pool *p, struct vgpu_be_job *job)
{
    p->handoff = job;
    __atomic_add_fetch(&p->submitted, 1, __ATOMIC_RELEASE); /* ends its spin, if it spins */
    pthread_cond_signal(&p->wake);
}

/* The loop may push job to w: nothing to send first, and it fits in one chunk. */
static bool pushable(struct vgpu_be_worker *w, struct vgpu_be_job *job)
{
    uint32_t n = 1, i;

    for (i = 0; i < job->n; i++)
        n += vgpu_be__job_item_to_worker(&job->items[i]);
    return n <= vgpu_front_free(&w->ring) && vgpu_be__hostbuf_ready(w, job->chan, job);
}

/* Loop: push the job the loop just dispatched, owning its VM's hop; false if it may not. */
static bool loop_push(struct vgpu_be *be, struct vgpu_be_pool *p, struct vgpu_be_job *job,
                      struct vgpu_be_worker *w)
{
    struct vgpu_be_vm *vm = job->chan->vm;

    if (!pushable(w, job)) {
        pthread_mutex_lock(&be->lock);
        hop_release_locked(be, vm);
        handoff_locked(p, job);
        pthread_mutex_unlock(&be->lock);
        return false;
    }
    preset_lost(job);
    vgpu_front_disarm(&w->ring); /* the loop polls for the answers: no notify wanted */
    job->hop_deadline = job->limit_ns ? vgpu_be_now() + job->limit_ns : UINT64_MAX;
    job->hop_w = w;
    job->hop_next = 0;
    job->hop_n = vgpu_be__hop_push(w, job, &job->hop_next, job->hop_deadline);
    job->hop_pushed_ns = vgpu_be_now();
    VGPUD_STAMP(job, st_pushed);
    pthread_mutex_lock(&be->lock);
    vm->running = true;
    p->loop_job = job;
    pthread_mutex_unlock(&be->lock);
    return true;
}

/* Loop, be->lock held: dispatch p's next job here. The job, with *w set if the loop may push it
 * to that worker (it then owns the VM's hop); NULL if the pool is busy or has nothing queued. */
static struct vgpu_be_job *loop_dispatch_locked(struct vgpu_be *be, struct vgpu_be_pool *p,
                                                struct vgpu_be_worker **w)
{
    struct vgpu_be_job *job;
    struct vgpu_be_vm *vm;

    *w = NULL;
    if (!be->loop_runs || !be->cfg.poll_ns || p->loop_job || p->handoff ||
        vgpu_be__job_dispatch(p, &job) < 0)
        return NULL;
    vm = job->chan->vm;
    if (vm->worker && !vm->starting && !vm->hop_busy && job->gen == vm->gen &&
        has_worker_items(job) && job->chan->wk_serial == vm->worker->serial) {
        vm->hop_busy = true;
        *w = vm->worker;
    }
    return job;
}

/* Loop: run p's next job on the fast path if it can, else hand it to p's thread. */
static void loop_run_next(struct vgpu_be *be, struct vgpu_be_pool *p)
{
    struct vgpu_be_worker *w;
    struct vgpu_be_job *job;

    pthread_mutex_lock(&be->lock);
    job = loop_dispatch_locked(be, p, &w);
    if (job && !w)
        handoff_locked(p, job);
    pthread_mutex_unlock(&be->lock);
    if (job && w)
        loop_push(be, p, job, w);
}

/* Loop: the loop's job of pool p is answered, or must go to p's thread. True if it finished. */
static bool loop_poll_one(struct vgpu_be *be, struct vgpu_be_pool *p, bool giving_up)
{
    struct vgpu_be_job *job = p->loop_job;
    struct vgpu_be_vm *vm = job->chan->vm;
    uint32_t ready, lost = 0;
    bool ok = vgpu_front_snapshot(&job->hop_w->ring, &ready);

    if (ok && ready < job->hop_n) {
        if (!giving_up && vgpu_be_now() - job->hop_pushed_ns < be->cfg.poll_ns)
            return false;
        pthread_mutex_lock(&be->lock); /* its thread waits on, under the hard limit */
        p->loop_job = NULL;
        handoff_locked(p, job);
        pthread_mutex_unlock(&be->lock);
        return false;
    }
    VGPUD_STAMP(job, st_answered);
    job->hop_r = ok ? vgpu_be__hop_take(be, job->hop_w, job, job->hop_n, &lost) : -EPROTO;
    job->hop_lost = lost;
    job->hop_n = 0; /* answered: nothing left to wait for */
    if (job->hop_r < 0 || lost) {
        /* Its worker is lost (killed and reaped): the pool thread's work, not the loop's. */
        pthread_mutex_lock(&be->lock);
        p->loop_job = NULL;
        handoff_locked(p, job);
        pthread_mutex_unlock(&be->lock);
        return false;
    }
    pthread_mutex_lock(&be->lock);
    p->loop_job = NULL;
    vm->running = false;
    hop_release_locked(be, vm);
    pthread_mutex_unlock(&be->lock);
    vgpu_be__job_answer(be, job);
    pthread_mutex_lock(&be->lock);
    job->complete_ns = vgpu_be_now();
    job->running = false;
    vgpu_sched_complete(be->sched, job->sched_id, job->complete_ns);
    pthread_mutex_unlock(&be->lock);
    VGPUD_STAMP(job, st_drained);
    vgpu_be__chan_job_done(job->chan, job);
    loop_run_next(be, p);
    return true;
}

/* Caller holds be->lock. */
void vgpu_be__job_complete(struct vgpu_be *be, struct vgpu_be_job *job)
{
    job->complete_ns = vgpu_be_now();
    job->running = false;
    vgpu_sched_complete(be->sched, job->sched_id, job->complete_ns);
    vgpu_be__done_add_locked(be, job);
}

/*
 * Hand a finished job to the loop thread. Caller holds be->lock. done_head
 * is stored atomically: the loop peeks at it without the lock.
 */
void vgpu_be__done_add_locked(struct vgpu_be *be, struct vgpu_be_job *job)
{
    uint64_t one = 1;

    job->next = NULL;
    job->finished = true;
    if (be->done_tail)
        be->done_tail->next = job;
    else
        __atomic_store_n(&be->done_head, job, __ATOMIC_RELEASE);
    be->done_tail = job;
    if (write(be->done_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
        vgpu_be_log(LOG_ERR, "completion eventfd: %s", strerror(errno));
}

/* The same, taking be->lock. */
void vgpu_be__done_add(struct vgpu_be *be, struct vgpu_be_job *job)
{
    pthread_mutex_lock(&be->lock);
    vgpu_be__done_add_locked(be, job);
    pthread_mutex_unlock(&be->lock);
}

/* ---- 5. Answered and freed (loop) ---- */

/* Loop thread: answer every finished job. True if there was one. */
bool vgpu_be__done_drain(struct vgpu_be *be)
{
    struct vgpu_be_job *job;

    /* A peek without the lock, to keep an idle pass cheap: a job added after it is seen on
     * the next pass (its done_fd write wakes the loop). */
    if (!__atomic_load_n(&be->done_head, __ATOMIC_ACQUIRE))
        return false;
    pthread_mutex_lock(&be->lock);
    job = be->done_head;
    __atomic_store_n(&be->done_head, NULL, __ATOMIC_RELAXED);
    be->done_tail = NULL;
    pthread_mutex_unlock(&be->lock);
    while (job) {
        struct vgpu_be_job *next = job->next;
        VGPUD_STAMP(job, st_drained);
        vgpu_be__chan_job_done(job->chan, job);
        job = next;
    }
    return true;
}

/* The loop learned that c's in-flight job finished (or was never run). */
void vgpu_be__chan_job_done(struct vgpu_be_chan *c, struct vgpu_be_job *job)
{
    c->inflight = NULL;
    vgpu_be__hostbuf_settle(c, job);
    if (c->state == CHAN_OPEN)
        respond(c, job);
    VGPUD_STAMP(job, st_answered_guest);
    vgpu_be__execlog_write(c->be, job); /* after the answer: off the guest's path */
    vgpu_be__job_free(job);
    if (c->state == CHAN_OPEN)
        vgpu_be__job_start_next(c);
    else
        vgpu_be__chan_close(c, NULL); /* finishes a close that waited for this job */
}

/* Answer every request of job with status (cancelled, shut down) without running it. */
void vgpu_be__chan_fail_job(struct vgpu_be_chan *c, struct vgpu_be_job *job, uint32_t status)
{
    uint32_t i;

    for (i = 0; i < job->n; i++)
        job->items[i].rsp.status = status;
    respond(c, job);
}

void vgpu_be__job_free(struct vgpu_be_job *job)
{
    if (!job)
        return;
    free(job->items);
    free(job);
}

/* Loop: each pool's loop job answered, finished here; true if one was. giving_up: the loop is
 * about to sleep (or stop): the jobs not answered go to their pools' threads. */
static bool loop_poll(struct vgpu_be *be, bool giving_up)
{
    bool any = false;

    for (unsigned i = 0; i < be->npools; i++)
        if (be->pools[i].loop_job)
            any |= loop_poll_one(be, &be->pools[i], giving_up);
    return any;
}

bool vgpu_be__job_loop_poll(struct vgpu_be *be)
{
    return loop_poll(be, false);
}

void vgpu_be__job_loop_sleep(struct vgpu_be *be, bool stopping)
{
    while (loop_poll(be, true))
        ;
    if (stopping)
        be->loop_runs = false;
}

/* Pool thread: finish a job the loop dispatched (p->handoff); then it is completed as usual. */
void vgpu_be__job_resume(struct vgpu_be *be, struct vgpu_be_job *job)
{
    struct vgpu_be_vm *vm = job->chan->vm;
    uint32_t lost = job->hop_lost;
    int r = job->hop_r;

    if (!job->hop_w) { /* not pushed: the whole hop is this thread's */
        vgpu_be__job_execute(be, job);
        return;
    }
    if (job->hop_n) /* pushed, not answered yet: wait on, under the hard limit */
        r = hop_chunks(be, job->hop_w, job, &job->hop_next, job->hop_n, job->hop_deadline, &lost);
    hop_end(be, vm, r, lost);
    pthread_mutex_lock(&be->lock);
    hop_release_locked(be, vm);
    pthread_mutex_unlock(&be->lock);
    vgpu_be__job_answer(be, job);
}
