/* vgpu_proto.h: the vgpu wire protocol: ring, slots, status codes, validation. */
#ifndef VGPU_PROTO_H
#define VGPU_PROTO_H

#include "vgpu_proto_types.h"
#include "vgpu_status.h"
#include "vgpu_wire.h"
#include "vgpu_ring.h"

/* What one channel allows; set by the backend, known to both sides after HELLO. */
struct vgpu_limits {
    uint64_t data_size;  /* data-area bytes */
    uint32_t max_shmem;  /* dynamic shared memory per launch, <= VGPU_SHMEM_MAX */
    uint32_t max_params; /* packed parameter bytes, <= VGPU_PARAMS_MAX */
    uint32_t rsvd0;
    uint64_t features; /* VGPU_FEAT_* agreed (0 until HELLO): STREAMS allows stream ids */
};

/* Default limits for a data area of data_size bytes. */
void vgpu_proto_limits_default(struct vgpu_limits *lim, uint64_t data_size);

/* True if op carries a stream id in vgpu_req.rsvd0 where VGPU_FEAT_STREAMS is agreed. */
bool vgpu_proto_op_has_stream(uint32_t op);

/* True if req's header rsvd0 is allowed: zero, or a stream id on an op that carries one. */
bool vgpu_proto_stream_ok(const struct vgpu_req *req, uint64_t features);

/* True if [off, off + len) lies inside [0, size), without overflow. */
bool vgpu_proto_range_ok(uint64_t off, uint64_t len, uint64_t size);

/*
 * Check a request that was already copied out of shared memory: op, flags,
 * reserved-zero bytes, ranges against the data area, launch limits.
 * Returns VGPU_S_OK or the status to answer with. Contents of the data area
 * (names, parameters, images) are checked when copied, below.
 */
int vgpu_proto_check_req(const struct vgpu_req *req, const struct vgpu_limits *lim);

/*
 * Copy len bytes at off of a shared data area of data_size bytes into out,
 * once. Returns VGPU_S_OK or VGPU_S_BAD_RANGE (nothing copied).
 */
int vgpu_proto_copy_in(const void *data, uint64_t data_size, uint64_t off, uint64_t len, void *out);

/*
 * Copy a function name (FUNC_GET) into out[VGPU_NAME_MAX] and check the
 * copy: non-empty, NUL-terminated within name_len. Returns VGPU_S_OK,
 * VGPU_S_BAD_RANGE or VGPU_S_BAD_NAME.
 */
int vgpu_proto_copy_name(const void *data, uint64_t data_size, const struct vgpu_req_func *f,
                         char out[VGPU_NAME_MAX]);

/*
 * Negotiate HELLO: pick the newest common version and the common
 * features. Returns VGPU_S_OK, VGPU_S_VERSION or VGPU_S_BAD_FIELD.
 */
int vgpu_proto_negotiate(const struct vgpu_req_hello *h, uint64_t host_features, uint16_t *version,
                         uint64_t *features);

/*
 * Check a copied data-area directory: magic, page count within
 * 1..max_pages. Returns VGPU_S_OK or VGPU_S_BAD_FIELD.
 */
int vgpu_proto_check_data_dir(const struct vgpu_data_dir *dir, uint32_t max_pages);
/*
 * A host buffer's grant directory (vgpu_wire.h, VGPU_HOSTBUF_TOP_MAGIC),
 * each page checked on the backend's private copy: the top page of a buffer
 * of size bytes, and its directory page i. VGPU_S_OK or VGPU_S_BAD_FIELD.
 */
int vgpu_proto_check_hostbuf_top(const struct vgpu_data_dir *top, uint64_t size);
int vgpu_proto_check_hostbuf_dir(const struct vgpu_data_dir *dir, uint32_t i, uint64_t size);

/* Name of an op ("LAUNCH"), "UNKNOWN" if not one. */
const char *vgpu_proto_op_name(uint32_t op);

#endif /* VGPU_PROTO_H */
