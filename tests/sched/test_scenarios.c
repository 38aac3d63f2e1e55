/* test_scenarios.c: hand-written scenarios: the original report, policies, live changes. */
#include <errno.h>
#include <string.h>

#include "sched_test.h"

/* VM1-VM3 in pool A, VM4-VM6 in pool B, priorities low/medium/high in each. */
static struct vgpu_sched *report_setup(void)
{
    struct vgpu_sched *s = new_sched();

    for (uint32_t vm = 1; vm <= 6; vm++)
        assert_int_equal(vgpu_sched_vm_add(s, vm, vm <= 3 ? "A" : "B", (vm - 1) % 3, 1), 0);
    return s;
}

static void test_report_mixed_priorities(void **state)
{
    struct vgpu_sched *s = report_setup();
    static const uint32_t order_a[] = {3, 3, 2, 1, 1};
    static const uint32_t order_b[] = {6, 5, 5, 4};

    /* Pool A: VM1 low x2, VM2 medium, VM3 high x2; pool B: VM4 low, VM5 medium x2, VM6 high. */
    submit(s, 1, 1);
    submit(s, 4, 1);
    submit(s, 1, 2);
    submit(s, 2, 3);
    submit(s, 5, 3);
    submit(s, 3, 4);
    submit(s, 5, 4);
    submit(s, 3, 5);
    submit(s, 6, 5);
    for (size_t i = 0; i < sizeof(order_a) / sizeof(order_a[0]); i++) {
        struct vgpu_sched_job j = dispatch(s, "A", 10 + i);

        assert_int_equal(j.vm_id, order_a[i]);
        assert_string_equal(j.pool, "A");
        assert_int_equal(vgpu_sched_complete(s, j.id, 10 + i), 0);
    }
    for (size_t i = 0; i < sizeof(order_b) / sizeof(order_b[0]); i++) {
        struct vgpu_sched_job j = dispatch(s, "B", 20 + i);

        assert_int_equal(j.vm_id, order_b[i]);
        assert_int_equal(vgpu_sched_complete(s, j.id, 20 + i), 0);
    }
    assert_int_equal(vgpu_sched_dispatch(s, "A", 30, NULL), -EAGAIN);
    assert_int_equal(vgpu_sched_dispatch(s, "B", 30, NULL), -EAGAIN);
    vgpu_sched_destroy(s);
}

static void test_report_high_arrives_while_low_runs(void **state)
{
    struct vgpu_sched *s = report_setup();
    struct vgpu_sched_job low, next;
    uint64_t low2, high;

    submit(s, 1, 0);
    low = dispatch(s, "A", 1);
    low2 = submit(s, 1, 2);
    high = submit(s, 3, 3);
    /* Non-preemptive: the high job waits for the running low one... */
    assert_int_equal(vgpu_sched_dispatch(s, "A", 4, &next), -EBUSY);
    assert_int_equal(vgpu_sched_complete(s, low.id, 5), 0);
    /* ...then goes first, ahead of the low job queued before it. */
    next = dispatch(s, "A", 5);
    assert_int_equal(next.id, high);
    assert_int_equal(next.priority, 2);
    assert_int_equal(next.submit_ns, 3);
    assert_int_equal(vgpu_sched_complete(s, next.id, 6), 0);
    next = dispatch(s, "A", 6);
    assert_int_equal(next.id, low2);
    vgpu_sched_destroy(s);
}

static void test_pools_do_not_wait_on_each_other(void **state)
{
    struct vgpu_sched *s = report_setup();
    struct vgpu_sched_job a, b;

    submit(s, 1, 0);
    submit(s, 1, 0);
    submit(s, 4, 0);
    a = dispatch(s, "A", 1);
    assert_int_equal(vgpu_sched_dispatch(s, "A", 2, NULL), -EBUSY);
    b = dispatch(s, "B", 2); /* A busy: B still runs */
    assert_int_equal(b.vm_id, 4);
    assert_true(vgpu_sched_pool_busy(s, "A"));
    assert_true(vgpu_sched_pool_busy(s, "B"));
    assert_int_equal(vgpu_sched_complete(s, a.id, 3), 0);
    assert_false(vgpu_sched_pool_busy(s, "A"));
    vgpu_sched_destroy(s);
}

static void test_fifo_within_priority(void **state)
{
    struct vgpu_sched *s = report_setup();
    uint64_t ids[6];

    assert_int_equal(vgpu_sched_vm_set_priority(s, 2, 0, 0), 0); /* VM1, VM2 both low */
    for (int i = 0; i < 6; i++)
        ids[i] = submit(s, 1 + (i % 2), (uint64_t)i);
    for (int i = 0; i < 6; i++) {
        struct vgpu_sched_job j = dispatch(s, "A", 10);

        assert_int_equal(j.id, ids[i]);
        assert_int_equal(vgpu_sched_complete(s, j.id, 10), 0);
    }
    vgpu_sched_destroy(s);
}

static void test_live_priority_change_moves_queued_jobs(void **state)
{
    struct vgpu_sched *s = report_setup();
    uint64_t l1 = submit(s, 1, 0);
    uint64_t m1 = submit(s, 2, 1);
    uint64_t l2 = submit(s, 1, 2);
    struct vgpu_sched_job j;

    /* VM1 low -> medium: its jobs join medium in arrival order, ahead of VM2's later one. */
    assert_int_equal(vgpu_sched_vm_set_priority(s, 1, 1, 3), 0);
    j = dispatch(s, "A", 4);
    assert_int_equal(j.id, l1);
    assert_int_equal(j.priority, 1);
    assert_int_equal(vgpu_sched_complete(s, j.id, 5), 0);
    j = dispatch(s, "A", 5);
    assert_int_equal(j.id, m1);
    assert_int_equal(vgpu_sched_complete(s, j.id, 6), 0);
    j = dispatch(s, "A", 6);
    assert_int_equal(j.id, l2);
    vgpu_sched_destroy(s);
}

static void test_live_pool_change_moves_queued_jobs(void **state)
{
    struct vgpu_sched *s = report_setup();
    struct vgpu_sched_vm_info info;
    struct vgpu_sched_job running, j;
    uint64_t q1, q2;

    submit(s, 3, 0);
    running = dispatch(s, "A", 1);
    q1 = submit(s, 3, 2);
    q2 = submit(s, 3, 3);
    assert_int_equal(vgpu_sched_vm_set_pool(s, 3, "B", 4), 0);
    assert_int_equal(vgpu_sched_vm_info(s, 3, &info), 0);
    assert_string_equal(info.pool, "B");
    assert_int_equal(info.queued, 2);
    assert_true(info.running); /* the running job stays in A */
    assert_int_equal(vgpu_sched_dispatch(s, "A", 5, NULL), -EBUSY);
    j = dispatch(s, "B", 5);
    assert_int_equal(j.id, q1);
    assert_string_equal(j.pool, "B");
    assert_int_equal(vgpu_sched_complete(s, running.id, 6), 0);
    assert_int_equal(vgpu_sched_dispatch(s, "A", 6, NULL), -EAGAIN);
    assert_int_equal(vgpu_sched_complete(s, j.id, 7), 0);
    assert_int_equal(dispatch(s, "B", 7).id, q2);
    vgpu_sched_destroy(s);
}

static void test_remove_cancels_queued_and_reports(void **state)
{
    struct vgpu_sched *s = report_setup();
    struct job_list cancelled = {0};
    struct vgpu_sched_job running;
    struct vgpu_sched_pool_stats ps;
    int cookie[2];
    uint64_t id1, id2;

    submit(s, 2, 0);
    running = dispatch(s, "A", 1);
    assert_int_equal(vgpu_sched_submit(s, 2, &cookie[0], 2, &id1), 0);
    assert_int_equal(vgpu_sched_submit(s, 2, &cookie[1], 3, &id2), 0);
    assert_int_equal(vgpu_sched_vm_remove(s, 2, 4, collect_job, &cancelled), 0);
    assert_int_equal(cancelled.n, 2);
    assert_int_equal(cancelled.j[0].id, id1);
    assert_ptr_equal(cancelled.j[0].cookie, &cookie[0]);
    assert_int_equal(cancelled.j[1].id, id2);
    assert_ptr_equal(cancelled.j[1].cookie, &cookie[1]);
    assert_false(vgpu_sched_vm_exists(s, 2));
    assert_int_equal(vgpu_sched_complete(s, id1, 5), -EALREADY);
    /* The running job outlives its VM and still completes. */
    assert_int_equal(vgpu_sched_complete(s, running.id, 5), 0);
    assert_int_equal(vgpu_sched_pool_stats(s, "A", 5, &ps), 0);
    assert_int_equal(ps.cancelled, 2);
    assert_int_equal(ps.completed, 1);
    assert_int_equal(ps.depth, 0);
    vgpu_sched_destroy(s);
}

static void test_cancel_one_queued_job(void **state)
{
    struct vgpu_sched *s = report_setup();
    int cookie;
    void *got = NULL;
    uint64_t a, b, c;

    a = submit(s, 1, 0);
    assert_int_equal(vgpu_sched_submit(s, 1, &cookie, 1, &b), 0);
    c = submit(s, 1, 2);
    assert_int_equal(vgpu_sched_cancel(s, b, 3, &got), 0);
    assert_ptr_equal(got, &cookie);
    assert_int_equal(vgpu_sched_cancel(s, b, 3, NULL), -EALREADY);
    assert_int_equal(dispatch(s, "A", 4).id, a);
    assert_int_equal(vgpu_sched_cancel(s, a, 4, NULL), -EBUSY);
    assert_int_equal(vgpu_sched_complete(s, a, 5), 0);
    assert_int_equal(dispatch(s, "A", 5).id, c);
    vgpu_sched_destroy(s);
}

/* A flood of high jobs: with aging, the low job waits at most A + one running job. */
static void test_aging_bounds_low_wait_under_high_flood(void **state)
{
    struct vgpu_sched *s = report_setup();
    struct vgpu_sched_policy pol = {.aging_ns = 10 * MS};
    uint64_t low, now = 0;
    uint64_t low_wait = 0;

    assert_int_equal(vgpu_sched_pool_set_policy(s, "A", &pol), 0);
    submit(s, 3, now);
    low = submit(s, 1, now);
    for (int i = 0; i < 100 && !low_wait; i++) {
        struct vgpu_sched_job j;

        submit(s, 3, now); /* always a fresh high job waiting */
        j = dispatch(s, "A", now);
        if (j.id == low) {
            low_wait = now - j.submit_ns;
            assert_true(j.aged);
        }
        now += 3 * MS; /* each job runs 3 ms */
        assert_int_equal(vgpu_sched_complete(s, j.id, now), 0);
    }
    assert_true(low_wait > 0);
    assert_true(low_wait <= pol.aging_ns + 3 * MS);
    vgpu_sched_destroy(s);
}

static void test_no_aging_low_starves_under_high_flood(void **state)
{
    struct vgpu_sched *s = report_setup();
    uint64_t now = 0;

    submit(s, 1, now);
    for (int i = 0; i < 100; i++) {
        struct vgpu_sched_job j;

        submit(s, 3, now);
        j = dispatch(s, "A", now);
        assert_int_equal(j.vm_id, 3);
        now += 3 * MS;
        assert_int_equal(vgpu_sched_complete(s, j.id, now), 0);
    }
    vgpu_sched_destroy(s);
}

static void flood_then_peer(struct vgpu_sched *s, enum vgpu_sched_fair fair, size_t *peer_pos)
{
    struct vgpu_sched_policy pol = {.fair = fair};
    uint64_t peer;

    assert_int_equal(vgpu_sched_pool_set_policy(s, "A", &pol), 0);
    assert_int_equal(vgpu_sched_vm_set_priority(s, 2, 0, 0), 0); /* VM1, VM2 low */
    for (int i = 0; i < 50; i++)
        submit(s, 1, 0);
    peer = submit(s, 2, 1);
    for (size_t pos = 0;; pos++) {
        struct vgpu_sched_job j = dispatch(s, "A", 2 + pos);

        assert_int_equal(vgpu_sched_complete(s, j.id, 3 + pos), 0);
        if (j.id == peer) {
            *peer_pos = pos;
            return;
        }
    }
}

static void test_fair_round_robin_flood_does_not_push_back_peer(void **state)
{
    struct vgpu_sched *s = report_setup();
    size_t pos = 0;

    flood_then_peer(s, VGPU_SCHED_FAIR_ROUND_ROBIN, &pos);
    assert_true(pos <= 1);
    vgpu_sched_destroy(s);
}

static void test_fifo_flood_pushes_back_peer(void **state)
{
    struct vgpu_sched *s = report_setup();
    size_t pos = 0;

    flood_then_peer(s, VGPU_SCHED_FAIR_NONE, &pos);
    assert_int_equal(pos, 50);
    vgpu_sched_destroy(s);
}

static void test_weighted_share_follows_weights(void **state)
{
    struct vgpu_sched *s = new_sched();
    struct vgpu_sched_policy pol = {.fair = VGPU_SCHED_FAIR_WEIGHTED};
    uint64_t served[3] = {0}, now = 0;

    assert_int_equal(vgpu_sched_pool_set_policy(s, "A", &pol), 0);
    for (uint32_t vm = 0; vm < 3; vm++) {
        assert_int_equal(vgpu_sched_vm_add(s, vm, "A", 1, vm + 1), 0); /* weights 1, 2, 3 */
        for (int i = 0; i < 400; i++)
            submit(s, vm, 0);
    }
    for (int i = 0; i < 600; i++) {
        struct vgpu_sched_job j = dispatch(s, "A", now);

        now += MS;
        served[j.vm_id] += MS;
        assert_int_equal(vgpu_sched_complete(s, j.id, now), 0);
    }
    /* 600 ms shared 1:2:3 -> 100, 200, 300 ms, within one job. */
    assert_in_range(served[0], 99 * MS, 101 * MS);
    assert_in_range(served[1], 199 * MS, 201 * MS);
    assert_in_range(served[2], 299 * MS, 301 * MS);
    vgpu_sched_destroy(s);
}

static void test_budget_overrun_reported_once(void **state)
{
    struct vgpu_sched *s = report_setup();
    struct vgpu_sched_policy pol = {.budget_ns = 5 * MS};
    struct job_list over = {0};
    struct vgpu_sched_vm_stats vs;
    struct vgpu_sched_log_entry e;
    struct vgpu_sched_job j;

    assert_int_equal(vgpu_sched_pool_set_policy(s, "A", &pol), 0);
    submit(s, 1, 0);
    j = dispatch(s, "A", 0);
    assert_int_equal(vgpu_sched_overruns(s, 5 * MS, collect_job, &over), 0);
    assert_int_equal(vgpu_sched_overruns(s, 6 * MS, collect_job, &over), 1);
    assert_int_equal(vgpu_sched_overruns(s, 7 * MS, collect_job, &over), 0);
    assert_int_equal(over.n, 1);
    assert_int_equal(over.j[0].id, j.id);
    assert_int_equal(vgpu_sched_complete(s, j.id, 8 * MS), 0);
    /* A job that overran without being polled is counted at completion. */
    submit(s, 1, 8 * MS);
    j = dispatch(s, "A", 8 * MS);
    assert_int_equal(vgpu_sched_complete(s, j.id, 20 * MS), 0);
    assert_int_equal(vgpu_sched_vm_stats(s, 1, &vs), 0);
    assert_int_equal(vs.overruns, 2);
    assert_int_equal(vgpu_sched_log_peek(s, 0, &e), 0);
    assert_true(e.overrun);
    assert_int_equal(e.complete_ns, 8 * MS);
    vgpu_sched_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_mixed_priorities),
        cmocka_unit_test(test_report_high_arrives_while_low_runs),
        cmocka_unit_test(test_pools_do_not_wait_on_each_other),
        cmocka_unit_test(test_fifo_within_priority),
        cmocka_unit_test(test_live_priority_change_moves_queued_jobs),
        cmocka_unit_test(test_live_pool_change_moves_queued_jobs),
        cmocka_unit_test(test_remove_cancels_queued_and_reports),
        cmocka_unit_test(test_cancel_one_queued_job),
        cmocka_unit_test(test_aging_bounds_low_wait_under_high_flood),
        cmocka_unit_test(test_no_aging_low_starves_under_high_flood),
        cmocka_unit_test(test_fair_round_robin_flood_does_not_push_back_peer),
        cmocka_unit_test(test_fifo_flood_pushes_back_peer),
        cmocka_unit_test(test_weighted_share_follows_weights),
        cmocka_unit_test(test_budget_overrun_reported_once),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
