/* worker_life.c: a worker's end: lost (killed at the limit, crashed), retired, reaped; its state.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>
#include "vgpud.h"

static void describe(int status, enum vgpu_be_loss loss, char *buf, size_t len)
{
    if (loss == VGPU_BE_LOSS_LIMIT)
        snprintf(buf, len, "was killed: a job ran over its pool's time limit");
    else if (loss == VGPU_BE_LOSS_FAULT)
        snprintf(buf, len, "ended: a GPU fault poisoned its context");
    else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
        snprintf(buf, len, "was killed by its system-call filter (SIGSYS)");
    else if (WIFSIGNALED(status))
        snprintf(buf, len, "died of signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
}

void vgpu_be__worker_lost(struct vgpu_be *be, struct vgpu_be_vm *vm, enum vgpu_be_loss loss,
                          const char *why)
{
    struct vgpu_be_worker *w;
    char what[96];
    int status;

    pthread_mutex_lock(&be->lock);
    w = vm->worker;
    vm->worker = NULL;
    vm->gen++; /* jobs made before now are answered CONTEXT_LOST */
    vm->mem_used = 0;
    vm->wk_lost = true;
    if (loss == VGPU_BE_LOSS_LIMIT)
        vm->wk_kills++;
    else if (loss == VGPU_BE_LOSS_FAULT)
        vm->wk_faults++;
    else
        vm->wk_crashes++;
    pthread_mutex_unlock(&be->lock);
    if (!w)
        return;
    status = vgpu_be__worker_kill(w);
    describe(status, loss, what, sizeof(what));
    /* Faults apart: a VM's first GPU fault is logged even after a kill. */
    vgpu_be_log_ratelimited(
        LOG_WARNING, loss == VGPU_BE_LOSS_FAULT ? &vm->wk_faults : &vm->wk_kills,
        "VM %u: worker %d %s (%s): its context is lost; its running and "
        "queued jobs are answered CONTEXT_LOST, its next request starts a new worker",
        vm->id.vm_id, (int)w->pid, what, why);
    vgpu_be__worker_free(w);
}

static void send_msg(struct vgpu_be_worker *w, const struct vgpu_worker_msg *m)
{
    if (send(w->ctl, m, sizeof(*m), MSG_DONTWAIT | MSG_NOSIGNAL) != sizeof(*m))
        vgpu_be_log_ratelimited(LOG_WARNING, w, "worker %d: control message not delivered: %s",
                                (int)w->pid, strerror(errno));
}

void vgpu_be__worker_chan_gone(struct vgpu_be *be, struct vgpu_be_vm *vm, struct vgpu_be_chan *c)
{
    struct vgpu_worker_msg m;

    memset(&m, 0, sizeof(m));
    m.type = VGPU_WMSG_CHAN_DEL;
    m.chan = c->id;
    /* Under be->lock: a pool thread swaps the worker (and closes the old one's fds) only under it.
     */
    pthread_mutex_lock(&be->lock);
    if (vm->worker && c->wk_serial == vm->worker->serial)
        send_msg(vm->worker, &m);
    pthread_mutex_unlock(&be->lock);
}

static void unlink_retired(struct vgpu_be *be, struct vgpu_be_worker *w)
{
    struct vgpu_be_worker **p;

    for (p = &be->retired; *p; p = &(*p)->next)
        if (*p == w) {
            *p = w->next;
            return;
        }
}

/* Loop: a retired worker ended; reap it. */
static void on_retired_exit(void *ctx, uint32_t events)
{
    struct vgpu_be_worker *w = ctx;
    struct vgpu_be *be = w->be;
    int status = 0;

    (void)events;
    if (waitpid(w->pid, &status, WNOHANG) <= 0)
        return;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        vgpu_be_log(LOG_NOTICE, "VM %u: worker %d ended after its last channel (status 0x%x)",
                    w->vm_id, (int)w->pid, (unsigned)status);
    vgpu_be_loop_del(be->loop, w->pidfd);
    unlink_retired(be, w);
    vgpu_be__worker_free(w);
}

void vgpu_be__worker_retire(struct vgpu_be *be, struct vgpu_be_vm *vm)
{
    struct vgpu_be_worker *w;

    pthread_mutex_lock(&be->lock);
    w = vm->worker;
    vm->worker = NULL;
    vm->mem_used = 0;
    pthread_mutex_unlock(&be->lock);
    if (!w)
        return;
    /* Its control socket closes: it frees its context and exits; the loop reaps it. */
    close(w->ctl);
    w->ctl = -1;
    w->next = be->retired;
    be->retired = w;
    if (vgpu_be_loop_add(be->loop, w->pidfd, EPOLLIN, on_retired_exit, w) < 0) {
        unlink_retired(be, w);
        vgpu_be__worker_kill(w);
        vgpu_be__worker_free(w);
    }
}

void vgpu_be__workers_abort(struct vgpu_be *be)
{
    struct vgpu_be_vm *vm;

    pthread_mutex_lock(&be->lock);
    for (vm = be->vms; vm; vm = vm->next)
        if (vm->worker) /* not reaped while it is here: the pid is still its own */
            kill(vm->worker->pid, SIGKILL);
    pthread_mutex_unlock(&be->lock);
}

void vgpu_be__workers_stop(struct vgpu_be *be)
{
    struct vgpu_be_vm *vm;
    struct vgpu_be_worker *w;

    for (vm = be->vms; vm; vm = vm->next)
        vgpu_be__worker_retire(be, vm);
    while ((w = be->retired)) {
        vgpu_be_loop_del(be->loop, w->pidfd);
        be->retired = w->next;
        vgpu_be__worker_kill(w);
        vgpu_be__worker_free(w);
    }
}

const char *vgpu_be__worker_state(const struct vgpu_be_vm *vm)
{
    struct pollfd p;

    if (vm->starting)
        return "starting";
    if (!vm->worker)
        return "none";
    p.fd = vm->worker->pidfd;
    p.events = POLLIN;
    if (poll(&p, 1, 0) == 1) /* ended while idle: its next job finds out */
        return "exited";
    return vm->running ? "running" : "idle";
}
