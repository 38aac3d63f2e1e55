/* cu_global.c: a __device__ global read and written through cuModuleGetGlobal, seen by a kernel. */
#include "common.h"

int main(int argc, char **argv)
{
    CUcontext ctx;
    CUmodule mod;
    CUfunction bump;
    CUdeviceptr counter, out;
    size_t size = 0;
    int value = 41, seen = 0;
    void *args[] = {&out};

    if (argc != 2) {
        fprintf(stderr, "usage: cu_global KERNELS.fatbin\n");
        return 2;
    }
    CHECK(cuInit(0));
    CHECK(cuCtxCreate(&ctx, NULL, 0, 0));
    CHECK(cuModuleLoad(&mod, argv[1]));
    CHECK(cuModuleGetGlobal(&counter, &size, mod, "counter"));
    EXPECT_TRUE(size == sizeof(int));
    EXPECT(cuModuleGetGlobal(&counter, &size, mod, "no_such_global"), CUDA_ERROR_NOT_FOUND);
    CHECK(cuModuleGetGlobal(&counter, &size, mod, "counter"));
    CHECK(cuMemcpyHtoD(counter, &value, sizeof(value)));
    CHECK(cuModuleGetFunction(&bump, mod, "bump"));
    CHECK(cuMemAlloc(&out, sizeof(int)));
    CHECK(cuLaunchKernel(bump, 1, 1, 1, 1, 1, 1, 0, NULL, args, NULL));
    CHECK(cuMemcpyDtoH(&seen, out, sizeof(seen)));
    EXPECT_TRUE(seen == 41);
    CHECK(cuMemcpyDtoH(&value, counter, sizeof(value)));
    EXPECT_TRUE(value == 42);
    /* Unload and load again: the global starts from its initial value. */
    CHECK(cuModuleUnload(mod));
    CHECK(cuModuleLoad(&mod, argv[1]));
    CHECK(cuModuleGetGlobal(&counter, &size, mod, "counter"));
    CHECK(cuMemcpyDtoH(&value, counter, sizeof(value)));
    EXPECT_TRUE(value == 0);
    CHECK(cuCtxDestroy(ctx));
    return finish("cu_global");
}
