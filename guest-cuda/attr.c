/* attr.c: cuDeviceGetAttribute: the host's device info, and fixed values for the rest. */
#include "cuda_int.h"

/* What the CPU reference executor is reported as where it declares nothing (compute capability). */
#define CPU_CC_MAJOR 7
#define CPU_CC_MINOR 0

/* Attributes the device info says something about; -1 when it does not. */
static int from_info(const struct vgpu_device_info *d, CUdevice_attribute a)
{
    switch (a) {
    case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT:
        return d->multiprocessors ? (int)d->multiprocessors : 1;
    case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR:
        return d->cc_major ? (int)d->cc_major : CPU_CC_MAJOR;
    case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR:
        return d->cc_major ? (int)d->cc_minor : CPU_CC_MINOR;
    default:
        return -1;
    }
}

/* Limits every vgpu device has: the protocol's launch limits (vgpu_wire.h), else 0. */
static int fixed(CUdevice_attribute a)
{
    switch (a) {
    case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK:
        return VGPU_BLOCK_THREADS_MAX;
    case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X:
    case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y:
        return VGPU_BLOCK_XY_MAX;
    case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z:
        return VGPU_BLOCK_Z_MAX;
    case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X:
        return (int)VGPU_GRID_X_MAX;
    case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y:
    case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z:
        return VGPU_GRID_YZ_MAX;
    case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK:
        return 48 * 1024;
    case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN:
    case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR:
        return VGPU_SHMEM_MAX;
    case CU_DEVICE_ATTRIBUTE_TOTAL_CONSTANT_MEMORY:
        return 64 * 1024;
    case CU_DEVICE_ATTRIBUTE_WARP_SIZE:
        return 32;
    case CU_DEVICE_ATTRIBUTE_MAX_PITCH:
        return 0x7fffffff;
    case CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK:
    case CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR:
        return 65536;
    case CU_DEVICE_ATTRIBUTE_CLOCK_RATE:
    case CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE:
        return 1000000; /* kHz: nominal, nothing to measure */
    case CU_DEVICE_ATTRIBUTE_TEXTURE_ALIGNMENT:
        return 512;
    case CU_DEVICE_ATTRIBUTE_GPU_OVERLAP:
    case CU_DEVICE_ATTRIBUTE_ASYNC_ENGINE_COUNT:
    case CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING:
    case CU_DEVICE_ATTRIBUTE_STREAM_PRIORITIES_SUPPORTED:
    case CU_DEVICE_ATTRIBUTE_GLOBAL_L1_CACHE_SUPPORTED:
    case CU_DEVICE_ATTRIBUTE_LOCAL_L1_CACHE_SUPPORTED:
        return 1;
    case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR:
        return 2048;
    case CU_DEVICE_ATTRIBUTE_MAX_BLOCKS_PER_MULTIPROCESSOR:
        return 32;
    case CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH:
        return 256;
    case CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE:
        return 4 << 20;
    default:
        return 0; /* a capability vgpu does not offer (managed memory, IPC, ...) */
    }
}

/*
 * Multiprocessors and compute capability from the host's device info; the protocol's launch
 * limits; fixed values of a recent GPU for the rest, 0 for what vgpu does not offer (attr.c).
 */
VCU_API CUresult cuDeviceGetAttribute(int *value, CUdevice_attribute attrib, CUdevice dev)
{
    int v;

    if (!vcu__initialized())
        return CUDA_ERROR_NOT_INITIALIZED;
    if (dev != 0)
        return CUDA_ERROR_INVALID_DEVICE;
    if (!value || (int)attrib <= 0 || attrib >= CU_DEVICE_ATTRIBUTE_MAX)
        return CUDA_ERROR_INVALID_VALUE;
    v = from_info(vcu__device(), attrib);
    *value = v >= 0 ? v : fixed(attrib);
    return CUDA_SUCCESS;
}
