/* test_xen_transport.c: vgpud's Xen transport (dom0/transport/xen_*.c) over a faked xenstore, grant
 * table and core. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "xs_fake.h"

#define UUID1 "6b1e0a4c-5f3d-4c2a-9e71-000000000001"
#define UUID2 "6b1e0a4c-5f3d-4c2a-9e71-000000000002"
#define BE1   VGPU_XEN_BACKEND_ROOT "/1/0"
#define BE2   VGPU_XEN_BACKEND_ROOT "/2/0"
#define FE1   "/local/domain/1/device/vgpu/0"
#define FE2   "/local/domain/2/device/vgpu/0"

/* One watch event, then the end of its batch, as xen_transport.c delivers them. */
static void fire(struct vgpu_xen *x, const char *path, const char *token)
{
    vgpu_xen__note_watch(x, path, token);
    vgpu_xen__sync_noted(x);
}

static void fire_fe(struct vgpu_xen *x, unsigned int domid)
{
    char path[64], token[32];

    snprintf(path, sizeof(path), "/local/domain/%u/device/vgpu/0", domid);
    snprintf(token, sizeof(token), "vgpu-fe-%u-0", domid);
    fire(x, path, token);
}

static void fire_be(struct vgpu_xen *x, unsigned int domid, const char *key)
{
    char path[128];

    snprintf(path, sizeof(path), "%s/%u/0/%s", VGPU_XEN_BACKEND_ROOT, domid, key);
    fire(x, path, "vgpu-be");
}

/* A domain provisioned, its device found and connected (frontend Connected). */
static void connect_domain(struct vgpu_xen *x, unsigned int domid, uint32_t vm_id, const char *uuid)
{
    char path[128];

    fake_domain(domid, vm_id, uuid);
    fire_be(x, domid, "state");
    fake_fe_state(domid, VGPU_XS_CONNECTED);
    fire_fe(x, domid);
    snprintf(path, sizeof(path), "%s/%u/0/state", VGPU_XEN_BACKEND_ROOT, domid);
    assert_string_equal(fake_read(path), "4");
}

static int setup(void **state)
{
    *state = fake_xen_new(0, 0);
    return 0;
}

static int teardown(void **state)
{
    fake_xen_free(*state);
    return 0;
}

static void test_parse_numbers(void **state)
{
    static const char *const bad[] = {
        "+5", "05", " 5", "5 ", "-1", "", "0x5", "4294967296", "99999999999999999999999"};
    uint32_t v = 0;
    uint64_t w = 0;
    size_t i;

    assert_true(vgpu_xen__parse_u32("0", 10, &v));
    assert_int_equal(v, 0);
    assert_true(vgpu_xen__parse_u32("4294967295", UINT32_MAX, &v));
    assert_int_equal(v, UINT32_MAX);
    assert_false(vgpu_xen__parse_u32("11", 10, &v));
    assert_false(vgpu_xen__parse_u32("7", 5, &v));
    assert_true(vgpu_xen__parse_u64("18446744073709551615", UINT64_MAX, &w));
    assert_false(vgpu_xen__parse_u64("18446744073709551616", UINT64_MAX, &w));
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (vgpu_xen__parse_u32(bad[i], UINT32_MAX, &v))
            fail_msg("'%s' parsed as %u", bad[i], v);
    }
}

static void test_parse_channel_names(void **state)
{
    static const char *const bad[] = {"channel-+5", "channel-05", "channel- 5", "channel-",
                                      "channel-64", "channel-5x", "Channel-5",  "channel--1"};
    uint32_t idx = 99;
    size_t i;

    assert_true(vgpu_xen__parse_channel_name("channel-5", &idx));
    assert_int_equal(idx, 5);
    assert_true(vgpu_xen__parse_channel_name("channel-63", &idx));
    assert_int_equal(idx, 63);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (vgpu_xen__parse_channel_name(bad[i], &idx))
            fail_msg("'%s' parsed as channel %u", bad[i], idx);
    }
}

static void test_parse_paths_and_uuids(void **state)
{
    uint32_t domid = 0, devid = 0;

    assert_int_equal(vgpu_xen__parse_backend_path(VGPU_XEN_BACKEND_ROOT, &domid, &devid), 0);
    assert_int_equal(vgpu_xen__parse_backend_path(VGPU_XEN_BACKEND_ROOT "/7", &domid, &devid), 1);
    assert_int_equal(domid, 7);
    assert_int_equal(vgpu_xen__parse_backend_path(BE1 "/channel-3/state", &domid, &devid), 2);
    assert_int_equal(domid, 1);
    assert_int_equal(devid, 0);
    assert_int_equal(vgpu_xen__parse_backend_path(VGPU_XEN_BACKEND_ROOT "/+7", &domid, &devid), -1);
    assert_int_equal(vgpu_xen__parse_backend_path(VGPU_XEN_BACKEND_ROOT "/0/0", &domid, &devid),
                     -1);
    assert_int_equal(vgpu_xen__parse_backend_path(VGPU_XEN_BACKEND_ROOT "x/1", &domid, &devid), -1);
    assert_int_equal(vgpu_xen__parse_backend_path("/local/domain/1", &domid, &devid), -1);
    assert_true(vgpu_xen__uuid_valid(UUID1));
    assert_false(vgpu_xen__uuid_valid("6b1e0a4c-5f3d-4c2a-9e71-00000000000"));
    assert_false(vgpu_xen__uuid_valid("6b1e0a4c-5f3d-4c2a-9e71-00000000000g"));
    assert_true(vgpu_xen__uuid_equal(UUID1, "6B1E0A4C-5F3D-4C2A-9E71-000000000001"));
    assert_false(vgpu_xen__uuid_equal(UUID1, UUID2));
    assert_true(vgpu_xen__vm_path_is("/vm/" UUID1, UUID1));
    assert_false(vgpu_xen__vm_path_is("/vm/" UUID1 "/x", UUID1));
    assert_false(vgpu_xen__vm_path_is(UUID1, UUID1));
}

static void test_channel_name_spelled_twice_is_refused(void **state)
{
    struct vgpu_xen *x = *state;

    connect_domain(x, 1, 101, UUID1);
    fake_channel(1, "channel-+5", VGPU_XS_CONNECTED);
    fake_channel(1, "channel-05", VGPU_XS_CONNECTED);
    fire_fe(x, 1);
    assert_int_equal(fake_core.attached, 0);
    fake_channel(1, "channel-5", VGPU_XS_CONNECTED);
    fire_fe(x, 1);
    assert_int_equal(fake_core.attached, 1);
    assert_string_equal(fake_read(BE1 "/channel-5/state"), "4");
}

static void test_value_with_nul_is_refused(void **state)
{
    struct vgpu_xen *x = *state;

    connect_domain(x, 1, 101, UUID1);
    fake_channel(1, "channel-0", VGPU_XS_CONNECTED);
    fake_write_raw(FE1 "/channel-0/ring-page-order", "0\0junk", 6);
    fire_fe(x, 1);
    assert_int_equal(fake_core.attached, 0);
    assert_string_equal(fake_read(BE1 "/channel-0/state"), "6");
}

static void test_device_without_vm_id_is_refused(void **state)
{
    struct vgpu_xen *x = *state;

    fake_domain(1, 101, UUID1);
    fake_rm(BE1 "/vm-id");
    vgpu_xen__scan(x);
    assert_null(x->devs);
    assert_string_equal(fake_read(BE1 "/state"), "1");
    fake_write(BE1 "/vm-id", "0");
    fire_be(x, 1, "vm-id");
    assert_null(x->devs);
    fake_write(BE1 "/vm-id", "+101");
    fire_be(x, 1, "vm-id");
    assert_null(x->devs);
    fake_write(BE1 "/vm-id", "101");
    fire_be(x, 1, "vm-id");
    assert_non_null(x->devs);
    assert_int_equal(x->devs->id.vm_id, 101);
    assert_string_equal(fake_read(BE1 "/state"), "2");
}

static void test_stale_backend_dir_is_refused(void **state)
{
    struct vgpu_xen *x = *state;

    /* domid 1 reused by another VM: the backend dir still names the old one. */
    fake_domain(1, 101, UUID1);
    fake_write("/local/domain/1/vm", "/vm/" UUID2);
    vgpu_xen__scan(x);
    assert_null(x->devs);
    fake_write(BE1 "/vm-uuid", UUID2);
    fire_be(x, 1, "vm-uuid");
    assert_non_null(x->devs);
}

static void test_vm_id_of_another_vm_is_refused(void **state)
{
    struct vgpu_xen *x = *state;

    connect_domain(x, 1, 101, UUID1);
    fake_domain(2, 101, UUID2);
    fire_be(x, 2, "state");
    assert_null(x->devs->next);
    assert_int_equal(x->devs->domid, 1);
    assert_string_equal(fake_read(BE2 "/state"), "1");
}

static void test_identity_change_closes_channels(void **state)
{
    struct vgpu_xen *x = *state;

    connect_domain(x, 1, 101, UUID1);
    fake_channel(1, "channel-0", VGPU_XS_CONNECTED);
    fire_fe(x, 1);
    assert_int_equal(fake_core.attached, 1);
    assert_int_equal(fake_core.last.id.vm_id, 101);
    fake_write(BE1 "/vm-id", "105");
    fire_be(x, 1, "vm-id");
    assert_int_equal(fake_core.released, 1);
    assert_string_equal(fake_read(BE1 "/channel-0/state"), "6");
    /* Not silently re-attached as the new id: the frontend must close it first. */
    fire_fe(x, 1);
    assert_int_equal(fake_core.attached, 1);
    fake_channel(1, "channel-0", VGPU_XS_CLOSING);
    fire_fe(x, 1);
    fake_rm(FE1 "/channel-0");
    fire_fe(x, 1);
    fake_channel(1, "channel-1", VGPU_XS_CONNECTED);
    fire_fe(x, 1);
    assert_int_equal(fake_core.attached, 2);
    assert_int_equal(fake_core.last.id.vm_id, 105);
}

static void test_frontend_event_syncs_only_its_device(void **state)
{
    struct vgpu_xen *x = *state;

    connect_domain(x, 1, 101, UUID1);
    connect_domain(x, 2, 102, UUID2);
    fake_read_prefix = BE2;
    fake_channel(1, "channel-0", VGPU_XS_CONNECTED);
    fire_fe(x, 1);
    assert_int_equal(fake_core.attached, 1);
    fake_write(FE1 "/junk", "x");
    fire(x, FE1 "/junk", "vgpu-fe-1-0");
    assert_int_equal(fake_prefix_reads, 0);
    /* The toolstack's events still look at everything. */
    fire(x, "@releaseDomain", "vgpu-release");
    assert_true(fake_prefix_reads > 0);
}

static void test_grant_budget_per_domain(void **state)
{
    /* A channel: 1 ring + 4 data pages, mapped by vgpud and again by the worker: 9. */
    struct vgpu_xen *x = fake_xen_new(1000, 18);

    connect_domain(x, 1, 101, UUID1);
    fake_channel(1, "channel-0", VGPU_XS_CONNECTED);
    fake_channel(1, "channel-1", VGPU_XS_CONNECTED);
    fake_channel(1, "channel-2", VGPU_XS_CONNECTED);
    fire_fe(x, 1);
    assert_int_equal(fake_core.attached, 2);
    assert_string_equal(fake_read(BE1 "/channel-2/state"), "6");
    assert_int_equal(x->grants, 18);
    /* Another domain has its own budget. */
    connect_domain(x, 2, 102, UUID2);
    fake_channel(2, "channel-0", VGPU_XS_CONNECTED);
    fire_fe(x, 2);
    assert_int_equal(fake_core.attached, 3);
    assert_int_equal(x->grants, 27);
    fake_xen_free(x);
}

static void test_grant_budget_global(void **state)
{
    struct vgpu_xen *x = fake_xen_new(11, 1000);

    connect_domain(x, 1, 101, UUID1);
    connect_domain(x, 2, 102, UUID2);
    fake_channel(1, "channel-0", VGPU_XS_CONNECTED);
    fire_fe(x, 1);
    fake_channel(2, "channel-0", VGPU_XS_CONNECTED);
    fire_fe(x, 2);
    assert_int_equal(fake_core.attached, 1);
    assert_string_equal(fake_read(BE2 "/channel-0/state"), "6");
    /* Closing the first gives the pages back. */
    fake_channel(1, "channel-0", VGPU_XS_CLOSING);
    fire_fe(x, 1);
    assert_int_equal(x->grants, 0);
    fake_rm(FE2 "/channel-0");
    fire_fe(x, 2);
    fake_channel(2, "channel-1", VGPU_XS_CONNECTED);
    fire_fe(x, 2);
    assert_int_equal(fake_core.attached, 2);
    fake_xen_free(x);
}

static void test_deferred_release_spares_a_reconnected_channel(void **state)
{
    struct vgpu_xen *x = *state;

    connect_domain(x, 1, 101, UUID1);
    fake_channel(1, "channel-0", VGPU_XS_CONNECTED);
    fire_fe(x, 1);
    /* A job is running: the core releases later. The frontend gives up waiting. */
    fake_core.defer_release = true;
    fake_channel(1, "channel-0", VGPU_XS_CLOSING);
    fire_fe(x, 1);
    assert_int_equal(fake_core.detached, 1);
    fake_rm(FE1 "/channel-0");
    fire_fe(x, 1);
    fake_channel(1, "channel-0", VGPU_XS_CONNECTED);
    fire_fe(x, 1);
    assert_int_equal(fake_core.attached, 2);
    assert_string_equal(fake_read(BE1 "/channel-0/state"), "4");
    fake_core.defer_release = false;
    fake_run_deferred();
    assert_string_equal(fake_read(BE1 "/channel-0/state"), "4");
}

static void test_mem_quota_reaches_the_channel(void **state)
{
    struct vgpu_xen *x = *state;

    fake_domain(1, 101, UUID1);
    fake_write(BE1 "/mem-quota", "67108864");
    connect_domain(x, 1, 101, UUID1);
    fake_write(BE1 "/mem-quota", "67108864");
    fake_channel(1, "channel-0", VGPU_XS_CONNECTED);
    fire_fe(x, 1);
    assert_int_equal(fake_core.attached, 1);
    assert_int_equal(fake_core.last.id.mem_quota, 67108864);
    assert_string_equal(fake_core.last.id.vm_uuid, UUID1);
    assert_string_equal(fake_core.last.id.vm_name, "dom1-name");
    /* A malformed quota refuses the device (its channels close). */
    fake_write(BE1 "/mem-quota", "64M");
    fire_be(x, 1, "mem-quota");
    assert_int_equal(fake_core.released, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_numbers),
        cmocka_unit_test(test_parse_channel_names),
        cmocka_unit_test(test_parse_paths_and_uuids),
        cmocka_unit_test_setup_teardown(test_channel_name_spelled_twice_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_value_with_nul_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_without_vm_id_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_backend_dir_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vm_id_of_another_vm_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identity_change_closes_channels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_frontend_event_syncs_only_its_device, setup, teardown),
        cmocka_unit_test(test_grant_budget_per_domain),
        cmocka_unit_test(test_grant_budget_global),
        cmocka_unit_test_setup_teardown(test_deferred_release_spares_a_reconnected_channel, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_mem_quota_reaches_the_channel, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
