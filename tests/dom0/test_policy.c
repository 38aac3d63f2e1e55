/* Unit tests of dom0/policy.c: --policy parsing, the policy a pool gets, the budget watchdog. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <syslog.h>

#include <cmocka.h>

#include "stub_core.h"

#define MS 1000000ull

static int parse(struct vgpu_be_config *cfg, const char *arg, char *err)
{
    return vgpu_be__policy_parse(cfg, arg, err, 128);
}

static void test_parse_all_keys(void **state)
{
    struct vgpu_be_config cfg = {0};
    char err[128] = "";
    const struct vgpu_sched_policy *p;

    (void)state;
    assert_int_equal(parse(&cfg, "A:aging-ms=200,fair=rr,budget-ms=50", err), 0);
    assert_int_equal(cfg.npolicies, 1);
    assert_string_equal(cfg.policies[0].pool, "A");
    p = vgpu_be__policy_for(&cfg, "A");
    assert_non_null(p);
    assert_int_equal(p->aging_ns, 200 * MS);
    assert_int_equal(p->budget_ns, 50 * MS);
    assert_int_equal(p->fair, VGPU_SCHED_FAIR_ROUND_ROBIN);
    assert_null(vgpu_be__policy_for(&cfg, "B"));
    assert_int_equal(parse(&cfg, "B:fair=weighted", err), 0);
    assert_int_equal(vgpu_be__policy_for(&cfg, "B")->fair, VGPU_SCHED_FAIR_WEIGHTED);
    assert_int_equal(vgpu_be__policy_for(&cfg, "B")->aging_ns, 0); /* keys not given stay 0 */
    assert_int_equal(parse(&cfg, "C:fair=none,aging-ms=0,budget-ms=3600000", err), 0);
    assert_int_equal(vgpu_be__policy_for(&cfg, "C")->budget_ns, 3600000 * MS);
}

static void test_last_policy_for_a_pool_wins(void **state)
{
    struct vgpu_be_config cfg = {0};
    char err[128];

    (void)state;
    assert_int_equal(parse(&cfg, "A:budget-ms=10", err), 0);
    assert_int_equal(parse(&cfg, "B:budget-ms=20", err), 0);
    assert_int_equal(parse(&cfg, "A:budget-ms=30", err), 0);
    assert_int_equal(vgpu_be__policy_for(&cfg, "A")->budget_ns, 30 * MS);
    assert_int_equal(vgpu_be__policy_for(&cfg, "B")->budget_ns, 20 * MS);
}

/* Each malformed argument: refused with its errno, a message naming the problem, nothing kept. */
static void test_parse_errors(void **state)
{
    static const struct {
        const char *arg;
        int rc;
        const char *msg;
    } bad[] = {
        {"A", -EINVAL, "expected POOL:key=value"},
        {":fair=rr", -EINVAL, "expected POOL:key=value"},
        {"a-pool-name-much-longer-than-31-bytes:fair=rr", -EINVAL, "expected POOL:key=value"},
        {"A:fair", -EINVAL, "'fair' is not key=value"},
        {"A:speed=9", -ENOENT, "unknown key 'speed'"},
        {"A:fair=fifo", -EINVAL, "bad value for fair: 'fifo'"},
        {"A:aging-ms=-1", -EINVAL, "bad value for aging-ms: '-1'"},
        {"A:aging-ms=", -EINVAL, "bad value for aging-ms: ''"},
        {"A:budget-ms=3600001", -EINVAL, "bad value for budget-ms: '3600001'"},
        {"A:budget-ms=5ms", -EINVAL, "bad value for budget-ms: '5ms'"},
        {"A:budget-ms=99999999999999999999999", -EINVAL, "bad value for budget-ms"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct vgpu_be_config cfg = {0};
        char err[128] = "";
        int rc = parse(&cfg, bad[i].arg, err);

        if (rc != bad[i].rc || !strstr(err, bad[i].msg))
            fail_msg("'%s': got %d \"%s\", expected %d \"%s\"", bad[i].arg, rc, err, bad[i].rc,
                     bad[i].msg);
        assert_int_equal(cfg.npolicies, 0);
    }
}

static void test_too_many_policies(void **state)
{
    struct vgpu_be_config cfg = {0};
    char err[128] = "";
    int i;

    (void)state;
    for (i = 0; i < VGPUD_MAX_POLICIES; i++)
        assert_int_equal(parse(&cfg, "A:fair=rr", err), 0);
    assert_int_equal(parse(&cfg, "A:fair=rr", err), -ENOSPC);
    assert_non_null(strstr(err, "at most 16 --policy options"));
    assert_int_equal(cfg.npolicies, VGPUD_MAX_POLICIES);
}

static void test_no_budget_no_watchdog(void **state)
{
    struct vgpu_be be = {0};
    char err[128];

    (void)state;
    stub_reset();
    assert_int_equal(parse(&be.cfg, "A:aging-ms=5,fair=rr", err), 0);
    assert_int_equal(vgpu_be__watchdog_start(&be), 0);
    assert_int_equal(be.watchdog_fd, -1);
    assert_int_equal(stub.added_fd, -1);
    vgpu_be__watchdog_stop(&be); /* nothing to stop: no loop_del */
    assert_int_equal(stub.deleted_fd, -1);
}

static void test_watchdog_start_failure_is_returned(void **state)
{
    struct vgpu_be be = {0};
    char err[128];

    (void)state;
    stub_reset();
    stub.loop_add_rc = -ENOMEM;
    assert_int_equal(parse(&be.cfg, "B:budget-ms=5", err), 0);
    assert_int_equal(vgpu_be__watchdog_start(&be), -ENOMEM);
    assert_true(be.watchdog_fd >= 0); /* stop releases it */
    vgpu_be__watchdog_stop(&be);
    assert_int_equal(be.watchdog_fd, -1);
}

/* Wait (deadline 2 s) until the watchdog's timerfd has fired. */
static void wait_tick(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};

    assert_int_equal(poll(&p, 1, 2000), 1);
}

/* A job that runs past its pool's budget is logged once per tick, naming the VM and budget. */
static void test_watchdog_logs_overrun(void **state)
{
    struct vgpu_be be = {0};
    struct vgpu_sched_job job;
    uint64_t id;
    char err[128];
    int cookie, fd;

    (void)state;
    stub_reset();
    stub.now_ns = 1000 * MS;
    pthread_mutex_init(&be.lock, NULL);
    assert_int_equal(parse(&be.cfg, "A:budget-ms=50", err), 0);
    assert_int_equal(vgpu_sched_create(&be.sched, NULL), 0);
    assert_int_equal(vgpu_sched_pool_set_policy(be.sched, "A", vgpu_be__policy_for(&be.cfg, "A")),
                     0);
    assert_int_equal(vgpu_sched_vm_add(be.sched, 7, "A", 1, 1), 0);
    assert_int_equal(vgpu_sched_submit(be.sched, 7, &cookie, stub.now_ns, &id), 0);
    assert_int_equal(vgpu_sched_dispatch(be.sched, "A", stub.now_ns, &job), 0);

    assert_int_equal(vgpu_be__watchdog_start(&be), 0);
    fd = be.watchdog_fd;
    assert_true(fd >= 0);
    assert_int_equal(stub.added_fd, fd);
    assert_ptr_equal(stub.cb_ctx, &be);

    stub.now_ns += 20 * MS; /* within the budget: a tick logs nothing */
    wait_tick(fd);
    stub.cb(stub.cb_ctx, EPOLLIN);
    assert_int_equal(stub.nlogs, 0);

    stub.now_ns += 100 * MS; /* 120 ms into a 50 ms budget */
    wait_tick(fd);
    stub.cb(stub.cb_ctx, EPOLLIN);
    assert_int_equal(stub.nlogs, 1);
    assert_int_equal(stub.log_level, LOG_WARNING);
    assert_ptr_equal(stub.log_key, &cookie);
    if (!strstr(stub.log, "of VM 7 running for 120 ms, over its budget of 50 ms"))
        fail_msg("overrun message: \"%s\"", stub.log);

    vgpu_be__watchdog_stop(&be);
    assert_int_equal(stub.deleted_fd, fd);
    assert_int_equal(be.watchdog_fd, -1);
    vgpu_sched_destroy(be.sched);
    pthread_mutex_destroy(&be.lock);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_all_keys),
        cmocka_unit_test(test_last_policy_for_a_pool_wins),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_too_many_policies),
        cmocka_unit_test(test_no_budget_no_watchdog),
        cmocka_unit_test(test_watchdog_start_failure_is_returned),
        cmocka_unit_test(test_watchdog_logs_overrun),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
