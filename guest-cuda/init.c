/* init.c: cuInit, the driver version and the one device vgpud gives this VM. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cuda_int.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static CUresult init_result = CUDA_ERROR_NOT_INITIALIZED;
static struct vgpu_device_info dev_info; /* read once by cuInit */

int vcu__open_channel(vgpu_channel **out)
{
    return vgpu_open(NULL, out); /* transport and identity from the environment */
}

static void init_run(void)
{
    vgpu_channel *ch;
    int r = vcu__open_channel(&ch);

    if (r == 0) {
        r = vgpu_device_info(ch, &dev_info);
        vgpu_close(ch);
    }
    if (r == -VGPU_S_NO_DEVICE)
        init_result = CUDA_ERROR_NO_DEVICE;
    else if (r == -VGPU_S_DENIED)
        init_result = CUDA_ERROR_NOT_PERMITTED;
    else
        init_result = r == 0 ? CUDA_SUCCESS : CUDA_ERROR_UNKNOWN;
    if (r < 0 && getenv("VGPU_CUDA_DEBUG"))
        fprintf(stderr, "libcuda (vgpu): cuInit: %s\n", vgpu_strerror(r));
}

/*
 * Opens a libvgpu channel once (transport and identity from the environment), reads the device
 * info, closes it. CUDA_ERROR_NO_DEVICE when vgpud cannot be reached, CUDA_ERROR_NOT_PERMITTED
 * when it refuses this VM.
 */
VCU_API CUresult cuInit(unsigned int flags)
{
    if (flags != 0)
        return CUDA_ERROR_INVALID_VALUE;
    pthread_once(&init_once, init_run);
    return init_result;
}

bool vcu__initialized(void)
{
    return init_result == CUDA_SUCCESS;
}

const struct vgpu_device_info *vcu__device(void)
{
    return &dev_info;
}

/* CUDA 13.0: the cuda.h this library implements. */
VCU_API CUresult cuDriverGetVersion(int *version)
{
    if (!version)
        return CUDA_ERROR_INVALID_VALUE;
    *version = VCU_DRIVER_VERSION;
    return CUDA_SUCCESS;
}

/* One device once cuInit succeeded: the one vgpud gives this VM. */
VCU_API CUresult cuDeviceGetCount(int *count)
{
    if (!count)
        return CUDA_ERROR_INVALID_VALUE;
    if (!vcu__initialized())
        return CUDA_ERROR_NOT_INITIALIZED;
    *count = 1;
    return CUDA_SUCCESS;
}

VCU_API CUresult cuDeviceGet(CUdevice *dev, int ordinal)
{
    if (!dev)
        return CUDA_ERROR_INVALID_VALUE;
    if (!vcu__initialized())
        return CUDA_ERROR_NOT_INITIALIZED;
    if (ordinal != 0)
        return CUDA_ERROR_INVALID_DEVICE;
    *dev = 0;
    return CUDA_SUCCESS;
}

/* The checks every cuDevice* call starts with. */
static CUresult dev_check(CUdevice dev)
{
    if (!vcu__initialized())
        return CUDA_ERROR_NOT_INITIALIZED;
    return dev == 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_DEVICE;
}

/* The host's device name (the CPU reference executor says so in its name). */
VCU_API CUresult cuDeviceGetName(char *name, int len, CUdevice dev)
{
    CUresult r = dev_check(dev);

    if (r != CUDA_SUCCESS)
        return r;
    if (!name || len <= 0)
        return CUDA_ERROR_INVALID_VALUE;
    snprintf(name, (size_t)len, "%s", dev_info.name);
    return CUDA_SUCCESS;
}

/* A stable UUID: "vgpu" and the VM id, so two VMs never share one. */
VCU_API CUresult cuDeviceGetUuid_v2(CUuuid *uuid, CUdevice dev)
{
    CUresult r = dev_check(dev);

    if (r != CUDA_SUCCESS)
        return r;
    if (!uuid)
        return CUDA_ERROR_INVALID_VALUE;
    memset(uuid, 0, sizeof(*uuid));
    memcpy(uuid->bytes, "vgpu", 4);
    memcpy(uuid->bytes + 4, &dev_info.vm_id, sizeof(dev_info.vm_id));
    uuid->bytes[8] = (char)dev_info.executor;
    return CUDA_SUCCESS;
}

VCU_API CUresult cuDeviceGetUuid(CUuuid *uuid, CUdevice dev)
{
    return cuDeviceGetUuid_v2(uuid, dev);
}

/* The VM's memory quota where it has one, else the device's memory. */
VCU_API CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice dev)
{
    CUresult r = dev_check(dev);

    if (r != CUDA_SUCCESS)
        return r;
    if (!bytes)
        return CUDA_ERROR_INVALID_VALUE;
    *bytes = dev_info.mem_quota ? dev_info.mem_quota : dev_info.total_mem;
    return CUDA_SUCCESS;
}

VCU_API CUresult cuDeviceComputeCapability(int *major, int *minor, CUdevice dev)
{
    CUresult r = dev_check(dev);

    if (r != CUDA_SUCCESS)
        return r;
    if (!major || !minor)
        return CUDA_ERROR_INVALID_VALUE;
    cuDeviceGetAttribute(major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
    cuDeviceGetAttribute(minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
    return CUDA_SUCCESS;
}
