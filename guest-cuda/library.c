/* library.c: the library API of CUDA 12 (cuLibrary*, cuKernel*) over modules of the current
 * context. */
#include <stdlib.h>
#include "cuda_int.h"

/*
 * A library is loaded as a module into the context current at load time
 * (the driver loads it lazily into each context; vgpu programs use one).
 * Its kernels are that module's functions; a CUkernel may be passed where
 * a CUfunction is expected, as with the driver.
 */
VCU_API CUresult cuLibraryLoadData(CUlibrary *plib, const void *code, CUjit_option *jit_opts,
                                   void **jit_vals, unsigned int njit, CUlibraryOption *lib_opts,
                                   void **lib_vals, unsigned int nlib)
{
    CUlibrary lib;
    CUresult r;

    if (!plib || (njit && (!jit_opts || !jit_vals)) || (nlib && (!lib_opts || !lib_vals)))
        return CUDA_ERROR_INVALID_VALUE;
    lib = calloc(1, sizeof(*lib));
    if (!lib)
        return CUDA_ERROR_OUT_OF_MEMORY;
    r = cuModuleLoadData(&lib->mod, code);
    if (r != CUDA_SUCCESS) {
        free(lib);
        return r;
    }
    vcu__obj_add(&lib->obj, VCU_LIB);
    *plib = lib;
    return CUDA_SUCCESS;
}

VCU_API CUresult cuLibraryUnload(CUlibrary lib)
{
    CUresult r;

    if (!vcu__obj_ok(lib, VCU_LIB))
        return CUDA_ERROR_INVALID_HANDLE;
    vcu__obj_del(&lib->obj);
    r = cuModuleUnload(lib->mod); /* kernels of the library die with it */
    free(lib);
    return r;
}

VCU_API CUresult cuLibraryGetModule(CUmodule *pmod, CUlibrary lib)
{
    if (!pmod)
        return CUDA_ERROR_INVALID_VALUE;
    if (!vcu__obj_ok(lib, VCU_LIB))
        return CUDA_ERROR_INVALID_HANDLE;
    *pmod = lib->mod;
    return CUDA_SUCCESS;
}

VCU_API CUresult cuLibraryGetKernel(CUkernel *pk, CUlibrary lib, const char *name)
{
    struct CUkern_st *k;
    CUfunction f;
    CUresult r;

    if (!pk || !name)
        return CUDA_ERROR_INVALID_VALUE;
    if (!vcu__obj_ok(lib, VCU_LIB))
        return CUDA_ERROR_INVALID_HANDLE;
    r = cuModuleGetFunction(&f, lib->mod, name);
    if (r != CUDA_SUCCESS)
        return r;
    /* One kernel object per function, kept in the function for reuse and teardown. */
    k = f->kernel;
    if (!k) {
        k = calloc(1, sizeof(*k));
        if (!k)
            return CUDA_ERROR_OUT_OF_MEMORY;
        k->lib = lib;
        k->func = f;
        f->kernel = k;
        vcu__obj_add(&k->obj, VCU_KERN);
    }
    *pk = k;
    return CUDA_SUCCESS;
}

VCU_API CUresult cuKernelGetFunction(CUfunction *pf, CUkernel k)
{
    if (!pf)
        return CUDA_ERROR_INVALID_VALUE;
    if (!vcu__obj_ok(k, VCU_KERN))
        return CUDA_ERROR_INVALID_HANDLE;
    *pf = k->func;
    return CUDA_SUCCESS;
}

VCU_API CUresult cuLibraryGetGlobal(CUdeviceptr *dptr, size_t *bytes, CUlibrary lib,
                                    const char *name)
{
    if (!vcu__obj_ok(lib, VCU_LIB))
        return CUDA_ERROR_INVALID_HANDLE;
    return cuModuleGetGlobal_v2(dptr, bytes, lib->mod, name);
}
