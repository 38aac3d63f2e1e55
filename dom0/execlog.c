/* execlog.c: the execution log as CSV, one line per finished job (--exec-log). */
#include <errno.h>
#include <inttypes.h>
#include "vgpud.h"

#define EXECLOG_COLUMNS                                                                            \
    "seq,job_id,pool,vm_id,vm_name,priority,aged,channel,nreq,submit_ns,dispatch_ns,complete_ns,status"
#ifdef VGPUD_JOB_STAMPS /* bench/latency-split.sh's build: where each job's time went */
#define EXECLOG_HEADER                                                                             \
    EXECLOG_COLUMNS ",closed_ns,pushed_ns,answered_ns,wk_run_ns,drained_ns,answered_guest_ns\n"
#else
#define EXECLOG_HEADER EXECLOG_COLUMNS "\n"
#endif

int vgpu_be__execlog_open(struct vgpu_be *be)
{
    if (!be->cfg.exec_log)
        return 0;
    be->exec_log = fopen(be->cfg.exec_log, "w");
    if (!be->exec_log)
        return -errno;
    fputs(EXECLOG_HEADER, be->exec_log);
    fflush(be->exec_log);
    return 0;
}

/* Loop thread. Times are CLOCK_MONOTONIC ns; a cancelled job has dispatch_ns 0. */
void vgpu_be__execlog_write(struct vgpu_be *be, const struct vgpu_be_job *job)
{
    const struct vgpu_be_chan *c = job->chan;

    if (!be->exec_log)
        return;
    fprintf(be->exec_log,
            "%" PRIu64 ",%" PRIu64 ",%s,%u,%s,%u,%d,%s,%u,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%s",
            job->seq, job->sched_id, job->pool, c->vm->id.vm_id, c->vm->id.vm_name, job->priority,
            job->aged, c->d.label, job->n, job->submit_ns, job->dispatch_ns, job->complete_ns,
            vgpu_status_name((int)job->status));
#ifdef VGPUD_JOB_STAMPS
    fprintf(be->exec_log, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64,
            job->st_closed, job->st_pushed, job->st_answered, job->st_wk_run, job->st_drained,
            job->st_answered_guest);
#endif
    fputc('\n', be->exec_log);
    fflush(be->exec_log);
}
