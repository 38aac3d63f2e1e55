/* wk_job.c: the worker's loop: take a whole job from the ring, run it, answer it; poll, then sleep.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "wk.h"

#define JOB_MAX (1u << (VGPU_WORKER_RING_ORDER + 6)) /* more slots than the ring has */

uint64_t wk__job_deadline_ns;

/*
 * Step *n of a spin: a pause; past the first SPIN_PURE steps (a few microseconds, where a fast
 * answer lands), sched_yield() every SPIN_YIELD_EVERY steps. The job path has up to five spinning
 * parties (client, vgpud's loop, the pool thread, its wait on the worker, the worker); where they
 * outnumber the cores, a thread one of them woke used to wait for a spin window to run out
 * (docs/performance.md, "The worker hop").
 */
#define SPIN_PURE        64u
#define SPIN_YIELD_EVERY 8u

static inline void cpu_relax(uint32_t *n)
{
    if (++*n > SPIN_PURE && *n % SPIN_YIELD_EVERY == 0) {
        sched_yield();
        return;
    }
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/*
 * Test hooks: a system call the filter forbids, to show a worker dying by
 * seccomp is contained; a job that ignores its deadline until killed; a
 * context poisoned as a GPU fault would (true).
 */
static bool test_fault(struct wk *w, const struct vgpu_req *req)
{
    if (!w->test_hooks || req->op != VGPU_OP_MEMSET)
        return false;
    if (req->u.memset.len == WK_TEST_SECCOMP_LEN) {
        wk__log("test hook: making a forbidden system call (socket)");
        syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
        wk__log("test hook: the forbidden call returned (no filter?)");
    }
    if (req->u.memset.len == WK_TEST_HANG_LEN) {
        wk__log("test hook: ignoring the job's deadline until killed");
        for (;;)
            poll(NULL, 0, -1);
    }
    return req->u.memset.len == WK_TEST_POISON_LEN;
}

/* The context is poisoned: nothing more runs on it; this job is answered, then the worker ends. */
static void poisoned(struct wk *w, uint32_t code)
{
    if (w->lost_set)
        return;
    w->lost_set = true;
    w->lost = code ? code : VGPU_WORKER_LOST_UNKNOWN;
    wk__log("the context is lost (executor code %u): answering the job, then ending", code);
}

/* Check the job header copy. n: its request count, or -EPROTO. */
static int check_header(const struct vgpu_req *h, uint32_t ready, struct vgpu_worker_job *job)
{
    static const uint8_t zero[sizeof(job->rsvd)];

    if (h->op != VGPU_WOP_JOB || h->flags || h->rsvd0)
        return -EPROTO;
    memcpy(job, h->u.raw, sizeof(*job));
    if (job->rsvd0 || memcmp(job->rsvd, zero, sizeof(zero)) || job->n >= ready || job->n >= JOB_MAX)
        return -EPROTO;
    return (int)job->n;
}

/* Run one request copy; the status answers it. */
static uint32_t run_item(struct wk *w, struct wk_chan *c, const struct vgpu_req *req,
                         struct vgpu_rsp *rsp, uint64_t quota)
{
    uint32_t st;

    if (!c)
        return VGPU_S_INTERNAL;
    if (w->lost_set) { /* its handles died with the context */
        rsp->detail = w->lost;
        return VGPU_S_CONTEXT_LOST;
    }
    st = (uint32_t)vgpu_proto_check_req(req, &c->lim); /* vgpud checked too: trust nothing */
    if (st == VGPU_S_OK && test_fault(w, req)) {
        rsp->detail = WK_TEST_POISON_CODE;
        st = VGPU_S_CONTEXT_LOST;
    } else if (st == VGPU_S_OK) {
        st = wk__run_one(w, c, req, rsp, quota);
    }
    if (st == VGPU_S_CONTEXT_LOST)
        poisoned(w, rsp->detail);
    return st;
}

static bool gives_handle(uint16_t op)
{
    return op == VGPU_OP_MEM_ALLOC || op == VGPU_OP_MODULE_LOAD || op == VGPU_OP_MODULE_CHUNK ||
           op == VGPU_OP_FUNC_GET || op == VGPU_OP_FUNC_PARAMS;
}

/*
 * Wait until the job's work has run (it is charged for it, and copies into
 * the data area are done before the answer). An error of queued work
 * (asynchronous, as CUDA reports it) answers the job's last request, so
 * the guest learns of it; one that poisons the context ends the worker.
 */
static void end_sync(struct wk *w, struct vgpu_rsp *last)
{
    uint32_t detail = 0, st = (uint32_t)w->xops->sync(w->ctx, &detail);

    if (st == VGPU_S_CONTEXT_LOST) {
        poisoned(w, detail);
        memset(&last->u, 0, sizeof(last->u)); /* a handle it carried died with the context */
    } else if (st == VGPU_S_OK || last->status != VGPU_S_OK || gives_handle(last->op)) {
        return; /* a handle the guest got stays its own to free */
    }
    last->status = st;
    last->detail = detail;
}

/* Answer the job: its n + 1 responses in order, then wake vgpud if it sleeps. */
static void answer(struct wk *w, const struct vgpu_rsp *rsp, uint32_t n)
{
    uint64_t one = 1;
    uint32_t i;

    for (i = 0; i < n; i++)
        vgpu_back_put_rsp(&w->ring, &rsp[i]);
    if (vgpu_back_push(&w->ring) && write(VGPU_WORKER_FD_NOTIFY, &one, sizeof(one)) < 0 &&
        errno != EAGAIN)
        wk__log("notify: %s", strerror(errno));
}

/*
 * Run the job at req_cons; 0, -EPROTO when vgpud wrote what it never
 * writes, -ENOTRECOVERABLE once it is answered if the context was lost.
 */
static int run_job(struct wk *w, uint32_t ready)
{
    static struct vgpu_rsp rsp[JOB_MAX];
    struct vgpu_worker_job_done done = {0};
    struct vgpu_worker_job job;
    struct vgpu_req req;
    uint64_t start = wk__now();
    struct wk_chan *c;
    int n, i;

    vgpu_back_take_req(&w->ring, &req);
    if ((n = check_header(&req, ready, &job)) < 0)
        return n;
    memset(rsp, 0, sizeof(rsp[0]) * (size_t)(n + 1));
    rsp[0].id = req.id;
    rsp[0].op = req.op;
    c = wk__chan_find(w, job.chan);
    if (!c && wk__ctl_drain(w) >= 0) /* its data area may be in a message not yet read */
        c = wk__chan_find(w, job.chan);
    w->jobs++;
    wk__job_deadline_ns = job.deadline_ns;
    for (i = 1; i <= n; i++) {
        vgpu_back_take_req(&w->ring, &req);
        rsp[i].id = req.id;
        rsp[i].op = req.op;
        rsp[i].status = run_item(w, c, &req, &rsp[i], job.mem_quota);
    }
    if (n > 0 && rsp[n].op != VGPU_OP_SYNC && !w->lost_set)
        end_sync(w, &rsp[n]);
    done.mem_used = w->mem_charged;
    done.run_ns = wk__now() - start;
    done.gpu_ns = w->xops->gpu_time ? w->xops->gpu_time(w->ctx) : 0;
    done.lost = w->lost_set ? w->lost : 0;
    memcpy(rsp[0].u.raw, &done, sizeof(done));
    answer(w, rsp, (uint32_t)n + 1);
    return w->lost_set ? -ENOTRECOVERABLE : 0;
}

/* Sleep until vgpud kicks or writes a control message. */
static int sleep_on_kick(void)
{
    struct pollfd p[2] = {{.fd = VGPU_WORKER_FD_CTL, .events = POLLIN},
                          {.fd = VGPU_WORKER_FD_KICK, .events = POLLIN}};
    uint64_t v;

    if (poll(p, 2, -1) < 0 && errno != EINTR)
        return -errno;
    if (p[1].revents & POLLIN)
        (void)!read(VGPU_WORKER_FD_KICK, &v, sizeof(v));
    return 0;
}

int wk__serve(struct wk *w)
{
    uint64_t last = wk__now();
    uint32_t ready, spins = 0;
    int r;

    vgpu_back_disarm(&w->ring);
    for (;;) {
        if (!vgpu_back_snapshot(&w->ring, &ready))
            return -EPROTO;
        if (ready) {
            if ((r = run_job(w, ready)) < 0)
                return r;
            if ((r = wk__ctl_drain(w)) < 0) /* off the job's path: it was answered */
                return r;
            last = wk__now();
            spins = 0;
            continue;
        }
        if (wk__now() - last < w->poll_ns) {
            cpu_relax(&spins);
            continue;
        }
        if (vgpu_back_arm(&w->ring))
            continue;
        if ((r = sleep_on_kick()) < 0 || (r = wk__ctl_drain(w)) < 0)
            return r;
        vgpu_back_disarm(&w->ring);
        last = wk__now();
    }
}
