/* log_csv.c: execution log entries as CSV lines, formatted into the caller's buffer. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "vgpu_sched.h"

static int fit(int n, size_t len)
{
    if (n < 0 || (size_t)n >= len)
        return -ENOSPC;
    return n;
}

int vgpu_sched_log_csv_header(char *buf, size_t len)
{
    return fit(snprintf(buf, len,
                        "seq,job_id,vm_id,pool,priority,aged,overrun,"
                        "submit_ns,dispatch_ns,complete_ns\n"),
               len);
}

int vgpu_sched_log_csv_format(const struct vgpu_sched_log_entry *e, const char *pool, char *buf,
                              size_t len)
{
    return fit(snprintf(buf, len,
                        "%" PRIu64 ",%" PRIu64 ",%" PRIu32 ",%s,%u,%u,%u,%" PRIu64 ",%" PRIu64
                        ",%" PRIu64 "\n",
                        e->seq, e->job_id, e->vm_id, pool ? pool : "", (unsigned)e->priority,
                        (unsigned)e->aged, (unsigned)e->overrun, e->submit_ns, e->dispatch_ns,
                        e->complete_ns),
               len);
}
