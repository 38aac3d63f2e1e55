/* test_validate.c: every op's valid forms pass, each hostile form gets its documented status. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "vgpu_proto.h"

#define DATA 65536u

static struct vgpu_limits lim;

static int setup(void **state)
{
    (void)state;
    vgpu_proto_limits_default(&lim, DATA);
    return 0;
}

static struct vgpu_req mk(uint16_t op)
{
    struct vgpu_req r;

    memset(&r, 0, sizeof(r));
    r.id = 7;
    r.op = op;
    return r;
}

static struct vgpu_req valid_req(uint16_t op)
{
    struct vgpu_req r = mk(op);

    switch (op) {
    case VGPU_OP_HELLO:
        r.u.hello.version_min = 1;
        r.u.hello.version_max = 1;
        break;
    case VGPU_OP_DEVICE_INFO:
        r.u.info.data_off = DATA - sizeof(struct vgpu_device_info);
        break;
    case VGPU_OP_MEM_ALLOC:
        r.u.alloc.size = 1 << 20;
        break;
    case VGPU_OP_MEMSET:
        r.u.memset.dptr = 0x1000;
        r.u.memset.len = 10;
        r.u.memset.value = 0xff;
        break;
    case VGPU_OP_COPY_HTOD:
    case VGPU_OP_COPY_DTOH:
        r.u.copy.data_off = 0;
        r.u.copy.len = DATA;
        break;
    case VGPU_OP_MODULE_LOAD:
        r.u.module.data_off = 100;
        r.u.module.len = 200;
        break;
    case VGPU_OP_FUNC_GET:
    case VGPU_OP_GLOBAL_GET:
        r.u.func.name_off = DATA - 8;
        r.u.func.name_len = 8;
        break;
    case VGPU_OP_LAUNCH:
        r.u.launch.grid[0] = 1000;
        r.u.launch.grid[1] = r.u.launch.grid[2] = 1;
        r.u.launch.block[0] = 256;
        r.u.launch.block[1] = 4;
        r.u.launch.block[2] = 1;
        r.u.launch.params_off = 0;
        r.u.launch.params_len = 24;
        break;
    case VGPU_OP_FUNC_PARAMS:
        r.u.func_params.func = 1;
        r.u.func_params.max = 16;
        break;
    case VGPU_OP_MODULE_CHUNK:
        r.u.chunk.total = 3 * DATA;
        r.u.chunk.offset = DATA;
        r.u.chunk.len = DATA;
        r.u.chunk.flags = VGPU_CHUNKF_LAST;
        break;
    case VGPU_OP_HOSTBUF_MAP:
        r.u.hostbuf_map.buf = 1;
        r.u.hostbuf_map.size = 256ull << 20;
        break;
    case VGPU_OP_HOSTBUF_UNMAP:
        r.u.hostbuf_unmap.handle = 1;
        break;
    case VGPU_OP_HOSTBUF_HTOD:
    case VGPU_OP_HOSTBUF_DTOH:
        r.u.hostbuf_copy.dptr = 0x1000;
        r.u.hostbuf_copy.buf = 3;
        r.u.hostbuf_copy.off = 1ull << 30; /* far past the data area: the buffer's own range */
        r.u.hostbuf_copy.len = 64ull << 20;
        break;
    default:
        break;
    }
    return r;
}

/* An op number reserved for later (none today) is refused like an unknown op. */
static bool reserved_op(uint16_t op)
{
    return strcmp(vgpu_proto_op_name(op), "UNKNOWN") == 0;
}

static void test_every_op_valid(void **state)
{
    (void)state;
    for (uint16_t op = 1; op < VGPU_OP_COUNT_; op++) {
        struct vgpu_req r = valid_req(op);
        if (reserved_op(op)) {
            assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_OP);
            continue;
        }
        int st = vgpu_proto_check_req(&r, &lim);
        if (st != VGPU_S_OK)
            fail_msg("op %s: expected OK, got %s", vgpu_proto_op_name(op), vgpu_status_name(st));
        r.flags = VGPU_REQF_END_JOB;
        assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_OK);
    }
}

static void test_unknown_op(void **state)
{
    struct vgpu_req r = mk(0);

    (void)state;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_OP);
    r.op = VGPU_OP_COUNT_;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_OP);
    r.op = 0xffff;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_OP);
    assert_string_equal(vgpu_proto_op_name(0xffff), "UNKNOWN");
}

static void test_reserved_fields(void **state)
{
    (void)state;
    for (uint16_t op = 1; op < VGPU_OP_COUNT_; op++) {
        struct vgpu_req r = valid_req(op);
        if (reserved_op(op))
            continue;
        r.rsvd0 = 1;
        assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_FIELD);
        r = valid_req(op);
        r.flags = 0x8000;
        assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_FIELD);
        r = valid_req(op);
        r.u.raw[47] = 1; /* last byte: unused by every op but LAUNCH */
        if (op != VGPU_OP_LAUNCH)
            assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_FIELD);
    }
    struct vgpu_req r = valid_req(VGPU_OP_MEMSET);
    r.u.memset.rsvd0 = 1;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_FIELD);
    r = valid_req(VGPU_OP_FUNC_GET);
    r.u.func.rsvd0 = 2;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_FIELD);
    r = valid_req(VGPU_OP_HELLO);
    r.u.hello.rsvd0 = 3;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_FIELD);
}

static void test_bad_values(void **state)
{
    struct vgpu_req r;

    (void)state;
    r = valid_req(VGPU_OP_MEMSET);
    r.u.memset.value = 256;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_FIELD);
    r = valid_req(VGPU_OP_MEM_ALLOC);
    r.u.alloc.size = 0;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_FIELD);
    r = valid_req(VGPU_OP_HELLO);
    r.u.hello.version_min = 3;
    r.u.hello.version_max = 2;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_FIELD);
    r = valid_req(VGPU_OP_MODULE_LOAD);
    r.u.module.len = 0;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_IMAGE);
    r = valid_req(VGPU_OP_FUNC_PARAMS);
    r.u.func_params.max = 0;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_FIELD);
    r.u.func_params.max = VGPU_PARAMS_MAX + 1;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_FIELD);
    r = valid_req(VGPU_OP_FUNC_PARAMS);
    r.u.func_params.rsvd0 = 1;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_FIELD);
    r = valid_req(VGPU_OP_FUNC_PARAMS);
    r.u.func_params.data_off = DATA - 8; /* 16 entries do not fit in 8 bytes */
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_RANGE);
    r.u.func_params.max = 1;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_OK);
    r = valid_req(VGPU_OP_MODULE_CHUNK);
    r.u.chunk.total = VGPU_MODULE_MAX + 1;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_FIELD);
    r = valid_req(VGPU_OP_MODULE_CHUNK);
    r.u.chunk.offset = 2 * DATA + 1; /* runs past the image's end */
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_FIELD);
    r = valid_req(VGPU_OP_MODULE_CHUNK);
    r.u.chunk.len = 0;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_FIELD);
    r = valid_req(VGPU_OP_MODULE_CHUNK);
    r.u.chunk.flags = 2;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_FIELD);
    r = valid_req(VGPU_OP_MODULE_CHUNK);
    r.u.chunk.data_off = 1; /* DATA bytes from 1: past the area */
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_RANGE);
}

static void test_hostbuf(void **state)
{
    struct vgpu_req r;

    (void)state;
    r = valid_req(VGPU_OP_HOSTBUF_MAP);
    r.u.hostbuf_map.buf = 0;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_FIELD);
    r = valid_req(VGPU_OP_HOSTBUF_MAP);
    r.u.hostbuf_map.size = 0;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_FIELD);
    r.u.hostbuf_map.size = VGPU_PAGE_SIZE + 1; /* not whole pages */
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_FIELD);
    r.u.hostbuf_map.size = VGPU_HOSTBUF_SIZE_MAX + VGPU_PAGE_SIZE;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_FIELD);
    r.u.hostbuf_map.size = VGPU_HOSTBUF_SIZE_MAX;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_OK);
    r.u.hostbuf_map.grant_dir = 77; /* the transport checks it (local: must be zero) */
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_OK);
    r.u.hostbuf_map.rsvd0 = 1;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_FIELD);
    r = valid_req(VGPU_OP_HOSTBUF_UNMAP);
    r.u.hostbuf_unmap.handle = 0;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_HANDLE);
    r = valid_req(VGPU_OP_HOSTBUF_DTOH);
    r.u.hostbuf_copy.buf = 0;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_HANDLE);
    r = valid_req(VGPU_OP_HOSTBUF_HTOD);
    r.u.hostbuf_copy.off = UINT64_MAX - 10; /* off + len wraps */
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_RANGE);
    r.u.hostbuf_copy.off = VGPU_HOSTBUF_SIZE_MAX;
    r.u.hostbuf_copy.len = 1;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_RANGE);
    assert_string_equal(vgpu_proto_op_name(VGPU_OP_HOSTBUF_DTOH), "HOSTBUF_DTOH");
    assert_string_equal(vgpu_status_name(VGPU_S_PINNED_LIMIT), "PINNED_LIMIT");
}

/* Stream ids (VGPU_FEAT_STREAMS): in the header's rsvd0 of the ops that carry one, once agreed. */
static void test_stream_ids(void **state)
{
    struct vgpu_limits agreed = lim;
    int carriers = 0;

    (void)state;
    agreed.features = VGPU_FEAT_STREAMS;
    for (uint16_t op = 1; op < VGPU_OP_COUNT_; op++) {
        struct vgpu_req r = valid_req(op);
        r.rsvd0 = 0xfffffffeu;
        int want = vgpu_proto_op_has_stream(op) ? VGPU_S_OK : VGPU_S_BAD_FIELD;
        int st = vgpu_proto_check_req(&r, &agreed);
        if (st != want)
            fail_msg("op %s with a stream id: expected %s, got %s", vgpu_proto_op_name(op),
                     vgpu_status_name(want), vgpu_status_name(st));
        /* Without the feature, the same request is refused. */
        assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_FIELD);
        assert_false(vgpu_proto_stream_ok(&r, 0));
        carriers += vgpu_proto_op_has_stream(op);
    }
    assert_int_equal(carriers, 8); /* LAUNCH, MEMSET, the five copies, EVENT_MARK */
    struct vgpu_req r = valid_req(VGPU_OP_EVENT_MARK);
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_OK); /* stream 0 needs no feature */
    r.u.raw[0] = 1;                                              /* the mark has no arguments */
    assert_int_equal(vgpu_proto_check_req(&r, &agreed), VGPU_S_BAD_FIELD);
    assert_string_equal(vgpu_proto_op_name(VGPU_OP_EVENT_MARK), "EVENT_MARK");
}

static void test_ranges(void **state)
{
    struct vgpu_req r;

    (void)state;
    r = valid_req(VGPU_OP_COPY_HTOD);
    r.u.copy.len = DATA + 1; /* past the end */
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_RANGE);
    r.u.copy.data_off = 1;
    r.u.copy.len = DATA;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_RANGE);
    r.u.copy.data_off = 0xfffffffffffff000ull; /* offset + length wraps */
    r.u.copy.len = 0x2000;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_RANGE);
    r.u.copy.data_off = 16;
    r.u.copy.len = UINT64_MAX;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_RANGE);
    r.u.copy.data_off = DATA; /* empty copy at the end: fine */
    r.u.copy.len = 0;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_OK);
    r = valid_req(VGPU_OP_COPY_DTOH);
    r.u.copy.data_off = DATA + 1;
    r.u.copy.len = 0;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_RANGE);
    r = valid_req(VGPU_OP_DEVICE_INFO);
    r.u.info.data_off = DATA - sizeof(struct vgpu_device_info) + 1;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_RANGE);
    r = valid_req(VGPU_OP_MODULE_LOAD);
    r.u.module.data_off = UINT64_MAX;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_RANGE);
    r = valid_req(VGPU_OP_LAUNCH);
    r.u.launch.params_off = DATA - 8;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_RANGE);
    r = valid_req(VGPU_OP_FUNC_GET);
    r.u.func.name_off = DATA - 7;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_RANGE);
    r = valid_req(VGPU_OP_GLOBAL_GET);
    r.u.func.name_off = DATA - 7;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_RANGE);
    r = valid_req(VGPU_OP_GLOBAL_GET);
    r.u.func.name_len = 0;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_NAME);
    r = valid_req(VGPU_OP_GLOBAL_GET);
    r.u.func.rsvd0 = 1;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_FIELD);
}

static void test_launch_limits(void **state)
{
    struct vgpu_req r;

    (void)state;
    r = valid_req(VGPU_OP_LAUNCH);
    r.u.launch.grid[1] = 0;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_LAUNCH);
    r = valid_req(VGPU_OP_LAUNCH);
    r.u.launch.grid[0] = 0x80000000u;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_LAUNCH);
    r = valid_req(VGPU_OP_LAUNCH);
    r.u.launch.grid[2] = 65536;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_LAUNCH);
    r = valid_req(VGPU_OP_LAUNCH);
    r.u.launch.block[0] = 1024;
    r.u.launch.block[1] = 2; /* 2048 threads */
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_LAUNCH);
    r = valid_req(VGPU_OP_LAUNCH);
    r.u.launch.block[2] = 65;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_LAUNCH);
    r = valid_req(VGPU_OP_LAUNCH);
    r.u.launch.shmem = VGPU_SHMEM_MAX + 1;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_LAUNCH);
    r = valid_req(VGPU_OP_LAUNCH);
    r.u.launch.params_len = VGPU_PARAMS_MAX + 1;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_BAD_LAUNCH);
    r = valid_req(VGPU_OP_LAUNCH);
    r.u.launch.block[0] = 1024;
    r.u.launch.block[1] = 1;
    r.u.launch.shmem = VGPU_SHMEM_MAX;
    r.u.launch.params_len = VGPU_PARAMS_MAX;
    assert_int_equal(vgpu_proto_check_req(&r, &lim), VGPU_S_OK);
}

static void test_names(void **state)
{
    static uint8_t data[256];
    char out[VGPU_NAME_MAX];
    struct vgpu_req_func f = {.module = 1, .name_off = 10, .name_len = 8};

    (void)state;
    memcpy(data + 10, "saxpy\0\0\0", 8);
    assert_int_equal(vgpu_proto_copy_name(data, sizeof(data), &f, out), VGPU_S_OK);
    assert_string_equal(out, "saxpy");
    memcpy(data + 10, "saxpyXYZ", 8); /* unterminated */
    assert_int_equal(vgpu_proto_copy_name(data, sizeof(data), &f, out), VGPU_S_BAD_NAME);
    data[10] = 0; /* empty */
    assert_int_equal(vgpu_proto_copy_name(data, sizeof(data), &f, out), VGPU_S_BAD_NAME);
    f.name_off = 250; /* past the end */
    assert_int_equal(vgpu_proto_copy_name(data, sizeof(data), &f, out), VGPU_S_BAD_RANGE);
    f.name_off = 0;
    f.name_len = VGPU_NAME_MAX + 1;
    assert_int_equal(vgpu_proto_copy_name(data, sizeof(data), &f, out), VGPU_S_BAD_NAME);
    f.name_len = 0;
    assert_int_equal(vgpu_proto_copy_name(data, sizeof(data), &f, out), VGPU_S_BAD_NAME);
}

static void test_hello_negotiation(void **state)
{
    struct vgpu_req_hello h = {.version_min = 1, .version_max = 5, .features = ~0ull};
    uint16_t v = 0;
    uint64_t feat = 0;

    (void)state;
    assert_int_equal(vgpu_proto_negotiate(&h, VGPU_FEAT_EVENT_IDX, &v, &feat), VGPU_S_OK);
    assert_int_equal(v, VGPU_PROTO_VERSION);
    assert_int_equal(feat, VGPU_FEAT_EVENT_IDX);
    h.version_min = VGPU_PROTO_VERSION + 1;
    h.version_max = VGPU_PROTO_VERSION + 3;
    assert_int_equal(vgpu_proto_negotiate(&h, 0, &v, &feat), VGPU_S_VERSION);
    h.version_min = 0;
    assert_int_equal(vgpu_proto_negotiate(&h, 0, &v, &feat), VGPU_S_BAD_FIELD);
}

static void test_data_dir(void **state)
{
    static struct vgpu_data_dir d;

    (void)state;
    d.magic = VGPU_DATA_DIR_MAGIC;
    d.nr_pages = 16;
    assert_int_equal(vgpu_proto_check_data_dir(&d, 1024), VGPU_S_OK);
    d.nr_pages = 0;
    assert_int_equal(vgpu_proto_check_data_dir(&d, 1024), VGPU_S_BAD_FIELD);
    d.nr_pages = 1025;
    assert_int_equal(vgpu_proto_check_data_dir(&d, 1024), VGPU_S_BAD_FIELD);
    d.nr_pages = 2000;
    assert_int_equal(vgpu_proto_check_data_dir(&d, 4096), VGPU_S_BAD_FIELD);
    d.nr_pages = 1;
    d.magic = 0;
    assert_int_equal(vgpu_proto_check_data_dir(&d, 1024), VGPU_S_BAD_FIELD);
}

/* 64 MiB: 16384 pages in 17 directories, the last holding 16384 - 16 * 1022 = 32. */
static void test_hostbuf_dirs(void **state)
{
    static struct vgpu_data_dir d;
    const uint64_t size = 64ull << 20;

    (void)state;
    d.magic = VGPU_HOSTBUF_TOP_MAGIC;
    d.nr_pages = 17;
    assert_int_equal(vgpu_proto_check_hostbuf_top(&d, size), VGPU_S_OK);
    d.nr_pages = 16;
    assert_int_equal(vgpu_proto_check_hostbuf_top(&d, size), VGPU_S_BAD_FIELD);
    d.nr_pages = 1;
    assert_int_equal(vgpu_proto_check_hostbuf_top(&d, VGPU_PAGE_SIZE), VGPU_S_OK);
    assert_int_equal(vgpu_proto_check_hostbuf_top(&d, 0), VGPU_S_BAD_FIELD);
    assert_int_equal(vgpu_proto_check_hostbuf_top(&d, VGPU_PAGE_SIZE + 1), VGPU_S_BAD_FIELD);
    d.nr_pages = VGPU_DATA_DIR_SLOTS + 1; /* past the layout's ~4 GiB */
    assert_int_equal(
        vgpu_proto_check_hostbuf_top(&d, (VGPU_HOSTBUF_XEN_PAGES_MAX + 1) * VGPU_PAGE_SIZE),
        VGPU_S_BAD_FIELD);
    d.magic = VGPU_DATA_DIR_MAGIC; /* a data directory is not a top page */
    d.nr_pages = 1;
    assert_int_equal(vgpu_proto_check_hostbuf_top(&d, VGPU_PAGE_SIZE), VGPU_S_BAD_FIELD);

    d.nr_pages = VGPU_DATA_DIR_SLOTS;
    assert_int_equal(vgpu_proto_check_hostbuf_dir(&d, 0, size), VGPU_S_OK);
    assert_int_equal(vgpu_proto_check_hostbuf_dir(&d, 15, size), VGPU_S_OK);
    assert_int_equal(vgpu_proto_check_hostbuf_dir(&d, 16, size), VGPU_S_BAD_FIELD);
    d.nr_pages = 32;
    assert_int_equal(vgpu_proto_check_hostbuf_dir(&d, 16, size), VGPU_S_OK);
    assert_int_equal(vgpu_proto_check_hostbuf_dir(&d, 17, size), VGPU_S_BAD_FIELD);
    assert_int_equal(vgpu_proto_check_hostbuf_dir(&d, 3, size), VGPU_S_BAD_FIELD);
    d.magic = VGPU_HOSTBUF_TOP_MAGIC;
    assert_int_equal(vgpu_proto_check_hostbuf_dir(&d, 16, size), VGPU_S_BAD_FIELD);
}

static void test_strerror(void **state)
{
    (void)state;
    for (int s = 0; s < VGPU_S_COUNT_; s++) {
        assert_string_not_equal(vgpu_status_name(s), "UNKNOWN");
        assert_string_equal(vgpu_strerror(s), vgpu_strerror(-s));
    }
    assert_string_equal(vgpu_status_name(VGPU_S_BAD_RANGE), "BAD_RANGE");
    assert_string_equal(vgpu_status_name(VGPU_S_COUNT_), "UNKNOWN");
    assert_string_equal(vgpu_strerror(-2147483647 - 1), "unknown vgpu status code");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_every_op_valid, setup),
        cmocka_unit_test_setup(test_unknown_op, setup),
        cmocka_unit_test_setup(test_reserved_fields, setup),
        cmocka_unit_test_setup(test_bad_values, setup),
        cmocka_unit_test_setup(test_ranges, setup),
        cmocka_unit_test_setup(test_hostbuf, setup),
        cmocka_unit_test_setup(test_stream_ids, setup),
        cmocka_unit_test_setup(test_launch_limits, setup),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_hello_negotiation),
        cmocka_unit_test(test_data_dir),
        cmocka_unit_test(test_hostbuf_dirs),
        cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
