/* worker_hop.c: the steps of a job's trip to its VM's worker and back, over the job ring. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>
#include "vgpud.h"

#define START_WAIT_NS (30ull * 1000000000ull) /* a worker's executor and context set-up */

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

uint32_t vgpu_be__hop_get_worker(struct vgpu_be *be, struct vgpu_be_vm *vm,
                                 struct vgpu_be_worker **out)
{
    struct vgpu_worker_msg m;
    struct vgpu_be_worker *w;
    char pool[sizeof(vm->id.pool)], dev[VGPUD_DEVICE_MAX];
    uint32_t vm_id;
    int r;

    pthread_mutex_lock(&vm->lock); /* the loop rewrites vm->id when a channel attaches */
    vm_id = vm->id.vm_id;
    pthread_mutex_unlock(&vm->lock);
    pthread_mutex_lock(&be->lock);
    w = vm->worker;
    vm->starting = !w;
    pthread_mutex_unlock(&be->lock);
    if ((*out = w))
        return VGPU_S_OK;
    pthread_mutex_lock(&vm->lock);
    snprintf(pool, sizeof(pool), "%s", vm->id.pool);
    pthread_mutex_unlock(&vm->lock);
    vgpu_be__pool_device(be, pool, dev, sizeof(dev)); /* the pool's GPU or MIG instance */
    r = vgpu_be__worker_spawn(be, vm, dev, false, vgpu_be_now() + START_WAIT_NS, &w, &m);
    if (r == 0 && m.status != VGPU_S_OK) {
        vgpu_be_log_ratelimited(LOG_ERR, &vm->wk_crashes,
                                "VM %u: its worker cannot create a "
                                "context: %s (code %u)",
                                vm_id, vgpu_strerror((int)m.status), m.detail);
        vgpu_be__worker_kill(w);
        vgpu_be__worker_free(w);
        r = -ENODEV;
    } else if (r < 0) {
        vgpu_be_log_ratelimited(LOG_ERR, &vm->wk_crashes, "VM %u: cannot start its worker: %s",
                                vm_id, strerror(-r));
    }
    pthread_mutex_lock(&be->lock);
    vm->starting = false;
    if (r == 0) {
        vm->worker = w;
        vm->wk_pid = w->pid;
        snprintf(vm->wk_device, sizeof(vm->wk_device), "%s", dev);
        vm->wk_starts++;
        vm->wk_restarts += vm->wk_lost;
        vm->wk_lost = false;
    }
    pthread_mutex_unlock(&be->lock);
    *out = r == 0 ? w : NULL;
    return r == 0 ? VGPU_S_OK : r == -ENODEV ? m.status : VGPU_S_NO_DEVICE;
}

int vgpu_be__worker_send(struct vgpu_be_worker *w, const struct vgpu_worker_msg *m, int fd)
{
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {.iov_base = (void *)m, .iov_len = sizeof(*m)};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
    struct cmsghdr *cm;

    memset(cbuf, 0, sizeof(cbuf));
    cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    return sendmsg(w->ctl, &msg, MSG_NOSIGNAL) == sizeof(*m) ? 0 : -EPIPE;
}

int vgpu_be__hop_attach(struct vgpu_be_worker *w, struct vgpu_be_chan *c,
                        const struct vgpu_be_job *job)
{
    struct vgpu_worker_msg m;

    if (c->wk_serial != w->serial) {
        if (c->d.data_fd < 0)
            return -ENOTSUP;
        memset(&m, 0, sizeof(m));
        m.type = VGPU_WMSG_CHAN_ADD;
        m.chan = c->id;
        m.data_off = c->d.data_fd_off;
        m.data_size = c->d.data_size;
        if (vgpu_be__worker_send(w, &m, c->d.data_fd) < 0)
            return -EPIPE;
        c->wk_serial = w->serial;
    }
    return vgpu_be__hostbuf_attach(w, c, job);
}

uint32_t vgpu_be__hop_push(struct vgpu_be_worker *w, struct vgpu_be_job *job, uint32_t *next,
                           uint64_t deadline)
{
    struct vgpu_worker_job hdr = {.chan = job->chan->id,
                                  .deadline_ns = deadline == UINT64_MAX ? 0 : deadline};
    struct vgpu_req *slot = vgpu_front_next_req(&w->ring), *head = slot;
    uint32_t n = 0, room = vgpu_front_free(&w->ring);
    uint64_t one = 1;

    memset(head, 0, sizeof(*head));
    head->op = VGPU_WOP_JOB;
    pthread_mutex_lock(&job->chan->vm->lock);
    hdr.mem_quota = vgpu_be__vm_quota(job->chan->be, job->chan->vm);
    pthread_mutex_unlock(&job->chan->vm->lock);
    for (; *next < job->n && n + 1 < room; (*next)++) {
        if (!vgpu_be__job_item_to_worker(&job->items[*next]))
            continue;
        slot = vgpu_front_next_req(&w->ring);
        *slot = job->items[*next].req;
        slot->id = *next; /* ours: the answer must name the item it answers */
        n++;
    }
    hdr.n = n;
    memcpy(head->u.raw, &hdr, sizeof(hdr));
    if (vgpu_front_push(&w->ring) && write(w->kick, &one, sizeof(one)) < 0 && errno != EAGAIN)
        vgpu_be_log_ratelimited(LOG_ERR, w, "worker %d: kick: %s", (int)w->pid, strerror(errno));
    return n + 1;
}

/* Sleep until the worker answers, ends or the deadline passes. -EPIPE if it ended. */
static int sleep_on(struct vgpu_be_worker *w, uint64_t deadline, uint64_t now)
{
    struct pollfd p[2] = {{.fd = w->notify, .events = POLLIN}, {.fd = w->pidfd, .events = POLLIN}};
    uint64_t ms = (deadline - now) / 1000000 + 1, v;

    if (poll(p, 2, ms > INT_MAX ? INT_MAX : (int)ms) < 0 && errno != EINTR)
        return -errno;
    if (p[0].revents & POLLIN)
        (void)!read(w->notify, &v, sizeof(v));
    return (p[1].revents & POLLIN) ? -EPIPE : 0;
}

int vgpu_be__hop_wait(struct vgpu_be *be, struct vgpu_be_worker *w, uint32_t n, uint64_t deadline)
{
    uint64_t now = vgpu_be_now(), spin_end = now + be->cfg.poll_ns;
    uint32_t ready, spins = 0;
    int r = 0;

    vgpu_front_disarm(&w->ring);
    for (;;) {
        if (!vgpu_front_snapshot(&w->ring, &ready))
            return -EPROTO;
        if (ready >= n)
            return 0;
        if (r < 0)
            return r; /* ended without answering */
        if ((now = vgpu_be_now()) >= deadline)
            return -ETIMEDOUT;
        if (now < spin_end) {
            cpu_relax(&spins);
            continue;
        }
        if (!vgpu_front_arm(&w->ring))
            r = sleep_on(w, deadline, now);
    }
}

int vgpu_be__hop_take(struct vgpu_be *be, struct vgpu_be_worker *w, struct vgpu_be_job *job,
                      uint32_t n, uint32_t *lost)
{
    struct vgpu_worker_job_done done;
    struct vgpu_rsp rsp;
    uint32_t k;

    vgpu_front_take_rsp(&w->ring, &rsp);
    if (rsp.op != VGPU_WOP_JOB)
        return -EPROTO;
    memcpy(&done, rsp.u.raw, sizeof(done));
    pthread_mutex_lock(&be->lock);
    job->chan->vm->mem_used = done.mem_used;
    job->chan->vm->gpu_ns += done.gpu_ns;
    pthread_mutex_unlock(&be->lock);
    *lost = done.lost;
#ifdef VGPUD_JOB_STAMPS
    job->st_wk_run = done.run_ns;
#endif
    for (k = 1; k < n; k++) {
        struct vgpu_be_item *it;
        vgpu_front_take_rsp(&w->ring, &rsp);
        if (rsp.id >= job->n || rsp.op != job->items[rsp.id].req.op ||
            !vgpu_be__job_item_to_worker(&job->items[rsp.id]))
            return -EPROTO;
        it = &job->items[rsp.id];
        it->rsp = rsp;
        it->rsp.flags = 0;
        it->rsp.rsvd0 = 0;
        if (rsp.status >= VGPU_S_COUNT_)
            it->rsp.status = VGPU_S_INTERNAL;
    }
    return 0;
}
