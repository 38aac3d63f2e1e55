/* vgpu_wire.h: request and response slots, op codes, limits: the wire contract. */
#ifndef VGPU_WIRE_H
#define VGPU_WIRE_H

#include "vgpu_proto_types.h"

/*
 * Every structure here is shared between a guest (32- or 64-bit, any
 * compiler) and Dom0: fixed-width fields, natural alignment, explicit
 * padding named rsvd* that must be zero, no bitfields, no pointers.
 * Sizes and key offsets are asserted at the end of this file.
 * A layout never changes once released: new capabilities come as new ops,
 * new feature bits (negotiated by VGPU_OP_HELLO) or a new version.
 */

#define VGPU_PROTO_VERSION     1u /* the version this header describes */
#define VGPU_PROTO_VERSION_MIN 1u /* the oldest version this code speaks */

/* Op codes. Zero is never valid, so a zeroed slot is rejected. */
enum vgpu_op {
    VGPU_OP_HELLO = 1,          /* version and features negotiation; must be first */
    VGPU_OP_DEVICE_INFO = 2,    /* writes struct vgpu_device_info into the data area */
    VGPU_OP_MEM_ALLOC = 3,      /* allocate device memory; rsp: device pointer */
    VGPU_OP_MEM_FREE = 4,       /* free an allocation by its base pointer */
    VGPU_OP_MEMSET = 5,         /* set device bytes to a value */
    VGPU_OP_COPY_HTOD = 6,      /* data area -> device */
    VGPU_OP_COPY_DTOH = 7,      /* device -> data area */
    VGPU_OP_COPY_DTOD = 8,      /* device -> device */
    VGPU_OP_MODULE_LOAD = 9,    /* module image (PTX/cubin) in the data area; rsp: module */
    VGPU_OP_MODULE_UNLOAD = 10, /* release a module and its functions */
    VGPU_OP_FUNC_GET = 11,      /* function by name; rsp: function handle */
    VGPU_OP_LAUNCH = 12,        /* launch a kernel */
    VGPU_OP_SYNC = 13,          /* wait for all earlier work of this channel; ends a job */
    VGPU_OP_BATCH_END = 14,     /* ends a job without waiting (submit what is queued) */
    VGPU_OP_NOP = 15,           /* does nothing; for latency measurement */
    VGPU_OP_FUNC_PARAMS = 16,   /* a function's parameter layout (VGPU_FEAT_FUNC_PARAMS) */
    VGPU_OP_MODULE_CHUNK =
        17, /* part of a module image; the last loads it (VGPU_FEAT_MODULE_CHUNKS) */
    VGPU_OP_GLOBAL_GET = 18, /* a module variable by name; rsp: address, size (VGPU_FEAT_GLOBALS) */
    VGPU_OP_HOSTBUF_MAP = 19,   /* a host buffer of its own shared memory (VGPU_FEAT_HOSTBUF) */
    VGPU_OP_HOSTBUF_UNMAP = 20, /* forget a host buffer (VGPU_FEAT_HOSTBUF) */
    VGPU_OP_HOSTBUF_HTOD = 21,  /* host buffer -> device, one request (VGPU_FEAT_HOSTBUF) */
    VGPU_OP_HOSTBUF_DTOH = 22,  /* device -> host buffer, one request (VGPU_FEAT_HOSTBUF) */
    VGPU_OP_EVENT_MARK = 23,    /* answered when its stream's earlier work is done; rsp: host ns */
    VGPU_OP_COUNT_
};

/* Request flags (vgpu_req.flags). */
#define VGPU_REQF_END_JOB 0x0001u /* this request closes the current job (as BATCH_END) */
#define VGPU_REQF_MASK    0x0001u /* all defined flags; others must be zero */

/* Feature bits negotiated by HELLO (vgpu_req_hello.features). */
#define VGPU_FEAT_EVENT_IDX     0x1ull  /* both sides honour req_event/rsp_event */
#define VGPU_FEAT_FUNC_PARAMS   0x2ull  /* the host answers VGPU_OP_FUNC_PARAMS */
#define VGPU_FEAT_MODULE_CHUNKS 0x4ull  /* the host answers VGPU_OP_MODULE_CHUNK */
#define VGPU_FEAT_GLOBALS       0x8ull  /* the host answers VGPU_OP_GLOBAL_GET */
#define VGPU_FEAT_HOSTBUF       0x10ull /* the host answers VGPU_OP_HOSTBUF_* */
#define VGPU_FEAT_STREAMS       0x20ull /* vgpu_req.rsvd0 is a stream id; EVENT_MARK answered */
#define VGPU_FEAT_MASK          0x3full

/*
 * Streams (VGPU_FEAT_STREAMS). With the feature agreed, the header's rsvd0
 * of LAUNCH, MEMSET, COPY_HTOD, COPY_DTOH, COPY_DTOD, HOSTBUF_HTOD,
 * HOSTBUF_DTOH and EVENT_MARK is the stream the request belongs to, any
 * value the guest chooses (0: the default stream); it stays zero on every
 * other op, and on every op without the feature. Each stream keeps its
 * order. EVENT_MARK on stream S is answered once all work submitted
 * before it on S is done, with the host's CLOCK_MONOTONIC at that moment
 * (ns) in the answer's handle; SYNC waits for every stream. A mark does
 * not end a job: send it flagged END_JOB (or follow it with BATCH_END)
 * for it to be answered without a SYNC.
 */

/* Executor kinds reported by DEVICE_INFO. */
enum vgpu_executor_kind {
    VGPU_EXECUTOR_NONE = 0,
    VGPU_EXECUTOR_CPU_REF = 1, /* CPU reference executor: a test and demo aid, not a GPU */
    VGPU_EXECUTOR_CUDA = 2,    /* NVIDIA GPU through the CUDA driver API */
};

/* Limits every consumer checks against. */
#define VGPU_NAME_MAX          128u        /* function name, NUL included */
#define VGPU_PARAMS_MAX        4096u       /* packed kernel parameters, bytes */
#define VGPU_MODULE_MAX        (64u << 20) /* module image, bytes (MODULE_CHUNK's total) */
#define VGPU_GRID_X_MAX        0x7fffffffu
#define VGPU_GRID_YZ_MAX       65535u
#define VGPU_BLOCK_XY_MAX      1024u
#define VGPU_BLOCK_Z_MAX       64u
#define VGPU_BLOCK_THREADS_MAX 1024u
#define VGPU_SHMEM_MAX         (228u * 1024u)        /* H100: 228 KiB per SM */
#define VGPU_PAGE_SIZE         4096u                 /* Xen grant granularity, on every arch */
#define VGPU_RING_ORDER_MAX    4u                    /* at most 16 pages of ring */
#define VGPU_DATA_PAGES_MAX    (VGPU_DATA_DIR_SLOTS) /* one directory page */
#define VGPU_HOSTBUF_SIZE_MAX  (1ull << 40) /* one host buffer, bytes (the VM's limit is lower) */

struct vgpu_req_hello {
    uint16_t version_min; /* oldest version the guest speaks */
    uint16_t version_max; /* newest version the guest speaks */
    uint32_t rsvd0;
    uint64_t features; /* VGPU_FEAT_* the guest supports */
};

struct vgpu_req_info {
    uint64_t data_off; /* where to write struct vgpu_device_info */
};

struct vgpu_req_alloc {
    uint64_t size; /* bytes, > 0 */
};

struct vgpu_req_ptr { /* MEM_FREE, MODULE_UNLOAD */
    uint64_t handle;
};

struct vgpu_req_memset {
    uint64_t dptr;
    uint64_t len;
    uint32_t value; /* byte value, < 256 */
    uint32_t rsvd0;
};

struct vgpu_req_copy { /* COPY_HTOD, COPY_DTOH: data area <-> device */
    uint64_t dptr;     /* device address */
    uint64_t data_off; /* data-area offset */
    uint64_t len;
};

struct vgpu_req_copy_dd { /* COPY_DTOD */
    uint64_t dst;
    uint64_t src;
    uint64_t len;
};

struct vgpu_req_module { /* MODULE_LOAD */
    uint64_t data_off;   /* image in the data area */
    uint64_t len;
};

struct vgpu_req_func { /* FUNC_GET, GLOBAL_GET (module and variable name) */
    uint64_t module;
    uint64_t name_off; /* NUL-terminated name in the data area */
    uint32_t name_len; /* bytes available for it, NUL included, <= VGPU_NAME_MAX */
    uint32_t rsvd0;
};

/*
 * MODULE_CHUNK: an image larger than the data area arrives in chunks, in
 * order, on one channel: the first at offset 0 (it starts a new upload,
 * dropping one not finished), each next at the bytes received so far,
 * with the same total. The chunk flagged LAST must complete the image:
 * the host loads it and answers the module handle; the others answer 0.
 * A chunk that breaks these rules fails (BAD_FIELD) and drops the upload.
 */
#define VGPU_CHUNKF_LAST 0x1u /* this chunk completes the image */
struct vgpu_req_module_chunk {
    uint64_t total;    /* bytes of the whole image, 1..VGPU_MODULE_MAX */
    uint64_t offset;   /* where this chunk goes in the image */
    uint64_t data_off; /* the chunk in the data area */
    uint32_t len;      /* its bytes, > 0 */
    uint32_t flags;    /* VGPU_CHUNKF_* */
};

struct vgpu_req_func_params { /* FUNC_PARAMS */
    uint64_t func;
    uint64_t data_off; /* where to write struct vgpu_param_info[max] */
    uint32_t max;      /* entries there is room for, 1..VGPU_PARAMS_MAX */
    uint32_t rsvd0;
};

/*
 * Host buffers (VGPU_FEAT_HOSTBUF): guest memory of their own, apart from
 * the data area, shared with the host for their whole life, named by an id
 * the guest chooses (non-zero, unique on its channel). How the pages reach
 * the host depends on the transport: local, a sealed memfd sent on the
 * channel's socket before the MAP (proto/vgpu_local.h). MAP counts the
 * buffer against the VM's pinned-memory limit (VGPU_S_PINNED_LIMIT past
 * it); copies name (buffer, offset) and run as one request whatever their
 * size; UNMAP gives it back. A channel's buffers die with it.
 */
struct vgpu_req_hostbuf_map { /* HOSTBUF_MAP */
    uint64_t buf;             /* the guest's id, != 0 */
    uint64_t size;            /* bytes, a multiple of VGPU_PAGE_SIZE, 1..VGPU_HOSTBUF_SIZE_MAX */
    uint32_t grant_dir;       /* Xen: grant ref of the top directory (below); local: zero */
    uint32_t rsvd0;           /* zero */
};

struct vgpu_req_hostbuf_copy { /* HOSTBUF_HTOD, HOSTBUF_DTOH */
    uint64_t dptr;             /* device address */
    uint64_t buf;              /* a mapped host buffer of this channel */
    uint64_t off;              /* offset in it */
    uint64_t len;              /* bytes; off + len <= its size */
};

/*
 * One kernel parameter in the packed buffer (CU_LAUNCH_PARAM_BUFFER_POINTER
 * layout), as FUNC_PARAMS writes them in order: the answer's handle is the
 * number of parameters, of which the first min(count, max) were written.
 */
struct vgpu_param_info {
    uint32_t offset; /* bytes from the start of the buffer */
    uint32_t size;   /* bytes */
};

struct vgpu_req_launch {
    uint64_t func;
    uint32_t grid[3];
    uint32_t block[3];
    uint32_t shmem;      /* dynamic shared memory, bytes */
    uint32_t params_len; /* packed parameter buffer, bytes, <= VGPU_PARAMS_MAX */
    uint64_t params_off; /* its offset in the data area */
};

/* A request slot: 64 bytes. */
struct vgpu_req {
    uint64_t id;    /* chosen by the guest, echoed in the response */
    uint16_t op;    /* enum vgpu_op */
    uint16_t flags; /* VGPU_REQF_* */
    uint32_t rsvd0; /* zero; with VGPU_FEAT_STREAMS, the stream id of the ops named above */
    union {
        struct vgpu_req_hello hello;
        struct vgpu_req_info info;
        struct vgpu_req_alloc alloc;
        struct vgpu_req_ptr ptr;
        struct vgpu_req_memset memset;
        struct vgpu_req_copy copy;
        struct vgpu_req_copy_dd copy_dd;
        struct vgpu_req_module module;
        struct vgpu_req_func func;
        struct vgpu_req_launch launch;
        struct vgpu_req_func_params func_params;
        struct vgpu_req_module_chunk chunk;
        struct vgpu_req_hostbuf_map hostbuf_map;
        struct vgpu_req_ptr hostbuf_unmap; /* handle: the buffer's id */
        struct vgpu_req_hostbuf_copy hostbuf_copy;
        uint8_t raw[48]; /* bytes an op does not use must be zero */
    } u;
};

struct vgpu_rsp_hello {
    uint16_t version; /* agreed version */
    uint16_t rsvd0;
    uint32_t nr_slots;     /* ring slots */
    uint64_t features;     /* agreed VGPU_FEAT_* */
    uint64_t data_size;    /* data-area bytes */
    uint32_t max_inflight; /* requests the host accepts outstanding per channel */
    uint32_t rsvd1;
};

/*
 * GLOBAL_GET: a __device__ or __constant__ variable of a module the
 * channel loaded. Copies and memsets may then reach [dptr, dptr+size)
 * until the module is unloaded; MEM_FREE refuses it.
 */
struct vgpu_rsp_global {
    uint64_t dptr; /* device address (the same bytes as handle) */
    uint64_t size; /* bytes */
};

/* A response slot: 64 bytes. */
struct vgpu_rsp {
    uint64_t id;     /* the request's id */
    uint16_t op;     /* the request's op */
    uint16_t flags;  /* zero */
    uint32_t status; /* enum vgpu_status */
    uint32_t detail; /* executor code (CUresult) where the executor made status; else 0 */
    uint32_t rsvd0;
    union {
        uint64_t handle; /* MEM_ALLOC: dptr; MODULE_LOAD, last MODULE_CHUNK; FUNC_GET;
                            FUNC_PARAMS: count; EVENT_MARK: host CLOCK_MONOTONIC ns */
        struct vgpu_rsp_hello hello;
        struct vgpu_rsp_global global;
        uint8_t raw[40];
    } u;
};

/* Written by DEVICE_INFO into the data area: 256 bytes. */
struct vgpu_device_info {
    char name[64];      /* device name, NUL-terminated */
    char pool[32];      /* pool this VM runs in, NUL-terminated */
    uint64_t total_mem; /* device memory, bytes */
    uint64_t mem_quota; /* this VM's quota, bytes (0: none) */
    uint64_t mem_used;  /* this VM's allocations, bytes */
    uint32_t vm_id;
    uint32_t executor; /* enum vgpu_executor_kind */
    uint32_t priority; /* 0 low, 1 medium, 2 high */
    uint32_t cc_major; /* compute capability (0 for the CPU executor) */
    uint32_t cc_minor;
    uint32_t multiprocessors;
    uint8_t rsvd[112];
};

/*
 * The data-area directory page (Xen transport): the frontend grants it
 * once, listing the grant references of the data pages in order. The data
 * area is then nr_pages * VGPU_PAGE_SIZE bytes addressed by offset.
 */
#define VGPU_DATA_DIR_MAGIC 0x44475056u /* "VPGD" little-endian */
#define VGPU_DATA_DIR_SLOTS 1022u
struct vgpu_data_dir {
    uint32_t magic;    /* VGPU_DATA_DIR_MAGIC */
    uint32_t nr_pages; /* <= the backend's max-data-pages */
    uint32_t gref[VGPU_DATA_DIR_SLOTS];
};

/*
 * A host buffer's pages (Xen transport, HOSTBUF_MAP's grant_dir): a
 * directory of directories, all pages granted read-only to the backend
 * except the data pages (read/write). The top page is a struct
 * vgpu_data_dir with magic VGPU_HOSTBUF_TOP_MAGIC whose nr_pages is the
 * number of directory pages, ceil(size / VGPU_PAGE_SIZE / 1022), and whose
 * gref[] lists them in order. Each directory page is a struct vgpu_data_dir
 * with magic VGPU_DATA_DIR_MAGIC listing data-page grant refs in order:
 * 1022 in every one but the last, which holds the rest (1..1022). The
 * buffer is the data pages in that order, exactly size / VGPU_PAGE_SIZE of
 * them; anything else refuses the MAP (BAD_FIELD). At most 1022 * 1022
 * pages (about 4 GiB) per buffer.
 */
#define VGPU_HOSTBUF_TOP_MAGIC     0x54475056u /* "VPGT" little-endian */
#define VGPU_HOSTBUF_XEN_PAGES_MAX ((uint64_t)VGPU_DATA_DIR_SLOTS * VGPU_DATA_DIR_SLOTS)

VGPU_STATIC_ASSERT(sizeof(struct vgpu_req) == 64, "request slot is 64 bytes");
VGPU_STATIC_ASSERT(sizeof(struct vgpu_rsp) == 64, "response slot is 64 bytes");
VGPU_STATIC_ASSERT(offsetof(struct vgpu_req, op) == 8, "req.op at 8");
VGPU_STATIC_ASSERT(offsetof(struct vgpu_req, u) == 16, "req.u at 16");
VGPU_STATIC_ASSERT(offsetof(struct vgpu_rsp, status) == 12, "rsp.status at 12");
VGPU_STATIC_ASSERT(offsetof(struct vgpu_rsp, u) == 24, "rsp.u at 24");
VGPU_STATIC_ASSERT(sizeof(struct vgpu_req_launch) == 48, "launch args fill the slot");
VGPU_STATIC_ASSERT(offsetof(struct vgpu_req_launch, params_off) == 40, "launch.params_off at 40");
VGPU_STATIC_ASSERT(sizeof(struct vgpu_rsp_hello) == 32, "hello rsp 32");
VGPU_STATIC_ASSERT(sizeof(struct vgpu_req_func_params) == 24, "func_params args 24");
VGPU_STATIC_ASSERT(offsetof(struct vgpu_req_func_params, max) == 16, "func_params.max at 16");
VGPU_STATIC_ASSERT(sizeof(struct vgpu_param_info) == 8, "param info 8");
VGPU_STATIC_ASSERT(sizeof(struct vgpu_req_module_chunk) == 32, "module chunk args 32");
VGPU_STATIC_ASSERT(offsetof(struct vgpu_req_module_chunk, len) == 24, "chunk.len at 24");
VGPU_STATIC_ASSERT(sizeof(struct vgpu_rsp_global) == 16, "global rsp 16");
VGPU_STATIC_ASSERT(offsetof(struct vgpu_rsp, u.global.size) == 32, "global.size at rsp 32");
VGPU_STATIC_ASSERT(sizeof(struct vgpu_req_hostbuf_map) == 24, "hostbuf map args 24");
VGPU_STATIC_ASSERT(offsetof(struct vgpu_req_hostbuf_map, grant_dir) == 16,
                   "hostbuf_map.grant_dir at 16");
VGPU_STATIC_ASSERT(sizeof(struct vgpu_req_hostbuf_copy) == 32, "hostbuf copy args 32");
VGPU_STATIC_ASSERT(offsetof(struct vgpu_req_hostbuf_copy, len) == 24, "hostbuf_copy.len at 24");
VGPU_STATIC_ASSERT(sizeof(struct vgpu_device_info) == 256, "device info 256");
VGPU_STATIC_ASSERT(sizeof(struct vgpu_data_dir) == VGPU_PAGE_SIZE, "directory is one page");

#endif /* VGPU_WIRE_H */
