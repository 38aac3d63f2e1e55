/* vector_add.c: c = a + b on the vgpu device, checked on the CPU. */
#include <stdio.h>
#include <stdlib.h>
#include "example.h"
#include "vgpu_kernels.h"

#define N (1u << 20)

/* Run c = a + b through ch; 0, or the first error. */
static int run(vgpu_channel *ch, uint64_t func, const float *a, const float *b, float *c)
{
    uint64_t d[3] = {0, 0, 0};
    uint32_t grid[3] = {example_blocks(N), 1, 1}, block[3] = {256, 1, 1};
    struct vgpu_k_vector_add k = {.n = N};
    int i, r = 0;

    for (i = 0; i < 3 && r == 0; i++)
        r = vgpu_mem_alloc(ch, N * sizeof(float), &d[i]);
    k.a = d[0];
    k.b = d[1];
    k.c = d[2];
    if (r == 0)
        r = vgpu_copy_htod(ch, d[0], a, N * sizeof(float));
    if (r == 0)
        r = vgpu_copy_htod(ch, d[1], b, N * sizeof(float));
    if (r == 0)
        r = vgpu_launch(ch, func, grid, block, 0, &k, sizeof(k));
    if (r == 0)
        r = vgpu_sync(ch);
    if (r == 0)
        r = vgpu_copy_dtoh(ch, c, d[2], N * sizeof(float));
    for (i = 0; i < 3; i++) {
        if (d[i])
            vgpu_mem_free(ch, d[i]);
    }
    return r;
}

int main(void)
{
    float *a = malloc(N * sizeof(float)), *b = malloc(N * sizeof(float));
    float *c = calloc(N, sizeof(float));
    uint64_t module, func;
    vgpu_channel *ch = NULL;
    uint32_t i, wrong = 0;
    int r;

    if (!a || !b || !c) {
        fprintf(stderr, "vector_add: out of memory\n");
        return 1;
    }
    for (i = 0; i < N; i++) {
        a[i] = (float)(i % 1000);
        b[i] = (float)(2 * (i % 777));
    }
    r = example_open("vector_add", NULL, &ch, &module);
    if (r == 0)
        r = example_func("vector_add", ch, module, VGPU_K_VECTOR_ADD, &func);
    if (r == 0) {
        r = run(ch, func, a, b, c);
        if (r < 0)
            example_fail("vector_add", "vector_add on the device", r);
    }
    for (i = 0; r == 0 && i < N; i++) {
        if (c[i] != a[i] + b[i] && wrong++ < 5)
            fprintf(stderr, "vector_add: c[%u] = %g, expected %g\n", i, c[i], a[i] + b[i]);
    }
    if (r == 0 && wrong == 0)
        printf("vector_add: %u elements correct\n", N);
    else if (r == 0)
        fprintf(stderr, "vector_add: %u of %u elements wrong\n", wrong, N);
    vgpu_close(ch);
    free(a);
    free(b);
    free(c);
    return (r == 0 && wrong == 0) ? 0 : 1;
}
