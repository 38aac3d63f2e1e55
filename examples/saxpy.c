/* saxpy.c: y = a * x + y on the vgpu device, checked on the CPU. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "example.h"
#include "vgpu_kernels.h"

#define N (1u << 20)
#define A 2.5f

static int run(vgpu_channel *ch, uint64_t func, const float *x, float *y)
{
    uint64_t dx = 0, dy = 0;
    uint32_t grid[3] = {example_blocks(N), 1, 1}, block[3] = {256, 1, 1};
    struct vgpu_k_saxpy k = {.a = A, .n = N};
    int r = vgpu_mem_alloc(ch, N * sizeof(float), &dx);

    if (r == 0)
        r = vgpu_mem_alloc(ch, N * sizeof(float), &dy);
    k.x = dx;
    k.y = dy;
    if (r == 0)
        r = vgpu_copy_htod(ch, dx, x, N * sizeof(float));
    if (r == 0)
        r = vgpu_copy_htod(ch, dy, y, N * sizeof(float));
    if (r == 0)
        r = vgpu_launch(ch, func, grid, block, 0, &k, sizeof(k));
    if (r == 0)
        r = vgpu_sync(ch);
    if (r == 0)
        r = vgpu_copy_dtoh(ch, y, dy, N * sizeof(float));
    if (dx)
        vgpu_mem_free(ch, dx);
    if (dy)
        vgpu_mem_free(ch, dy);
    return r;
}

int main(void)
{
    float *x = malloc(N * sizeof(float)), *y = malloc(N * sizeof(float));
    float *y0 = malloc(N * sizeof(float));
    uint64_t module, func;
    vgpu_channel *ch = NULL;
    uint32_t i, wrong = 0;
    int r;

    if (!x || !y || !y0) {
        fprintf(stderr, "saxpy: out of memory\n");
        return 1;
    }
    for (i = 0; i < N; i++) {
        x[i] = (float)(i % 513) * 0.5f;
        y[i] = y0[i] = (float)(i % 97);
    }
    r = example_open("saxpy", NULL, &ch, &module);
    if (r == 0)
        r = example_func("saxpy", ch, module, VGPU_K_SAXPY, &func);
    if (r == 0) {
        r = run(ch, func, x, y);
        if (r < 0)
            example_fail("saxpy", "saxpy on the device", r);
    }
    for (i = 0; r == 0 && i < N; i++) {
        float want = A * x[i] + y0[i];

        if (fabsf(y[i] - want) > 1e-5f * fabsf(want) + 1e-6f && wrong++ < 5)
            fprintf(stderr, "saxpy: y[%u] = %g, expected %g\n", i, y[i], want);
    }
    if (r == 0 && wrong == 0)
        printf("saxpy: %u elements correct\n", N);
    else if (r == 0)
        fprintf(stderr, "saxpy: %u of %u elements wrong\n", wrong, N);
    vgpu_close(ch);
    free(x);
    free(y);
    free(y0);
    return (r == 0 && wrong == 0) ? 0 : 1;
}
