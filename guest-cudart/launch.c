/* launch.c: <<<>>> (the call configuration stack), kernel launches, function attributes. */
#include "cudart_int.h"

#define CONFIG_DEPTH 16 /* nested <<<>>> in argument expressions */

static __thread struct config {
    dim3 grid, block;
    size_t shmem;
    cudaStream_t stream;
} configs[CONFIG_DEPTH];
static __thread int nconfigs;

/* <<<grid, block, shmem, stream>>>: pushed before the arguments are evaluated. */
VRT_API unsigned __cudaPushCallConfiguration(dim3 gridDim, dim3 blockDim, size_t sharedMem,
                                             struct CUstream_st *stream)
{
    if (nconfigs == CONFIG_DEPTH)
        return vrt__ret(cudaErrorMissingConfiguration);
    configs[nconfigs++] = (struct config){gridDim, blockDim, sharedMem, stream};
    return cudaSuccess;
}

/* ... and popped by the kernel's host stub, which then launches. */
VRT_API cudaError_t __cudaPopCallConfiguration(dim3 *gridDim, dim3 *blockDim, size_t *sharedMem,
                                               void *stream)
{
    if (nconfigs == 0)
        return vrt__ret(cudaErrorMissingConfiguration);
    nconfigs--;
    *gridDim = configs[nconfigs].grid;
    *blockDim = configs[nconfigs].block;
    *sharedMem = configs[nconfigs].shmem;
    *(cudaStream_t *)stream = configs[nconfigs].stream;
    return cudaSuccess;
}

/* The device's limits, as the runtime checks them before it launches. */
static bool config_ok(dim3 g, dim3 b)
{
    int max_threads = 0, bx = 0, by = 0, bz = 0, gx = 0, gy = 0, gz = 0;

    if (cuDeviceGetAttribute(&max_threads, CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK, 0) ||
        cuDeviceGetAttribute(&bx, CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X, 0) ||
        cuDeviceGetAttribute(&by, CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y, 0) ||
        cuDeviceGetAttribute(&bz, CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z, 0) ||
        cuDeviceGetAttribute(&gx, CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X, 0) ||
        cuDeviceGetAttribute(&gy, CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y, 0) ||
        cuDeviceGetAttribute(&gz, CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z, 0))
        return false;
    if (!g.x || !g.y || !g.z || !b.x || !b.y || !b.z)
        return false;
    if (b.x > (unsigned)bx || b.y > (unsigned)by || b.z > (unsigned)bz || g.x > (unsigned)gx ||
        g.y > (unsigned)gy || g.z > (unsigned)gz)
        return false;
    return (unsigned long long)b.x * b.y * b.z <= (unsigned long long)max_threads;
}

static cudaError_t launch(struct vrt_func *f, dim3 g, dim3 b, void **args, size_t shmem,
                          cudaStream_t stream)
{
    CUfunction fn;
    cudaError_t e;

    if (!f)
        return vrt__ret(cudaErrorInvalidDeviceFunction);
    e = vrt__ctx(NULL);
    if (e != cudaSuccess)
        return e;
    if (!config_ok(g, b))
        return vrt__ret(cudaErrorInvalidConfiguration);
    e = vrt__function(f, &fn);
    if (e == cudaErrorSymbolNotFound)
        return vrt__ret(cudaErrorInvalidDeviceFunction);
    if (e != cudaSuccess)
        return e;
    return vrt__cu(cuLaunchKernel(fn, g.x, g.y, g.z, b.x, b.y, b.z, (unsigned)shmem,
                                  (CUstream)stream, args, NULL));
}

/* CUDA 13's generated launch: the kernel handle comes from __cudaGetKernel once per stub. */
VRT_API cudaError_t __cudaGetKernel(cudaKernel_t *kernel, const void *hostFun)
{
    struct vrt_func *f = vrt__func_find(hostFun);

    if (!kernel)
        return vrt__ret(cudaErrorInvalidValue);
    *kernel = (cudaKernel_t)f;
    return f ? cudaSuccess : vrt__ret(cudaErrorInvalidDeviceFunction);
}

VRT_API cudaError_t __cudaLaunchKernel(cudaKernel_t kernel, dim3 gridDim, dim3 blockDim,
                                       void **args, size_t sharedMem, cudaStream_t stream)
{
    struct vrt_func *f = (struct vrt_func *)kernel;

    return launch(vrt__func_valid(f) ? f : NULL, gridDim, blockDim, args, sharedMem, stream);
}
VRT_ALIAS(__cudaLaunchKernel_ptsz, __cudaLaunchKernel);

/* func is the kernel's host stub (as <<<>>> and the cudaLaunchKernel template pass it). */
VRT_API cudaError_t cudaLaunchKernel(const void *func, dim3 gridDim, dim3 blockDim, void **args,
                                     size_t sharedMem, cudaStream_t stream)
{
    return launch(vrt__func_find(func), gridDim, blockDim, args, sharedMem, stream);
}
VRT_ALIAS(cudaLaunchKernel_ptsz, cudaLaunchKernel);

/* The function of a host stub in the current context. */
static cudaError_t func_get(const void *func, CUfunction *out)
{
    struct vrt_func *f = vrt__func_find(func);
    cudaError_t e;

    if (!f)
        return vrt__ret(cudaErrorInvalidDeviceFunction);
    e = vrt__function(f, out);
    return e == cudaErrorSymbolNotFound ? vrt__ret(cudaErrorInvalidDeviceFunction) : e;
}

static int attr(CUfunction f, CUfunction_attribute a)
{
    int v = 0;

    cuFuncGetAttribute(&v, a, f);
    return v;
}

/* What libcuda's cuFuncGetAttribute reports (sizes and registers the host does not give: 0). */
VRT_API cudaError_t cudaFuncGetAttributes(struct cudaFuncAttributes *a, const void *func)
{
    CUfunction f;
    cudaError_t e;

    if (!a)
        return vrt__ret(cudaErrorInvalidValue);
    e = func_get(func, &f);
    if (e != cudaSuccess)
        return e;
    *a = (struct cudaFuncAttributes){0};
    a->sharedSizeBytes = (size_t)attr(f, CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES);
    a->constSizeBytes = (size_t)attr(f, CU_FUNC_ATTRIBUTE_CONST_SIZE_BYTES);
    a->localSizeBytes = (size_t)attr(f, CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES);
    a->maxThreadsPerBlock = attr(f, CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK);
    a->numRegs = attr(f, CU_FUNC_ATTRIBUTE_NUM_REGS);
    a->ptxVersion = attr(f, CU_FUNC_ATTRIBUTE_PTX_VERSION);
    a->binaryVersion = attr(f, CU_FUNC_ATTRIBUTE_BINARY_VERSION);
    a->cacheModeCA = attr(f, CU_FUNC_ATTRIBUTE_CACHE_MODE_CA);
    a->maxDynamicSharedSizeBytes = attr(f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES);
    a->preferredShmemCarveout = attr(f, CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT);
    return cudaSuccess;
}

/* The runtime's attribute values are the driver's (cudaFuncAttribute = CUfunction_attribute). */
VRT_API cudaError_t cudaFuncSetAttribute(const void *func, enum cudaFuncAttribute a, int value)
{
    CUfunction f;
    cudaError_t e = func_get(func, &f);

    return e != cudaSuccess ? e : vrt__cu(cuFuncSetAttribute(f, (CUfunction_attribute)a, value));
}

VRT_API cudaError_t cudaFuncSetCacheConfig(const void *func, enum cudaFuncCache config)
{
    CUfunction f;
    cudaError_t e = func_get(func, &f);

    return e != cudaSuccess ? e : vrt__cu(cuFuncSetCacheConfig(f, (CUfunc_cache)config));
}

VRT_API cudaError_t cudaOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(
    int *numBlocks, const void *func, int blockSize, size_t dynamicSMemSize, unsigned int flags)
{
    CUfunction f;
    cudaError_t e = func_get(func, &f);

    if (e != cudaSuccess)
        return e;
    return vrt__cu(cuOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(numBlocks, f, blockSize,
                                                                        dynamicSMemSize, flags));
}

VRT_API cudaError_t cudaOccupancyMaxActiveBlocksPerMultiprocessor(int *numBlocks, const void *func,
                                                                  int blockSize,
                                                                  size_t dynamicSMemSize)
{
    return cudaOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(numBlocks, func, blockSize,
                                                                  dynamicSMemSize, 0);
}
