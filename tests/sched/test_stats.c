/* test_stats.c: per-VM and per-pool statistics, the execution log and its CSV form. */
#include <errno.h>
#include <string.h>

#include "sched_test.h"

static void test_vm_stats_percentiles(void **state)
{
    struct vgpu_sched *s = new_sched();
    struct vgpu_sched_vm_stats vs;
    uint64_t now = 0;

    assert_int_equal(vgpu_sched_vm_add(s, 1, "A", 0, 1), 0);
    /* 100 jobs: wait 0, run i ms for i = 1..100. */
    for (uint64_t i = 1; i <= 100; i++) {
        uint64_t id = submit(s, 1, now);

        assert_int_equal(dispatch(s, "A", now).id, id);
        now += i * MS;
        assert_int_equal(vgpu_sched_complete(s, id, now), 0);
    }
    assert_int_equal(vgpu_sched_vm_stats(s, 1, &vs), 0);
    assert_int_equal(vs.submitted, 100);
    assert_int_equal(vs.completed, 100);
    assert_int_equal(vs.run.count, 100);
    assert_int_equal(vs.run.min, 1 * MS);
    assert_int_equal(vs.run.max, 100 * MS);
    assert_int_equal(vs.run.mean, 50 * MS + MS / 2);
    /* Bucket upper bounds: at most 12.5 % above the exact value. */
    assert_in_range(vs.run.p50, 50 * MS, 50 * MS + 50 * MS / 8);
    assert_in_range(vs.run.p95, 95 * MS, 95 * MS + 95 * MS / 8);
    assert_in_range(vs.run.p99, 99 * MS, 100 * MS);
    assert_int_equal(vs.wait.max, 0);
    vgpu_sched_destroy(s);
}

/* Cumulative buckets at the histogram's edges (2^k - 1 ns) count exactly. */
static void test_buckets_exact_at_edges(void **state)
{
    struct vgpu_sched *s = new_sched();
    struct vgpu_sched_buckets b = {.n = 3,
                                   .bound_ns = {(1u << 10) - 1, (1u << 20) - 1, (1ull << 30) - 1}};
    static const uint64_t run_ns[] = {1023, 1024, 5000, (1u << 20) - 1, 1u << 20, 1ull << 31};
    uint64_t now = 0, sum = 0;

    assert_int_equal(vgpu_sched_vm_add(s, 1, "A", 0, 1), 0);
    for (size_t i = 0; i < sizeof(run_ns) / sizeof(run_ns[0]); i++) {
        uint64_t id = submit(s, 1, now);

        assert_int_equal(dispatch(s, "A", now).id, id);
        now += run_ns[i];
        sum += run_ns[i];
        assert_int_equal(vgpu_sched_complete(s, id, now), 0);
    }
    assert_int_equal(vgpu_sched_vm_buckets(s, 1, VGPU_SCHED_DIST_RUN, &b), 0);
    assert_int_equal(b.le[0], 1);
    assert_int_equal(b.le[1], 4);
    assert_int_equal(b.le[2], 5);
    assert_int_equal(b.count, 6);
    assert_int_equal(b.sum_ns, sum);
    assert_int_equal(vgpu_sched_pool_buckets(s, "A", VGPU_SCHED_DIST_RUN, &b), 0);
    assert_int_equal(b.le[1], 4);
    assert_int_equal(vgpu_sched_vm_buckets(s, 1, VGPU_SCHED_DIST_WAIT, &b), 0);
    assert_int_equal(b.le[0], 6); /* every wait was 0 */
    assert_int_equal(vgpu_sched_vm_buckets(s, 2, VGPU_SCHED_DIST_RUN, &b), -ENOENT);
    assert_int_equal(vgpu_sched_pool_buckets(s, "nosuch", VGPU_SCHED_DIST_RUN, &b), -ENOENT);
    b.bound_ns[1] = b.bound_ns[0];
    assert_int_equal(vgpu_sched_vm_buckets(s, 1, VGPU_SCHED_DIST_RUN, &b), -EINVAL);
    b.n = VGPU_SCHED_BUCKETS_MAX + 1;
    assert_int_equal(vgpu_sched_vm_buckets(s, 1, VGPU_SCHED_DIST_RUN, &b), -EINVAL);
    vgpu_sched_destroy(s);
}

static void test_pool_depth_and_busy_time(void **state)
{
    struct vgpu_sched *s = new_sched();
    struct vgpu_sched_pool_stats ps;
    struct vgpu_sched_job j;

    assert_int_equal(vgpu_sched_vm_add(s, 1, "A", 0, 1), 0);
    submit(s, 1, 10);
    submit(s, 1, 10);
    submit(s, 1, 20);         /* depth 2 over [10,20) */
    j = dispatch(s, "A", 30); /* depth 3 over [20,30) */
    assert_int_equal(vgpu_sched_pool_stats(s, "A", 40, &ps), 0);
    assert_int_equal(ps.since_ns, 10);
    assert_int_equal(ps.depth, 2);
    assert_int_equal(ps.max_depth, 3);
    assert_int_equal(ps.depth_ns, 2 * 10 + 3 * 10 + 2 * 10);
    assert_int_equal(ps.busy_ns, 10); /* running since 30 */
    assert_int_equal(vgpu_sched_complete(s, j.id, 45), 0);
    assert_int_equal(vgpu_sched_pool_stats(s, "A", 100, &ps), 0);
    assert_int_equal(ps.busy_ns, 15);
    assert_int_equal(ps.wait.max, 20);
    vgpu_sched_destroy(s);
}

static void test_log_records_dispatches(void **state)
{
    struct vgpu_sched *s = new_sched();
    struct vgpu_sched_log_entry e[4];
    struct vgpu_sched_job j;

    assert_int_equal(vgpu_sched_vm_add(s, 5, "B", 2, 1), 0);
    submit(s, 5, 1);
    j = dispatch(s, "B", 2);
    assert_int_equal(vgpu_sched_log_count(s), 1);
    assert_int_equal(vgpu_sched_log_peek(s, 0, &e[0]), 0);
    assert_int_equal(e[0].complete_ns, 0);
    assert_int_equal(vgpu_sched_complete(s, j.id, 7), 0);
    assert_int_equal(vgpu_sched_log_drain(s, e, 4), 1);
    assert_int_equal(e[0].seq, 0);
    assert_int_equal(e[0].job_id, j.id);
    assert_int_equal(e[0].vm_id, 5);
    assert_string_equal(vgpu_sched_pool_name(s, e[0].pool_index), "B");
    assert_int_equal(e[0].priority, 2);
    assert_int_equal(e[0].submit_ns, 1);
    assert_int_equal(e[0].dispatch_ns, 2);
    assert_int_equal(e[0].complete_ns, 7);
    assert_int_equal(vgpu_sched_log_count(s), 0);
    assert_int_equal(vgpu_sched_log_peek(s, 0, &e[0]), -ENOENT);
    vgpu_sched_destroy(s);
}

static void test_log_ring_drops_oldest(void **state)
{
    struct vgpu_sched_params p = {.log_capacity = 4};
    struct vgpu_sched_log_entry e[8];
    struct vgpu_sched *s = NULL;

    assert_int_equal(vgpu_sched_create(&s, &p), 0);
    assert_int_equal(vgpu_sched_vm_add(s, 1, "A", 0, 1), 0);
    for (uint64_t t = 0; t < 10; t++) {
        uint64_t id = submit(s, 1, t);

        dispatch(s, "A", t);
        assert_int_equal(vgpu_sched_complete(s, id, t), 0);
    }
    assert_int_equal(vgpu_sched_log_dropped(s), 6);
    assert_int_equal(vgpu_sched_log_drain(s, e, 8), 4);
    assert_int_equal(e[0].seq, 6);
    assert_int_equal(e[3].seq, 9);
    assert_int_equal(e[3].dispatch_ns, 9);
    vgpu_sched_destroy(s);
}

static void test_log_csv(void **state)
{
    struct vgpu_sched_log_entry e = {
        .seq = 3,
        .job_id = 42,
        .vm_id = 7,
        .pool_index = 1,
        .priority = 2,
        .aged = true,
        .submit_ns = 10,
        .dispatch_ns = 20,
        .complete_ns = 35,
    };
    char buf[256], tiny[8];
    int n = vgpu_sched_log_csv_header(buf, sizeof(buf));

    assert_int_equal(n, (int)strlen(buf));
    assert_string_equal(buf, "seq,job_id,vm_id,pool,priority,aged,overrun,"
                             "submit_ns,dispatch_ns,complete_ns\n");
    assert_true(vgpu_sched_log_csv_format(&e, "B", buf, sizeof(buf)) > 0);
    assert_string_equal(buf, "3,42,7,B,2,1,0,10,20,35\n");
    assert_int_equal(vgpu_sched_log_csv_format(&e, "B", tiny, sizeof(tiny)), -ENOSPC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vm_stats_percentiles),
        cmocka_unit_test(test_pool_depth_and_busy_time),
        cmocka_unit_test(test_buckets_exact_at_edges),
        cmocka_unit_test(test_log_records_dispatches),
        cmocka_unit_test(test_log_ring_drops_oldest),
        cmocka_unit_test(test_log_csv),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
