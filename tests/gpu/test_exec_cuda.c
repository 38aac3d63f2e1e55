/* test_exec_cuda.c: the CUDA executor's own logic against a fake driver (no GPU needed). */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "exec_cuda.h"

const struct cu_api *vgpu_cu;

int vgpu_cu__api_load(struct cu_api *api, char *err, size_t errlen)
{
    (void)api;
    (void)err;
    (void)errlen;
    return -ENOSYS; /* never: the tests install the fake first */
}

/* ---- the fake driver: two devices, counters of what reached it ---- */
static const uint8_t uuid1[16] = {0x5e, 0x1a, 0x3c, 0x00, 0x11, 0x22, 0x33, 0x44,
                                  0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc};
static struct fake {
    int ndev;
    int loads, unloads, launches, registers, unregisters, copies, setattr;
    int setattr_value;
    unsigned reg_flags;
    size_t last_param_size;
    CUresult launch_result;
    int param_bytes; /* the kernel's: two 8-byte parameters = 16 */
} fk;

static CUresult f_ok(void)
{
    return CUDA_SUCCESS;
}
static CUresult f_init(unsigned f)
{
    (void)f;
    return CUDA_SUCCESS;
}
static CUresult f_name(CUresult r, const char **s)
{
    *s = r == CUDA_ERROR_ILLEGAL_ADDRESS ? "CUDA_ERROR_ILLEGAL_ADDRESS" : "CUDA_ERROR_OTHER";
    return CUDA_SUCCESS;
}
static CUresult f_count(int *n)
{
    *n = fk.ndev;
    return CUDA_SUCCESS;
}
static CUresult f_get(CUdevice *d, int i)
{
    *d = i;
    return i < fk.ndev ? CUDA_SUCCESS : CUDA_ERROR_INVALID_DEVICE;
}
static CUresult f_devname(char *s, int n, CUdevice d)
{
    snprintf(s, (size_t)n, "Fake H200 #%d", d);
    return CUDA_SUCCESS;
}
static CUresult f_uuid(CUuuid *u, CUdevice d)
{
    memcpy(u->bytes, uuid1, 16);
    u->bytes[15] = (char)(uuid1[15] + d); /* device d: ...cc + d */
    return CUDA_SUCCESS;
}
static CUresult f_mem(size_t *b, CUdevice d)
{
    (void)d;
    *b = 141ull << 30;
    return CUDA_SUCCESS;
}
static CUresult f_attr(int *v, CUdevice_attribute a, CUdevice d)
{
    (void)d;
    *v = a == CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN ? 227 * 1024 : 9;
    return CUDA_SUCCESS;
}
static CUresult f_retain(CUcontext *c, CUdevice d)
{
    (void)d;
    *c = (CUcontext)0x1000;
    return CUDA_SUCCESS;
}
static CUresult f_release(CUdevice d)
{
    (void)d;
    return CUDA_SUCCESS;
}
static CUresult f_push(CUcontext c)
{
    (void)c;
    return CUDA_SUCCESS;
}
static CUresult f_pop(CUcontext *c)
{
    *c = NULL;
    return CUDA_SUCCESS;
}
static CUresult f_screate(CUstream *s, unsigned f)
{
    (void)f;
    *s = (CUstream)0x2000;
    return CUDA_SUCCESS;
}
static CUresult f_sdestroy(CUstream s)
{
    (void)s;
    return CUDA_SUCCESS;
}
static CUresult f_ssync(CUstream s)
{
    (void)s;
    return CUDA_SUCCESS;
}
static CUresult f_ecreate(CUevent *e, unsigned f)
{
    (void)f;
    *e = (CUevent)0x3000;
    return CUDA_SUCCESS;
}
static CUresult f_edestroy(CUevent e)
{
    (void)e;
    return CUDA_SUCCESS;
}
static CUresult f_erecord(CUevent e, CUstream s)
{
    (void)e;
    (void)s;
    return CUDA_SUCCESS;
}
static CUresult f_elapsed(float *ms, CUevent a, CUevent b)
{
    (void)a;
    (void)b;
    *ms = 1.5f;
    return CUDA_SUCCESS;
}
static CUresult f_alloc(CUdeviceptr *p, size_t n)
{
    (void)n;
    *p = 0x7000000;
    return CUDA_SUCCESS;
}
static CUresult f_free(CUdeviceptr p)
{
    (void)p;
    return CUDA_SUCCESS;
}
static CUresult f_memset(CUdeviceptr p, unsigned char v, size_t n, CUstream s)
{
    (void)p;
    (void)v;
    (void)n;
    (void)s;
    return CUDA_SUCCESS;
}
static CUresult f_htod(CUdeviceptr d, const void *s, size_t n, CUstream st)
{
    (void)d;
    (void)s;
    (void)st;
    fk.copies++;
    return n <= (16u << 20) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}
static CUresult f_dtoh(void *d, CUdeviceptr s, size_t n, CUstream st)
{
    (void)d;
    (void)s;
    (void)n;
    (void)st;
    fk.copies++;
    return CUDA_SUCCESS;
}
static CUresult f_dtod(CUdeviceptr d, CUdeviceptr s, size_t n, CUstream st)
{
    (void)d;
    (void)s;
    (void)n;
    (void)st;
    fk.copies++;
    return CUDA_SUCCESS;
}
static CUresult f_reg(void *p, size_t n, unsigned f)
{
    (void)p;
    (void)n;
    fk.registers++;
    fk.reg_flags = f;
    return CUDA_SUCCESS;
}
static CUresult f_unreg(void *p)
{
    (void)p;
    fk.unregisters++;
    return CUDA_SUCCESS;
}
static CUresult f_load(CUmodule *m, const void *img, unsigned n, CUjit_option *o, void **v)
{
    (void)img;
    (void)n;
    (void)o;
    (void)v;
    *m = (CUmodule)(uintptr_t)(0x10000 + ++fk.loads);
    return CUDA_SUCCESS;
}
static CUresult f_global(CUdeviceptr *p, size_t *n, CUmodule m, const char *name)
{
    (void)m;
    if (strcmp(name, "g") != 0)
        return CUDA_ERROR_NOT_FOUND;
    *p = 0x7100000;
    *n = 64;
    return CUDA_SUCCESS;
}
static CUresult f_unload(CUmodule m)
{
    (void)m;
    fk.unloads++;
    return CUDA_SUCCESS;
}
static CUresult f_getfunc(CUfunction *f, CUmodule m, const char *name)
{
    if (strcmp(name, "missing") == 0)
        return CUDA_ERROR_NOT_FOUND;
    *f = (CUfunction)((uintptr_t)m * 0x100 + (uintptr_t)strlen(name));
    return CUDA_SUCCESS;
}
static CUresult f_fattr(int *v, CUfunction_attribute a, CUfunction f)
{
    (void)a;
    (void)f;
    *v = 0;
    return CUDA_SUCCESS;
}
static CUresult f_fsetattr(CUfunction f, CUfunction_attribute a, int v)
{
    (void)f;
    fk.setattr += a == CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES;
    fk.setattr_value = v;
    return CUDA_SUCCESS;
}
static CUresult f_launch(CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx,
                         unsigned by, unsigned bz, unsigned sh, CUstream s, void **p, void **extra)
{
    (void)f;
    (void)gx;
    (void)gy;
    (void)gz;
    (void)bx;
    (void)by;
    (void)bz;
    (void)sh;
    (void)s;
    (void)p;
    fk.launches++;
    fk.last_param_size = extra ? *(size_t *)extra[3] : 0;
    return fk.launch_result;
}
static CUresult f_pinfo(CUfunction f, size_t i, size_t *off, size_t *size)
{
    (void)f;
    if (i * 8 >= (size_t)fk.param_bytes)
        return CUDA_ERROR_INVALID_VALUE;
    *off = i * 8;
    *size = 8;
    return CUDA_SUCCESS;
}

static const struct cu_api fake_api = {
    .Init = f_init,
    .GetErrorName = f_name,
    .GetErrorString = f_name,
    .DeviceGetCount = f_count,
    .DeviceGet = f_get,
    .DeviceGetName = f_devname,
    .DeviceGetUuid = f_uuid,
    .DeviceTotalMem = f_mem,
    .DeviceGetAttribute = f_attr,
    .DevicePrimaryCtxRetain = f_retain,
    .DevicePrimaryCtxRelease = f_release,
    .CtxPushCurrent = f_push,
    .CtxPopCurrent = f_pop,
    .CtxSynchronize = f_ok,
    .StreamCreate = f_screate,
    .StreamDestroy = f_sdestroy,
    .StreamSynchronize = f_ssync,
    .EventCreate = f_ecreate,
    .EventDestroy = f_edestroy,
    .EventRecord = f_erecord,
    .EventElapsedTime = f_elapsed,
    .MemAlloc = f_alloc,
    .MemFree = f_free,
    .MemsetD8Async = f_memset,
    .MemcpyHtoDAsync = f_htod,
    .MemcpyDtoHAsync = f_dtoh,
    .MemcpyDtoDAsync = f_dtod,
    .MemHostRegister = f_reg,
    .MemHostUnregister = f_unreg,
    .ModuleLoadDataEx = f_load,
    .ModuleUnload = f_unload,
    .ModuleGetFunction = f_getfunc,
    .ModuleGetGlobal = f_global,
    .FuncGetAttribute = f_fattr,
    .FuncSetAttribute = f_fsetattr,
    .LaunchKernel = f_launch,
    .FuncGetParamInfo = f_pinfo,
};

static const char ptx[] = ".version 8.0\n.target sm_90\n.address_size 64\n";

static int setup(void **state)
{
    memset(&fk, 0, sizeof(fk));
    fk.ndev = 2;
    fk.param_bytes = 16;
    vgpu_cu = &fake_api;
    *state = NULL;
    return 0;
}

/* Open device `dev` and make a context. */
static struct vgpu_exec_ctx *open_ctx(const char *dev, struct vgpu_exec **e)
{
    struct vgpu_exec_config cfg = {.device = dev};
    struct vgpu_exec_ctx *c = NULL;
    uint32_t detail = 0;
    char err[200] = "";

    assert_int_equal(vgpu_exec_cuda_ops.open(&cfg, e, err, sizeof(err)), VGPU_S_OK);
    assert_int_equal(vgpu_exec_cuda_ops.ctx_create(*e, 1, &c, &detail), VGPU_S_OK);
    return c;
}

static void close_ctx(struct vgpu_exec *e, struct vgpu_exec_ctx *c)
{
    vgpu_exec_cuda_ops.ctx_destroy(c);
    vgpu_exec_cuda_ops.close(e);
}

/* ---- --device ---- */
static void device_parse_forms(void **state)
{
    struct cu_dev_sel s;

    (void)state;
    assert_int_equal(vgpu_cu__dev_parse("", &s), 0);
    assert_int_equal(s.kind, CU_DEV_INDEX);
    assert_int_equal(s.index, 0);
    assert_int_equal(vgpu_cu__dev_parse("3", &s), 0);
    assert_int_equal(s.index, 3);
    assert_int_equal(vgpu_cu__dev_parse("GPU-5e1a3c00-1122-3344-5566-778899aabbcc", &s), 0);
    assert_int_equal(s.kind, CU_DEV_GPU_UUID);
    assert_memory_equal(s.uuid, uuid1, 16);
    assert_int_equal(vgpu_cu__dev_parse("MIG-5E1A3C00-1122-3344-5566-778899AABBCC", &s), 0);
    assert_int_equal(s.kind, CU_DEV_MIG_UUID);
    assert_memory_equal(s.uuid, uuid1, 16);
}

static void device_parse_refuses(void **state)
{
    static const char *bad[] = {
        "-1",
        "1x",
        "x1",
        "99999",
        "GPU-",
        "GPU-5e1a3c00-1122-3344-5566-778899aabbc",
        "GPU-5e1a3c00-1122-3344-5566-778899aabbccd",
        "GPU-5e1a3c0g-1122-3344-5566-778899aabbcc",
        "GPU-5e1a3c001-122-3344-5566-778899aabbcc",
        "MIG-GPU-5e1a3c00-1122-3344-5566-778899aabbcc/1/0",
        "gpu-5e1a3c00-1122-3344-5566-778899aabbcc",
        " 1",
    };
    struct cu_dev_sel s;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        print_message("refusing '%s'\n", bad[i]);
        assert_int_equal(vgpu_cu__dev_parse(bad[i], &s), -EINVAL);
    }
}

static void device_by_uuid_and_index(void **state)
{
    struct vgpu_exec_config cfg = {.device = "GPU-5e1a3c00-1122-3344-5566-778899aabbcd"};
    struct vgpu_device_info info;
    struct vgpu_exec *e = NULL;
    char err[200] = "";

    (void)state;
    assert_int_equal(vgpu_exec_cuda_ops.open(&cfg, &e, err, sizeof(err)), VGPU_S_OK);
    vgpu_exec_cuda_ops.device_info(e, &info);
    assert_string_equal(info.name, "Fake H200 #1"); /* ...cd is device 1's */
    vgpu_exec_cuda_ops.close(e);
    cfg.device = "GPU-5e1a3c00-1122-3344-5566-778899aabbff";
    assert_int_equal(vgpu_exec_cuda_ops.open(&cfg, &e, err, sizeof(err)), VGPU_S_NO_DEVICE);
    assert_non_null(strstr(err, "UUID"));
    cfg.device = "2";
    assert_int_equal(vgpu_exec_cuda_ops.open(&cfg, &e, err, sizeof(err)), VGPU_S_NO_DEVICE);
    assert_non_null(strstr(err, "there are 2"));
    cfg.device = "GPU-1";
    assert_int_equal(vgpu_exec_cuda_ops.open(&cfg, &e, err, sizeof(err)), VGPU_S_NO_DEVICE);
    assert_non_null(strstr(err, "MIG-<uuid>"));
}

static void mig_device_sets_visible_devices(void **state)
{
    const char *mig = "MIG-5e1a3c00-1122-3344-5566-778899aabbcc";
    struct vgpu_exec_config cfg = {.device = mig};
    struct vgpu_exec *e = NULL;
    char err[200] = "";

    (void)state;
    unsetenv("CUDA_VISIBLE_DEVICES");
    assert_int_equal(vgpu_exec_cuda_ops.open(&cfg, &e, err, sizeof(err)), VGPU_S_OK);
    assert_string_equal(getenv("CUDA_VISIBLE_DEVICES"), mig);
    vgpu_exec_cuda_ops.close(e);
    unsetenv("CUDA_VISIBLE_DEVICES");
}

/* ---- errors ---- */
static void error_mapping(void **state)
{
    char name[64];

    (void)state;
    assert_int_equal(vgpu_cu__status(CUDA_SUCCESS), VGPU_S_OK);
    assert_int_equal(vgpu_cu__status(CUDA_ERROR_ILLEGAL_ADDRESS), VGPU_S_CONTEXT_LOST);
    assert_int_equal(vgpu_cu__status(CUDA_ERROR_LAUNCH_FAILED), VGPU_S_CONTEXT_LOST);
    assert_int_equal(vgpu_cu__status(CUDA_ERROR_MISALIGNED_ADDRESS), VGPU_S_CONTEXT_LOST);
    assert_int_equal(vgpu_cu__status(CUDA_ERROR_OUT_OF_MEMORY), VGPU_S_NO_MEMORY);
    assert_int_equal(vgpu_cu__status(CUDA_ERROR_INVALID_PTX), VGPU_S_BAD_IMAGE);
    assert_int_equal(vgpu_cu__status(CUDA_ERROR_NOT_FOUND), VGPU_S_NOT_FOUND);
    assert_int_equal(vgpu_cu__status(CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES), VGPU_S_EXEC);
    assert_false(vgpu_cu__sticky(CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES));
    assert_string_equal(vgpu_cu__name(CUDA_ERROR_ILLEGAL_ADDRESS, name, sizeof(name)),
                        "CUDA_ERROR_ILLEGAL_ADDRESS");
}

static void poisoned_context_reaches_driver_no_more(void **state)
{
    struct vgpu_req_launch l = {.grid = {1, 1, 1}, .block = {1, 1, 1}};
    uint8_t params[VGPU_PARAMS_MAX] = {0};
    uint64_t m, f, p;
    uint32_t detail = 0;
    struct vgpu_exec *e;
    struct vgpu_exec_ctx *c = open_ctx("0", &e);

    (void)state;
    assert_int_equal(vgpu_exec_cuda_ops.module_load(c, ptx, sizeof(ptx) - 1, &m, &detail), 0);
    assert_int_equal(vgpu_exec_cuda_ops.func_get(c, m, "k", &f, &detail), 0);
    fk.launch_result = CUDA_ERROR_ILLEGAL_ADDRESS;
    assert_int_equal(vgpu_exec_cuda_ops.launch(c, f, &l, params, 16, &detail), VGPU_S_CONTEXT_LOST);
    assert_int_equal(detail, CUDA_ERROR_ILLEGAL_ADDRESS);
    detail = 0;
    fk.launch_result = CUDA_SUCCESS;
    assert_int_equal(vgpu_exec_cuda_ops.launch(c, f, &l, params, 16, &detail), VGPU_S_CONTEXT_LOST);
    assert_int_equal(detail, CUDA_ERROR_ILLEGAL_ADDRESS);
    assert_int_equal(vgpu_exec_cuda_ops.mem_alloc(c, 64, &p, &detail), VGPU_S_CONTEXT_LOST);
    assert_int_equal(fk.launches, 1);
    close_ctx(e, c);
}

/* ---- modules, functions, launches ---- */
static void module_globals(void **state)
{
    uint64_t m, p = 0, n = 0;
    uint32_t detail = 0;
    struct vgpu_exec *e;
    struct vgpu_exec_ctx *c = open_ctx("", &e);

    (void)state;
    assert_int_equal(vgpu_exec_cuda_ops.module_load(c, ptx, sizeof(ptx) - 1, &m, &detail), 0);
    assert_int_equal(vgpu_exec_cuda_ops.global_get(c, m, "g", &p, &n, &detail), VGPU_S_OK);
    assert_int_equal(p, 0x7100000);
    assert_int_equal(n, 64);
    assert_int_equal(vgpu_exec_cuda_ops.global_get(c, m, "h", &p, &n, &detail), VGPU_S_NOT_FOUND);
    assert_int_equal(detail, CUDA_ERROR_NOT_FOUND);
    assert_int_equal(vgpu_exec_cuda_ops.global_get(c, m + 1, "g", &p, &n, &detail),
                     VGPU_S_BAD_HANDLE);
    assert_int_equal(vgpu_exec_cuda_ops.module_unload(c, m, &detail), 0);
    assert_int_equal(vgpu_exec_cuda_ops.global_get(c, m, "g", &p, &n, &detail), VGPU_S_BAD_HANDLE);
    close_ctx(e, c);
}

static void unload_drops_functions(void **state)
{
    struct vgpu_req_launch l = {.grid = {1, 1, 1}, .block = {1, 1, 1}};
    uint8_t params[VGPU_PARAMS_MAX] = {0};
    uint64_t m, m2, f, f2;
    uint32_t detail = 0;
    struct vgpu_exec *e;
    struct vgpu_exec_ctx *c = open_ctx("", &e);

    (void)state;
    assert_int_equal(vgpu_exec_cuda_ops.module_load(c, ptx, sizeof(ptx) - 1, &m, &detail), 0);
    assert_int_equal(vgpu_exec_cuda_ops.func_get(c, m, "kern", &f, &detail), 0);
    assert_int_equal(vgpu_exec_cuda_ops.module_unload(c, m, &detail), 0);
    assert_int_equal(fk.unloads, 1);
    assert_int_equal(vgpu_exec_cuda_ops.launch(c, f, &l, params, 16, &detail), VGPU_S_BAD_HANDLE);
    assert_int_equal(fk.launches, 0);
    assert_int_equal(vgpu_exec_cuda_ops.module_unload(c, m, &detail), VGPU_S_BAD_HANDLE);
    /* The slots are reused, the old handles still refused. */
    assert_int_equal(vgpu_exec_cuda_ops.module_load(c, ptx, sizeof(ptx) - 1, &m2, &detail), 0);
    assert_int_equal(vgpu_exec_cuda_ops.func_get(c, m2, "kern", &f2, &detail), 0);
    assert_int_not_equal(m2, m);
    assert_int_not_equal(f2, f);
    assert_int_equal(vgpu_exec_cuda_ops.func_get(c, m, "kern", &f, &detail), VGPU_S_BAD_HANDLE);
    assert_int_equal(vgpu_exec_cuda_ops.func_get(c, m2, "missing", &f, &detail), VGPU_S_NOT_FOUND);
    close_ctx(e, c);
}

static void many_functions_and_modules(void **state)
{
    uint64_t m[300], f;
    uint32_t detail = 0;
    char name[16];
    struct vgpu_exec *e;
    struct vgpu_exec_ctx *c = open_ctx("", &e);

    (void)state;
    for (int round = 0; round < 3; round++) { /* loading and unloading keeps nothing behind */
        for (int i = 0; i < 300; i++) {
            assert_int_equal(
                vgpu_exec_cuda_ops.module_load(c, ptx, sizeof(ptx) - 1, &m[i], &detail), 0);
            for (int k = 0; k < 3; k++) {
                snprintf(name, sizeof(name), "f%.*s", k + 1, "xxx");
                assert_int_equal(vgpu_exec_cuda_ops.func_get(c, m[i], name, &f, &detail), 0);
            }
        }
        for (int i = 0; i < 300; i++)
            assert_int_equal(vgpu_exec_cuda_ops.module_unload(c, m[i], &detail), 0);
    }
    assert_int_equal(fk.unloads, 900);
    close_ctx(e, c);
}

static void launch_checks_parameter_size(void **state)
{
    struct vgpu_req_launch l = {.grid = {1, 1, 1}, .block = {1, 1, 1}};
    uint8_t params[VGPU_PARAMS_MAX] = {0};
    uint64_t m, f;
    uint32_t detail = 0;
    struct vgpu_exec *e;
    struct vgpu_exec_ctx *c = open_ctx("", &e);

    (void)state;
    assert_int_equal(vgpu_exec_cuda_ops.module_load(c, ptx, sizeof(ptx) - 1, &m, &detail), 0);
    assert_int_equal(vgpu_exec_cuda_ops.func_get(c, m, "k", &f, &detail), 0);
    assert_int_equal(vgpu_exec_cuda_ops.launch(c, f, &l, params, 8, &detail), VGPU_S_BAD_LAUNCH);
    assert_int_equal(fk.launches, 0);
    assert_int_equal(vgpu_exec_cuda_ops.launch(c, f, &l, params, 64, &detail), VGPU_S_OK);
    assert_int_equal(fk.last_param_size, 16); /* exactly the kernel's, not the guest's */
    close_ctx(e, c);
}

static void large_dynamic_shared_memory_opted_in(void **state)
{
    struct vgpu_req_launch l = {.grid = {1, 1, 1}, .block = {1, 1, 1}, .shmem = 100 * 1024};
    uint8_t params[VGPU_PARAMS_MAX] = {0};
    uint64_t m, f;
    uint32_t detail = 0;
    struct vgpu_exec *e;
    struct vgpu_exec_ctx *c = open_ctx("", &e);

    (void)state;
    assert_int_equal(vgpu_exec_cuda_ops.module_load(c, ptx, sizeof(ptx) - 1, &m, &detail), 0);
    assert_int_equal(vgpu_exec_cuda_ops.func_get(c, m, "k", &f, &detail), 0);
    assert_int_equal(vgpu_exec_cuda_ops.launch(c, f, &l, params, 16, &detail), VGPU_S_OK);
    assert_int_equal(vgpu_exec_cuda_ops.launch(c, f, &l, params, 16, &detail), VGPU_S_OK);
    assert_int_equal(fk.setattr, 1); /* once per size */
    assert_int_equal(fk.setattr_value, 100 * 1024);
    l.shmem = 40 * 1024; /* under 48 KiB: nothing to opt in */
    assert_int_equal(vgpu_exec_cuda_ops.launch(c, f, &l, params, 16, &detail), VGPU_S_OK);
    assert_int_equal(fk.setattr, 1);
    l.shmem = 228 * 1024; /* over the device's opt-in maximum (227 KiB here) */
    assert_int_equal(vgpu_exec_cuda_ops.launch(c, f, &l, params, 16, &detail), VGPU_S_BAD_LAUNCH);
    close_ctx(e, c);
}

/* ---- copies, registration, GPU time ---- */
static void copies_chunked_and_timed(void **state)
{
    static uint8_t area[4096];
    uint32_t detail = 0;
    struct vgpu_exec *e;
    struct vgpu_exec_ctx *c = open_ctx("", &e);

    (void)state;
    assert_int_equal(vgpu_exec_cuda_ops.host_register(c, area, sizeof(area), &detail), 0);
    assert_int_equal(fk.registers, 1);
    assert_true(fk.reg_flags & CU_MEMHOSTREGISTER_PORTABLE);
    /* 40 MiB: three chunks in flight (the fake refuses one over 16 MiB). */
    assert_int_equal(vgpu_exec_cuda_ops.copy_htod(c, 0x7000000, area, 40ull << 20, &detail), 0);
    assert_int_equal(fk.copies, 3);
    assert_int_equal(vgpu_exec_cuda_ops.gpu_time(c), 0); /* not waited for yet */
    assert_int_equal(vgpu_exec_cuda_ops.sync(c, &detail), 0);
    assert_int_equal(vgpu_exec_cuda_ops.gpu_time(c), 1500000); /* the events' 1.5 ms */
    assert_int_equal(vgpu_exec_cuda_ops.gpu_time(c), 0);
    vgpu_exec_cuda_ops.host_unregister(c, area);
    assert_int_equal(fk.unregisters, 1);
    vgpu_exec_cuda_ops.host_unregister(c, area); /* not registered any more: nothing */
    assert_int_equal(fk.unregisters, 1);
    assert_int_equal(vgpu_exec_cuda_ops.host_register(c, area, sizeof(area), &detail), 0);
    close_ctx(e, c); /* what is still registered is let go with the context */
    assert_int_equal(fk.unregisters, 2);
}

static void quota_charges_driver_granularity(void **state)
{
    (void)state;
    assert_int_equal(vgpu_exec_cuda_ops.mem_charge(1), 512);
    assert_int_equal(vgpu_exec_cuda_ops.mem_charge(513), 1024);
    assert_int_equal(vgpu_exec_cuda_ops.mem_charge(1u << 20), 2u << 20);
    assert_int_equal(vgpu_exec_cuda_ops.mem_charge((2u << 20) + 1), 4u << 20);
}

/* ---- module images ---- */
struct elf_img {
    Elf64_Ehdr eh;
    Elf64_Shdr sh[2];
    char data[64];
};

static void make_elf(struct elf_img *img)
{
    memset(img, 0, sizeof(*img));
    memcpy(img->eh.e_ident, ELFMAG, SELFMAG);
    img->eh.e_ident[EI_CLASS] = ELFCLASS64;
    img->eh.e_ident[EI_DATA] = ELFDATA2LSB;
    img->eh.e_ehsize = sizeof(Elf64_Ehdr);
    img->eh.e_shoff = offsetof(struct elf_img, sh);
    img->eh.e_shentsize = sizeof(Elf64_Shdr);
    img->eh.e_shnum = 2;
    img->eh.e_shstrndx = 1;
    img->sh[1].sh_type = SHT_STRTAB;
    img->sh[1].sh_offset = offsetof(struct elf_img, data);
    img->sh[1].sh_size = sizeof(img->data);
}

static void image_elf_bounded(void **state)
{
    struct elf_img img;
    enum cu_image_kind k;

    (void)state;
    make_elf(&img);
    assert_int_equal(vgpu_cu__image_check(&img, sizeof(img), &k), 0);
    assert_int_equal(k, CU_IMAGE_ELF);
    assert_int_equal(vgpu_cu__image_check(&img, sizeof(img) - 1, &k), -EINVAL); /* data cut */
    img.eh.e_shoff = 1ull << 62; /* the section table past the end */
    assert_int_equal(vgpu_cu__image_check(&img, sizeof(img), &k), -EINVAL);
    make_elf(&img);
    img.eh.e_shnum = 0xffff;
    assert_int_equal(vgpu_cu__image_check(&img, sizeof(img), &k), -EINVAL);
    make_elf(&img);
    img.sh[1].sh_offset = UINT64_MAX - 8; /* wraps */
    assert_int_equal(vgpu_cu__image_check(&img, sizeof(img), &k), -EINVAL);
    make_elf(&img);
    img.sh[1].sh_type = SHT_NOBITS; /* occupies nothing in the file */
    img.sh[1].sh_size = 1ull << 40;
    assert_int_equal(vgpu_cu__image_check(&img, sizeof(img), &k), 0);
    make_elf(&img);
    img.eh.e_ident[EI_CLASS] = ELFCLASS32;
    assert_int_equal(vgpu_cu__image_check(&img, sizeof(img), &k), -EINVAL);
}

struct fat_img {
    uint32_t magic;
    uint16_t version, head_size;
    uint64_t fat_size;
    struct {
        uint16_t kind, version;
        uint32_t head_size;
        uint64_t size;
        uint8_t rest[48];
    } entry;
    struct elf_img elf;
};

static void make_fat(struct fat_img *f)
{
    memset(f, 0, sizeof(*f));
    f->magic = 0xBA55ED50u;
    f->version = 1;
    f->head_size = 16;
    f->fat_size = sizeof(*f) - 16;
    f->entry.kind = 2;
    f->entry.head_size = 64;
    f->entry.size = sizeof(f->elf);
    make_elf(&f->elf);
}

static void image_fatbin_bounded(void **state)
{
    struct fat_img f;
    enum cu_image_kind k;
    uint32_t wrapper[8] = {0x466243B1u, 1};

    (void)state;
    make_fat(&f);
    assert_int_equal(vgpu_cu__image_check(&f, sizeof(f), &k), 0);
    assert_int_equal(k, CU_IMAGE_FATBIN);
    f.fat_size += 1; /* says more than there is */
    assert_int_equal(vgpu_cu__image_check(&f, sizeof(f), &k), -EINVAL);
    make_fat(&f);
    f.entry.size = 1ull << 63;
    assert_int_equal(vgpu_cu__image_check(&f, sizeof(f), &k), -EINVAL);
    make_fat(&f);
    f.entry.head_size = 4;
    assert_int_equal(vgpu_cu__image_check(&f, sizeof(f), &k), -EINVAL);
    make_fat(&f);
    f.elf.eh.e_shoff = 4096; /* the cubin inside lies about its own table */
    assert_int_equal(vgpu_cu__image_check(&f, sizeof(f), &k), -EINVAL);
    assert_int_equal(vgpu_cu__image_check(wrapper, sizeof(wrapper), &k), -EINVAL);
    assert_int_equal(vgpu_cu__image_check(ptx, sizeof(ptx) - 1, &k), 0);
    assert_int_equal(k, CU_IMAGE_PTX);
}

/* Fatbins nvcc made (tests/ptx's fixtures: compressed PTX; a cubin inside) pass, cut ones not. */
static void image_real_fatbins(void **state)
{
    static const char *const names[] = {"tests/ptx/vector_add.fatbin",
                                        "tests/ptx/sass_only.fatbin"};
    const char *src = getenv("VGPU_SRCDIR");
    enum cu_image_kind k;

    (void)state;
    for (size_t i = 0; i < 2; i++) {
        char path[4096];
        FILE *f;
        long n;
        char *img;

        snprintf(path, sizeof(path), "%s/%s", src ? src : ".", names[i]);
        f = fopen(path, "rb");
        if (!f)
            fail_msg("cannot open %s (VGPU_SRCDIR set?)", path);
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        fseek(f, 0, SEEK_SET);
        img = malloc((size_t)n + 1);
        assert_non_null(img);
        assert_int_equal(fread(img, 1, (size_t)n, f), (size_t)n);
        fclose(f);
        img[n] = '\0';
        print_message("%s: %ld bytes\n", names[i], n);
        assert_int_equal(vgpu_cu__image_check(img, (size_t)n, &k), 0);
        assert_int_equal(k, CU_IMAGE_FATBIN);
        assert_int_equal(vgpu_cu__image_check(img, (size_t)n - 1, &k), -EINVAL);
        free(img);
    }
}

static void bad_image_never_reaches_driver(void **state)
{
    struct fat_img f;
    uint64_t m;
    uint32_t detail = 0;
    struct vgpu_exec *e;
    struct vgpu_exec_ctx *c = open_ctx("", &e);

    (void)state;
    make_fat(&f);
    f.fat_size = 1ull << 30;
    assert_int_equal(vgpu_exec_cuda_ops.module_load(c, &f, sizeof(f), &m, &detail),
                     VGPU_S_BAD_IMAGE);
    assert_int_equal(fk.loads, 0);
    make_fat(&f);
    assert_int_equal(vgpu_exec_cuda_ops.module_load(c, &f, sizeof(f), &m, &detail), VGPU_S_OK);
    assert_int_equal(fk.loads, 1);
    close_ctx(e, c);
}

/* ---- the handle table ---- */
static void table_generations(void **state)
{
    struct cu_tab t = {0};
    uint64_t a, b, h[1000];
    int x, y;

    (void)state;
    a = vgpu_cu__tab_put(&t, &x, 0);
    assert_ptr_equal(vgpu_cu__tab_get(&t, a)->obj, &x);
    vgpu_cu__tab_del(&t, a);
    assert_null(vgpu_cu__tab_get(&t, a));
    b = vgpu_cu__tab_put(&t, &y, 0); /* same slot, new generation */
    assert_int_equal((uint32_t)a, (uint32_t)b);
    assert_int_not_equal(a, b);
    assert_null(vgpu_cu__tab_get(&t, a));
    assert_null(vgpu_cu__tab_get(&t, 0));
    assert_null(vgpu_cu__tab_get(&t, 12345));
    for (int i = 0; i < 1000; i++)
        assert_int_not_equal(h[i] = vgpu_cu__tab_put(&t, (char *)&x + i + 1, i % 2 ? 7 : 9), 0);
    assert_int_equal(vgpu_cu__tab_live(&t), 1001);
    vgpu_cu__tab_del_owned(&t, 7);
    assert_int_equal(vgpu_cu__tab_live(&t), 501);
    assert_null(vgpu_cu__tab_get(&t, h[1]));
    assert_non_null(vgpu_cu__tab_get(&t, h[0]));
    assert_int_equal(vgpu_cu__tab_find(&t, (char *)&x + 1), h[0]);
    vgpu_cu__tab_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(device_parse_forms, setup),
        cmocka_unit_test_setup(device_parse_refuses, setup),
        cmocka_unit_test_setup(device_by_uuid_and_index, setup),
        cmocka_unit_test_setup(mig_device_sets_visible_devices, setup),
        cmocka_unit_test_setup(error_mapping, setup),
        cmocka_unit_test_setup(poisoned_context_reaches_driver_no_more, setup),
        cmocka_unit_test_setup(unload_drops_functions, setup),
        cmocka_unit_test_setup(module_globals, setup),
        cmocka_unit_test_setup(many_functions_and_modules, setup),
        cmocka_unit_test_setup(launch_checks_parameter_size, setup),
        cmocka_unit_test_setup(large_dynamic_shared_memory_opted_in, setup),
        cmocka_unit_test_setup(copies_chunked_and_timed, setup),
        cmocka_unit_test_setup(quota_charges_driver_granularity, setup),
        cmocka_unit_test_setup(image_elf_bounded, setup),
        cmocka_unit_test_setup(image_fatbin_bounded, setup),
        cmocka_unit_test_setup(image_real_fatbins, setup),
        cmocka_unit_test_setup(bad_image_never_reaches_driver, setup),
        cmocka_unit_test_setup(table_generations, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
