/* api_client.c: the libvgpu calls the examples do not use: memset, dtod, flush, module unload,
 * chunks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernels_ptx.h"
#include "vgpu.h"
#include "vgpu_kernels.h"

#define N 100000

static int fail(const char *what, int r)
{
    fprintf(stderr, "api_client: %s: %s (%s)\n", what, vgpu_strerror(r), vgpu_status_name(r));
    return 1;
}

/*
 * A module variable (GLOBAL_GET): copies reach it, MEM_FREE and copies past
 * it are refused, and it is gone with its module.
 */
static int module_global(vgpu_channel *ch)
{
    static const char ptx[] = ".version 7.0\n.target sm_75\n.address_size 64\n"
                              ".visible .global .align 4 .u32 gvar[4] = {1, 2, 3, 4};\n"
                              ".visible .entry noop()\n{\n\tret;\n}\n";
    uint32_t v[4] = {0}, seven = 7;
    uint64_t module, dptr = 0, size = 0;
    int r;

    if ((r = vgpu_module_load(ch, ptx, sizeof(ptx), &module)) ||
        (r = vgpu_global_get(ch, module, "gvar", &dptr, &size)))
        return fail("global of a module", r);
    if (size != sizeof(v))
        return fprintf(stderr, "api_client: gvar has %llu bytes, expected %zu\n",
                       (unsigned long long)size, sizeof(v)),
               1;
    if ((r = vgpu_copy_htod(ch, dptr + 4, &seven, 4)) || (r = vgpu_copy_dtoh(ch, v, dptr, 16)))
        return fail("copies to and from a global", r);
    if (v[0] != 1 || v[1] != 7 || v[3] != 4)
        return fprintf(stderr, "api_client: gvar is %u %u %u %u, expected 1 7 3 4\n", v[0], v[1],
                       v[2], v[3]),
               1;
    if ((r = vgpu_global_get(ch, module, "nothing", &dptr, &size)) != -VGPU_S_NOT_FOUND)
        return fail("an unknown global (expected NOT_FOUND)", r);
    if ((r = vgpu_global_get(ch, module + 77, "gvar", &dptr, &size)) != -VGPU_S_BAD_HANDLE)
        return fail("a global of a module not ours (expected BAD_HANDLE)", r);
    if ((r = vgpu_mem_free(ch, dptr)) != -VGPU_S_BAD_HANDLE)
        return fail("freeing a global (expected BAD_HANDLE)", r);
    if ((r = vgpu_copy_dtoh(ch, v, dptr + 4, 16)) != -VGPU_S_BAD_HANDLE)
        return fail("a copy past a global (expected BAD_HANDLE)", r);
    if ((r = vgpu_module_unload(ch, module)))
        return fail("unloading the module of a global", r);
    if ((r = vgpu_copy_dtoh(ch, v, dptr, 4)) != -VGPU_S_BAD_HANDLE)
        return fail("a copy from a global of an unloaded module (expected BAD_HANDLE)", r);
    return 0;
}

/* An image larger than the data area (the kernels' PTX and a long comment) loads in chunks. */
static int big_module(vgpu_channel *ch)
{
    size_t len = 5u << 20, n = strnlen((const char *)vgpu_kernels_ptx, vgpu_kernels_ptx_len);
    char *image = malloc(len);
    uint64_t module, func;
    int r;

    if (!image)
        return -VGPU_S_NO_MEMORY;
    memcpy(image, vgpu_kernels_ptx, n);
    memcpy(image + n, "\n//", 3);
    memset(image + n + 3, 'x', len - n - 4);
    image[len - 1] = '\0';
    r = vgpu_module_load(ch, image, len, &module);
    free(image);
    if (r == 0 && (r = vgpu_func_get(ch, module, "saxpy", &func)) == 0)
        r = vgpu_module_unload(ch, module);
    return r;
}

int main(int argc, char **argv)
{
    static unsigned char out[N];
    struct vgpu_open_opts o = {.poll_ns = -1};
    static const char not_ptx[] = "not a module, not PTX\n";
    uint64_t a, b, module, func;
    struct vgpu_param_info params[8];
    uint32_t nparams = 0;
    vgpu_channel *ch;
    int r;

    o.instance = argc > 1 ? argv[1] : NULL;
    if ((r = vgpu_open(&o, &ch)))
        return fail("open", r);
    if ((r = vgpu_mem_alloc(ch, N, &a)) || (r = vgpu_mem_alloc(ch, N, &b)))
        return fail("alloc", r);
    if ((r = vgpu_memset(ch, a, 0x5a, N)) || (r = vgpu_memset(ch, b, 0, N)))
        return fail("memset", r);
    if ((r = vgpu_copy_dtod(ch, b + 10, a, N - 10)))
        return fail("copy_dtod", r);
    if ((r = vgpu_flush(ch)) || (r = vgpu_sync(ch)))
        return fail("flush+sync", r);
    if ((r = vgpu_copy_dtoh(ch, out, b, N)))
        return fail("copy_dtoh", r);
    for (int i = 0; i < N; i++)
        if (out[i] != (i < 10 ? 0 : 0x5a)) {
            fprintf(stderr, "api_client: byte %d is 0x%02x, expected 0x%02x\n", i, out[i],
                    i < 10 ? 0 : 0x5a);
            return 1;
        }
    /* A copy past the end of an allocation is refused: the handle check covers the range. */
    r = vgpu_copy_dtod(ch, b + 1, a, N);
    if (r == 0)
        r = vgpu_sync(ch);
    if (r != -VGPU_S_BAD_HANDLE)
        return fail("dtod past the allocation (expected BAD_HANDLE)", r);
    /* Images are parsed at load: one that is not PTX is refused there. */
    r = vgpu_module_load(ch, not_ptx, sizeof(not_ptx), &module);
    if (r != -VGPU_S_BAD_IMAGE)
        return fail("loading text that is not PTX (expected BAD_IMAGE)", r);
    if ((r = vgpu_module_load(ch, vgpu_kernels_ptx, vgpu_kernels_ptx_len, &module)) ||
        (r = vgpu_func_get(ch, module, "saxpy", &func)))
        return fail("module load/lookup", r);
    /* FUNC_PARAMS: the layout of saxpy(float a, const float *x, float *y, uint32_t n), from the
     * PTX .entry signature on the CPU executor. */
    r = vgpu_func_params(ch, func, params, 8, &nparams);
    if (r)
        return fail("parameter layout from the CPU executor", r);
    if (nparams != 4 || params[0].offset != 0 || params[0].size != 4 || params[1].offset != 8 ||
        params[1].size != 8 || params[2].offset != 16 || params[3].offset != 24 ||
        params[3].size != 4)
        return fail("saxpy's parameter layout (expected 4 at 0/4, 8/8, 16/8, 24/4)",
                    -VGPU_S_PROTOCOL);
    r = vgpu_func_params(ch, func + 0x1000, params, 8, &nparams);
    if (r != -VGPU_S_BAD_HANDLE)
        return fail("parameter layout of a function not ours (expected BAD_HANDLE)", r);
    if ((r = vgpu_module_unload(ch, module)))
        return fail("module unload", r);
    if ((r = module_global(ch)))
        return r;
    if ((r = big_module(ch)))
        return fail("a 5 MiB module in chunks", r);
    r = vgpu_func_get(ch, module, "saxpy", &func);
    if (r != -VGPU_S_BAD_HANDLE)
        return fail("lookup in an unloaded module (expected BAD_HANDLE)", r);
    if ((r = vgpu_module_load(ch, vgpu_kernels_ptx, vgpu_kernels_ptx_len, &module)))
        return fail("module reload", r);
    r = vgpu_func_get(ch, module, "no_such_kernel", &func);
    if (r != -VGPU_S_NOT_FOUND)
        return fail("lookup of a kernel not in the module (expected NOT_FOUND)", r);
    /* A kernel reading past its allocation fails with the GPU's illegal address (VGPU_S_EXEC). */
    if ((r = vgpu_func_get(ch, module, VGPU_K_VECTOR_ADD, &func)))
        return fail("lookup of vector_add", r);
    {
        struct vgpu_k_vector_add p = {.a = a, .b = b, .c = b, .n = N};
        uint32_t grid[3] = {(N + 255) / 256, 1, 1}, block[3] = {256, 1, 1};
        r = vgpu_launch(ch, func, grid, block, 0, &p, sizeof(p));
        if (r == 0)
            r = vgpu_sync(ch);
        if (r != -VGPU_S_EXEC)
            return fail("vector_add past the allocation (expected EXEC: illegal address)", r);
    }
    r = vgpu_module_unload(ch, module);
    if (r)
        return fail("module unload", r);
    if ((r = vgpu_mem_free(ch, a)) || (r = vgpu_mem_free(ch, b)))
        return fail("free", r);
    vgpu_close(ch);
    printf("api_client: memset, dtod, flush, module unload, func params behave\n");
    return 0;
}
