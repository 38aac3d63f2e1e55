/* Unit tests of dom0/memtab.c: a VM's allocations, looked up by any address inside them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "memtab.h"

static int tag_a, tag_b;

static void test_empty_finds_nothing(void **state)
{
    struct vgpu_memtab t = {0};

    (void)state;
    assert_null(vgpu_memtab_find(&t, 0, 0));
    assert_null(vgpu_memtab_find(&t, 0x1000, 16));
    assert_int_equal(vgpu_memtab_remove(&t, 0x1000, NULL), -ENOENT);
    vgpu_memtab_free(&t);
}

static void test_find_inside_and_at_edges(void **state)
{
    struct vgpu_memtab t = {0};
    const struct vgpu_memtab_entry *e;

    (void)state;
    assert_int_equal(vgpu_memtab_insert(&t, 0x1000, 0x100, &tag_a), 0);
    e = vgpu_memtab_find(&t, 0x1000, 0x100); /* all of it */
    assert_non_null(e);
    assert_ptr_equal(e->tag, &tag_a);
    assert_non_null(vgpu_memtab_find(&t, 0x10ff, 1));      /* its last byte */
    assert_non_null(vgpu_memtab_find(&t, 0x10ff, 0));      /* len 0: the address is inside */
    assert_null(vgpu_memtab_find(&t, 0x1100, 0));          /* one past the end */
    assert_null(vgpu_memtab_find(&t, 0x0fff, 1));          /* one before the start */
    assert_null(vgpu_memtab_find(&t, 0x1080, 0x81));       /* runs one byte past the end */
    assert_null(vgpu_memtab_find(&t, 0x1080, UINT64_MAX)); /* length that wraps */
    vgpu_memtab_free(&t);
}

static void test_overlap_refused(void **state)
{
    struct vgpu_memtab t = {0};

    (void)state;
    assert_int_equal(vgpu_memtab_insert(&t, 0x2000, 0x100, &tag_a), 0);
    assert_int_equal(vgpu_memtab_insert(&t, 0x1f80, 0x81, &tag_b), -EEXIST);   /* into the start */
    assert_int_equal(vgpu_memtab_insert(&t, 0x20ff, 0x10, &tag_b), -EEXIST);   /* from the end */
    assert_int_equal(vgpu_memtab_insert(&t, 0x2010, 0x10, &tag_b), -EEXIST);   /* inside */
    assert_int_equal(vgpu_memtab_insert(&t, 0x1000, 0x2000, &tag_b), -EEXIST); /* around */
    /* touching on either side is not overlapping */
    assert_int_equal(vgpu_memtab_insert(&t, 0x1f00, 0x100, &tag_b), 0);
    assert_int_equal(vgpu_memtab_insert(&t, 0x2100, 0x100, &tag_b), 0);
    assert_int_equal(t.n, 3);
    assert_int_equal(t.bytes, 0x300);
    vgpu_memtab_free(&t);
}

static void test_bad_sizes_refused(void **state)
{
    struct vgpu_memtab t = {0};

    (void)state;
    assert_int_equal(vgpu_memtab_insert(&t, 0x1000, 0, &tag_a), -EINVAL);
    assert_int_equal(vgpu_memtab_insert(&t, UINT64_MAX - 0xf, 0x20, &tag_a), -EINVAL);
    assert_int_equal(t.n, 0);
    assert_int_equal(t.bytes, 0);
    vgpu_memtab_free(&t);
}

static void test_remove_by_base_only(void **state)
{
    struct vgpu_memtab t = {0};
    struct vgpu_memtab_entry out = {0};

    (void)state;
    assert_int_equal(vgpu_memtab_insert(&t, 0x1000, 0x100, &tag_a), 0);
    assert_int_equal(vgpu_memtab_insert(&t, 0x3000, 0x200, &tag_b), 0);
    assert_int_equal(vgpu_memtab_remove(&t, 0x1010, &out), -ENOENT); /* inside, not its base */
    assert_int_equal(vgpu_memtab_remove(&t, 0x3000, &out), 0);
    assert_int_equal(out.base, 0x3000);
    assert_int_equal(out.size, 0x200);
    assert_ptr_equal(out.tag, &tag_b);
    assert_int_equal(t.bytes, 0x100);
    assert_null(vgpu_memtab_find(&t, 0x3000, 0));
    assert_non_null(vgpu_memtab_find(&t, 0x1000, 0));
    assert_int_equal(vgpu_memtab_remove(&t, 0x3000, NULL), -ENOENT); /* twice */
    assert_int_equal(vgpu_memtab_remove(&t, 0x1000, NULL), 0);
    assert_int_equal(t.n, 0);
    assert_int_equal(t.bytes, 0);
    vgpu_memtab_free(&t);
}

/* Many entries inserted out of order (the array grows past its first 16): each found by its
 * middle, the sum kept, and removal of every other one leaves the rest findable. */
static void test_many_out_of_order(void **state)
{
    enum { N = 1000 };
    struct vgpu_memtab t = {0};
    uint64_t i, sum = 0;

    (void)state;
    for (i = 0; i < N; i++) {
        uint64_t k = (i * 7919) % N; /* a permutation of 0..N-1: 7919 is prime, N is not */
        assert_int_equal(vgpu_memtab_insert(&t, 0x100000 + k * 0x1000, 0x800 + k, &tag_a), 0);
        sum += 0x800 + k;
    }
    assert_int_equal(t.n, N);
    assert_int_equal(t.bytes, sum);
    for (i = 1; i < t.n; i++)
        assert_true(t.v[i - 1].base + t.v[i - 1].size <= t.v[i].base);
    for (i = 0; i < N; i += 2)
        assert_int_equal(vgpu_memtab_remove(&t, 0x100000 + i * 0x1000, NULL), 0);
    for (i = 0; i < N; i++) {
        const struct vgpu_memtab_entry *e = vgpu_memtab_find(&t, 0x100000 + i * 0x1000 + 0x400, 1);
        if (i % 2)
            assert_non_null(e);
        else
            assert_null(e);
    }
    assert_null(vgpu_memtab_find(&t, 0x100000 + 1 * 0x1000 + 0x800 + 1, 0)); /* in a gap */
    vgpu_memtab_free(&t);
    assert_int_equal(t.n, 0);
    assert_null(t.v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_finds_nothing), cmocka_unit_test(test_find_inside_and_at_edges),
        cmocka_unit_test(test_overlap_refused),     cmocka_unit_test(test_bad_sizes_refused),
        cmocka_unit_test(test_remove_by_base_only), cmocka_unit_test(test_many_out_of_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
