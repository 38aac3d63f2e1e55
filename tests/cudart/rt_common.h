// rt_common.h: checks shared by the runtime-API test programs (built with nvcc -cudart shared).
#ifndef RT_TEST_COMMON_H
#define RT_TEST_COMMON_H

#include <cuda_runtime.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int failures;

// Check that call returned want; print both names if not.
#define EXPECT(call, want) expect_rc((call), (want), #call, __FILE__, __LINE__)
#define CHECK(call)        EXPECT(call, cudaSuccess)

static inline int expect_rc(cudaError_t got, cudaError_t want, const char *what, const char *file,
                            int line)
{
    if (got == want)
        return 1;
    fprintf(stderr, "%s:%d: %s: got %s (%d), expected %s (%d)\n", file, line, what,
            cudaGetErrorName(got), (int)got, cudaGetErrorName(want), (int)want);
    failures++;
    return 0;
}

#define EXPECT_TRUE(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond);                    \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

// Compare n floats with the CPU's; report the first difference.
static inline void expect_close(const float *got, const float *want, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        if (fabsf(got[i] - want[i]) > 1e-3f * (1.0f + fabsf(want[i]))) {
            fprintf(stderr, "%s: element %zu is %g, the CPU computed %g\n", what, i, got[i],
                    want[i]);
            failures++;
            return;
        }
}

static inline int finish(const char *name)
{
    printf("%s: %s\n", name, failures ? "FAIL" : "ok");
    return failures ? 1 : 0;
}

#endif // RT_TEST_COMMON_H
