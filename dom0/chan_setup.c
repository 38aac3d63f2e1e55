/* chan_setup.c: a channel's life: attach, close (detach or protocol violation), release. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include "vgpud.h"

int vgpu_be_chan_attach(struct vgpu_be *be, const struct vgpu_be_chan_desc *d,
                        struct vgpu_be_chan **out)
{
    uint32_t nr = vgpu_ring_slots(d->ring_order);
    struct vgpu_be_vm *existing;
    struct vgpu_be_chan *c;
    int r;

    if (nr == 0 || d->ring_order > be->cfg.limits.max_ring_order)
        return -EINVAL;
    existing = vgpu_be__vm_by_id(be, d->id.vm_id);
    if (existing && existing->nchan >= be->cfg.limits.max_channels_per_vm)
        return -EMFILE;
    c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    r = vgpu_be__vm_get(be, &d->id, &c->vm);
    if (r < 0) {
        free(c);
        return r;
    }
    c->be = be;
    c->d = *d;
    pthread_mutex_init(&c->hb_lock, NULL);
    c->id = ++be->chan_ids;
    vgpu_back_init(&c->ring, d->sring, nr);
    vgpu_proto_limits_default(&c->lim, d->data_size);
    c->state = CHAN_OPEN;
    c->next = be->chans;
    be->chans = c;
    /* Per VM, at most a line a second: a guest that opens and closes channels in a loop
     * cannot flood the log (issue 16). */
    vgpu_be_log_ratelimited(LOG_INFO, &c->vm->nchan,
                            "%s: channel up for VM %u (%s) in pool %s, "
                            "priority %d",
                            d->label, d->id.vm_id, d->id.vm_name[0] ? d->id.vm_name : d->id.vm_uuid,
                            d->id.pool, d->id.priority);
    *out = c;
    if (!be->armed)
        vgpu_back_disarm(&c->ring);
    /* Requests already in the ring are served by the loop's next pass, after this
     * event: attach never closes (or releases) the channel it returns. */
    return 0;
}

static void free_jobs(struct vgpu_be_job *job)
{
    while (job) {
        struct vgpu_be_job *next = job->next;
        vgpu_be__job_free(job);
        job = next;
    }
}

/* Withdraw the in-flight job if still queued. True if none is left running. */
static bool cancel_inflight(struct vgpu_be_chan *c)
{
    struct vgpu_be *be = c->be;
    struct vgpu_be_job *job = c->inflight;
    int r;

    if (!job)
        return true;
    pthread_mutex_lock(&be->lock);
    /* Running, or finished but not yet drained: its completion finishes the close. */
    r = job->running || job->finished
            ? -EBUSY
            : vgpu_sched_cancel(be->sched, job->sched_id, vgpu_be_now(), NULL);
    pthread_mutex_unlock(&be->lock);
    if (r == -EBUSY)
        return false;
    c->inflight = NULL;
    vgpu_be__job_free(job);
    return true;
}

static void unlink_chan(struct vgpu_be_chan *c)
{
    struct vgpu_be_chan **p;

    for (p = &c->be->chans; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            return;
        }
}

/* Everything the guest gave us goes back; the VM's resources held by c are freed. */
static void finalize(struct vgpu_be_chan *c)
{
    unlink_chan(c);
    vgpu_be__vm_release_chan(c->be, c->vm, c); /* its worker unmaps the host buffers */
    vgpu_be__hostbuf_free_all(c);
    c->d.ops->release(c->d.tctx);
    pthread_mutex_destroy(&c->hb_lock);
    free(c);
}

void vgpu_be__chan_close(struct vgpu_be_chan *c, const char *why)
{
    if (c->state == CHAN_OPEN) {
        c->state = CHAN_CLOSING;
        if (why)
            vgpu_be_log_ratelimited(LOG_WARNING, c->vm, "%s: channel closed: %s", c->d.label, why);
        else
            vgpu_be_log_ratelimited(LOG_INFO, &c->vm->requests, "%s: channel closed", c->d.label);
        vgpu_be__job_free(c->cur);
        c->cur = NULL;
        free_jobs(c->pending_head);
        c->pending_head = c->pending_tail = NULL;
    }
    if (cancel_inflight(c))
        finalize(c);
}

void vgpu_be_chan_detach(struct vgpu_be_chan *c)
{
    vgpu_be__chan_close(c, NULL);
}

/* Shutdown: answer everything not yet run with VGPU_S_SHUTDOWN, then close. */
void vgpu_be__chan_shutdown(struct vgpu_be_chan *c)
{
    struct vgpu_be *be = c->be;
    struct vgpu_be_job *job;

    if (c->state != CHAN_OPEN)
        return;
    if (c->cur)
        vgpu_be__chan_queue_cur(c);
    if (c->inflight) {
        pthread_mutex_lock(&be->lock);
        if (!c->inflight->running && !c->inflight->finished &&
            vgpu_sched_cancel(be->sched, c->inflight->sched_id, vgpu_be_now(), NULL) == 0) {
            vgpu_be__chan_fail_job(c, c->inflight, VGPU_S_SHUTDOWN);
            vgpu_be__job_free(c->inflight);
            c->inflight = NULL;
        }
        pthread_mutex_unlock(&be->lock);
    }
    for (job = c->pending_head; job; job = job->next)
        vgpu_be__chan_fail_job(c, job, VGPU_S_SHUTDOWN);
    vgpu_be__chan_close(c, NULL);
}
