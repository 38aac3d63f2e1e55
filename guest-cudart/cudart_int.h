/* cudart_int.h: libcudart's registry of the program's kernels and variables, and shared helpers. */
#ifndef VRT_INT_H
#define VRT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include "cudart_abi.h"

#define VRT_API __attribute__((visibility("default")))
/* fn exported once more as name: the per-thread default stream variants (_ptds, _ptsz). */
#define VRT_ALIAS(name, fn) VRT_API __typeof__(fn) name __attribute__((alias(#fn)))

/* A module of a fatbin, loaded into one context (lazily, at first use there). */
struct vrt_mod {
    CUcontext ctx;
    CUmodule mod;
    struct vrt_mod *next;
};

/*
 * One registered fatbin (__cudaRegisterFatBinary). The handle the program
 * keeps is &fb->handle: a void ** that points at the fatbin wrapper, as
 * NVIDIA's runtime's does.
 */
struct vrt_fatbin {
    void *handle; /* the wrapper (struct __fatBinC_Wrapper_t *) */
    struct vrt_mod *mods;
    struct vrt_fatbin *next;
};

/* A kernel: the host stub's address and the device name; its cudaKernel_t is this. */
struct vrt_func {
    const void *host;
    char *name;
    struct vrt_fatbin *fb;
    struct vrt_func *next;
};

/* A __device__ or __constant__ variable: the host shadow's address and the device name. */
struct vrt_var {
    const void *host;
    char *name;
    size_t size;
    struct vrt_fatbin *fb;
    struct vrt_var *next;
};

/* register.c: the registry (one lock; entries live until the fatbin is unregistered). */
struct vrt_func *vrt__func_find(const void *host);
bool vrt__func_valid(const struct vrt_func *f);
/* The kernel in the current context (its module loaded there on first use). */
cudaError_t vrt__function(struct vrt_func *f, CUfunction *out);
/* The variable in the current context: device address and size. */
cudaError_t vrt__symbol(const void *host, CUdeviceptr *dptr, size_t *size);
/* Forget every module loaded into ctx (it was reset or destroyed). */
void vrt__forget_ctx(CUcontext ctx);

/* ctx.c: libcuda initialised once (cuInit); cudaErrorNoDevice where vgpud cannot be reached. */
cudaError_t vrt__init(void);
/* ctx.c: runtime calls run in the current context, else the device's primary one made current. */
cudaError_t vrt__ctx(CUcontext *out);
int vrt__device(void);

/* error.c: record e as the thread's last error (unless success) and return it. */
cudaError_t vrt__ret(cudaError_t e);
/* A CUresult as the runtime's code, recorded. */
cudaError_t vrt__cu(CUresult r);

/* memory.c: the copies symbol.c builds on (runtime API functions). */
cudaError_t cudaMemcpy(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind);
cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t count, enum cudaMemcpyKind kind,
                            cudaStream_t stream);

/* The registration entry points nvcc's generated host code calls (crt/host_runtime.h). */
void **__cudaRegisterFatBinary(void *fatCubin);
void __cudaRegisterFatBinaryEnd(void **handle);
void __cudaUnregisterFatBinary(void **handle);
void __cudaRegisterFunction(void **handle, const char *hostFun, char *deviceFun,
                            const char *deviceName, int thread_limit, uint3 *tid, uint3 *bid,
                            dim3 *bDim, dim3 *gDim, int *wSize);
void __cudaRegisterVar(void **handle, char *hostVar, char *deviceAddress, const char *deviceName,
                       int ext, size_t size, int constant, int global);
char __cudaInitModule(void **handle);
unsigned __cudaPushCallConfiguration(dim3 gridDim, dim3 blockDim, size_t sharedMem,
                                     struct CUstream_st *stream);
cudaError_t __cudaPopCallConfiguration(dim3 *gridDim, dim3 *blockDim, size_t *sharedMem,
                                       void *stream);
cudaError_t __cudaGetKernel(cudaKernel_t *kernel, const void *hostFun);
cudaError_t __cudaLaunchKernel(cudaKernel_t kernel, dim3 gridDim, dim3 blockDim, void **args,
                               size_t sharedMem, cudaStream_t stream);
cudaError_t __cudaLaunchKernel_ptsz(cudaKernel_t kernel, dim3 gridDim, dim3 blockDim, void **args,
                                    size_t sharedMem, cudaStream_t stream);

#endif /* VRT_INT_H */
