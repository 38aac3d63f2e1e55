/* common.h: checks shared by the driver-API test programs (host code against the toolkit's cuda.h).
 */
#ifndef CU_TEST_COMMON_H
#define CU_TEST_COMMON_H

#include <cuda.h>
#include <stdio.h>
#include <stdlib.h>

static _Atomic int failures;

/* Check that call returned want; print both names if not. */
#define EXPECT(call, want) expect_rc((call), (want), #call, __FILE__, __LINE__)
#define CHECK(call)        EXPECT(call, CUDA_SUCCESS)

static int expect_rc(CUresult got, CUresult want, const char *what, const char *file, int line)
{
    const char *gn = "?", *wn = "?";

    if (got == want)
        return 1;
    cuGetErrorName(got, &gn);
    cuGetErrorName(want, &wn);
    fprintf(stderr, "%s:%d: %s: got %s (%d), expected %s (%d)\n", file, line, what, gn, (int)got,
            wn, (int)want);
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

/* Read a whole file (a fatbin) into memory; exits on failure. */
static inline void *read_image(const char *path)
{
    FILE *f = fopen(path, "rb");
    long n;
    char *buf;

    if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET)) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    buf = calloc(1, (size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(2);
    }
    fclose(f);
    return buf;
}

static inline int finish(const char *name)
{
    printf("%s: %s\n", name, failures ? "FAIL" : "ok");
    return failures ? 1 : 0;
}

#endif /* CU_TEST_COMMON_H */
