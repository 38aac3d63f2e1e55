/* test_kernels_more.c: the rest of the kernel suite: f64, integers and bits, calls, local arrays,
 * divergence, __constant__, 3D grids, warp votes, approximate functions, vector accesses. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "ref.h"
#include "tdev.h"

static const char *const targets[] = {"tests/ptx/kernels_sm90.ptx", "tests/ptx/kernels_sm75.ptx"};
#define NTARGETS 2

struct p_io {
    uint64_t in, out;
    uint32_t n;
};

struct p_io3 {
    uint64_t a, b, out;
    uint32_t n;
};

static void assert_close(float got, float want, float rel, float abs_, const char *what, uint32_t i)
{
    if (!(fabsf(got - want) <= fmaxf(abs_, rel * fabsf(want))) && !(isnan(got) && isnan(want)))
        fail_msg("%s[%u]: got %.9g, want %.9g", what, i, (double)got, (double)want);
}

/* Runs a one-input kernel over n elements with blocks of block threads. */
static int run_io(struct tdev *d, const char *name, uint32_t n, uint32_t block, uint64_t in,
                  uint64_t out)
{
    struct p_io p = {.in = in, .out = out, .n = n};
    uint32_t g[3] = {(n + block - 1) / block, 1, 1}, b[3] = {block, 1, 1};

    return tdev_launch(d, name, g, b, 0, &p, sizeof(p));
}

static void test_f64_math(void **state)
{
    unsigned t, i;
    const uint32_t n = 500;

    (void)state;
    for (t = 0; t < NTARGETS; t++) {
        struct tdev d;
        struct p_io3 p = {.n = n};
        uint64_t seed = 11;
        double *x, *y, want;
        int64_t *k, kw;

        tdev_open(&d, targets[t]);
        p.a = tdev_alloc(&d, n * 8, &x);
        p.b = tdev_alloc(&d, n * 8, &y);
        p.out = tdev_alloc(&d, n * 8, &k);
        for (i = 0; i < n; i++)
            x[i] = (double)tdev_randf(&seed, -1000, 1000) + 1e-7 * tdev_rand(&seed);
        uint32_t g[3] = {(n + 63) / 64, 1, 1}, b[3] = {64, 1, 1};
        assert_int_equal(tdev_launch(&d, "f64_math", g, b, 0, &p, sizeof(p)), 0);
        for (i = 0; i < n; i++) {
            ref_f64_math(x[i], &want, &kw);
            if (y[i] != want)
                fail_msg("f64_math y[%u]: got %.17g, want %.17g", i, y[i], want);
            assert_int_equal(k[i], kw);
        }
        tdev_close(&d);
    }
}

static void test_int_bits(void **state)
{
    unsigned t, i, j;
    const uint32_t n = 700;

    (void)state;
    for (t = 0; t < NTARGETS; t++) {
        struct tdev d;
        struct p_io3 p = {.n = n};
        uint64_t seed = 23;
        int32_t *a, *b;
        uint32_t *out, want[8];

        tdev_open(&d, targets[t]);
        p.a = tdev_alloc(&d, n * 4, &a);
        p.b = tdev_alloc(&d, n * 4, &b);
        p.out = tdev_alloc(&d, n * 32, &out);
        for (i = 0; i < n; i++) {
            a[i] = (int32_t)tdev_rand(&seed) >> (tdev_rand(&seed) % 31);
            b[i] = (int32_t)tdev_rand(&seed) >> (tdev_rand(&seed) % 31);
        }
        a[0] = 0;
        b[1] = 0;
        a[2] = INT32_MIN;
        uint32_t g[3] = {(n + 99) / 100, 1, 1}, bl[3] = {100, 1, 1};
        assert_int_equal(tdev_launch(&d, "int_bits", g, bl, 0, &p, sizeof(p)), 0);
        for (i = 0; i < n; i++) {
            ref_int_bits(a[i], b[i], want);
            for (j = 0; j < 8; j++)
                if (out[8 * i + j] != want[j])
                    fail_msg("int_bits (%d, %d) output %u: got 0x%x, want 0x%x", a[i], b[i], j,
                             out[8 * i + j], want[j]);
        }
        tdev_close(&d);
    }
}

static void test_call_func(void **state)
{
    unsigned t, i;
    const uint32_t n = 333;

    (void)state;
    for (t = 0; t < NTARGETS; t++) {
        struct tdev d;
        uint64_t seed = 5, px, py;
        float *x, *y;

        tdev_open(&d, targets[t]);
        px = tdev_alloc(&d, n * 4, &x);
        py = tdev_alloc(&d, n * 4, &y);
        for (i = 0; i < n; i++)
            x[i] = tdev_randf(&seed, -50, 50);
        assert_int_equal(run_io(&d, "call_func", n, 64, px, py), 0);
        for (i = 0; i < n; i++)
            assert_close(y[i], ref_poly(x[i]), 1e-6f, 1e-6f, "call_func", i);
        tdev_close(&d);
    }
}

/* Integer kernels with one output per element: local arrays, divergent loops. */
static void check_int_kernel(const char *name, uint32_t (*ref)(uint32_t), uint32_t mod,
                             uint32_t block)
{
    unsigned t, i;
    const uint32_t n = 1000;

    for (t = 0; t < NTARGETS; t++) {
        struct tdev d;
        uint64_t seed = 31, px, py;
        uint32_t *x, *y;

        tdev_open(&d, targets[t]);
        px = tdev_alloc(&d, n * 4, &x);
        py = tdev_alloc(&d, n * 4, &y);
        for (i = 0; i < n; i++)
            x[i] = tdev_rand(&seed) % mod;
        assert_int_equal(run_io(&d, name, n, block, px, py), 0);
        for (i = 0; i < n; i++)
            if (y[i] != ref(x[i]))
                fail_msg("%s(%u): got %u, want %u", name, x[i], y[i], ref(x[i]));
        tdev_close(&d);
    }
}

static void test_local_array(void **state)
{
    (void)state;
    check_int_kernel("local_array", ref_local_array, 0xffffffffu, 96);
}

static void test_collatz_divergent(void **state)
{
    (void)state;
    check_int_kernel("collatz", ref_collatz, 100000, 50);
}

static void test_const_poly(void **state)
{
    unsigned t, i;
    const uint32_t n = 257;

    (void)state;
    for (t = 0; t < NTARGETS; t++) {
        struct tdev d;
        uint64_t seed = 8, px, py, size, addr;
        float *x, *y;
        uint32_t *launches;

        tdev_open(&d, targets[t]);
        assert_int_equal(vgpu_ptx_global(d.mod, "launches", (void **)&launches, &size, &addr), 0);
        assert_int_equal(size, 4);
        assert_int_equal(*launches, 7);
        px = tdev_alloc(&d, n * 4, &x);
        py = tdev_alloc(&d, n * 4, &y);
        for (i = 0; i < n; i++)
            x[i] = tdev_randf(&seed, -3, 3);
        assert_int_equal(run_io(&d, "const_poly", n, 128, px, py), 0);
        assert_int_equal(run_io(&d, "const_poly", n, 128, px, py), 0);
        assert_int_equal(*launches, 9);
        for (i = 0; i < n; i++)
            assert_close(y[i], ref_const_poly(x[i]), 1e-5f, 1e-5f, "const_poly", i);
        tdev_close(&d);
    }
}

static void test_grid_3d(void **state)
{
    static const uint32_t sh[][6] = {{3, 2, 2, 5, 3, 2}, {2, 3, 4, 8, 4, 1}, {1, 1, 7, 4, 4, 4}};
    unsigned t, s, x, y, z;

    (void)state;
    for (t = 0; t < NTARGETS; t++)
        for (s = 0; s < 3; s++) {
            struct tdev d;
            const uint32_t *g = sh[s], *b = sh[s] + 3;
            struct {
                uint64_t out;
                uint32_t nx, ny, nz;
            } p = {.nx = g[0] * b[0] - 1, .ny = g[1] * b[1], .nz = g[2] * b[2] - 1};
            uint32_t *out;

            tdev_open(&d, targets[t]);
            p.out = tdev_alloc(&d, p.nx * p.ny * (p.nz ? p.nz : 1) * 4, &out);
            assert_int_equal(tdev_launch(&d, "grid3d", g, b, 0, &p, sizeof(p)), 0);
            for (z = 0; z < p.nz; z++)
                for (y = 0; y < p.ny; y++)
                    for (x = 0; x < p.nx; x++)
                        assert_int_equal(out[(z * p.ny + y) * p.nx + x], x | y << 10 | z << 20);
            tdev_close(&d);
        }
}

/* What warp_vote writes for thread i of a launch of n threads in blocks of block. */
static void ref_vote(const int32_t *x, uint32_t n, uint32_t block, uint32_t i, uint32_t o[4])
{
    uint32_t t = i % block, first = i - t % 32, lane = t % 32, mask = 0, bal = 0, l;
    bool all = true, any = false;

    for (l = 0; l < 32 && t - lane + l < block && first + l < n; l++) {
        mask |= 1u << l;
        bal |= (uint32_t)(x[first + l] & 1) << l;
        all = all && x[first + l] > 0;
        any = any || x[first + l] > 0;
    }
    o[0] = bal;
    o[1] = (uint32_t)all | (uint32_t)any << 1;
    o[2] = mask;
    o[3] = lane | (t / 32) << 8 | (uint32_t)x[first] << 16;
}

static void test_warp_vote(void **state)
{
    static const uint32_t sh[][2] = {{200, 64}, {150, 40}, {90, 90}};
    unsigned t, s, i, j;

    (void)state;
    for (t = 0; t < NTARGETS; t++)
        for (s = 0; s < 3; s++) {
            struct tdev d;
            uint32_t n = sh[s][0], *out, want[4];
            uint64_t seed = 3 + s, px, po;
            int32_t *x;

            tdev_open(&d, targets[t]);
            px = tdev_alloc(&d, n * 4, &x);
            po = tdev_alloc(&d, n * 16, &out);
            for (i = 0; i < n; i++)
                x[i] = (int32_t)(tdev_rand(&seed) % 200) - (s == 2 ? -1 : 20);
            assert_int_equal(run_io(&d, "warp_vote", n, sh[s][1], px, po), 0);
            for (i = 0; i < n; i++) {
                ref_vote(x, n, sh[s][1], i, want);
                for (j = 0; j < 4; j++)
                    if (out[4 * i + j] != want[j])
                        fail_msg("warp_vote thread %u output %u: got 0x%x, want 0x%x", i, j,
                                 out[4 * i + j], want[j]);
            }
            tdev_close(&d);
        }
}

static void test_approx_f32(void **state)
{
    /* Bounds documented in docs/ptx-cpu.md: the GPU's are looser, ours are libm's. */
    static const float rel[8] = {1e-5f, 1e-5f, 0, 0, 1e-6f, 1e-6f, 0, 0};
    static const float abs_[8] = {1e-6f, 1e-6f, 2e-6f, 2e-6f, 1e-6f, 1e-6f, 0, 0};
    unsigned t, i, j;
    const uint32_t n = 400;

    (void)state;
    for (t = 0; t < NTARGETS; t++) {
        struct tdev d;
        uint64_t seed = 17, px, po;
        float *x, *out, want[8];

        tdev_open(&d, targets[t]);
        px = tdev_alloc(&d, n * 4, &x);
        po = tdev_alloc(&d, n * 32, &out);
        for (i = 0; i < n; i++)
            x[i] = tdev_randf(&seed, -2.9f, 2.9f);
        assert_int_equal(run_io(&d, "approx_f32", n, 128, px, po), 0);
        for (i = 0; i < n; i++) {
            ref_approx(x[i], want);
            for (j = 0; j < 8; j++)
                assert_close(out[8 * i + j], want[j], rel[j], abs_[j], "approx_f32", 8 * i + j);
        }
        tdev_close(&d);
    }
}

static void test_vec4(void **state)
{
    unsigned t, i;
    const uint32_t n = 130;

    (void)state;
    for (t = 0; t < NTARGETS; t++) {
        struct tdev d;
        uint64_t seed = 2, px, po;
        float *x, *out;

        tdev_open(&d, targets[t]);
        px = tdev_alloc(&d, n * 16, &x);
        po = tdev_alloc(&d, n * 16, &out);
        for (i = 0; i < 4 * n; i++)
            x[i] = tdev_randf(&seed, -9, 9);
        assert_int_equal(run_io(&d, "vec4_swizzle", n, 64, px, po), 0);
        for (i = 0; i < 4 * n; i++)
            assert_close(out[i], 2 * x[i / 4 * 4 + 3 - i % 4], 0, 0, "vec4_swizzle", i);
        tdev_close(&d);
    }
}

/* d rounded to float towards zero (z), down (-1) or up (+1), from the nearest float. */
static float round_dir(double d, int dir)
{
    float f = (float)d;

    if (dir == 0 && fabs((double)f) > fabs(d))
        f = nextafterf(f, 0.0f);
    else if (dir < 0 && (double)f > d)
        f = nextafterf(f, -INFINITY);
    else if (dir > 0 && (double)f < d)
        f = nextafterf(f, INFINITY);
    return f;
}

static void test_round_modes(void **state)
{
    unsigned t, i, j;
    const uint32_t n = 300;

    (void)state;
    for (t = 0; t < NTARGETS; t++) {
        struct tdev d;
        struct {
            uint64_t a, b, x, k, out;
            uint32_t n;
        } p = {.n = n};
        uint64_t seed = 71;
        float *a, *b, *out, want[8];
        double *x;
        int32_t *k;

        tdev_open(&d, targets[t]);
        p.a = tdev_alloc(&d, n * 4, &a);
        p.b = tdev_alloc(&d, n * 4, &b);
        p.x = tdev_alloc(&d, n * 8, &x);
        p.k = tdev_alloc(&d, n * 4, &k);
        p.out = tdev_alloc(&d, n * 32, &out);
        for (i = 0; i < n; i++) {
            a[i] = tdev_randf(&seed, -1e3f, 1e3f);
            b[i] = tdev_randf(&seed, -1, 1) * 1e-3f;
            x[i] = (double)tdev_randf(&seed, -50, 50) + 1e-9 * (double)tdev_rand(&seed);
            k[i] = (int32_t)tdev_rand(&seed);
        }
        uint32_t g[3] = {(n + 63) / 64, 1, 1}, bl[3] = {64, 1, 1};
        assert_int_equal(tdev_launch(&d, "round_modes", g, bl, 0, &p, sizeof(p)), 0);
        for (i = 0; i < n; i++) {
            double sum = (double)a[i] + (double)b[i], prod = (double)a[i] * (double)b[i];
            want[0] = round_dir(sum, 0);
            want[1] = round_dir(sum, -1);
            want[2] = round_dir(sum, 1);
            want[3] = round_dir(prod, 0);
            want[4] = round_dir(x[i], -1);
            want[5] = round_dir(x[i], 1);
            want[6] = round_dir(x[i], 0);
            want[7] = round_dir((double)(int32_t)((uint32_t)k[i] * 1021u), 0);
            for (j = 0; j < 8; j++)
                if (memcmp(&out[8 * i + j], &want[j], 4) != 0)
                    fail_msg("round_modes element %u output %u: got %.9g, want %.9g", i, j,
                             (double)out[8 * i + j], (double)want[j]);
        }
        tdev_close(&d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f64_math),
        cmocka_unit_test(test_int_bits),
        cmocka_unit_test(test_call_func),
        cmocka_unit_test(test_local_array),
        cmocka_unit_test(test_collatz_divergent),
        cmocka_unit_test(test_const_poly),
        cmocka_unit_test(test_grid_3d),
        cmocka_unit_test(test_warp_vote),
        cmocka_unit_test(test_approx_f32),
        cmocka_unit_test(test_round_modes),
        cmocka_unit_test(test_vec4),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
