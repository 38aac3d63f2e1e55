/* exec_cuda_api.c: the driver entry points, by cuGetProcAddress, at the ABI this executor uses. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include "exec_cuda.h"

const struct cu_api *vgpu_cu;

/*
 * Each entry point at the CUDA version whose signature struct cu_api
 * declares: 12000 gives the variant current in CUDA 12.0 (cuMemAlloc_v2,
 * the 3-argument cuCtxCreate_v2, ...), which every later driver keeps for
 * the programs built then. Older drivers than 12.0 lack cuGetProcAddress_v2
 * itself and the module does not load.
 */
#define V12 12000
/* clang-format off */
#define ENTRY(field, sym, ver, req) {#sym, offsetof(struct cu_api, field), ver, req}
/* clang-format on */

static const struct entry {
    const char *sym;
    size_t off;
    int version;
    bool required;
} entries[] = {
    ENTRY(GetErrorName, cuGetErrorName, V12, true),
    ENTRY(GetErrorString, cuGetErrorString, V12, true),
    ENTRY(DeviceGetCount, cuDeviceGetCount, V12, true),
    ENTRY(DeviceGet, cuDeviceGet, V12, true),
    ENTRY(DeviceGetName, cuDeviceGetName, V12, true),
    ENTRY(DeviceGetUuid, cuDeviceGetUuid, V12, true), /* _v2: MIG instances' own UUIDs */
    ENTRY(DeviceTotalMem, cuDeviceTotalMem, V12, true),
    ENTRY(DeviceGetAttribute, cuDeviceGetAttribute, V12, true),
    ENTRY(DevicePrimaryCtxRetain, cuDevicePrimaryCtxRetain, V12, true),
    ENTRY(DevicePrimaryCtxRelease, cuDevicePrimaryCtxRelease, V12, true),
    ENTRY(CtxPushCurrent, cuCtxPushCurrent, V12, true),
    ENTRY(CtxPopCurrent, cuCtxPopCurrent, V12, true),
    ENTRY(CtxSynchronize, cuCtxSynchronize, V12, true),
    ENTRY(StreamCreate, cuStreamCreate, V12, true),
    ENTRY(StreamDestroy, cuStreamDestroy, V12, true),
    ENTRY(StreamSynchronize, cuStreamSynchronize, V12, true),
    ENTRY(EventCreate, cuEventCreate, V12, true),
    ENTRY(EventDestroy, cuEventDestroy, V12, true),
    ENTRY(EventRecord, cuEventRecord, V12, true),
    ENTRY(EventElapsedTime, cuEventElapsedTime, V12, true),
    ENTRY(MemAlloc, cuMemAlloc, V12, true),
    ENTRY(MemFree, cuMemFree, V12, true),
    ENTRY(MemsetD8Async, cuMemsetD8Async, V12, true),
    ENTRY(MemcpyHtoDAsync, cuMemcpyHtoDAsync, V12, true),
    ENTRY(MemcpyDtoHAsync, cuMemcpyDtoHAsync, V12, true),
    ENTRY(MemcpyDtoDAsync, cuMemcpyDtoDAsync, V12, true),
    ENTRY(MemHostRegister, cuMemHostRegister, V12, true),
    ENTRY(MemHostUnregister, cuMemHostUnregister, V12, true),
    ENTRY(ModuleLoadDataEx, cuModuleLoadDataEx, V12, true),
    ENTRY(ModuleUnload, cuModuleUnload, V12, true),
    ENTRY(ModuleGetFunction, cuModuleGetFunction, V12, true),
    ENTRY(ModuleGetGlobal, cuModuleGetGlobal, V12, true),
    ENTRY(FuncGetAttribute, cuFuncGetAttribute, V12, true),
    ENTRY(FuncSetAttribute, cuFuncSetAttribute, V12, true),
    ENTRY(LaunchKernel, cuLaunchKernel, V12, true),
    ENTRY(FuncGetParamInfo, cuFuncGetParamInfo, 12040, false),
};

int vgpu_cu__api_load(struct cu_api *api, char *err, size_t errlen)
{
    CUdriverProcAddressQueryResult q;
    size_t i;

    CUresult r0;

    api->Init = cuInit; /* the one entry linked by name: unchanged since CUDA 2 */
    r0 = cuInit(0);
    if (r0 != CUDA_SUCCESS) {
        snprintf(err, errlen, "CUDA: cuInit failed with error %d (no usable GPU or driver)",
                 (int)r0);
        return -ENODEV;
    }
    for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
        const struct entry *e = &entries[i];
        void *fn = NULL;
        CUresult r = cuGetProcAddress(e->sym, &fn, e->version, CU_GET_PROC_ADDRESS_DEFAULT, &q);

        if (r != CUDA_SUCCESS || q != CU_GET_PROC_ADDRESS_SUCCESS)
            fn = NULL;
        if (!fn && e->required) {
            snprintf(err, errlen,
                     "the NVIDIA driver lacks %s (CUDA %d.%d ABI; error %d, query %d): "
                     "install driver R525 or later",
                     e->sym, e->version / 1000, e->version % 1000 / 10, (int)r, (int)q);
            return -ENOSYS;
        }
        *(void **)((char *)api + e->off) = fn;
    }
    return 0;
}
