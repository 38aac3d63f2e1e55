/* Unit tests of dom0/job_control.c: which requests vgpud answers itself, and how a job's answers
 * are put together (HELLO, DEVICE_INFO, SYNC carrying the job's first error, validation failures).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stub_core.h"

#define DATA_SIZE 4096

/* A transport without host buffers, and one with them (the hook is never called here). */
static const struct vgpu_be_chan_ops plain_ops;

static uint32_t take_none(void *tctx, const struct vgpu_req_hostbuf_map *m, int *fd)
{
    (void)tctx;
    (void)m;
    *fd = -1;
    return VGPU_S_UNSUPPORTED;
}

static const struct vgpu_be_chan_ops hostbuf_ops = {.hostbuf_take = take_none};

struct fixture {
    struct vgpu_be be;
    struct vgpu_be_vm vm;
    struct vgpu_be_chan chan;
    struct vgpu_be_job job;
    struct vgpu_be_item items[8];
    uint8_t data[DATA_SIZE];
};

static int setup(void **state)
{
    struct fixture *f = test_calloc(1, sizeof(*f));

    stub_reset();
    pthread_mutex_init(&f->be.lock, NULL);
    pthread_mutex_init(&f->vm.lock, NULL);
    snprintf(f->be.devinfo.name, sizeof(f->be.devinfo.name), "stub device");
    f->be.devinfo.total_mem = 1ull << 30;
    f->vm.id.vm_id = 42;
    f->vm.id.priority = 2;
    snprintf(f->vm.id.pool, sizeof(f->vm.id.pool), "B");
    f->vm.mem_used = 12345;
    f->chan.be = &f->be;
    f->chan.vm = &f->vm;
    f->chan.ring.nr_slots = 64;
    f->chan.d.ops = &plain_ops;
    f->chan.d.data = f->data;
    f->chan.d.data_size = DATA_SIZE;
    f->job.chan = &f->chan;
    f->job.items = f->items;
    f->job.cap = 8;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    pthread_mutex_destroy(&f->be.lock);
    pthread_mutex_destroy(&f->vm.lock);
    test_free(f);
    return 0;
}

static struct vgpu_be_item *add(struct fixture *f, uint16_t op)
{
    struct vgpu_be_item *it = &f->items[f->job.n++];

    memset(it, 0, sizeof(*it));
    it->req.op = op;
    it->req.id = f->job.n;
    return it;
}

static struct vgpu_be_item *add_hello(struct fixture *f, uint16_t vmin, uint16_t vmax,
                                      uint64_t feat)
{
    struct vgpu_be_item *it = add(f, VGPU_OP_HELLO);

    it->req.u.hello.version_min = vmin;
    it->req.u.hello.version_max = vmax;
    it->req.u.hello.features = feat;
    return it;
}

static void test_control_or_worker(void **state)
{
    struct fixture *f = *state;
    struct vgpu_be_item *it;

    add_hello(f, 1, 1, 0);
    add(f, VGPU_OP_NOP);
    add(f, VGPU_OP_DEVICE_INFO);
    add(f, VGPU_OP_BATCH_END);
    assert_true(vgpu_be__job_is_control(&f->job));
    it = add(f, VGPU_OP_SYNC); /* control, yet the worker runs it: it waits for the work */
    assert_true(vgpu_be__job_is_control(&f->job));
    assert_true(vgpu_be__job_item_to_worker(it));
    assert_false(vgpu_be__job_item_to_worker(&f->items[0]));
    it = add(f, VGPU_OP_LAUNCH);
    assert_false(vgpu_be__job_is_control(&f->job));
    assert_true(vgpu_be__job_item_to_worker(it));
    it->prefail = VGPU_S_BAD_FIELD; /* refused at validation: nobody runs it */
    assert_false(vgpu_be__job_item_to_worker(it));
    assert_true(vgpu_be__job_is_control(&f->job));
}

static void test_hello_negotiates(void **state)
{
    struct fixture *f = *state;
    struct vgpu_be_item *it = add_hello(f, 1, 7, VGPU_FEAT_MASK | (1ull << 40));

    vgpu_be__job_execute_control(&f->be, &f->job);
    assert_int_equal(it->rsp.status, VGPU_S_OK);
    assert_int_equal(it->rsp.u.hello.version, VGPU_PROTO_VERSION);
    assert_int_equal(it->rsp.u.hello.nr_slots, 64);
    assert_int_equal(it->rsp.u.hello.max_inflight, 64);
    assert_int_equal(it->rsp.u.hello.data_size, DATA_SIZE);
    /* what was agreed: offered by both, event index among them, unknown bits never */
    assert_int_equal(it->rsp.u.hello.features & ~VGPU_FEAT_MASK, 0);
    assert_true(it->rsp.u.hello.features & VGPU_FEAT_EVENT_IDX);
    assert_int_equal(f->chan.features, it->rsp.u.hello.features);
    assert_int_equal(f->job.status, VGPU_S_OK);
}

/* Host buffers are offered only where the transport can take them. */
static void test_hello_hostbuf_only_with_transport_support(void **state)
{
    struct fixture *f = *state;
    struct vgpu_be_item *it = add_hello(f, 1, 1, VGPU_FEAT_MASK);

    vgpu_be__job_execute_control(&f->be, &f->job);
    assert_int_equal(it->rsp.status, VGPU_S_OK);
    assert_false(it->rsp.u.hello.features & VGPU_FEAT_HOSTBUF);
    f->chan.d.ops = &hostbuf_ops;
    it->rsp.status = 0;
    vgpu_be__job_execute_control(&f->be, &f->job);
    assert_int_equal(it->rsp.status, VGPU_S_OK);
    assert_true(it->rsp.u.hello.features & VGPU_FEAT_HOSTBUF);
}

static void test_hello_without_features_gets_none(void **state)
{
    struct fixture *f = *state;
    struct vgpu_be_item *it = add_hello(f, 1, 1, 0);

    vgpu_be__job_execute_control(&f->be, &f->job);
    assert_int_equal(it->rsp.status, VGPU_S_OK);
    assert_int_equal(it->rsp.u.hello.features, 0);
    assert_int_equal(f->chan.features, 0);
}

static void test_hello_no_common_version(void **state)
{
    struct fixture *f = *state;
    struct vgpu_be_item *it = add_hello(f, VGPU_PROTO_VERSION + 1, VGPU_PROTO_VERSION + 3, 0);

    f->chan.features = 0x5a;
    vgpu_be__job_execute_control(&f->be, &f->job);
    assert_int_equal(it->rsp.status, VGPU_S_VERSION);
    assert_int_equal(f->job.status, VGPU_S_VERSION);
    assert_int_equal(f->chan.features, 0x5a); /* unchanged by a failed HELLO */
}

static void test_device_info_written_whole(void **state)
{
    struct fixture *f = *state;
    struct vgpu_be_item *it = add(f, VGPU_OP_DEVICE_INFO);
    struct vgpu_device_info info;

    stub.quota = 256ull << 20;
    memset(f->data, 0xee, sizeof(f->data));
    it->req.u.info.data_off = 1024;
    vgpu_be__job_execute_control(&f->be, &f->job);
    assert_int_equal(it->rsp.status, VGPU_S_OK);
    memcpy(&info, f->data + 1024, sizeof(info));
    assert_string_equal(info.name, "stub device");
    assert_string_equal(info.pool, "B");
    assert_int_equal(info.vm_id, 42);
    assert_int_equal(info.priority, 2);
    assert_int_equal(info.total_mem, 1ull << 30);
    assert_int_equal(info.mem_quota, 256ull << 20);
    assert_int_equal(info.mem_used, 12345);
    assert_int_equal(f->data[1023], 0xee); /* nothing written around it */
    assert_int_equal(f->data[1024 + sizeof(info)], 0xee);
}

/* A SYNC answers with the job's first error; a prefailed item keeps its own status. */
static void test_answer_sync_reports_first_error(void **state)
{
    struct fixture *f = *state;
    struct vgpu_be_item *nop = add(f, VGPU_OP_NOP);
    struct vgpu_be_item *bad = add(f, VGPU_OP_LAUNCH);
    struct vgpu_be_item *copy = add(f, VGPU_OP_COPY_HTOD);
    struct vgpu_be_item *sync = add(f, VGPU_OP_SYNC);

    bad->prefail = VGPU_S_BAD_LAUNCH;
    copy->rsp.status = VGPU_S_BAD_HANDLE; /* the worker's answer, after the first error */
    vgpu_be__job_answer(&f->be, &f->job);
    assert_int_equal(nop->rsp.status, VGPU_S_OK);
    assert_int_equal(bad->rsp.status, VGPU_S_BAD_LAUNCH);
    assert_int_equal(copy->rsp.status, VGPU_S_BAD_HANDLE); /* the worker's answers are kept */
    assert_int_equal(sync->rsp.status, VGPU_S_BAD_LAUNCH);
    assert_int_equal(f->job.status, VGPU_S_BAD_LAUNCH);
}

static void test_answer_keeps_worker_sync_error(void **state)
{
    struct fixture *f = *state;
    struct vgpu_be_item *launch = add(f, VGPU_OP_LAUNCH);
    struct vgpu_be_item *sync = add(f, VGPU_OP_SYNC);

    launch->rsp.status = VGPU_S_OK;
    sync->rsp.status = VGPU_S_TIMEOUT; /* the worker's SYNC saw the job stopped */
    vgpu_be__job_answer(&f->be, &f->job);
    assert_int_equal(sync->rsp.status, VGPU_S_TIMEOUT);
    assert_int_equal(f->job.status, VGPU_S_TIMEOUT);
}

static void test_answer_all_ok(void **state)
{
    struct fixture *f = *state;
    struct vgpu_be_item *hello = add_hello(f, 1, 1, 0);
    struct vgpu_be_item *sync = add(f, VGPU_OP_SYNC);

    vgpu_be__job_answer(&f->be, &f->job);
    assert_int_equal(hello->rsp.status, VGPU_S_OK);
    assert_int_equal(hello->rsp.u.hello.version, 1);
    assert_int_equal(sync->rsp.status, VGPU_S_OK);
    assert_int_equal(f->job.status, VGPU_S_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_control_or_worker, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hello_negotiates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hello_hostbuf_only_with_transport_support, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_hello_without_features_gets_none, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hello_no_common_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_info_written_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answer_sync_reports_first_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answer_keeps_worker_sync_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answer_all_ok, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
