/* occupancy.c: occupancy from the device's limits (threads, blocks, shared memory per SM). */
#include "cuda_int.h"

void vcu__func_cc(int *v)
{
    int major = 0, minor = 0;

    cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, 0);
    cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, 0);
    *v = major * 10 + minor;
}

static int attr(CUdevice_attribute a)
{
    int v = 0;

    cuDeviceGetAttribute(&v, a, 0);
    return v;
}

/* Blocks of block_size threads and shmem bytes that fit on one multiprocessor at once. */
static int blocks_per_sm(int block_size, size_t shmem)
{
    int warps = (block_size + 31) / 32;
    int by_threads = attr(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR) / (warps * 32);
    int n = attr(CU_DEVICE_ATTRIBUTE_MAX_BLOCKS_PER_MULTIPROCESSOR);

    if (by_threads < n)
        n = by_threads;
    if (shmem) {
        size_t by_shmem =
            (size_t)attr(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR) / shmem;
        if (by_shmem < (size_t)n)
            n = (int)by_shmem;
    }
    return n;
}

VCU_API CUresult cuOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(int *n, CUfunction h,
                                                                      int block_size, size_t shmem,
                                                                      unsigned int flags)
{
    CUfunction f = vcu__func_of(h);

    if (!n || block_size <= 0 || block_size > (int)VGPU_BLOCK_THREADS_MAX)
        return CUDA_ERROR_INVALID_VALUE;
    if (!f)
        return CUDA_ERROR_INVALID_HANDLE;
    *n = shmem > (size_t)f->max_dyn_shmem ? 0 : blocks_per_sm(block_size, shmem);
    return CUDA_SUCCESS;
}

/*
 * From the device's per-SM limits of threads, blocks and shared memory (registers are not
 * reported).
 */
VCU_API CUresult cuOccupancyMaxActiveBlocksPerMultiprocessor(int *n, CUfunction h, int block_size,
                                                             size_t shmem)
{
    return cuOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(n, h, block_size, shmem, 0);
}

/*
 * The block size (a multiple of 32) with the most threads resident per SM; the smallest wins ties.
 */
VCU_API CUresult cuOccupancyMaxPotentialBlockSizeWithFlags(int *min_grid, int *block, CUfunction h,
                                                           CUoccupancyB2DSize b2s, size_t shmem,
                                                           int limit, unsigned int flags)
{
    CUfunction f = vcu__func_of(h);
    int bs, best = 0, best_blocks = 0, max = (int)VGPU_BLOCK_THREADS_MAX;

    if (!min_grid || !block)
        return CUDA_ERROR_INVALID_VALUE;
    if (!f)
        return CUDA_ERROR_INVALID_HANDLE;
    if (limit > 0 && limit < max)
        max = limit;
    for (bs = 32; bs <= max; bs += 32) {
        size_t sm = b2s ? b2s(bs) : shmem;
        int nb = sm > (size_t)f->max_dyn_shmem ? 0 : blocks_per_sm(bs, sm);
        if (nb * bs > best_blocks * best) {
            best = bs;
            best_blocks = nb;
        }
    }
    if (best == 0)
        return CUDA_ERROR_INVALID_VALUE;
    *block = best;
    *min_grid = best_blocks * attr(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
    return CUDA_SUCCESS;
}

VCU_API CUresult cuOccupancyMaxPotentialBlockSize(int *min_grid, int *block, CUfunction h,
                                                  CUoccupancyB2DSize b2s, size_t shmem, int limit)
{
    return cuOccupancyMaxPotentialBlockSizeWithFlags(min_grid, block, h, b2s, shmem, limit, 0);
}
