/* fixture.cu: one kernel for the fatbin fixtures (vector_add.fatbin: PTX, sass_only.fatbin). */
#include <stdint.h>

extern "C" __global__ void vector_add(const float *a, const float *b, float *c, uint32_t n)
{
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;

    if (i < n)
        c[i] = a[i] + b[i];
}
