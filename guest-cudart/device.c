/* device.c: the device (one: libcuda's device 0), its properties and attributes, versions. */
#include <string.h>
#include "cudart_int.h"

static __thread unsigned int device_flags;

/*
 * One device once libcuda found vgpud; none (cudaErrorNoDevice) when it did not. Device
 * queries make no context current.
 */
VRT_API cudaError_t cudaGetDeviceCount(int *count)
{
    int n = 0;
    cudaError_t e;

    if (!count)
        return vrt__ret(cudaErrorInvalidValue);
    *count = 0;
    e = vrt__init();
    if (e != cudaSuccess)
        return e;
    e = vrt__cu(cuDeviceGetCount(&n));
    *count = n;
    return e;
}

static cudaError_t device_check(int device)
{
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);

    if (e != cudaSuccess)
        return e;
    return device >= 0 && device < n ? cudaSuccess : vrt__ret(cudaErrorInvalidDevice);
}

VRT_API cudaError_t cudaSetDevice(int device)
{
    return device_check(device);
}

VRT_API cudaError_t cudaInitDevice(int device, unsigned int deviceFlags, unsigned int flags)
{
    return device_check(device);
}

VRT_API cudaError_t cudaGetDevice(int *device)
{
    if (!device)
        return vrt__ret(cudaErrorInvalidValue);
    *device = vrt__device();
    return cudaSuccess;
}

/* Recorded and read back (scheduling and mapping flags change nothing here). */
VRT_API cudaError_t cudaSetDeviceFlags(unsigned int flags)
{
    device_flags = flags;
    return cudaSuccess;
}

VRT_API cudaError_t cudaGetDeviceFlags(unsigned int *flags)
{
    if (!flags)
        return vrt__ret(cudaErrorInvalidValue);
    *flags = device_flags;
    return cudaSuccess;
}

/* cudaDeviceAttr has the values of CUdevice_attribute: libcuda answers. */
VRT_API cudaError_t cudaDeviceGetAttribute(int *value, enum cudaDeviceAttr a, int device)
{
    cudaError_t e = device_check(device);

    if (e != cudaSuccess)
        return e;
    return vrt__cu(cuDeviceGetAttribute(value, (CUdevice_attribute)a, device));
}

static int attr(CUdevice_attribute a)
{
    int v = 0;

    cuDeviceGetAttribute(&v, a, vrt__device());
    return v;
}

static void props_limits(struct cudaDeviceProp *p)
{
    p->sharedMemPerBlock = (size_t)attr(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK);
    p->regsPerBlock = attr(CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK);
    p->warpSize = attr(CU_DEVICE_ATTRIBUTE_WARP_SIZE);
    p->memPitch = (size_t)attr(CU_DEVICE_ATTRIBUTE_MAX_PITCH);
    p->maxThreadsPerBlock = attr(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK);
    p->maxThreadsDim[0] = attr(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X);
    p->maxThreadsDim[1] = attr(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y);
    p->maxThreadsDim[2] = attr(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z);
    p->maxGridSize[0] = attr(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X);
    p->maxGridSize[1] = attr(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y);
    p->maxGridSize[2] = attr(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z);
    p->totalConstMem = (size_t)attr(CU_DEVICE_ATTRIBUTE_TOTAL_CONSTANT_MEMORY);
    p->major = attr(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
    p->minor = attr(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
    p->textureAlignment = (size_t)attr(CU_DEVICE_ATTRIBUTE_TEXTURE_ALIGNMENT);
    p->multiProcessorCount = attr(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
    p->maxThreadsPerMultiProcessor = attr(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR);
    p->maxBlocksPerMultiProcessor = attr(CU_DEVICE_ATTRIBUTE_MAX_BLOCKS_PER_MULTIPROCESSOR);
    p->sharedMemPerMultiprocessor =
        (size_t)attr(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR);
    p->regsPerMultiprocessor = attr(CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR);
    p->sharedMemPerBlockOptin = (size_t)attr(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN);
    p->reservedSharedMemPerBlock =
        (size_t)attr(CU_DEVICE_ATTRIBUTE_RESERVED_SHARED_MEMORY_PER_BLOCK);
}

static void props_features(struct cudaDeviceProp *p)
{
    p->integrated = attr(CU_DEVICE_ATTRIBUTE_INTEGRATED);
    p->canMapHostMemory = attr(CU_DEVICE_ATTRIBUTE_CAN_MAP_HOST_MEMORY);
    p->concurrentKernels = attr(CU_DEVICE_ATTRIBUTE_CONCURRENT_KERNELS);
    p->ECCEnabled = attr(CU_DEVICE_ATTRIBUTE_ECC_ENABLED);
    p->pciBusID = attr(CU_DEVICE_ATTRIBUTE_PCI_BUS_ID);
    p->pciDeviceID = attr(CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID);
    p->pciDomainID = attr(CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID);
    p->asyncEngineCount = attr(CU_DEVICE_ATTRIBUTE_ASYNC_ENGINE_COUNT);
    p->unifiedAddressing = attr(CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING);
    p->memoryBusWidth = attr(CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH);
    p->l2CacheSize = attr(CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE);
    p->persistingL2CacheMaxSize = attr(CU_DEVICE_ATTRIBUTE_MAX_PERSISTING_L2_CACHE_SIZE);
    p->streamPrioritiesSupported = attr(CU_DEVICE_ATTRIBUTE_STREAM_PRIORITIES_SUPPORTED);
    p->globalL1CacheSupported = attr(CU_DEVICE_ATTRIBUTE_GLOBAL_L1_CACHE_SUPPORTED);
    p->localL1CacheSupported = attr(CU_DEVICE_ATTRIBUTE_LOCAL_L1_CACHE_SUPPORTED);
    p->managedMemory = attr(CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY);
    p->isMultiGpuBoard = attr(CU_DEVICE_ATTRIBUTE_MULTI_GPU_BOARD);
    p->computePreemptionSupported = attr(CU_DEVICE_ATTRIBUTE_COMPUTE_PREEMPTION_SUPPORTED);
    p->cooperativeLaunch = attr(CU_DEVICE_ATTRIBUTE_COOPERATIVE_LAUNCH);
    p->hostRegisterSupported = attr(CU_DEVICE_ATTRIBUTE_HOST_REGISTER_SUPPORTED);
    p->memoryPoolsSupported = attr(CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED);
    p->clusterLaunch = attr(CU_DEVICE_ATTRIBUTE_CLUSTER_LAUNCH);
}

/*
 * The struct of the toolkit this library was built with (CUDA 13: the
 * layout programs built with CUDA 13 pass), filled from libcuda's name,
 * UUID, total memory and attributes.
 */
VRT_API cudaError_t cudaGetDeviceProperties(struct cudaDeviceProp *p, int device)
{
    cudaError_t e = device_check(device);
    CUuuid uuid;
    size_t total = 0;

    if (e != cudaSuccess)
        return e;
    if (!p)
        return vrt__ret(cudaErrorInvalidValue);
    memset(p, 0, sizeof(*p));
    cuDeviceGetName(p->name, sizeof(p->name), device);
    if (cuDeviceGetUuid(&uuid, device) == CUDA_SUCCESS)
        memcpy(&p->uuid, &uuid, sizeof(p->uuid));
    cuDeviceTotalMem(&total, device);
    p->totalGlobalMem = total;
    props_limits(p);
    props_features(p);
    return cudaSuccess;
}

/* Waits for all the context's work; returns its first error (a sticky one latches). */
VRT_API cudaError_t cudaDeviceSynchronize(void)
{
    cudaError_t e = vrt__ctx(NULL);

    return e != cudaSuccess ? e : vrt__cu(cuCtxSynchronize());
}

VRT_API cudaError_t cudaDeviceSetLimit(enum cudaLimit limit, size_t value)
{
    cudaError_t e = vrt__ctx(NULL);

    return e != cudaSuccess ? e : vrt__cu(cuCtxSetLimit((CUlimit)limit, value));
}

VRT_API cudaError_t cudaDeviceGetLimit(size_t *value, enum cudaLimit limit)
{
    cudaError_t e = vrt__ctx(NULL);

    return e != cudaSuccess ? e : vrt__cu(cuCtxGetLimit(value, (CUlimit)limit));
}

VRT_API cudaError_t cudaDeviceSetCacheConfig(enum cudaFuncCache config)
{
    cudaError_t e = vrt__ctx(NULL);

    return e != cudaSuccess ? e : vrt__cu(cuCtxSetCacheConfig((CUfunc_cache)config));
}

VRT_API cudaError_t cudaDeviceGetCacheConfig(enum cudaFuncCache *config)
{
    cudaError_t e = vrt__ctx(NULL);

    return e != cudaSuccess ? e : vrt__cu(cuCtxGetCacheConfig((CUfunc_cache *)config));
}

VRT_API cudaError_t cudaDeviceGetStreamPriorityRange(int *least, int *greatest)
{
    cudaError_t e = vrt__ctx(NULL);

    return e != cudaSuccess ? e : vrt__cu(cuCtxGetStreamPriorityRange(least, greatest));
}

/* libcuda's version (the CUDA version its cuda.h is). */
VRT_API cudaError_t cudaDriverGetVersion(int *version)
{
    if (!version)
        return vrt__ret(cudaErrorInvalidValue);
    return vrt__cu(cuDriverGetVersion(version));
}

/* The toolkit version this library was built against (CUDART_VERSION). */
VRT_API cudaError_t cudaRuntimeGetVersion(int *version)
{
    if (!version)
        return vrt__ret(cudaErrorInvalidValue);
    *version = CUDART_VERSION;
    return cudaSuccess;
}
