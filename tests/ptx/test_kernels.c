/* test_kernels.c: the CUDA C kernel suite (kernels.cu, as nvcc made PTX of it) against C
 * references. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "ref.h"
#include "tdev.h"

/* Every test runs the PTX nvcc made for a current and an older GPU. */
static const char *const targets[] = {"tests/ptx/kernels_sm90.ptx", "tests/ptx/kernels_sm75.ptx"};
#define NTARGETS 2

struct p_vec3 {
    uint64_t a, b, c;
    uint32_t n;
};

struct p_saxpy {
    float a;
    uint64_t x, y;
    uint32_t n;
};

struct p_io {
    uint64_t in, out;
    uint32_t n;
};

static uint32_t blocks_for(uint32_t n, uint32_t block)
{
    return (n + block - 1) / block;
}

static void assert_close(float got, float want, float rel, const char *what, uint32_t i)
{
    if (!(fabsf(got - want) <= rel * fmaxf(1.0f, fabsf(want))))
        fail_msg("%s[%u]: got %.9g, want %.9g", what, i, (double)got, (double)want);
}

/* 1D shapes: blocks of 32, not a multiple of 32, and the largest. */
static const uint32_t shapes[][2] = {{1000, 256}, {77, 33}, {4099, 1024}, {300, 100}};

static void test_vector_add(void **state)
{
    unsigned t, s, i;

    (void)state;
    for (t = 0; t < NTARGETS; t++)
        for (s = 0; s < 4; s++) {
            struct tdev d;
            uint32_t n = shapes[s][0], block[3] = {shapes[s][1], 1, 1};
            uint32_t grid[3] = {blocks_for(n, block[0]), 1, 1};
            uint64_t seed = 0x9e3779b97f4a7c15ull + s;
            float *a, *b, *c;
            struct p_vec3 p;

            tdev_open(&d, targets[t]);
            p.a = tdev_alloc(&d, n * 4, &a);
            p.b = tdev_alloc(&d, n * 4, &b);
            p.c = tdev_alloc(&d, n * 4, &c);
            p.n = n;
            for (i = 0; i < n; i++) {
                a[i] = tdev_randf(&seed, -100, 100);
                b[i] = tdev_randf(&seed, -100, 100);
            }
            assert_int_equal(tdev_launch(&d, "vector_add", grid, block, 0, &p, sizeof(p)), 0);
            for (i = 0; i < n; i++)
                assert_close(c[i], a[i] + b[i], 0, "vector_add c", i);
            tdev_close(&d);
        }
}

static void test_saxpy(void **state)
{
    unsigned t, s, i;

    (void)state;
    for (t = 0; t < NTARGETS; t++)
        for (s = 0; s < 4; s++) {
            struct tdev d;
            uint32_t n = shapes[s][0], block[3] = {shapes[s][1], 1, 1};
            uint32_t grid[3] = {blocks_for(n, block[0]), 1, 1};
            uint64_t seed = 77 + s;
            float *x, *y, *y0 = malloc(n * 4);
            struct p_saxpy p = {.a = 2.5f, .n = n};

            tdev_open(&d, targets[t]);
            p.x = tdev_alloc(&d, n * 4, &x);
            p.y = tdev_alloc(&d, n * 4, &y);
            for (i = 0; i < n; i++) {
                x[i] = tdev_randf(&seed, -10, 10);
                y0[i] = y[i] = tdev_randf(&seed, -10, 10);
            }
            assert_int_equal(tdev_launch(&d, "saxpy", grid, block, 0, &p, sizeof(p)), 0);
            for (i = 0; i < n; i++)
                assert_close(y[i], fmaf(2.5f, x[i], y0[i]), 0, "saxpy y", i);
            free(y0);
            tdev_close(&d);
        }
}

static void test_matmul_tiled(void **state)
{
    static const uint32_t sizes[] = {16, 33, 50};
    unsigned t, s, i;

    (void)state;
    for (t = 0; t < NTARGETS; t++)
        for (s = 0; s < 3; s++) {
            struct tdev d;
            uint32_t n = sizes[s], block[3] = {16, 16, 1};
            uint32_t grid[3] = {blocks_for(n, 16), blocks_for(n, 16), 1};
            uint64_t seed = 5 + s;
            float *a, *b, *c, *want = malloc(n * n * 4);
            struct p_vec3 p = {.n = n};

            tdev_open(&d, targets[t]);
            p.a = tdev_alloc(&d, n * n * 4, &a);
            p.b = tdev_alloc(&d, n * n * 4, &b);
            p.c = tdev_alloc(&d, n * n * 4, &c);
            for (i = 0; i < n * n; i++) {
                a[i] = tdev_randf(&seed, -2, 2);
                b[i] = tdev_randf(&seed, -2, 2);
            }
            assert_int_equal(tdev_launch(&d, "matmul_tiled", grid, block, 0, &p, sizeof(p)), 0);
            ref_matmul(a, b, want, n);
            for (i = 0; i < n * n; i++)
                assert_close(c[i], want[i], 1e-5f, "matmul c", i);
            free(want);
            tdev_close(&d);
        }
}

static void test_reduce_sum(void **state)
{
    static const uint32_t sh[][2] = {{1000, 256}, {5000, 96}, {70, 1024}, {32, 32}};
    unsigned t, s, i;

    (void)state;
    for (t = 0; t < NTARGETS; t++)
        for (s = 0; s < 4; s++) {
            struct tdev d;
            uint32_t n = sh[s][0], block[3] = {sh[s][1], 1, 1}, *x, *sum, want = 0;
            uint32_t grid[3] = {blocks_for(n, block[0]), 1, 1};
            uint64_t seed = 99 + s;
            struct p_io p = {.n = n};

            tdev_open(&d, targets[t]);
            p.in = tdev_alloc(&d, n * 4, &x);
            p.out = tdev_alloc(&d, 4, &sum);
            for (i = 0; i < n; i++) {
                x[i] = tdev_rand(&seed);
                want += x[i];
            }
            assert_int_equal(tdev_launch(&d, "reduce_sum", grid, block, 0, &p, sizeof(p)), 0);
            assert_int_equal(*sum, want);
            tdev_close(&d);
        }
}

static void test_histogram(void **state)
{
    unsigned t, s, i;

    (void)state;
    for (t = 0; t < NTARGETS; t++)
        for (s = 0; s < 4; s++) {
            struct tdev d;
            uint32_t n = shapes[s][0], block[3] = {shapes[s][1], 1, 1}, *x, *h, want[64] = {0};
            uint32_t grid[3] = {blocks_for(n, block[0]), 1, 1};
            uint64_t seed = 1234 + s;
            struct p_io p = {.n = n};

            tdev_open(&d, targets[t]);
            p.in = tdev_alloc(&d, n * 4, &x);
            p.out = tdev_alloc(&d, 64 * 4, &h);
            for (i = 0; i < n; i++) {
                x[i] = tdev_rand(&seed) % 1000;
                want[x[i] % 64]++;
            }
            assert_int_equal(tdev_launch(&d, "histogram", grid, block, 0, &p, sizeof(p)), 0);
            for (i = 0; i < 64; i++)
                assert_int_equal(h[i], want[i]);
            tdev_close(&d);
        }
}

static void test_transpose(void **state)
{
    static const uint32_t dims[][2] = {{37, 53}, {16, 64}, {1, 100}};
    unsigned t, s, i, j;

    (void)state;
    for (t = 0; t < NTARGETS; t++)
        for (s = 0; s < 3; s++) {
            struct tdev d;
            uint32_t rows = dims[s][0], cols = dims[s][1], block[3] = {16, 16, 1};
            uint32_t grid[3] = {blocks_for(cols, 16), blocks_for(rows, 16), 1};
            struct {
                uint64_t in, out;
                uint32_t rows, cols;
            } p = {.rows = rows, .cols = cols};
            uint64_t seed = 3 + s;
            float *in, *out;

            tdev_open(&d, targets[t]);
            p.in = tdev_alloc(&d, rows * cols * 4, &in);
            p.out = tdev_alloc(&d, rows * cols * 4, &out);
            for (i = 0; i < rows * cols; i++)
                in[i] = tdev_randf(&seed, -1, 1);
            assert_int_equal(tdev_launch(&d, "transpose", grid, block, 0, &p, sizeof(p)), 0);
            for (i = 0; i < rows; i++)
                for (j = 0; j < cols; j++)
                    assert_close(out[j * rows + i], in[i * cols + j], 0, "transpose", i * cols + j);
            tdev_close(&d);
        }
}

static void test_scan_block(void **state)
{
    static const uint32_t sh[][2] = {{1000, 64}, {777, 100}, {1024, 512}};
    unsigned t, s, i;

    (void)state;
    for (t = 0; t < NTARGETS; t++)
        for (s = 0; s < 3; s++) {
            struct tdev d;
            uint32_t n = sh[s][0], block[3] = {sh[s][1], 1, 1};
            uint32_t grid[3] = {blocks_for(n, block[0]), 1, 1};
            int32_t *x, *y, *want = malloc(n * 4);
            uint64_t seed = 42 + s;
            struct p_io p = {.n = n};

            tdev_open(&d, targets[t]);
            p.in = tdev_alloc(&d, n * 4, &x);
            p.out = tdev_alloc(&d, n * 4, &y);
            for (i = 0; i < n; i++)
                x[i] = (int32_t)(tdev_rand(&seed) % 2001) - 1000;
            assert_int_equal(
                tdev_launch(&d, "scan_block", grid, block, block[0] * 4, &p, sizeof(p)), 0);
            ref_scan_blocks(x, want, n, block[0]);
            for (i = 0; i < n; i++)
                assert_int_equal(y[i], want[i]);
            free(want);
            tdev_close(&d);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vector_add),   cmocka_unit_test(test_saxpy),
        cmocka_unit_test(test_matmul_tiled), cmocka_unit_test(test_reduce_sum),
        cmocka_unit_test(test_histogram),    cmocka_unit_test(test_transpose),
        cmocka_unit_test(test_scan_block),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
