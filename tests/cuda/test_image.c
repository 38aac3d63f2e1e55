/* test_image.c: guest-cuda's image reader and PTX signature parser on crafted inputs (no toolkit).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "cuda_int.h"

static const char ptx[] = ".version 8.0\n.target sm_75\n"
                          ".visible .entry first(\n"
                          "    .param .u64 .ptr .global .align 4 first_param_0,\n"
                          "    .param .f32 first_param_1,\n"
                          "    .param .align 16 .b8 first_param_2[24],\n"
                          "    .param .u8 first_param_3\n)\n{ ret; }\n"
                          ".entry firstly(.param .u32 p)\n{ ret; }\n"
                          ".entry none()\n{ ret; }\n";

static void test_layout(void **state)
{
    struct vcu_params p;

    assert_int_equal(vcu__ptx_params(ptx, "first", &p), 0);
    assert_int_equal(p.count, 4);
    assert_int_equal(p.off[0], 0);
    assert_int_equal(p.size[0], 8);
    assert_int_equal(p.off[1], 8);
    assert_int_equal(p.off[2], 16); /* .align 16 */
    assert_int_equal(p.size[2], 24);
    assert_int_equal(p.off[3], 40);
    assert_int_equal(p.total, 48); /* rounded to the largest alignment */
    vcu__params_free(&p);
}

static void test_names(void **state)
{
    struct vcu_params p;

    assert_int_equal(vcu__ptx_params(ptx, "firstly", &p), 0); /* not confused with first */
    assert_int_equal(p.count, 1);
    assert_int_equal(p.total, 4);
    vcu__params_free(&p);
    assert_int_equal(vcu__ptx_params(ptx, "none", &p), 0);
    assert_int_equal(p.count, 0);
    assert_int_equal(p.total, 0);
    vcu__params_free(&p);
    assert_int_equal(vcu__ptx_params(ptx, "fir", &p), -ENOENT);
}

static void test_malformed(void **state)
{
    struct vcu_params p;

    assert_true(vcu__ptx_params(".entry k(.param .u99 a)", "k", &p) < 0);
    assert_true(vcu__ptx_params(".entry k(.param .u32 a[0])", "k", &p) < 0);
    assert_true(vcu__ptx_params(".entry k(.param .b8 a[5000])", "k", &p) < 0); /* > 4096 bytes */
    assert_true(vcu__ptx_params(".entry k(.param", "k", &p) < 0);
    assert_true(vcu__ptx_params(".entry k(", "k", &p) < 0); /* truncated */
    assert_true(vcu__ptx_params(".entry k(.param .u32 a", "k", &p) < 0);
    assert_true(vcu__ptx_params(".entry k(.param .u32 a .param .u32 b)", "k", &p) < 0);
}

static void test_image_span(void **state)
{
    uint8_t fatbin[64 + 16] = {0}, elf[0x40 + 2 * 64] = {0};
    struct {
        int32_t magic, version;
        const void *data, *name;
    } wrapper = {0x466243b1, 1, fatbin, NULL};
    const void *data;
    size_t len;
    uint32_t magic = 0xba55ed50u;
    uint64_t body = 64, shoff = 0x40;
    uint16_t hs = 16, shentsize = 64, shnum = 2;

    memcpy(fatbin, &magic, 4);
    memcpy(fatbin + 6, &hs, 2);
    memcpy(fatbin + 8, &body, 8);
    assert_int_equal(vcu__image_span(fatbin, &data, &len), 0);
    assert_ptr_equal(data, fatbin);
    assert_int_equal(len, 80);
    assert_false(vcu__image_has_ptx(data, len)); /* no entries at all */
    assert_int_equal(vcu__image_span(&wrapper, &data, &len), 0);
    assert_ptr_equal(data, fatbin);
    memcpy(elf, "\177ELF", 4);
    memcpy(elf + 0x28, &shoff, 8);
    memcpy(elf + 0x3a, &shentsize, 2);
    memcpy(elf + 0x3c, &shnum, 2);
    assert_int_equal(vcu__image_span(elf, &data, &len), 0);
    assert_int_equal(len, sizeof(elf));
    assert_false(vcu__image_has_ptx(elf, len));
    assert_int_equal(vcu__image_span(ptx, &data, &len), 0);
    assert_int_equal(len, sizeof(ptx));
    assert_true(vcu__image_has_ptx(ptx, len));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_image_span),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
