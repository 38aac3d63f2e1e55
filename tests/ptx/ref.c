/* ref.c: the kernel suite of kernels.cu in plain C (the oracle). */
#include <math.h>
#include "ref.h"

/* In k order with one fma per step, as the tiled kernel accumulates. */
void ref_matmul(const float *a, const float *b, float *c, uint32_t n)
{
    uint32_t r, col, k;

    for (r = 0; r < n; r++)
        for (col = 0; col < n; col++) {
            float s = 0.0f;
            for (k = 0; k < n; k++)
                s = fmaf(a[r * n + k], b[k * n + col], s);
            c[r * n + col] = s;
        }
}

void ref_scan_blocks(const int32_t *x, int32_t *y, uint32_t n, uint32_t block)
{
    uint32_t i;
    int32_t s = 0;

    for (i = 0; i < n; i++) {
        s = i % block == 0 ? x[i] : (int32_t)((uint32_t)s + (uint32_t)x[i]);
        y[i] = s;
    }
}

void ref_f64_math(double v, double *y, int64_t *k)
{
    *y = fma(v, v, 1.0) / sqrt(fabs(v) + 2.0) - fmin(v, 0.5) + (double)(float)v;
    *k = (int64_t)v + llrint(v * 3.0);
}

static uint32_t brev32(uint32_t v)
{
    uint32_t r = 0, i;

    for (i = 0; i < 32; i++)
        r |= (v >> i & 1) << (31 - i);
    return r;
}

/* __byte_perm(x, y, s): byte i of the result is byte (s >> 4i) & 7 of y:x. */
static uint32_t byte_perm(uint32_t x, uint32_t y, uint32_t s)
{
    uint64_t b = (uint64_t)y << 32 | x;
    uint32_t r = 0, i;

    for (i = 0; i < 4; i++)
        r |= (uint32_t)(b >> (8 * (s >> (4 * i) & 7)) & 0xff) << (8 * i);
    return r;
}

void ref_int_bits(int32_t x, int32_t y, uint32_t o[8])
{
    uint32_t ux, uy;

    y = y == 0 ? 1 : y;
    ux = (uint32_t)x;
    uy = (uint32_t)y;
    o[0] = (x == INT32_MIN && y == -1) ? (uint32_t)x : (uint32_t)(x / y);
    o[1] = y == -1 ? 0 : (uint32_t)(x % y);
    o[2] = ux / uy + ux % uy;
    o[3] = (uint32_t)__builtin_popcount(ux) | (uint32_t)(ux ? __builtin_clz(ux) : 32) << 8 |
           (uint32_t)__builtin_ffs(x) << 16;
    o[4] = brev32(ux);
    o[5] = (ux >> (uy & 31)) ^ (ux << ((uy >> 5) & 31)) ^ (uint32_t)(x >> (uy & 31));
    o[6] = byte_perm(ux, uy, 0x5140) + ((ux >> 7) & 0x1f);
    o[7] = (uint32_t)((uint64_t)ux * uy >> 32) + (uint32_t)((int64_t)x * y >> 32) +
           (uint32_t)((int64_t)x * y >> 40);
}

float ref_poly(float v)
{
    return fmaf(fmaf(v, 1.5f, -2.0f), v, -1.5f);
}

uint32_t ref_local_array(uint32_t x)
{
    uint32_t d[16], v, k = 0, s = 0;

    for (v = x; v && k < 16; v /= 7)
        d[k++] = v % 7;
    while (k > 0) {
        k--;
        s = s * 3 + d[d[k] % (k + 1)];
    }
    return s;
}

uint32_t ref_collatz(uint32_t x)
{
    uint64_t v = x;
    uint32_t s = 0;

    for (; v > 1 && s < 1000; s++)
        v = v & 1 ? 3 * v + 1 : v / 2;
    return s;
}

float ref_const_poly(float x)
{
    return 0.5f + x * (-1.25f + x * (2.0f + x * 3.5f));
}

void ref_approx(float v, float o[8])
{
    o[0] = expf(v);
    o[1] = logf(fabsf(v) + 1.0f);
    o[2] = sinf(v);
    o[3] = cosf(v);
    o[4] = 1.0f / v + 1.0f / (v + 3.0f);
    o[5] = sqrtf(fabsf(v)) + 1.0f / sqrtf(fabsf(v) + 1.0f);
    o[6] = (float)(_Float16)v;
    o[7] = floorf(v) + ceilf(fabsf(v)) + rintf(v);
}
