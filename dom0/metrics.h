/* metrics.h: vgpud's Prometheus endpoint: the HTTP server (metrics.c) and the text format
 * (metrics_text.c). */
#ifndef VGPUD_METRICS_H
#define VGPUD_METRICS_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#define VGPU_METRICS_DEFAULT_PORT 9464

/*
 * Histogram bounds, in ns: 2^k - 1 for k = 10, 12, ..., 34 (about 1 us to
 * 17 s, times four each step). They are edges of the scheduler's own
 * buckets, so the cumulative counts are exact (sched/vgpu_sched.h).
 */
#define VGPU_METRICS_NBOUNDS 13
uint64_t vgpu_metrics_bound_ns(unsigned i);

/*
 * Format vgpud's status (the control socket's "status" object; each pool and
 * VM object may carry "wait_hist" and "run_hist": {"le": [VGPU_METRICS_NBOUNDS
 * cumulative counts], "sum_ns": N, "count": N}) as Prometheus text exposition
 * format 0.0.4. *out is malloc'ed, NUL-terminated, *len bytes; the caller frees
 * it. version labels vgpud_info. Returns 0 or -ENOMEM.
 */
int vgpu_metrics_format(json_object *status, const char *version, char **out, size_t *len);

#endif /* VGPUD_METRICS_H */
