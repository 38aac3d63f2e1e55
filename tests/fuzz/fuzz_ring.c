/* fuzz_ring.c: libFuzzer target over a channel's whole request consumer, ring to executor. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "vgpud.h"
#include "wk.h"

/*
 * The real code: vgpud's ring consumer (chan.c: snapshot, copy, validate,
 * gather jobs; chan_setup.c: attach, close; job.c: a job's life;
 * job_control.c: control requests and answers; vm.c) and the worker's
 * (wk_ops.c, wk_params.c, wk_upload.c, wk_chan.c on the CPU reference
 * executor and the PTX interpreter). The stand-ins, below: a transport whose
 * ring and data area are the input, and in place of the scheduler and the
 * job ring to the worker process, a scheduler that only queues, and a drain
 * that runs the job's items in this process as the worker would (copy,
 * check, run) and hands it back as the loop would.
 *
 * Input: 4 bytes of req_prod (index games included), then the ring's 32
 * request slots, then the data area (64 KiB, the rest zero). The channel
 * is kicked until it has nothing left to do, then detached.
 */

#define RING_ORDER 0u
#define DATA_SIZE  (64u << 10)
#define JOB_NS     (50ull * 1000000ull) /* a kernel's deadline: endless ones stop */

static struct vgpu_be be;
static struct wk wk;
static struct vgpu_exec *exec;
static int data_fd = -1;
static struct vgpu_be_job *done_head, *done_tail;
static bool released;

/* ---- Stand-ins for what the consumer calls outside itself ---- */

uint64_t vgpu_be_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t wk__now(void)
{
    return vgpu_be_now();
}

uint64_t wk__job_deadline_ns;

void vgpu_be_log(int level, const char *fmt, ...)
{
    (void)level;
    (void)fmt;
}

void vgpu_be_log_ratelimited(int level, const void *key, const char *fmt, ...)
{
    (void)level;
    (void)key;
    (void)fmt;
}

void wk__log(const char *fmt, ...)
{
    (void)fmt;
}

int vgpu_be__pool_ensure(struct vgpu_be *b, const char *name)
{
    (void)b;
    (void)name;
    return 0;
}

void vgpu_be__execlog_write(struct vgpu_be *b, const struct vgpu_be_job *job)
{
    (void)b;
    (void)job;
}

void vgpu_be__worker_chan_gone(struct vgpu_be *b, struct vgpu_be_vm *vm, struct vgpu_be_chan *c)
{
    (void)b;
    (void)vm;
    (void)c;
}

void vgpu_be__worker_retire(struct vgpu_be *b, struct vgpu_be_vm *vm)
{
    (void)b;
    (void)vm;
}

int vgpu_store_vm_find(struct vgpu_store *s, const char *uuid, struct vgpu_store_vm *out)
{
    (void)s;
    (void)uuid;
    (void)out;
    return -ENOENT;
}

int vgpu_sched_vm_info(const struct vgpu_sched *s, uint32_t vm_id, struct vgpu_sched_vm_info *out)
{
    (void)s;
    (void)vm_id;
    (void)out;
    return -ENOENT;
}

int vgpu_sched_vm_add(struct vgpu_sched *s, uint32_t vm_id, const char *pool, unsigned priority,
                      uint32_t weight)
{
    (void)s;
    (void)vm_id;
    (void)pool;
    (void)priority;
    (void)weight;
    return 0;
}

int vgpu_sched_vm_set_pool(struct vgpu_sched *s, uint32_t vm_id, const char *pool, uint64_t now)
{
    (void)s;
    (void)vm_id;
    (void)pool;
    (void)now;
    return 0;
}

int vgpu_sched_vm_set_priority(struct vgpu_sched *s, uint32_t vm_id, unsigned priority,
                               uint64_t now)
{
    (void)s;
    (void)vm_id;
    (void)priority;
    (void)now;
    return 0;
}

int vgpu_sched_vm_remove(struct vgpu_sched *s, uint32_t vm_id, uint64_t now,
                         vgpu_sched_job_fn *cancelled, void *arg)
{
    (void)s;
    (void)vm_id;
    (void)now;
    (void)cancelled;
    (void)arg;
    return -ENOENT;
}

int vgpu_sched_cancel(struct vgpu_sched *s, uint64_t job_id, uint64_t now, void **out)
{
    (void)s;
    (void)job_id;
    (void)now;
    (void)out;
    return -ENOENT;
}

/* Host buffers need the local transport, which the stand-in lacks: nothing is ever sent. */
int vgpu_be__worker_send(struct vgpu_be_worker *w, const struct vgpu_worker_msg *m, int fd)
{
    (void)w;
    (void)m;
    (void)fd;
    return -EPIPE;
}

/*
 * The scheduler and the worker hop: submit only queues the job (job.c holds be->lock around it);
 * drain() runs its items here, as wk_job.c does, and hands it back as the loop would.
 */
int vgpu_sched_submit(struct vgpu_sched *s, uint32_t vm_id, void *cookie, uint64_t now,
                      uint64_t *job_id)
{
    struct vgpu_be_job *job = cookie;

    (void)s;
    (void)vm_id;
    (void)now;
    *job_id = 0;
    job->finished = true; /* a close waits for it, as for a job a pool runs */
    job->next = NULL;
    if (done_tail)
        done_tail->next = job;
    else
        done_head = job;
    done_tail = job;
    return 0;
}

/* Never reached: vgpu_sched_vm_info() names no pool, so nothing is dispatched or run by a pool. */
struct vgpu_be_pool *vgpu_be__pool_find(struct vgpu_be *b, const char *name)
{
    (void)b;
    (void)name;
    return NULL;
}

int vgpu_sched_dispatch(struct vgpu_sched *s, const char *pool, uint64_t now,
                        struct vgpu_sched_job *out)
{
    (void)s;
    (void)pool;
    (void)now;
    (void)out;
    return -EAGAIN;
}

int vgpu_sched_complete(struct vgpu_sched *s, uint64_t job_id, uint64_t now)
{
    (void)s;
    (void)job_id;
    (void)now;
    return 0;
}

uint32_t vgpu_be__hop_get_worker(struct vgpu_be *b, struct vgpu_be_vm *vm,
                                 struct vgpu_be_worker **out)
{
    (void)b;
    (void)vm;
    *out = NULL;
    return VGPU_S_INTERNAL;
}

int vgpu_be__hop_attach(struct vgpu_be_worker *w, struct vgpu_be_chan *c,
                        const struct vgpu_be_job *job)
{
    (void)w;
    (void)c;
    (void)job;
    return -EPIPE;
}

uint32_t vgpu_be__hop_push(struct vgpu_be_worker *w, struct vgpu_be_job *job, uint32_t *next,
                           uint64_t deadline)
{
    (void)w;
    (void)job;
    (void)deadline;
    *next = job->n;
    return 0;
}

int vgpu_be__hop_wait(struct vgpu_be *b, struct vgpu_be_worker *w, uint32_t n, uint64_t deadline)
{
    (void)b;
    (void)w;
    (void)n;
    (void)deadline;
    return -EPIPE;
}

int vgpu_be__hop_take(struct vgpu_be *b, struct vgpu_be_worker *w, struct vgpu_be_job *job,
                      uint32_t n, uint32_t *lost)
{
    (void)b;
    (void)w;
    (void)job;
    (void)n;
    *lost = 0;
    return -EPROTO;
}

void vgpu_be__worker_lost(struct vgpu_be *b, struct vgpu_be_vm *vm, enum vgpu_be_loss loss,
                          const char *why)
{
    (void)b;
    (void)vm;
    (void)loss;
    (void)why;
}

/* The worker's side of a submitted job: its items run here, then it is complete. */
static void run_job(struct vgpu_be_job *job)
{
    struct wk_chan *c = wk__chan_find(&wk, job->chan->id);
    uint64_t quota = vgpu_be__vm_quota(&be, job->chan->vm);
    uint32_t i;

    wk__job_deadline_ns = vgpu_be_now() + JOB_NS;
    for (i = 0; i < job->n; i++) {
        struct vgpu_be_item *it = &job->items[i];
        if (!vgpu_be__job_item_to_worker(it))
            continue;
        it->rsp.status = (uint32_t)vgpu_proto_check_req(&it->req, &c->lim);
        if (it->rsp.status == VGPU_S_OK)
            it->rsp.status = wk__run_one(&wk, c, &it->req, &it->rsp, quota);
    }
    vgpu_be__job_answer(&be, job);
}

/* The loop's side: submitted jobs run, then back to their channel. True if there was one. */
static bool drain(void)
{
    struct vgpu_be_job *job = done_head;

    if (!job)
        return false;
    done_head = job->next;
    if (!done_head)
        done_tail = NULL;
    job->next = NULL;
    job->finished = false;
    run_job(job);
    vgpu_be__chan_job_done(job->chan, job);
    return true;
}

/* ---- The transport ---- */

static void t_notify(void *tctx)
{
    (void)tctx;
}

static void t_release(void *tctx)
{
    (void)tctx;
    released = true;
}

static const struct vgpu_be_chan_ops t_ops = {.notify = t_notify, .release = t_release};

static void setup(void)
{
    struct vgpu_exec_config xc = {.device = "", .cpu_mem_bytes = 64u << 20};
    char err[128];

    be.cfg.limits.max_ring_order = VGPU_RING_ORDER_MAX;
    be.cfg.limits.max_channels_per_vm = 4;
    be.cfg.default_quota = 16u << 20;
    pthread_mutex_init(&be.lock, NULL);
    wk.xops = &vgpu_exec_cpu_ops;
    if (wk.xops->open(&xc, &exec, err, sizeof(err)) != VGPU_S_OK)
        abort();
    wk.exec = exec;
    data_fd = memfd_create("fuzz-data", 0);
    if (data_fd < 0 || ftruncate(data_fd, DATA_SIZE) < 0)
        abort();
}

/* The worker's view of the channel: its own mapping of the same data area (wk_chan.c). */
static void worker_chan_add(uint64_t id)
{
    struct wk_chan *c = calloc(1, sizeof(*c));

    if (!c)
        abort();
    c->id = id;
    c->data = mmap(NULL, DATA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, data_fd, 0);
    if (c->data == MAP_FAILED)
        abort();
    c->data_size = DATA_SIZE;
    vgpu_proto_limits_default(&c->lim, DATA_SIZE);
    c->next = wk.chans;
    wk.chans = c;
}

/* Kick until nothing moves, then detach and let the running job finish the close. */
static void serve(struct vgpu_be_chan *c)
{
    int pass;

    for (pass = 0; pass < 64 && !released; pass++) {
        bool moved = vgpu_be__chan_poll(c);
        while (drain())
            moved = true;
        if (!moved)
            break;
    }
    if (!released)
        vgpu_be_chan_detach(c);
    while (drain())
        ;
}

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
    uint32_t nr = vgpu_ring_slots(RING_ORDER), detail;
    struct vgpu_be_chan_desc d = {.ring_order = RING_ORDER, .data_size = DATA_SIZE, .data_fd = -1};
    size_t ring_bytes = (size_t)nr * sizeof(union vgpu_slot), n;
    struct vgpu_sring *s;
    struct vgpu_be_chan *c;
    uint8_t *data;

    if (!exec)
        setup();
    s = calloc(1, vgpu_ring_bytes(RING_ORDER));
    data = mmap(NULL, DATA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, data_fd, 0);
    if (!s || data == MAP_FAILED)
        abort();
    memset(data, 0, DATA_SIZE);
    vgpu_sring_init(s);
    if (len >= 4) {
        memcpy(&s->req_prod, buf, 4);
        buf += 4;
        len -= 4;
    }
    n = len < ring_bytes ? len : ring_bytes;
    memcpy(s->ring, buf, n);
    buf += n;
    len -= n;
    memcpy(data, buf, len < DATA_SIZE ? len : DATA_SIZE);

    if (wk.xops->ctx_create(exec, 1, &wk.ctx, &detail) != VGPU_S_OK)
        abort();
    d.sring = s;
    d.data = data;
    d.ops = &t_ops;
    d.id.vm_id = 1;
    snprintf(d.id.pool, sizeof(d.id.pool), "A");
    snprintf(d.label, sizeof(d.label), "fuzz");
    released = false;
    if (vgpu_be_chan_attach(&be, &d, &c) == 0) {
        worker_chan_add(c->id);
        serve(c);
    }
    if (getenv("VGPU_FUZZ_RING_TRACE")) /* what the guest would read: to check seeds get deep */
        for (uint32_t i = 0; i < s->rsp_prod && i < nr; i++)
            fprintf(stderr, "rsp %u: id %llu op %u status %u handle 0x%llx\n", i,
                    (unsigned long long)s->ring[i].rsp.id, s->ring[i].rsp.op, s->ring[i].rsp.status,
                    (unsigned long long)s->ring[i].rsp.u.handle);
    wk__chans_free(&wk);
    vgpu_memtab_free(&wk.mem);
    wk.mem_charged = 0;
    wk.xops->ctx_destroy(wk.ctx);
    wk.ctx = NULL;
    munmap(data, DATA_SIZE);
    free(s);
    return 0;
}
