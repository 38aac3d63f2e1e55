/* vgpu_validate.c: checks every consumer applies to requests copied from shared memory. */
#include "vgpu_proto.h"

/* Bytes of vgpu_req.u each op uses; the rest must be zero. */
static const uint8_t op_args_size[VGPU_OP_COUNT_] = {
    [VGPU_OP_HELLO] = sizeof(struct vgpu_req_hello),
    [VGPU_OP_DEVICE_INFO] = sizeof(struct vgpu_req_info),
    [VGPU_OP_MEM_ALLOC] = sizeof(struct vgpu_req_alloc),
    [VGPU_OP_MEM_FREE] = sizeof(struct vgpu_req_ptr),
    [VGPU_OP_MEMSET] = sizeof(struct vgpu_req_memset),
    [VGPU_OP_COPY_HTOD] = sizeof(struct vgpu_req_copy),
    [VGPU_OP_COPY_DTOH] = sizeof(struct vgpu_req_copy),
    [VGPU_OP_COPY_DTOD] = sizeof(struct vgpu_req_copy_dd),
    [VGPU_OP_MODULE_LOAD] = sizeof(struct vgpu_req_module),
    [VGPU_OP_MODULE_UNLOAD] = sizeof(struct vgpu_req_ptr),
    [VGPU_OP_FUNC_GET] = sizeof(struct vgpu_req_func),
    [VGPU_OP_LAUNCH] = sizeof(struct vgpu_req_launch),
    [VGPU_OP_SYNC] = 0,
    [VGPU_OP_BATCH_END] = 0,
    [VGPU_OP_NOP] = 0,
    [VGPU_OP_FUNC_PARAMS] = sizeof(struct vgpu_req_func_params),
    [VGPU_OP_MODULE_CHUNK] = sizeof(struct vgpu_req_module_chunk),
    [VGPU_OP_GLOBAL_GET] = sizeof(struct vgpu_req_func),
    [VGPU_OP_HOSTBUF_MAP] = sizeof(struct vgpu_req_hostbuf_map) - 4, /* rsvd0 must be zero */
    [VGPU_OP_HOSTBUF_UNMAP] = sizeof(struct vgpu_req_ptr),
    [VGPU_OP_HOSTBUF_HTOD] = sizeof(struct vgpu_req_hostbuf_copy),
    [VGPU_OP_HOSTBUF_DTOH] = sizeof(struct vgpu_req_hostbuf_copy),
    [VGPU_OP_EVENT_MARK] = 0,
};

static const char *const op_names[VGPU_OP_COUNT_] = {
    [VGPU_OP_HELLO] = "HELLO",
    [VGPU_OP_DEVICE_INFO] = "DEVICE_INFO",
    [VGPU_OP_MEM_ALLOC] = "MEM_ALLOC",
    [VGPU_OP_MEM_FREE] = "MEM_FREE",
    [VGPU_OP_MEMSET] = "MEMSET",
    [VGPU_OP_COPY_HTOD] = "COPY_HTOD",
    [VGPU_OP_COPY_DTOH] = "COPY_DTOH",
    [VGPU_OP_COPY_DTOD] = "COPY_DTOD",
    [VGPU_OP_MODULE_LOAD] = "MODULE_LOAD",
    [VGPU_OP_MODULE_UNLOAD] = "MODULE_UNLOAD",
    [VGPU_OP_FUNC_GET] = "FUNC_GET",
    [VGPU_OP_LAUNCH] = "LAUNCH",
    [VGPU_OP_SYNC] = "SYNC",
    [VGPU_OP_BATCH_END] = "BATCH_END",
    [VGPU_OP_NOP] = "NOP",
    [VGPU_OP_FUNC_PARAMS] = "FUNC_PARAMS",
    [VGPU_OP_MODULE_CHUNK] = "MODULE_CHUNK",
    [VGPU_OP_GLOBAL_GET] = "GLOBAL_GET",
    [VGPU_OP_HOSTBUF_MAP] = "HOSTBUF_MAP",
    [VGPU_OP_HOSTBUF_UNMAP] = "HOSTBUF_UNMAP",
    [VGPU_OP_HOSTBUF_HTOD] = "HOSTBUF_HTOD",
    [VGPU_OP_HOSTBUF_DTOH] = "HOSTBUF_DTOH",
    [VGPU_OP_EVENT_MARK] = "EVENT_MARK",
};

/* An op code inside the range but not (yet) defined, such as one reserved for later. */
static bool op_defined(uint32_t op)
{
    return op != 0 && op < VGPU_OP_COUNT_ && op_names[op] != NULL;
}

const char *vgpu_proto_op_name(uint32_t op)
{
    if (!op_defined(op))
        return "UNKNOWN";
    return op_names[op];
}

void vgpu_proto_limits_default(struct vgpu_limits *lim, uint64_t data_size)
{
    lim->data_size = data_size;
    lim->max_shmem = VGPU_SHMEM_MAX;
    lim->max_params = VGPU_PARAMS_MAX;
    lim->rsvd0 = 0;
    lim->features = 0;
}

bool vgpu_proto_op_has_stream(uint32_t op)
{
    switch (op) {
    case VGPU_OP_LAUNCH:
    case VGPU_OP_MEMSET:
    case VGPU_OP_COPY_HTOD:
    case VGPU_OP_COPY_DTOH:
    case VGPU_OP_COPY_DTOD:
    case VGPU_OP_HOSTBUF_HTOD:
    case VGPU_OP_HOSTBUF_DTOH:
    case VGPU_OP_EVENT_MARK:
        return true;
    default:
        return false;
    }
}

bool vgpu_proto_stream_ok(const struct vgpu_req *req, uint64_t features)
{
    return req->rsvd0 == 0 || ((features & VGPU_FEAT_STREAMS) && vgpu_proto_op_has_stream(req->op));
}

bool vgpu_proto_range_ok(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

static int check_launch(const struct vgpu_req_launch *l, const struct vgpu_limits *lim)
{
    uint64_t threads;
    int i;

    for (i = 0; i < 3; i++)
        if (l->grid[i] == 0 || l->block[i] == 0)
            return VGPU_S_BAD_LAUNCH;
    if (l->grid[0] > VGPU_GRID_X_MAX || l->grid[1] > VGPU_GRID_YZ_MAX ||
        l->grid[2] > VGPU_GRID_YZ_MAX)
        return VGPU_S_BAD_LAUNCH;
    if (l->block[0] > VGPU_BLOCK_XY_MAX || l->block[1] > VGPU_BLOCK_XY_MAX ||
        l->block[2] > VGPU_BLOCK_Z_MAX)
        return VGPU_S_BAD_LAUNCH;
    threads = (uint64_t)l->block[0] * l->block[1] * l->block[2];
    if (threads > VGPU_BLOCK_THREADS_MAX)
        return VGPU_S_BAD_LAUNCH;
    if (l->shmem > lim->max_shmem || l->params_len > lim->max_params)
        return VGPU_S_BAD_LAUNCH;
    if (!vgpu_proto_range_ok(l->params_off, l->params_len, lim->data_size))
        return VGPU_S_BAD_RANGE;
    return VGPU_S_OK;
}

static int check_func(const struct vgpu_req_func *f, const struct vgpu_limits *lim)
{
    if (f->rsvd0)
        return VGPU_S_BAD_FIELD;
    if (f->name_len == 0 || f->name_len > VGPU_NAME_MAX)
        return VGPU_S_BAD_NAME;
    if (!vgpu_proto_range_ok(f->name_off, f->name_len, lim->data_size))
        return VGPU_S_BAD_RANGE;
    return VGPU_S_OK;
}

static int check_func_params(const struct vgpu_req_func_params *p, const struct vgpu_limits *lim)
{
    if (p->rsvd0 || p->max == 0 || p->max > VGPU_PARAMS_MAX)
        return VGPU_S_BAD_FIELD;
    if (!vgpu_proto_range_ok(p->data_off, (uint64_t)p->max * sizeof(struct vgpu_param_info),
                             lim->data_size))
        return VGPU_S_BAD_RANGE;
    return VGPU_S_OK;
}

/* The chunk fits its image and the data area; whether it follows the upload is the host's to see.
 */
static int check_chunk(const struct vgpu_req_module_chunk *k, const struct vgpu_limits *lim)
{
    if (k->total == 0 || k->total > VGPU_MODULE_MAX || k->len == 0 ||
        (k->flags & ~VGPU_CHUNKF_LAST) || k->offset > k->total || k->len > k->total - k->offset)
        return VGPU_S_BAD_FIELD;
    if (!vgpu_proto_range_ok(k->data_off, k->len, lim->data_size))
        return VGPU_S_BAD_RANGE;
    return VGPU_S_OK;
}

static int check_hostbuf_map(const struct vgpu_req_hostbuf_map *m)
{
    if (m->buf == 0 || m->size == 0 || m->size % VGPU_PAGE_SIZE || m->size > VGPU_HOSTBUF_SIZE_MAX)
        return VGPU_S_BAD_FIELD;
    return VGPU_S_OK;
}

/* The range inside the buffer is checked by whoever knows its size (vgpud, the worker). */
static int check_hostbuf_copy(const struct vgpu_req_hostbuf_copy *k)
{
    if (k->buf == 0)
        return VGPU_S_BAD_HANDLE;
    if (!vgpu_proto_range_ok(k->off, k->len, VGPU_HOSTBUF_SIZE_MAX))
        return VGPU_S_BAD_RANGE;
    return VGPU_S_OK;
}

static int check_hello(const struct vgpu_req_hello *h)
{
    if (h->rsvd0 || h->version_min == 0 || h->version_min > h->version_max)
        return VGPU_S_BAD_FIELD;
    return VGPU_S_OK;
}

/* Per-op checks of the arguments; reserved bytes were checked already. */
static int check_args(const struct vgpu_req *r, const struct vgpu_limits *lim)
{
    switch (r->op) {
    case VGPU_OP_HELLO:
        return check_hello(&r->u.hello);
    case VGPU_OP_DEVICE_INFO:
        return vgpu_proto_range_ok(r->u.info.data_off, sizeof(struct vgpu_device_info),
                                   lim->data_size)
                   ? VGPU_S_OK
                   : VGPU_S_BAD_RANGE;
    case VGPU_OP_MEM_ALLOC:
        return r->u.alloc.size ? VGPU_S_OK : VGPU_S_BAD_FIELD;
    case VGPU_OP_MEMSET:
        return (r->u.memset.value > 0xff || r->u.memset.rsvd0) ? VGPU_S_BAD_FIELD : VGPU_S_OK;
    case VGPU_OP_COPY_HTOD:
    case VGPU_OP_COPY_DTOH:
        return vgpu_proto_range_ok(r->u.copy.data_off, r->u.copy.len, lim->data_size)
                   ? VGPU_S_OK
                   : VGPU_S_BAD_RANGE;
    case VGPU_OP_MODULE_LOAD:
        if (r->u.module.len == 0)
            return VGPU_S_BAD_IMAGE;
        return vgpu_proto_range_ok(r->u.module.data_off, r->u.module.len, lim->data_size)
                   ? VGPU_S_OK
                   : VGPU_S_BAD_RANGE;
    case VGPU_OP_FUNC_GET:
    case VGPU_OP_GLOBAL_GET:
        return check_func(&r->u.func, lim);
    case VGPU_OP_LAUNCH:
        return check_launch(&r->u.launch, lim);
    case VGPU_OP_FUNC_PARAMS:
        return check_func_params(&r->u.func_params, lim);
    case VGPU_OP_MODULE_CHUNK:
        return check_chunk(&r->u.chunk, lim);
    case VGPU_OP_HOSTBUF_MAP:
        return check_hostbuf_map(&r->u.hostbuf_map);
    case VGPU_OP_HOSTBUF_UNMAP:
        return r->u.hostbuf_unmap.handle ? VGPU_S_OK : VGPU_S_BAD_HANDLE;
    case VGPU_OP_HOSTBUF_HTOD:
    case VGPU_OP_HOSTBUF_DTOH:
        return check_hostbuf_copy(&r->u.hostbuf_copy);
    default:
        return VGPU_S_OK;
    }
}

int vgpu_proto_check_req(const struct vgpu_req *req, const struct vgpu_limits *lim)
{
    size_t used;

    if (!op_defined(req->op))
        return VGPU_S_BAD_OP;
    if (!vgpu_proto_stream_ok(req, lim->features) || (req->flags & ~VGPU_REQF_MASK))
        return VGPU_S_BAD_FIELD;
    used = op_args_size[req->op];
    if (!all_zero(req->u.raw + used, sizeof(req->u.raw) - used))
        return VGPU_S_BAD_FIELD;
    return check_args(req, lim);
}

int vgpu_proto_copy_in(const void *data, uint64_t data_size, uint64_t off, uint64_t len, void *out)
{
    if (!vgpu_proto_range_ok(off, len, data_size))
        return VGPU_S_BAD_RANGE;
    vgpu_proto_copy_shared(out, (const uint8_t *)data + off, (size_t)len);
    return VGPU_S_OK;
}

int vgpu_proto_copy_name(const void *data, uint64_t data_size, const struct vgpu_req_func *f,
                         char out[VGPU_NAME_MAX])
{
    uint32_t i;
    int st;

    if (f->name_len == 0 || f->name_len > VGPU_NAME_MAX)
        return VGPU_S_BAD_NAME;
    st = vgpu_proto_copy_in(data, data_size, f->name_off, f->name_len, out);
    if (st != VGPU_S_OK)
        return st;
    /* Only the private copy is examined from here on. */
    for (i = 0; i < f->name_len; i++)
        if (out[i] == '\0')
            return i ? VGPU_S_OK : VGPU_S_BAD_NAME;
    return VGPU_S_BAD_NAME;
}

int vgpu_proto_negotiate(const struct vgpu_req_hello *h, uint64_t host_features, uint16_t *version,
                         uint64_t *features)
{
    int st = check_hello(h);

    if (st != VGPU_S_OK)
        return st;
    if (h->version_max < VGPU_PROTO_VERSION_MIN || h->version_min > VGPU_PROTO_VERSION)
        return VGPU_S_VERSION;
    *version = h->version_max < VGPU_PROTO_VERSION ? h->version_max : VGPU_PROTO_VERSION;
    *features = h->features & host_features & VGPU_FEAT_MASK;
    return VGPU_S_OK;
}

/*
 * Pages of a host buffer of size bytes and the directory pages that list
 * them; false when size is not a whole number of pages within the layout's
 * maximum. 32-bit arithmetic once bounded (no 64-bit division in the kernel).
 */
static bool hostbuf_dirs(uint64_t size, uint32_t *pages, uint32_t *dirs)
{
    if (size == 0 || size % VGPU_PAGE_SIZE || size / VGPU_PAGE_SIZE > VGPU_HOSTBUF_XEN_PAGES_MAX)
        return false;
    *pages = (uint32_t)(size / VGPU_PAGE_SIZE);
    *dirs = (*pages + VGPU_DATA_DIR_SLOTS - 1) / VGPU_DATA_DIR_SLOTS;
    return true;
}

int vgpu_proto_check_hostbuf_top(const struct vgpu_data_dir *top, uint64_t size)
{
    uint32_t pages, dirs;

    if (top->magic != VGPU_HOSTBUF_TOP_MAGIC || !hostbuf_dirs(size, &pages, &dirs) ||
        top->nr_pages != dirs)
        return VGPU_S_BAD_FIELD;
    return VGPU_S_OK;
}

int vgpu_proto_check_hostbuf_dir(const struct vgpu_data_dir *dir, uint32_t i, uint64_t size)
{
    uint32_t pages, dirs;

    if (dir->magic != VGPU_DATA_DIR_MAGIC || !hostbuf_dirs(size, &pages, &dirs) || i >= dirs)
        return VGPU_S_BAD_FIELD;
    if (dir->nr_pages != (i + 1 < dirs ? VGPU_DATA_DIR_SLOTS : pages - i * VGPU_DATA_DIR_SLOTS))
        return VGPU_S_BAD_FIELD;
    return VGPU_S_OK;
}

int vgpu_proto_check_data_dir(const struct vgpu_data_dir *dir, uint32_t max_pages)
{
    if (dir->magic != VGPU_DATA_DIR_MAGIC)
        return VGPU_S_BAD_FIELD;
    if (dir->nr_pages == 0 || dir->nr_pages > max_pages || dir->nr_pages > VGPU_DATA_DIR_SLOTS)
        return VGPU_S_BAD_FIELD;
    return VGPU_S_OK;
}
