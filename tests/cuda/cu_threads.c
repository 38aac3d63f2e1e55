/* cu_threads.c: two threads, each with its own context, module and memory, at the same time. */
#include <pthread.h>
#include "common.h"

#define N      2048
#define ROUNDS 20

static void *image;

static void *worker(void *arg)
{
    float k = (float)(uintptr_t)arg, a[N], b[N], c[N];
    CUcontext ctx, cur;
    CUmodule mod;
    CUfunction f;
    CUdeviceptr da, db, dc;
    unsigned int n = N;
    void *args[] = {&da, &db, &dc, &n};

    for (int i = 0; i < N; i++) {
        a[i] = k * (float)i;
        b[i] = k;
    }
    CHECK(cuCtxCreate(&ctx, NULL, 0, 0));
    CHECK(cuModuleLoadData(&mod, image));
    CHECK(cuModuleGetFunction(&f, mod, "vector_add"));
    CHECK(cuMemAlloc(&da, sizeof(a)));
    CHECK(cuMemAlloc(&db, sizeof(b)));
    CHECK(cuMemAlloc(&dc, sizeof(c)));
    for (int r = 0; r < ROUNDS; r++) {
        CHECK(cuMemcpyHtoD(da, a, sizeof(a)));
        CHECK(cuMemcpyHtoD(db, b, sizeof(b)));
        CHECK(cuLaunchKernel(f, N / 128, 1, 1, 128, 1, 1, 0, NULL, args, NULL));
        CHECK(cuMemcpyDtoH(c, dc, sizeof(c)));
        for (int i = 0; i < N; i++)
            if (c[i] != a[i] + b[i]) {
                EXPECT_TRUE(c[i] == a[i] + b[i]);
                break;
            }
        CHECK(cuCtxGetCurrent(&cur));
        EXPECT_TRUE(cur == ctx);
    }
    CHECK(cuModuleUnload(mod));
    CHECK(cuCtxDestroy(ctx));
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t t[2];

    if (argc != 2) {
        fprintf(stderr, "usage: cu_threads KERNELS.fatbin\n");
        return 2;
    }
    image = read_image(argv[1]);
    CHECK(cuInit(0));
    for (uintptr_t i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, worker, (void *)(i + 1));
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    free(image);
    return finish("cu_threads");
}
