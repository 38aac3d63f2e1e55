/* test_xen_hostbuf.c: host buffers on vgpud's Xen transport (xen_hostbuf.c): grant directories
 * read and checked, budgets, gntdev shares, release; over the fakes of xs_fake.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "xs_fake.h"

#define UUID1    "6b1e0a4c-5f3d-4c2a-9e71-000000000001"
#define BE1      VGPU_XEN_BACKEND_ROOT "/1/0"
#define TOP_REF  1000u
#define DIR_REF  1001u /* and on, one per directory page */
#define DATA_REF 5000u /* and on, one per data page */
#define CHAN     9u    /* grants of the connected channel: 1 ring + 4 data pages, twice */
#define MIB      (1ull << 20)

static void fire_fe(struct vgpu_xen *x)
{
    vgpu_xen__note_watch(x, "/local/domain/1/device/vgpu/0", "vgpu-fe-1-0");
    vgpu_xen__sync_noted(x);
}

/* Domain 1 with channel-0 connected; x's budgets as given (0: defaults). */
static struct vgpu_xen *connected(uint32_t max_grants, uint32_t per_domain)
{
    struct vgpu_xen *x = fake_xen_new(max_grants, per_domain);

    fake_domain(1, 101, UUID1);
    vgpu_xen__note_watch(x, BE1 "/state", "vgpu-be");
    vgpu_xen__sync_noted(x);
    fake_fe_state(1, VGPU_XS_CONNECTED);
    fire_fe(x);
    fake_channel(1, "channel-0", VGPU_XS_CONNECTED);
    fire_fe(x);
    assert_int_equal(fake_core.attached, 1);
    assert_int_equal(x->grants, CHAN);
    return x;
}

/* The grant directory of a buffer of size bytes as vgpu.ko builds it, at TOP_REF. */
static void publish(uint64_t size)
{
    static struct vgpu_data_dir page;
    uint32_t pages = (uint32_t)(size / VGPU_PAGE_SIZE), d, i, n = 0;
    uint32_t ndirs = (pages + VGPU_DATA_DIR_SLOTS - 1) / VGPU_DATA_DIR_SLOTS;

    memset(&page, 0, sizeof(page));
    page.magic = VGPU_HOSTBUF_TOP_MAGIC;
    page.nr_pages = ndirs;
    for (d = 0; d < ndirs; d++)
        page.gref[d] = DIR_REF + d;
    fake_gref_page(TOP_REF, &page);
    for (d = 0; d < ndirs; d++) {
        memset(&page, 0, sizeof(page));
        page.magic = VGPU_DATA_DIR_MAGIC;
        for (i = 0; i < VGPU_DATA_DIR_SLOTS && n < pages; i++)
            page.gref[i] = DATA_REF + n++;
        page.nr_pages = i;
        fake_gref_page(DIR_REF + d, &page);
    }
}

static uint32_t take(uint64_t buf, uint64_t size, uint32_t grant_dir, int *fd)
{
    struct vgpu_req_hostbuf_map m = {.buf = buf, .size = size, .grant_dir = grant_dir};

    return fake_core.last.ops->hostbuf_take(fake_core.last.tctx, &m, fd);
}

static void drop(uint64_t buf)
{
    fake_core.last.ops->hostbuf_drop(fake_core.last.tctx, buf);
}

static void test_64mib_is_shared_then_dropped(void **state)
{
    struct vgpu_xen *x = connected(0, 0);
    struct stat st;
    int fd = -1;

    (void)state;
    publish(64 * MIB);
    assert_int_equal(take(7, 64 * MIB, TOP_REF, &fd), VGPU_S_OK);
    assert_true(fd >= 0);
    assert_int_equal(fstat(fd, &st), 0);
    assert_int_equal(st.st_size, 64 * MIB);
    assert_int_equal(fake_gntdev_last_pages, 16384);
    assert_int_equal(x->grants, CHAN + 16384);
    close(fd);
    drop(7);
    assert_int_equal(x->grants, CHAN);
    drop(7); /* unknown by now: nothing happens */
    assert_int_equal(x->grants, CHAN);
    fake_xen_free(x);
}

/* A refusal: the status, no descriptor, no gntdev share, no grants counted. */
static void refused(struct vgpu_xen *x, uint64_t size, uint32_t grant_dir, uint32_t want)
{
    unsigned int shares = fake_gntdev_shares;
    uint64_t grants = x->grants;
    int fd = 123;

    assert_int_equal(take(3, size, grant_dir, &fd), want);
    assert_int_equal(fd, -1);
    assert_int_equal(fake_gntdev_shares, shares);
    assert_int_equal(x->grants, grants);
}

static void test_bad_directories_are_refused(void **state)
{
    struct vgpu_xen *x = connected(0, 0);
    struct vgpu_data_dir page;

    (void)state;
    publish(8 * MIB); /* 2048 pages: directories of 1022, 1022, 4 */
    refused(x, 8 * MIB, FAKE_BAD_REF, VGPU_S_BAD_FIELD);             /* grant_dir does not map */
    refused(x, 8 * MIB + VGPU_PAGE_SIZE, TOP_REF, VGPU_S_BAD_FIELD); /* 2049 pages: 3 dirs, ok;
                                                                  the last holds 5, not 4 */
    refused(x, 12 * MIB, TOP_REF, VGPU_S_BAD_FIELD); /* 3072 pages need 4 directories */
    refused(x, 4 * MIB, TOP_REF, VGPU_S_BAD_FIELD);  /* 1024 pages need 2 */
    refused(x, 8 * MIB, DIR_REF, VGPU_S_BAD_FIELD);  /* a data directory is not a top page */

    memset(&page, 0, sizeof(page));
    page.magic = VGPU_HOSTBUF_TOP_MAGIC;
    page.nr_pages = 2;
    page.gref[0] = DIR_REF;
    page.gref[1] = FAKE_BAD_REF + 1;
    fake_gref_page(TOP_REF + 100, &page); /* a directory page that does not map */
    refused(x, 5 * MIB, TOP_REF + 100, VGPU_S_BAD_FIELD);
    page.gref[0] = DIR_REF + 2; /* a last directory (4 pages) where 1022 are due */
    page.gref[1] = DIR_REF + 1;
    fake_gref_page(TOP_REF + 101, &page);
    refused(x, 5 * MIB, TOP_REF + 101, VGPU_S_BAD_FIELD);
    fake_xen_free(x);
}

static void test_budgets_refuse_before_directories(void **state)
{
    struct vgpu_xen *x = connected(100000, 1000);
    int fd = -1;

    (void)state;
    publish(4 * MIB);
    refused(x, 4 * MIB, TOP_REF, VGPU_S_PINNED_LIMIT); /* 9 + 1024 > 1000 */
    fake_xen_free(x);

    x = connected(100000, 1000);
    publish(2 * MIB);
    assert_int_equal(take(1, 2 * MIB, TOP_REF, &fd), VGPU_S_OK); /* 9 + 512 */
    close(fd);
    refused(x, 2 * MIB, TOP_REF, VGPU_S_PINNED_LIMIT); /* 521 + 512 > 1000 */
    drop(1);
    assert_int_equal(take(2, 2 * MIB, TOP_REF, &fd), VGPU_S_OK);
    close(fd);
    fake_xen_free(x);

    x = connected(500, 100000); /* vgpud's budget, all domains */
    publish(2 * MIB);
    refused(x, 2 * MIB, TOP_REF, VGPU_S_PINNED_LIMIT);
    fake_xen_free(x);
}

static void test_id_in_use_is_refused(void **state)
{
    struct vgpu_xen *x = connected(0, 0);
    int fd = -1;

    (void)state;
    publish(1 * MIB);
    assert_int_equal(take(3, 1 * MIB, TOP_REF, &fd), VGPU_S_OK);
    close(fd);
    refused(x, 1 * MIB, TOP_REF, VGPU_S_BAD_FIELD);
    assert_int_equal(x->grants, CHAN + 256);
    fake_xen_free(x);
}

static void test_release_returns_every_page(void **state)
{
    struct vgpu_xen *x = connected(0, 0);
    int fd = -1;

    (void)state;
    publish(16 * MIB);
    assert_int_equal(take(1, 16 * MIB, TOP_REF, &fd), VGPU_S_OK);
    close(fd);
    assert_int_equal(take(2, 16 * MIB, TOP_REF, &fd), VGPU_S_OK);
    close(fd);
    assert_int_equal(x->grants, CHAN + 2 * 4096);
    /* The domain goes with both mapped: the core releases without dropping them. */
    fake_channel(1, "channel-0", VGPU_XS_CLOSING);
    fire_fe(x);
    assert_int_equal(fake_core.released, 1);
    assert_int_equal(x->grants, 0);
    fake_xen_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_64mib_is_shared_then_dropped),
        cmocka_unit_test(test_bad_directories_are_refused),
        cmocka_unit_test(test_budgets_refuse_before_directories),
        cmocka_unit_test(test_id_in_use_is_refused),
        cmocka_unit_test(test_release_returns_every_page),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
