/* log.c: the execution log, a bounded ring of dispatch records. */
#include <errno.h>
#include <stdlib.h>

#include "sched_int.h"

int vgpu_sched__log_init(struct vgpu_sched__log *log, size_t cap)
{
    log->e = calloc(cap, sizeof(*log->e));
    if (!log->e)
        return -ENOMEM;
    log->cap = cap;
    log->head = log->tail = log->dropped = 0;
    return 0;
}

void vgpu_sched__log_free(struct vgpu_sched__log *log)
{
    free(log->e);
    log->e = NULL;
    log->cap = 0;
}

static struct vgpu_sched_log_entry *slot(const struct vgpu_sched__log *log, uint64_t seq)
{
    return &log->e[seq % log->cap];
}

/* Record a dispatch, overwriting the oldest entry when full; returns its seq. */
uint64_t vgpu_sched__log_append(struct vgpu_sched__log *log, const struct vgpu_sched__job *j)
{
    struct vgpu_sched_log_entry *e;

    if (log->tail - log->head == log->cap) {
        log->head++;
        log->dropped++;
    }
    e = slot(log, log->tail);
    *e = (struct vgpu_sched_log_entry){
        .seq = log->tail,
        .job_id = j->link.key,
        .vm_id = j->vm_id,
        .pool_index = j->pool->index,
        .priority = j->priority,
        .aged = j->aged,
        .overrun = j->overrun,
        .submit_ns = j->submit_ns,
        .dispatch_ns = j->dispatch_ns,
    };
    return log->tail++;
}

/* Refresh the job's entry, if still kept: overrun flag, and completion if nonzero. */
void vgpu_sched__log_update(struct vgpu_sched__log *log, const struct vgpu_sched__job *j,
                            uint64_t complete_ns)
{
    struct vgpu_sched_log_entry *e;

    if (j->log_seq < log->head || j->log_seq >= log->tail)
        return;
    e = slot(log, j->log_seq);
    e->overrun = j->overrun;
    if (complete_ns)
        e->complete_ns = complete_ns;
}

size_t vgpu_sched_log_count(const struct vgpu_sched *s)
{
    return (size_t)(s->log.tail - s->log.head);
}

size_t vgpu_sched_log_drain(struct vgpu_sched *s, struct vgpu_sched_log_entry *out, size_t max)
{
    size_t n = vgpu_sched_log_count(s);

    if (n > max)
        n = max;
    for (size_t i = 0; i < n; i++)
        out[i] = *slot(&s->log, s->log.head + i);
    s->log.head += n;
    return n;
}

int vgpu_sched_log_peek(const struct vgpu_sched *s, size_t i, struct vgpu_sched_log_entry *out)
{
    if (i >= vgpu_sched_log_count(s))
        return -ENOENT;
    *out = *slot(&s->log, s->log.head + i);
    return 0;
}

uint64_t vgpu_sched_log_dropped(const struct vgpu_sched *s)
{
    return s->log.dropped;
}
