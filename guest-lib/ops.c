/* ops.c: the API calls that are one request each: memory, modules, functions, launch, sync. */
#include <string.h>
#include "channel_int.h"

int vgpu_device_info(vgpu_channel *ch, struct vgpu_device_info *out)
{
    struct vgpu_req req = {.op = VGPU_OP_DEVICE_INFO};
    struct vgpu__pending how = {.dst = out, .len = sizeof(*out)};
    struct vgpu_rsp rsp;
    int r = vgpu__stage_alloc(ch, sizeof(*out), &how.data_off);

    if (r < 0)
        return r;
    req.u.info.data_off = how.data_off;
    return vgpu__call(ch, &req, &rsp, &how);
}

/* One request that answers with a handle. */
static int call_handle(vgpu_channel *ch, struct vgpu_req *req, uint64_t *handle)
{
    struct vgpu_rsp rsp;
    int r = vgpu__call(ch, req, &rsp, NULL);

    if (r == 0 && handle)
        *handle = rsp.u.handle;
    return r;
}

int vgpu_mem_alloc(vgpu_channel *ch, uint64_t size, uint64_t *dptr)
{
    struct vgpu_req req = {.op = VGPU_OP_MEM_ALLOC};

    if (size == 0)
        return -VGPU_S_BAD_FIELD;
    req.u.alloc.size = size;
    return call_handle(ch, &req, dptr);
}

int vgpu_mem_free(vgpu_channel *ch, uint64_t dptr)
{
    struct vgpu_req req = {.op = VGPU_OP_MEM_FREE};

    req.u.ptr.handle = dptr;
    return call_handle(ch, &req, NULL);
}

int vgpu_memset(vgpu_channel *ch, uint64_t dptr, uint8_t value, uint64_t len)
{
    struct vgpu_req req = {.op = VGPU_OP_MEMSET};

    req.u.memset.dptr = dptr;
    req.u.memset.len = len;
    req.u.memset.value = value;
    return vgpu__queue(ch, &req, NULL);
}

/*
 * An image larger than half of staging goes in MODULE_CHUNKs of that much,
 * each answered before the next (the host checks their order).
 */
static int module_load_chunked(vgpu_channel *ch, const uint8_t *image, uint64_t len,
                               uint64_t *module)
{
    uint64_t chunk = (ch->stage.size / 2) & ~(uint64_t)(VGPU_STAGE_ALIGN - 1), off;
    struct vgpu_rsp rsp;
    int r = 0;

    for (off = 0; r == 0 && off < len; off += chunk) {
        struct vgpu_req req = {.op = VGPU_OP_MODULE_CHUNK};
        uint64_t n = len - off < chunk ? len - off : chunk;

        r = vgpu__stage_put(ch, image + off, n, &req.u.chunk.data_off);
        if (r < 0)
            break;
        req.u.chunk.total = len;
        req.u.chunk.offset = off;
        req.u.chunk.len = (uint32_t)n;
        req.u.chunk.flags = off + n == len ? VGPU_CHUNKF_LAST : 0;
        r = vgpu__call(ch, &req, &rsp, NULL);
    }
    if (r == 0 && module)
        *module = rsp.u.handle;
    return r;
}

int vgpu_module_load(vgpu_channel *ch, const void *image, size_t len, uint64_t *module)
{
    struct vgpu_req req = {.op = VGPU_OP_MODULE_LOAD};
    int r;

    if (len == 0)
        return -VGPU_S_BAD_IMAGE;
    if (ch->broken)
        return ch->broken;
    if (len > ch->stage.size / 2 && (ch->features & VGPU_FEAT_MODULE_CHUNKS))
        return len > VGPU_MODULE_MAX ? -VGPU_S_NO_MEMORY
                                     : module_load_chunked(ch, image, len, module);
    r = vgpu__stage_put(ch, image, len, &req.u.module.data_off);
    if (r < 0)
        return r;
    req.u.module.len = len;
    return call_handle(ch, &req, module);
}

int vgpu_module_unload(vgpu_channel *ch, uint64_t module)
{
    struct vgpu_req req = {.op = VGPU_OP_MODULE_UNLOAD};

    req.u.ptr.handle = module;
    return call_handle(ch, &req, NULL);
}

int vgpu_func_get(vgpu_channel *ch, uint64_t module, const char *name, uint64_t *func)
{
    struct vgpu_req req = {.op = VGPU_OP_FUNC_GET};
    size_t len = name ? strnlen(name, VGPU_NAME_MAX) + 1 : 0;
    int r;

    if (len <= 1 || len > VGPU_NAME_MAX)
        return -VGPU_S_BAD_NAME;
    r = vgpu__stage_put(ch, name, len, &req.u.func.name_off);
    if (r < 0)
        return r;
    req.u.func.module = module;
    req.u.func.name_len = (uint32_t)len;
    return call_handle(ch, &req, func);
}

int vgpu_global_get(vgpu_channel *ch, uint64_t module, const char *name, uint64_t *dptr,
                    uint64_t *size)
{
    struct vgpu_req req = {.op = VGPU_OP_GLOBAL_GET};
    size_t len = name ? strnlen(name, VGPU_NAME_MAX) + 1 : 0;
    struct vgpu_rsp rsp;
    int r;

    if (len <= 1 || len > VGPU_NAME_MAX)
        return -VGPU_S_BAD_NAME;
    if (ch->broken)
        return ch->broken;
    if (!(ch->features & VGPU_FEAT_GLOBALS))
        return -VGPU_S_UNSUPPORTED;
    r = vgpu__stage_put(ch, name, len, &req.u.func.name_off);
    if (r < 0)
        return r;
    req.u.func.module = module;
    req.u.func.name_len = (uint32_t)len;
    r = vgpu__call(ch, &req, &rsp, NULL);
    if (r == 0) {
        if (dptr)
            *dptr = rsp.u.global.dptr;
        if (size)
            *size = rsp.u.global.size;
    }
    return r;
}

int vgpu_func_params(vgpu_channel *ch, uint64_t func, struct vgpu_param_info *out, uint32_t max,
                     uint32_t *count)
{
    struct vgpu_req req = {.op = VGPU_OP_FUNC_PARAMS};
    struct vgpu__pending how = {.dst = out};
    struct vgpu_rsp rsp;
    int r;

    if (!out || !count || max == 0 || max > VGPU_PARAMS_MAX)
        return -VGPU_S_BAD_FIELD;
    if (ch->broken)
        return ch->broken;
    if (!(ch->features & VGPU_FEAT_FUNC_PARAMS))
        return -VGPU_S_UNSUPPORTED;
    how.len = (uint64_t)max * sizeof(*out);
    r = vgpu__stage_alloc(ch, how.len, &how.data_off);
    if (r < 0)
        return r;
    req.u.func_params.func = func;
    req.u.func_params.data_off = how.data_off;
    req.u.func_params.max = max;
    r = vgpu__call(ch, &req, &rsp, &how);
    if (r == 0)
        *count = (uint32_t)rsp.u.handle;
    return r;
}

int vgpu_launch(vgpu_channel *ch, uint64_t func, const uint32_t grid[3], const uint32_t block[3],
                uint32_t shmem, const void *params, size_t params_len)
{
    struct vgpu_req req = {.op = VGPU_OP_LAUNCH};
    int r;

    if (!grid || !block || (params_len && !params))
        return -VGPU_S_BAD_FIELD;
    if (params_len > VGPU_PARAMS_MAX)
        return -VGPU_S_BAD_LAUNCH;
    if (params_len) {
        r = vgpu__stage_put(ch, params, params_len, &req.u.launch.params_off);
        if (r < 0)
            return r;
    }
    req.u.launch.func = func;
    memcpy(req.u.launch.grid, grid, sizeof(req.u.launch.grid));
    memcpy(req.u.launch.block, block, sizeof(req.u.launch.block));
    req.u.launch.shmem = shmem;
    req.u.launch.params_len = (uint32_t)params_len;
    return vgpu__queue(ch, &req, NULL);
}

int vgpu_flush(vgpu_channel *ch)
{
    return vgpu__submit(ch);
}

int vgpu_sync(vgpu_channel *ch)
{
    struct vgpu_req req = {.op = VGPU_OP_SYNC};
    int r = vgpu__queue(ch, &req, NULL);

    if (r == 0)
        r = vgpu__drain(ch);
    return r < 0 ? r : vgpu__take_error(ch);
}

int vgpu_nop(vgpu_channel *ch)
{
    struct vgpu_req req = {.op = VGPU_OP_NOP};
    struct vgpu_rsp rsp;

    return vgpu__call(ch, &req, &rsp, NULL);
}

const char *vgpu_executor_name(uint32_t kind)
{
    switch (kind) {
    case VGPU_EXECUTOR_CPU_REF:
        return "cpu-reference";
    case VGPU_EXECUTOR_CUDA:
        return "cuda";
    default:
        return "none";
    }
}
