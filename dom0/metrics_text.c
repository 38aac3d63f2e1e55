/* metrics_text.c: vgpud's status as Prometheus text exposition format (no I/O, no daemon state). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "metrics.h"

enum unit {
    AS_IS,   /* the value as it is (counts, bytes) */
    NS_TO_S, /* nanoseconds shown as seconds */
};

/* One metric family taken from one numeric field of each pool or VM object. */
struct family {
    const char *name;
    const char *type;
    const char *field; /* "key", or "object.key" for a field of a nested object */
    enum unit unit;
    bool skip_zero; /* 0 means "not set" (memory quota) */
    const char *help;
};

static const struct family pool_families[] = {
    {"vgpu_pool_jobs_submitted_total", "counter", "submitted", AS_IS, false,
     "Jobs submitted to the pool's queue."},
    {"vgpu_pool_jobs_completed_total", "counter", "completed", AS_IS, false,
     "Jobs of the pool that ran to completion (whatever their requests' status)."},
    {"vgpu_pool_jobs_cancelled_total", "counter", "cancelled", AS_IS, false,
     "Queued jobs of the pool withdrawn before they ran (VM removed, channel closed)."},
    {"vgpu_pool_budget_overruns_total", "counter", "overruns", AS_IS, false,
     "Jobs that ran longer than the pool's time budget (--policy budget-ms)."},
    {"vgpu_pool_queue_depth", "gauge", "queued", AS_IS, false, "Jobs waiting in the pool now."},
    {"vgpu_pool_queue_depth_max", "gauge", "max_queued", AS_IS, false,
     "Most jobs ever waiting in the pool at once."},
    {"vgpu_pool_busy_seconds_total", "counter", "busy_ns", NS_TO_S, false,
     "Time the pool was running a job."},
    {"vgpu_pool_job_limit_seconds", "gauge", "job_limit_ns", NS_TO_S, true,
     "The pool's hard limit per job (vgpuctl set-pool-limit); absent when it has none."},
};

static const struct family vm_families[] = {
    {"vgpu_vm_jobs_submitted_total", "counter", "submitted", AS_IS, false,
     "Jobs the VM submitted to the scheduler."},
    {"vgpu_vm_jobs_completed_total", "counter", "completed", AS_IS, false,
     "Jobs of the VM that ran to completion."},
    {"vgpu_vm_jobs_cancelled_total", "counter", "cancelled", AS_IS, false,
     "Jobs of the VM withdrawn before they ran."},
    {"vgpu_vm_budget_overruns_total", "counter", "overruns", AS_IS, false,
     "Jobs of the VM that ran longer than its pool's time budget."},
    {"vgpu_vm_requests_total", "counter", "requests", AS_IS, false,
     "Ring requests of the VM answered."},
    {"vgpu_vm_requests_failed_total", "counter", "failed", AS_IS, false,
     "Ring requests of the VM answered with an error status."},
    {"vgpu_vm_queue_depth", "gauge", "queued", AS_IS, false, "Jobs of the VM waiting now."},
    {"vgpu_vm_channels", "gauge", "channels", AS_IS, false, "Channels the VM has open."},
    {"vgpu_vm_priority", "gauge", "priority", AS_IS, false,
     "The VM's priority: 0 low, 1 medium, 2 high."},
    {"vgpu_vm_memory_used_bytes", "gauge", "mem_used", AS_IS, false,
     "Device memory the VM has allocated."},
    {"vgpu_vm_memory_quota_bytes", "gauge", "mem_quota", AS_IS, true,
     "The VM's device memory quota (absent when it has none)."},
    {"vgpu_vm_kicks_total", "counter", "kicks", AS_IS, false,
     "Kicks (eventfd or event channel) from the VM's channels that vgpud acted on; "
     "kicks ignored during a throttle are not counted."},
    {"vgpu_vm_kick_throttles_total", "counter", "throttles", AS_IS, false,
     "Times a channel of the VM had its kicks ignored for a window (event storm)."},
    {"vgpu_vm_worker_starts_total", "counter", "worker.starts", AS_IS, false,
     "Worker processes started for the VM."},
    {"vgpu_vm_worker_restarts_total", "counter", "worker.restarts", AS_IS, false,
     "Worker processes started for the VM after one was lost."},
    {"vgpu_vm_worker_kills_total", "counter", "worker.kills", AS_IS, false,
     "The VM's workers killed by vgpud (a job past its pool's hard limit)."},
    {"vgpu_vm_worker_crashes_total", "counter", "worker.crashes", AS_IS, false,
     "The VM's workers that died on their own (crash, signal, seccomp)."},
    {"vgpu_vm_worker_faults_total", "counter", "worker.faults", AS_IS, false,
     "The VM's workers replaced after a GPU fault poisoned their context."},
    {"vgpu_vm_gpu_seconds_total", "counter", "worker.gpu_ns", NS_TO_S, false,
     "Device time of the VM's work, measured with GPU events (0 on the CPU executor)."},
};

static const char *const hist_kinds[][3] = {
    /* status key, metric suffix, help */
    {"wait_hist", "wait_seconds", "Time a job waited in the queue (submit to dispatch)."},
    {"run_hist", "run_seconds", "Time a job ran (dispatch to completion)."},
};

uint64_t vgpu_metrics_bound_ns(unsigned i)
{
    return (1ull << (10 + 2 * i)) - 1;
}

static void put_seconds(FILE *f, uint64_t ns)
{
    fprintf(f, "%llu.%09llu", (unsigned long long)(ns / 1000000000ull),
            (unsigned long long)(ns % 1000000000ull));
}

/* A label value with \, " and newline escaped as the text format requires. */
static void put_escaped(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            fputc('\\', f);
        if (*s == '\n')
            fputs("\\n", f);
        else
            fputc(*s, f);
    }
}

static const char *str_field(json_object *o, const char *key)
{
    json_object *v;

    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return "";
    return json_object_get_string(v);
}

/* A numeric field: "key", or "object.key" inside a nested object. */
static bool u64_field(json_object *o, const char *key, uint64_t *out)
{
    const char *dot = strchr(key, '.');
    json_object *v;
    char outer[32];

    if (dot && (size_t)(dot - key) < sizeof(outer)) {
        memcpy(outer, key, (size_t)(dot - key));
        outer[dot - key] = '\0';
        if (!json_object_object_get_ex(o, outer, &o) || !json_object_is_type(o, json_type_object))
            return false;
        key = dot + 1;
    }
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
        return false;
    *out = (uint64_t)json_object_get_int64(v);
    return true;
}

/* The labels of a pool or VM object, without braces. */
static void put_labels(FILE *f, json_object *o, bool is_vm)
{
    uint64_t id = 0;

    if (is_vm) {
        u64_field(o, "vm_id", &id);
        fprintf(f, "vm_id=\"%llu\",vm=\"", (unsigned long long)id);
        put_escaped(f, str_field(o, "name"));
        fputs("\",pool=\"", f);
        put_escaped(f, str_field(o, "pool"));
    } else {
        fputs("pool=\"", f);
        put_escaped(f, str_field(o, "name"));
    }
    fputc('"', f);
}

static json_object *array_field(json_object *status, const char *key)
{
    json_object *a;

    if (!json_object_object_get_ex(status, key, &a) || !json_object_is_type(a, json_type_array))
        return NULL;
    return a;
}

static bool family_present(json_object *arr, const struct family *fam)
{
    uint64_t v;

    for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
        if (u64_field(json_object_array_get_idx(arr, i), fam->field, &v) && !(fam->skip_zero && !v))
            return true;
    return false;
}

static void put_family(FILE *f, json_object *arr, const struct family *fam, bool is_vm)
{
    uint64_t v;

    if (!family_present(arr, fam))
        return;
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", fam->name, fam->help, fam->name, fam->type);
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        json_object *o = json_object_array_get_idx(arr, i);
        if (!u64_field(o, fam->field, &v) || (fam->skip_zero && !v))
            continue;
        fprintf(f, "%s{", fam->name);
        put_labels(f, o, is_vm);
        fputs("} ", f);
        if (fam->unit == NS_TO_S)
            put_seconds(f, v);
        else
            fprintf(f, "%llu", (unsigned long long)v);
        fputc('\n', f);
    }
}

/* One object's histogram lines; false if it has none (or a malformed one). */
static bool put_hist(FILE *f, const char *name, json_object *o, const char *key, bool is_vm)
{
    json_object *h, *le;
    uint64_t sum = 0, count = 0;

    if (!json_object_object_get_ex(o, key, &h) || !json_object_object_get_ex(h, "le", &le) ||
        json_object_array_length(le) != VGPU_METRICS_NBOUNDS || !u64_field(h, "sum_ns", &sum) ||
        !u64_field(h, "count", &count))
        return false;
    for (unsigned i = 0; i <= VGPU_METRICS_NBOUNDS; i++) {
        fprintf(f, "%s_bucket{", name);
        put_labels(f, o, is_vm);
        fputs(",le=\"", f);
        if (i < VGPU_METRICS_NBOUNDS)
            put_seconds(f, vgpu_metrics_bound_ns(i));
        else
            fputs("+Inf", f);
        fprintf(f, "\"} %llu\n",
                (unsigned long long)(i < VGPU_METRICS_NBOUNDS
                                         ? (uint64_t)json_object_get_int64(
                                               json_object_array_get_idx(le, i))
                                         : count));
    }
    fprintf(f, "%s_sum{", name);
    put_labels(f, o, is_vm);
    fputs("} ", f);
    put_seconds(f, sum);
    fprintf(f, "\n%s_count{", name);
    put_labels(f, o, is_vm);
    fprintf(f, "} %llu\n", (unsigned long long)count);
    return true;
}

static void put_histograms(FILE *f, json_object *arr, const char *prefix, bool is_vm)
{
    char name[64];

    for (size_t k = 0; k < sizeof(hist_kinds) / sizeof(hist_kinds[0]); k++) {
        snprintf(name, sizeof(name), "%s_%s", prefix, hist_kinds[k][1]);
        fprintf(f, "# HELP %s %s\n# TYPE %s histogram\n", name, hist_kinds[k][2], name);
        for (size_t i = 0; arr && i < json_object_array_length(arr); i++)
            put_hist(f, name, json_object_array_get_idx(arr, i), hist_kinds[k][0], is_vm);
    }
}

static void put_pool_running(FILE *f, json_object *pools)
{
    json_object *r;

    fputs("# HELP vgpu_pool_running 1 while the pool runs a job, else 0.\n"
          "# TYPE vgpu_pool_running gauge\n",
          f);
    for (size_t i = 0; pools && i < json_object_array_length(pools); i++) {
        json_object *o = json_object_array_get_idx(pools, i);
        fputs("vgpu_pool_running{", f);
        put_labels(f, o, false);
        fprintf(f, "} %d\n", json_object_object_get_ex(o, "running", &r) && r != NULL);
    }
}

static void put_daemon(FILE *f, json_object *status, const char *version)
{
    uint64_t v;

    fputs("# HELP vgpud_info vgpud's version and executor (always 1).\n"
          "# TYPE vgpud_info gauge\nvgpud_info{version=\"",
          f);
    put_escaped(f, version);
    fputs("\",executor=\"", f);
    put_escaped(f, str_field(status, "executor"));
    fputs("\"} 1\n", f);
    if (u64_field(status, "uptime_ns", &v)) {
        fputs("# HELP vgpud_uptime_seconds Time since vgpud started.\n"
              "# TYPE vgpud_uptime_seconds gauge\nvgpud_uptime_seconds ",
              f);
        put_seconds(f, v);
        fputc('\n', f);
    }
    if (u64_field(status, "poll_spin_ns", &v)) {
        fputs("# HELP vgpud_poll_spin_seconds_total Time vgpud spent polling rings (--poll-us).\n"
              "# TYPE vgpud_poll_spin_seconds_total counter\nvgpud_poll_spin_seconds_total ",
              f);
        put_seconds(f, v);
        fputc('\n', f);
    }
}

int vgpu_metrics_format(json_object *status, const char *version, char **out, size_t *len)
{
    json_object *pools = array_field(status, "pools"), *vms = array_field(status, "vms");
    FILE *f = open_memstream(out, len);

    if (!f)
        return -ENOMEM;
    put_daemon(f, status, version);
    for (size_t i = 0; i < sizeof(pool_families) / sizeof(pool_families[0]); i++)
        put_family(f, pools, &pool_families[i], false);
    put_pool_running(f, pools);
    put_histograms(f, pools, "vgpu_pool", false);
    for (size_t i = 0; i < sizeof(vm_families) / sizeof(vm_families[0]); i++)
        put_family(f, vms, &vm_families[i], true);
    put_histograms(f, vms, "vgpu_vm", true);
    if (ferror(f)) {
        fclose(f);
        free(*out);
        *out = NULL;
        return -ENOMEM;
    }
    fclose(f);
    return 0;
}
