/* test_lower_opt.c: hoisted and forwarded instructions keep results and instruction counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "tdev.h"

/*
 * Parameter loads, %tid/%ntid moves, a cvta after a branch and an add inside a loop are
 * launch-invariant (hoisted); the %ctaid move is forwarded; r6 is written twice (stays).
 */
static const char text[] = ".version 8.0\n.target sm_75\n.address_size 64\n"
                           ".visible .entry k(.param .u64 k_p, .param .u32 k_n)\n{\n"
                           ".reg .pred %p<3>;\n.reg .b32 %r<10>;\n.reg .b64 %rd<6>;\n"
                           "ld.param.u64 %rd1, [k_p];\n"
                           "ld.param.u32 %r1, [k_n];\n"
                           "mov.u32 %r2, %tid.x;\n"
                           "mov.u32 %r3, %ctaid.x;\n"
                           "mov.u32 %r4, %ntid.x;\n"
                           "mad.lo.s32 %r5, %r3, %r4, %r2;\n"
                           "setp.ge.u32 %p1, %r5, %r1;\n"
                           "@%p1 bra DONE;\n"
                           "cvta.to.global.u64 %rd2, %rd1;\n"
                           "mov.u32 %r6, 0;\n"
                           "mov.u32 %r7, 7;\n"
                           "LOOP:\n"
                           "add.s32 %r6, %r6, %r7;\n"
                           "add.s32 %r8, %r2, 3;\n"
                           "add.s32 %r6, %r6, %r8;\n"
                           "setp.lt.u32 %p2, %r6, 100;\n"
                           "@%p2 bra LOOP;\n"
                           "mul.wide.u32 %rd3, %r5, 4;\n"
                           "add.s64 %rd4, %rd2, %rd3;\n"
                           "st.global.u32 [%rd4], %r6;\n"
                           "DONE:\n"
                           "ret;\n}\n";

struct params {
    uint64_t p;
    uint32_t n;
};

/* What the kernel writes for thread tid of its block, and its thread-instructions. */
static uint32_t loops(uint32_t tid)
{
    return (100 + 10 + tid - 1) / (10 + tid);
}

static void run_and_check(struct tdev *d, uint32_t *out, uint64_t dev, uint32_t n)
{
    uint32_t grid[3] = {2, 1, 1}, block[3] = {64, 1, 1}, i;
    struct params p = {dev, n};
    uint64_t want = 0;

    memset(out, 0xab, 128 * 4);
    d->fault.insns = 0;
    assert_int_equal(tdev_launch(d, "k", grid, block, 0, &p, sizeof(p)), 0);
    for (i = 0; i < 128; i++) {
        uint32_t tid = i % 64, k = loops(tid);
        if (i < n) {
            assert_int_equal(out[i], k * (10 + tid));
            /* A lane whose guard is false does not count the guarded instruction: 7 to the
             * branch (not taken), 3, 5 per loop but the last branch, 3, ret. */
            want += 13 + 5 * (uint64_t)k;
        } else {
            assert_int_equal(out[i], 0xabababab);
            want += 9; /* 8 to the branch (taken), ret */
        }
    }
    assert_int_equal(d->fault.insns, want);
}

static void test_results_and_counts_hold(void **state)
{
    struct tdev d;
    uint32_t *out;
    uint64_t dev;

    (void)state;
    tdev_open_image(&d, text, sizeof(text));
    dev = tdev_alloc(&d, 128 * 4, &out);
    run_and_check(&d, out, dev, 100);
    tdev_close(&d);
}

/* The prologue runs per launch: a second launch sees its own parameters. */
static void test_each_launch_sees_its_parameters(void **state)
{
    struct tdev d;
    uint32_t *out, *out2;
    uint64_t dev, dev2;

    (void)state;
    tdev_open_image(&d, text, sizeof(text));
    dev = tdev_alloc(&d, 128 * 4, &out);
    dev2 = tdev_alloc(&d, 128 * 4, &out2);
    run_and_check(&d, out, dev, 100);
    run_and_check(&d, out2, dev2, 37);
    run_and_check(&d, out, dev, 128);
    tdev_close(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_results_and_counts_hold),
        cmocka_unit_test(test_each_launch_sees_its_parameters),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
