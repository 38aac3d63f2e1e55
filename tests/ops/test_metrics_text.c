/* test_metrics_text.c: dom0/metrics_text.c turns a status object into Prometheus text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"

static char *format(const char *status_json)
{
    json_object *st = json_tokener_parse(status_json);
    char *text = NULL;
    size_t len = 0;

    assert_non_null(st);
    assert_int_equal(vgpu_metrics_format(st, "9.9.9", &text, &len), 0);
    assert_int_equal(strlen(text), len);
    json_object_put(st);
    return text;
}

static void assert_has(const char *text, const char *line)
{
    assert_non_null(text);
    if (!strstr(text, line))
        fail_msg("expected the line\n  %s\nin\n%s", line ? line : "", text ? text : "");
}

static void assert_lacks(const char *text, const char *what)
{
    assert_non_null(text);
    if (strstr(text, what))
        fail_msg("did not expect\n  %s\nin\n%s", what ? what : "", text ? text : "");
}

static void test_daemon_and_counters(void **state)
{
    char *t = format("{\"executor\":\"cpu-reference\",\"uptime_ns\":2500000000,"
                     "\"poll_spin_ns\":7,\"pools\":[{\"name\":\"A\",\"submitted\":4,"
                     "\"completed\":3,\"queued\":1,\"busy_ns\":1000000001,\"running\":null},"
                     "{\"name\":\"B\",\"running\":{\"vm_id\":2}}],"
                     "\"vms\":[{\"vm_id\":7,\"name\":\"web\",\"pool\":\"A\",\"submitted\":4,"
                     "\"kicks\":11,\"mem_quota\":0}]}");

    assert_has(t, "vgpud_info{version=\"9.9.9\",executor=\"cpu-reference\"} 1\n");
    assert_has(t, "vgpud_uptime_seconds 2.500000000\n");
    assert_has(t, "vgpud_poll_spin_seconds_total 0.000000007\n");
    assert_has(t, "# TYPE vgpu_pool_jobs_submitted_total counter\n"
                  "vgpu_pool_jobs_submitted_total{pool=\"A\"} 4\n");
    assert_has(t, "vgpu_pool_busy_seconds_total{pool=\"A\"} 1.000000001\n");
    assert_has(t, "vgpu_pool_running{pool=\"A\"} 0\nvgpu_pool_running{pool=\"B\"} 1\n");
    assert_has(t, "vgpu_vm_jobs_submitted_total{vm_id=\"7\",vm=\"web\",pool=\"A\"} 4\n");
    assert_has(t, "vgpu_vm_kicks_total{vm_id=\"7\",vm=\"web\",pool=\"A\"} 11\n");
    /* A zero quota means none: no sample, no family. */
    assert_lacks(t, "vgpu_vm_memory_quota_bytes");
    /* Fields the status does not have (no worker object here) give no family. */
    assert_lacks(t, "vgpu_vm_worker_restarts_total");
    assert_lacks(t, "vgpu_pool_job_limit_seconds");
    free(t);
}

static void test_worker_fields_when_present(void **state)
{
    char *t = format("{\"pools\":[{\"name\":\"A\",\"job_limit_ns\":250000000}],"
                     "\"vms\":[{\"vm_id\":1,\"name\":\"a\",\"pool\":\"A\",\"mem_quota\":4096,"
                     "\"worker\":{\"pid\":9,\"state\":\"idle\",\"starts\":3,\"restarts\":2,"
                     "\"kills\":1,\"crashes\":0}}]}");

    assert_has(t, "# TYPE vgpu_vm_worker_restarts_total counter\n"
                  "vgpu_vm_worker_restarts_total{vm_id=\"1\",vm=\"a\",pool=\"A\"} 2\n");
    assert_has(t, "vgpu_vm_worker_starts_total{vm_id=\"1\",vm=\"a\",pool=\"A\"} 3\n");
    assert_has(t, "vgpu_vm_worker_kills_total{vm_id=\"1\",vm=\"a\",pool=\"A\"} 1\n");
    assert_has(t, "vgpu_vm_worker_crashes_total{vm_id=\"1\",vm=\"a\",pool=\"A\"} 0\n");
    assert_has(t, "vgpu_pool_job_limit_seconds{pool=\"A\"} 0.250000000\n");
    assert_has(t, "vgpu_vm_memory_quota_bytes{vm_id=\"1\",vm=\"a\",pool=\"A\"} 4096\n");
    free(t);
}

static void test_label_escaping(void **state)
{
    char *t = format("{\"pools\":[],\"vms\":[{\"vm_id\":3,\"name\":\"a\\\"b\\\\c\\nd\","
                     "\"pool\":\"A\",\"queued\":0}]}");

    assert_has(t, "vgpu_vm_queue_depth{vm_id=\"3\",vm=\"a\\\"b\\\\c\\nd\",pool=\"A\"} 0\n");
    free(t);
}

static void test_histogram(void **state)
{
    const char *json =
        "{\"pools\":[{\"name\":\"A\",\"wait_hist\":{\"le\":[1,2,3,4,5,6,7,8,9,10,11,12,13],"
        "\"sum_ns\":1500000000,\"count\":14}}],\"vms\":[]}";
    char *t = format(json);

    assert_has(t, "# TYPE vgpu_pool_wait_seconds histogram\n");
    assert_has(t, "vgpu_pool_wait_seconds_bucket{pool=\"A\",le=\"0.000001023\"} 1\n");
    /* 2^34 - 1 ns = 17.179869183 s, the last finite bound. */
    assert_has(t, "vgpu_pool_wait_seconds_bucket{pool=\"A\",le=\"17.179869183\"} 13\n"
                  "vgpu_pool_wait_seconds_bucket{pool=\"A\",le=\"+Inf\"} 14\n"
                  "vgpu_pool_wait_seconds_sum{pool=\"A\"} 1.500000000\n"
                  "vgpu_pool_wait_seconds_count{pool=\"A\"} 14\n");
    /* A pool without run_hist has no run samples (the family is declared, empty). */
    assert_lacks(t, "vgpu_pool_run_seconds_bucket");
    free(t);
}

static void test_bounds(void **state)
{
    assert_int_equal(vgpu_metrics_bound_ns(0), 1023);
    assert_int_equal(vgpu_metrics_bound_ns(VGPU_METRICS_NBOUNDS - 1), (1ull << 34) - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_daemon_and_counters),
        cmocka_unit_test(test_worker_fields_when_present),
        cmocka_unit_test(test_label_escaping),
        cmocka_unit_test(test_histogram),
        cmocka_unit_test(test_bounds),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
