/* test_faults.c: what the interpreter refuses at load, and launches that fail cleanly. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "tdev.h"

static const char *const kernels = "tests/ptx/kernels_sm90.ptx";

struct p_store {
    uint64_t p;
    uint32_t n;
};

static int load_text(const char *text, char *err, size_t errlen)
{
    struct vgpu_ptx_module *m = NULL;
    int r = vgpu_ptx_module_load(text, strlen(text), &m, err, errlen);

    vgpu_ptx_module_free(m);
    return r;
}

static void test_store_out_of_range_fails_cleanly(void **state)
{
    uint32_t grid[3] = {20, 1, 1}, block[3] = {256, 1, 1}, i;
    struct tdev d;
    struct p_store p = {.n = 5000};
    float *a;
    uint32_t *b;
    uint64_t bb;

    (void)state;
    tdev_open(&d, kernels);
    p.p = tdev_alloc(&d, 100 * 4, &a);
    bb = tdev_alloc(&d, 8192, &b); /* within reach of the stray stores */
    for (i = 0; i < 2048; i++)
        b[i] = 0xdeadbeef;
    assert_true(bb < p.p + 5000 * 4);
    assert_int_equal(tdev_launch(&d, "store_index", grid, block, 0, &p, sizeof(p)), -EFAULT);
    assert_int_equal(d.fault.kind, VGPU_PTX_FAULT_ILLEGAL_ADDRESS);
    assert_int_equal(d.fault.addr, p.p + 400);
    assert_int_equal(d.fault.thread[0], 100);
    assert_int_equal(d.fault.block[0], 0);
    for (i = 0; i < 2048; i++)
        assert_int_equal(b[i], 0xdeadbeef);
    tdev_close(&d);
}

static void test_misaligned_store_fails(void **state)
{
    uint32_t grid[3] = {1, 1, 1}, block[3] = {32, 1, 1};
    struct tdev d;
    struct p_store p = {.n = 8};
    float *a;

    (void)state;
    tdev_open(&d, kernels);
    p.p = tdev_alloc(&d, 64, &a) + 2;
    assert_int_equal(tdev_launch(&d, "store_index", grid, block, 0, &p, sizeof(p)), -EFAULT);
    assert_int_equal(d.fault.kind, VGPU_PTX_FAULT_MISALIGNED);
    assert_int_equal(d.fault.addr, p.p);
    tdev_close(&d);
}

static void test_bad_launch_shapes_refused(void **state)
{
    uint32_t grid[3] = {1, 1, 1}, block[3] = {1025, 1, 1}, zero[3] = {0, 1, 1};
    struct tdev d;
    struct p_store p = {.n = 8};
    float *a;

    (void)state;
    tdev_open(&d, kernels);
    p.p = tdev_alloc(&d, 64, &a);
    assert_int_equal(tdev_launch(&d, "store_index", grid, block, 0, &p, sizeof(p)), -EINVAL);
    block[0] = 32;
    assert_int_equal(tdev_launch(&d, "store_index", zero, block, 0, &p, sizeof(p)), -EINVAL);
    assert_int_equal(tdev_launch(&d, "store_index", grid, block, 0, &p, 8), -EINVAL);
    assert_int_equal(vgpu_ptx_entry_find(d.mod, "no_such_kernel"), -ENOENT);
    tdev_close(&d);
}

static void test_sass_only_fatbin_refused(void **state)
{
    struct vgpu_ptx_module *m = NULL;
    char err[256];
    size_t len;
    char *img = tdev_read("tests/ptx/sass_only.fatbin", &len);

    (void)state;
    assert_int_equal(vgpu_ptx_module_load(img, len, &m, err, sizeof(err)), -ENOEXEC);
    assert_null(m);
    assert_non_null(strstr(err, "no PTX in the image"));
    assert_non_null(strstr(err, "sm_90"));
    assert_non_null(strstr(err, "code=compute_XX"));
    memcpy(img,
           "\x7f"
           "ELF",
           4); /* a bare cubin */
    assert_int_equal(vgpu_ptx_module_load(img, len, &m, err, sizeof(err)), -ENOEXEC);
    assert_non_null(strstr(err, "no PTX in the image"));
    free(img);
}

static void test_zstd_fatbin_runs(void **state)
{
    uint32_t grid[3] = {1, 1, 1}, block[3] = {64, 1, 1}, i;
    struct {
        uint64_t a, b, c;
        uint32_t n;
    } p = {.n = 50};
    struct tdev d;
    float *a, *b, *c;

    (void)state;
    tdev_open(&d, "tests/ptx/vector_add.fatbin");
    p.a = tdev_alloc(&d, 200, &a);
    p.b = tdev_alloc(&d, 200, &b);
    p.c = tdev_alloc(&d, 200, &c);
    for (i = 0; i < 50; i++) {
        a[i] = (float)i * 0.5f;
        b[i] = 3.0f - (float)i;
    }
    assert_int_equal(tdev_launch(&d, "vector_add", grid, block, 0, &p, sizeof(p)), 0);
    for (i = 0; i < 50; i++)
        assert_true(c[i] == a[i] + b[i]);
    tdev_close(&d);
}

static const char head[] = ".version 8.0\n.target sm_75\n.address_size 64\n";

static void test_unsupported_instruction_refused(void **state)
{
    static const char *const bad[][2] = {
        {".visible .entry k(.param .u64 p)\n{\n.reg .b32 %r<4>;\nmul24.lo.s32 %r1, %r2, %r3;\n"
         "ret;\n}\n",
         "mul24.lo.s32"},
        {".visible .entry k(.param .u64 p)\n{\n.reg .b32 %r<4>;\n.reg .b64 %rd<2>;\n"
         "ld.global.L2::cache_hint.u32 %r1, [%rd1], %rd1;\nret;\n}\n",
         "L2::cache_hint"},
        {".visible .entry k()\n{\n.reg .f16 %h<3>;\nadd.f16 %h1, %h2, %h2;\nret;\n}\n", "add.f16"},
        {".func f()\n{\ncall f;\nret;\n}\n.visible .entry k()\n{\ncall f;\nret;\n}\n",
         "recursive call"},
        {".global .b8 big[4000000000];\n", "too large"},
        {".visible .entry k()\n{\n.reg .b32 %r<60000>;\nret;\n}\n", "too many registers"},
        {".visible .entry k()\n{\n.reg .b32 %r<3>;\nadd.sat.s32 %r1, %r2, %r2;\nret;\n}\n",
         "add.sat.s32"},
        {".visible .entry k()\n{\n.reg .b32 %r<3>;\ntex.1d.v4.s32.s32 {%r1, %r1, %r1, %r1}, "
         "[%r2, {%r2}];\nret;\n}\n",
         "tex.1d.v4.s32.s32"},
    };
    char text[1024], err[256];
    unsigned i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text), "%s%s", head, bad[i][0]);
        assert_int_equal(load_text(text, err, sizeof(err)), -ENOEXEC);
        if (!strstr(err, bad[i][1]))
            fail_msg("case %u: '%s' does not name '%s'", i, err, bad[i][1]);
    }
    snprintf(text, sizeof(text), "%s%s", head, ".visible .entry k()\n{\nret;\n}\n");
    assert_int_equal(load_text(text, err, sizeof(err)), 0);
}

/* Damaged images (bytes changed, cut short) are refused or load; they never crash the loader. */
static void test_damaged_images_are_handled(void **state)
{
    size_t len, i, n;
    char *orig = tdev_read(kernels, &len), *img = malloc(len + 1);
    static const char junk[] = " %.[]{}();,0fx\n-+|!@_";
    uint64_t seed = 0x5eed;
    unsigned loaded = 0, refused = 0;

    (void)state;
    assert_non_null(img);
    for (i = 0; i < 1000; i++) {
        struct vgpu_ptx_module *m = NULL;
        char err[256];
        size_t cut = i % 4 == 0 ? tdev_rand(&seed) % len : len;
        memcpy(img, orig, len);
        for (n = 0; n < 1 + i % 8; n++)
            img[tdev_rand(&seed) % len] = junk[tdev_rand(&seed) % (sizeof(junk) - 1)];
        if (vgpu_ptx_module_load(img, cut, &m, err, sizeof(err)) == 0)
            loaded++;
        else
            refused++;
        vgpu_ptx_module_free(m);
    }
    print_message("damaged images: %u loaded, %u refused\n", loaded, refused);
    assert_true(refused > 0);
    free(img);
    free(orig);
}

/* A kernel that never ends: it counts in *p until stopped. */
static const char spin[] = ".version 8.0\n.target sm_75\n.address_size 64\n"
                           ".visible .entry spin(.param .u64 p)\n{\n"
                           ".reg .b32 %r<2>;\n.reg .b64 %rd<2>;\n"
                           "ld.param.u64 %rd1, [p];\nmov.u32 %r1, 0;\n"
                           "$L1:\nadd.u32 %r1, %r1, 1;\nst.global.u32 [%rd1], %r1;\nbra $L1;\n}\n";

struct stopper {
    atomic_bool stop;
    uint32_t *counter;
};

/* Stops the launch once it has visibly run. */
static void *stop_when_running(void *arg)
{
    struct stopper *s = arg;

    while (__atomic_load_n(s->counter, __ATOMIC_RELAXED) < 1000)
        ;
    atomic_store(&s->stop, true);
    return NULL;
}

static void test_stop_flag_stops_a_running_launch(void **state)
{
    uint32_t g[3] = {1, 1, 1}, b[3] = {1, 1, 1};
    struct stopper st = {.stop = false};
    struct tdev d;
    pthread_t th;
    uint64_t p;

    (void)state;
    tdev_open_image(&d, spin, sizeof(spin));
    p = tdev_alloc(&d, 4, &st.counter);
    d.stop = &st.stop;
    assert_int_equal(pthread_create(&th, NULL, stop_when_running, &st), 0);
    assert_int_equal(tdev_launch(&d, "spin", g, b, 0, &p, sizeof(p)), -EFAULT);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(d.fault.kind, VGPU_PTX_FAULT_STOPPED);
    assert_true(*st.counter >= 1000);
    assert_true(d.fault.insns >= 3000);
    tdev_close(&d);
}

static void test_stop_before_launch_runs_nothing(void **state)
{
    uint32_t g[3] = {4, 1, 1}, b[3] = {1, 1, 1};
    atomic_bool stop = true;
    struct tdev d;
    uint32_t *counter;
    uint64_t p;

    (void)state;
    tdev_open_image(&d, spin, sizeof(spin));
    p = tdev_alloc(&d, 4, &counter);
    d.stop = &stop;
    assert_int_equal(tdev_launch(&d, "spin", g, b, 0, &p, sizeof(p)), -EFAULT);
    assert_int_equal(d.fault.kind, VGPU_PTX_FAULT_STOPPED);
    assert_int_equal(d.fault.insns, 0);
    assert_int_equal(*counter, 0);
    tdev_close(&d);
}

static uint64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void test_deadline_stops_a_launch(void **state)
{
    uint32_t g[3] = {1, 1, 1}, b[3] = {1, 1, 1};
    struct tdev d;
    uint32_t *counter;
    uint64_t p, t0;

    (void)state;
    tdev_open_image(&d, spin, sizeof(spin));
    p = tdev_alloc(&d, 4, &counter);
    t0 = mono_ns();
    d.deadline_ns = t0 + 50 * 1000 * 1000;
    assert_int_equal(tdev_launch(&d, "spin", g, b, 0, &p, sizeof(p)), -EFAULT);
    assert_int_equal(d.fault.kind, VGPU_PTX_FAULT_DEADLINE);
    assert_true(mono_ns() >= d.deadline_ns);
    assert_true(*counter > 0);
    tdev_close(&d);
}

static void test_trap_fails_the_launch(void **state)
{
    static const char text[] = ".version 8.0\n.target sm_75\n.address_size 64\n"
                               ".visible .entry t(.param .u32 n)\n{\n.reg .pred %p;\n"
                               ".reg .b32 %r<3>;\nld.param.u32 %r1, [n];\nmov.u32 %r2, %tid.x;\n"
                               "setp.eq.u32 %p, %r2, %r1;\n@%p trap;\nret;\n}\n";
    uint32_t g[3] = {2, 1, 1}, b[3] = {64, 1, 1}, n = 37;
    struct tdev d;

    (void)state;
    tdev_open_image(&d, text, sizeof(text));
    assert_int_equal(tdev_launch(&d, "t", g, b, 0, &n, sizeof(n)), -EFAULT);
    assert_int_equal(d.fault.kind, VGPU_PTX_FAULT_TRAP);
    assert_int_equal(d.fault.thread[0], 37);
    assert_int_equal(d.fault.block[0], 0);
    assert_int_equal(d.fault.line, 11);
    n = 64; /* no thread has that index: nothing traps */
    assert_int_equal(tdev_launch(&d, "t", g, b, 0, &n, sizeof(n)), 0);
    tdev_close(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_out_of_range_fails_cleanly),
        cmocka_unit_test(test_misaligned_store_fails),
        cmocka_unit_test(test_bad_launch_shapes_refused),
        cmocka_unit_test(test_sass_only_fatbin_refused),
        cmocka_unit_test(test_zstd_fatbin_runs),
        cmocka_unit_test(test_unsupported_instruction_refused),
        cmocka_unit_test(test_damaged_images_are_handled),
        cmocka_unit_test(test_stop_flag_stops_a_running_launch),
        cmocka_unit_test(test_stop_before_launch_runs_nothing),
        cmocka_unit_test(test_deadline_stops_a_launch),
        cmocka_unit_test(test_trap_fails_the_launch),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
