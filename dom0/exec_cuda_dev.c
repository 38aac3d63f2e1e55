/* exec_cuda_dev.c: --device and map-pool's device names: an index, GPU-<uuid> or MIG-<uuid>. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exec_cuda.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (nvidia-smi -L's form), exactly. */
static int uuid_parse(const char *s, uint8_t out[16])
{
    static const int dash[] = {8, 13, 18, 23};
    int i, k = 0, d = 0;

    if (strlen(s) != 36)
        return -EINVAL;
    for (i = 0; i < 36; i++) {
        if (d < 4 && i == dash[d]) {
            if (s[i] != '-')
                return -EINVAL;
            d++;
            continue;
        }
        int hi = hexval(s[i]), lo = hexval(s[i + 1]);
        if (hi < 0 || lo < 0 || (d < 4 && i + 1 == dash[d]))
            return -EINVAL;
        out[k++] = (uint8_t)(hi << 4 | lo);
        i++;
    }
    return k == 16 ? 0 : -EINVAL;
}

int vgpu_cu__dev_parse(const char *s, struct cu_dev_sel *out)
{
    char *end;
    long v;

    memset(out, 0, sizeof(*out));
    if (!s || !s[0]) {
        out->kind = CU_DEV_INDEX;
        return 0;
    }
    if (strncmp(s, "GPU-", 4) == 0) {
        out->kind = CU_DEV_GPU_UUID;
        return uuid_parse(s + 4, out->uuid);
    }
    if (strncmp(s, "MIG-", 4) == 0) {
        out->kind = CU_DEV_MIG_UUID;
        return uuid_parse(s + 4, out->uuid);
    }
    if (s[0] < '0' || s[0] > '9')
        return -EINVAL;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < 0 || v > 1023)
        return -EINVAL;
    out->kind = CU_DEV_INDEX;
    out->index = (int)v;
    return 0;
}

const char *vgpu_cu__dev_env(const struct cu_dev_sel *sel, const char *device, char *buf,
                             size_t len)
{
    if (sel->kind != CU_DEV_MIG_UUID)
        return NULL;
    snprintf(buf, len, "%s", device);
    return buf;
}

int vgpu_cu__dev_find(const struct cu_dev_sel *sel, CUdevice *out, char *err, size_t errlen)
{
    char name[64];
    CUresult r;
    CUuuid u;
    int n = 0, i;

    r = vgpu_cu->DeviceGetCount(&n);
    if (r != CUDA_SUCCESS || n == 0) {
        snprintf(err, errlen, "CUDA: %s",
                 r != CUDA_SUCCESS ? vgpu_cu__name(r, name, sizeof(name)) : "no device");
        return VGPU_S_NO_DEVICE;
    }
    if (sel->kind == CU_DEV_INDEX && sel->index >= n) {
        snprintf(err, errlen, "CUDA device %d: there are %d (0..%d)", sel->index, n, n - 1);
        return VGPU_S_NO_DEVICE;
    }
    if (sel->kind == CU_DEV_INDEX)
        return vgpu_cu->DeviceGet(out, sel->index) == CUDA_SUCCESS ? VGPU_S_OK : VGPU_S_NO_DEVICE;
    /* A UUID: the device that has it (a MIG instance: the one CUDA_VISIBLE_DEVICES shows). */
    for (i = 0; i < n; i++) {
        if (vgpu_cu->DeviceGet(out, i) != CUDA_SUCCESS ||
            vgpu_cu->DeviceGetUuid(&u, *out) != CUDA_SUCCESS)
            continue;
        if (memcmp(u.bytes, sel->uuid, 16) == 0)
            return VGPU_S_OK;
    }
    snprintf(err, errlen, "no CUDA device has the %s UUID asked for (%d seen): see nvidia-smi -L",
             sel->kind == CU_DEV_MIG_UUID ? "MIG" : "GPU", n);
    return VGPU_S_NO_DEVICE;
}
