/* test_errors.c: bad input gets a clear error and leaves the scheduler intact. */
#include <errno.h>
#include <string.h>

#include "sched_test.h"

/* After each bad call, the scheduler must still run this normal sequence. */
static void still_works(struct vgpu_sched *s, uint32_t vm, const char *pool, uint64_t now)
{
    uint64_t id = submit(s, vm, now);
    struct vgpu_sched_job j = dispatch(s, pool, now);

    assert_int_equal(j.id, id);
    assert_int_equal(vgpu_sched_complete(s, id, now + 1), 0);
    assert_int_equal(vgpu_sched_dispatch(s, pool, now + 1, NULL), -EAGAIN);
}

static void test_unknown_pool(void **state)
{
    struct vgpu_sched *s = new_sched();
    struct vgpu_sched_pool_stats ps;
    struct vgpu_sched_policy pol = {0};

    assert_int_equal(vgpu_sched_vm_add(s, 1, "C", 0, 1), -ENOENT);
    assert_false(vgpu_sched_vm_exists(s, 1));
    assert_int_equal(vgpu_sched_vm_add(s, 1, NULL, 0, 1), -ENOENT);
    assert_int_equal(vgpu_sched_dispatch(s, "C", 0, NULL), -ENOENT);
    assert_int_equal(vgpu_sched_pool_stats(s, "C", 0, &ps), -ENOENT);
    assert_int_equal(vgpu_sched_pool_set_policy(s, "C", &pol), -ENOENT);
    assert_int_equal(vgpu_sched_vm_add(s, 1, "A", 0, 1), 0);
    assert_int_equal(vgpu_sched_vm_set_pool(s, 1, "C", 0), -ENOENT);
    assert_false(vgpu_sched_pool_busy(s, "C"));
    still_works(s, 1, "A", 1);
    vgpu_sched_destroy(s);
}

static void test_bad_pool_definitions(void **state)
{
    struct vgpu_sched *s = new_sched();
    struct vgpu_sched_policy bad = {.fair = (enum vgpu_sched_fair)7};
    char longname[40];

    memset(longname, 'x', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    assert_int_equal(vgpu_sched_pool_add(s, "A", NULL), -EEXIST);
    assert_int_equal(vgpu_sched_pool_add(s, "", NULL), -EINVAL);
    assert_int_equal(vgpu_sched_pool_add(s, "a b", NULL), -EINVAL);
    assert_int_equal(vgpu_sched_pool_add(s, longname, NULL), -EINVAL);
    assert_int_equal(vgpu_sched_pool_add(s, "C", &bad), -EINVAL);
    assert_int_equal(vgpu_sched_pool_set_policy(s, "A", &bad), -EINVAL);
    assert_int_equal(vgpu_sched_pool_count(s), 2);
    assert_int_equal(vgpu_sched_pool_add(s, "C", NULL), 0);
    assert_int_equal(vgpu_sched_pool_count(s), 3);
    assert_string_equal(vgpu_sched_pool_name(s, 2), "C");
    assert_null(vgpu_sched_pool_name(s, 3));
    vgpu_sched_destroy(s);
}

static void test_priority_out_of_range(void **state)
{
    struct vgpu_sched *s = new_sched();
    struct vgpu_sched_vm_info info;

    assert_int_equal(vgpu_sched_vm_add(s, 1, "A", 3, 1), -EINVAL);
    assert_int_equal(vgpu_sched_vm_add(s, 1, "A", 0, 0), -EINVAL);
    assert_int_equal(vgpu_sched_vm_add(s, 1, "A", 0, VGPU_SCHED_WEIGHT_MAX + 1), -EINVAL);
    assert_false(vgpu_sched_vm_exists(s, 1));
    assert_int_equal(vgpu_sched_vm_add(s, 1, "A", 1, 1), 0);
    submit(s, 1, 0);
    assert_int_equal(vgpu_sched_vm_set_priority(s, 1, 3, 0), -EINVAL);
    assert_int_equal(vgpu_sched_vm_set_priority(s, 1, 0xffffffffu, 0), -EINVAL);
    assert_int_equal(vgpu_sched_vm_set_weight(s, 1, 0), -EINVAL);
    assert_int_equal(vgpu_sched_vm_info(s, 1, &info), 0);
    assert_int_equal(info.priority, 1);
    assert_int_equal(info.queued, 1);
    assert_int_equal(dispatch(s, "A", 1).priority, 1);
    vgpu_sched_destroy(s);
}

static void test_unknown_vm(void **state)
{
    struct vgpu_sched *s = new_sched();
    struct vgpu_sched_vm_stats vs;
    struct vgpu_sched_vm_info info;
    uint64_t id = 99;

    assert_int_equal(vgpu_sched_submit(s, 7, NULL, 0, &id), -ENOENT);
    assert_int_equal(id, 99);
    assert_int_equal(vgpu_sched_vm_set_priority(s, 7, 0, 0), -ENOENT);
    assert_int_equal(vgpu_sched_vm_set_pool(s, 7, "A", 0), -ENOENT);
    assert_int_equal(vgpu_sched_vm_set_weight(s, 7, 1), -ENOENT);
    assert_int_equal(vgpu_sched_vm_remove(s, 7, 0, NULL, NULL), -ENOENT);
    assert_int_equal(vgpu_sched_vm_stats(s, 7, &vs), -ENOENT);
    assert_int_equal(vgpu_sched_vm_info(s, 7, &info), -ENOENT);
    assert_int_equal(vgpu_sched_vm_add(s, 7, "B", 2, 1), 0);
    assert_int_equal(vgpu_sched_vm_add(s, 7, "A", 2, 1), -EEXIST);
    assert_int_equal(vgpu_sched_vm_info(s, 7, &info), 0);
    assert_string_equal(info.pool, "B");
    still_works(s, 7, "B", 1);
    vgpu_sched_destroy(s);
}

static void test_job_completed_twice(void **state)
{
    struct vgpu_sched *s = new_sched();
    struct vgpu_sched_pool_stats ps;
    struct vgpu_sched_job j;

    assert_int_equal(vgpu_sched_vm_add(s, 1, "A", 0, 1), 0);
    submit(s, 1, 0);
    j = dispatch(s, "A", 1);
    assert_int_equal(vgpu_sched_complete(s, j.id, 2), 0);
    assert_int_equal(vgpu_sched_complete(s, j.id, 3), -EALREADY);
    assert_int_equal(vgpu_sched_pool_stats(s, "A", 3, &ps), 0);
    assert_int_equal(ps.completed, 1);
    assert_int_equal(ps.run.count, 1);
    assert_int_equal(ps.busy_ns, 1);
    still_works(s, 1, "A", 4);
    vgpu_sched_destroy(s);
}

static void test_unknown_or_queued_job(void **state)
{
    struct vgpu_sched *s = new_sched();
    uint64_t id;

    assert_int_equal(vgpu_sched_complete(s, 0, 0), -ENOENT);
    assert_int_equal(vgpu_sched_complete(s, 12345, 0), -ENOENT);
    assert_int_equal(vgpu_sched_cancel(s, 12345, 0, NULL), -ENOENT);
    assert_int_equal(vgpu_sched_vm_add(s, 1, "A", 0, 1), 0);
    id = submit(s, 1, 0);
    assert_int_equal(vgpu_sched_complete(s, id, 1), -EINVAL); /* queued, not running */
    assert_int_equal(dispatch(s, "A", 1).id, id);
    assert_int_equal(vgpu_sched_complete(s, id, 2), 0);
    vgpu_sched_destroy(s);
}

static void test_time_going_backwards_is_clamped(void **state)
{
    struct vgpu_sched *s = new_sched();
    struct vgpu_sched_vm_stats vs;
    struct vgpu_sched_job j;

    assert_int_equal(vgpu_sched_vm_add(s, 1, "A", 0, 1), 0);
    submit(s, 1, 100);
    j = dispatch(s, "A", 50);
    assert_int_equal(j.dispatch_ns, 100);
    assert_int_equal(vgpu_sched_complete(s, j.id, 10), 0);
    assert_int_equal(vgpu_sched_vm_stats(s, 1, &vs), 0);
    assert_int_equal(vs.wait.max, 0);
    assert_int_equal(vs.run.max, 0);
    vgpu_sched_destroy(s);
}

static void test_create_arguments(void **state)
{
    struct vgpu_sched_params p = {.no_default_pools = true, .log_capacity = 4};
    struct vgpu_sched *s = NULL;

    assert_int_equal(vgpu_sched_create(NULL, NULL), -EINVAL);
    assert_int_equal(vgpu_sched_create(&s, &p), 0);
    assert_int_equal(vgpu_sched_pool_count(s), 0);
    assert_int_equal(vgpu_sched_vm_add(s, 1, "A", 0, 1), -ENOENT);
    vgpu_sched_destroy(s);
    vgpu_sched_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_pool),
        cmocka_unit_test(test_bad_pool_definitions),
        cmocka_unit_test(test_priority_out_of_range),
        cmocka_unit_test(test_unknown_vm),
        cmocka_unit_test(test_job_completed_twice),
        cmocka_unit_test(test_unknown_or_queued_job),
        cmocka_unit_test(test_time_going_backwards_is_clamped),
        cmocka_unit_test(test_create_arguments),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
