/* fuzz_validate.c: libFuzzer target over the request validator and the backend's ring snapshot. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "vgpu_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len);

/* Input: a request slot (64 bytes), 4 ring index words, then the data area. */
int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
    struct vgpu_req req;
    struct vgpu_limits lim;
    const uint8_t *data;
    uint64_t data_size;
    uint32_t idx[4];
    int st;

    if (len < sizeof(req) + sizeof(idx))
        return 0;
    memcpy(&req, buf, sizeof(req));
    memcpy(idx, buf + sizeof(req), sizeof(idx));
    data = buf + sizeof(req) + sizeof(idx);
    data_size = len - sizeof(req) - sizeof(idx);
    vgpu_proto_limits_default(&lim, data_size);
    lim.features = (idx[3] & 1) ? VGPU_FEAT_STREAMS : 0; /* stream ids agreed or not */

    st = vgpu_proto_check_req(&req, &lim);
    if (st == VGPU_S_OK && req.rsvd0 && (!lim.features || !vgpu_proto_op_has_stream(req.op)))
        abort(); /* a stream id passed where none may be */
    if (st == VGPU_S_OK) {
        if (req.op == VGPU_OP_FUNC_GET) {
            char name[VGPU_NAME_MAX];
            if (vgpu_proto_copy_name(data, data_size, &req.u.func, name) == VGPU_S_OK &&
                strnlen(name, VGPU_NAME_MAX) == VGPU_NAME_MAX)
                abort(); /* a name that passed must be terminated */
        } else if (req.op == VGPU_OP_LAUNCH) {
            uint8_t params[VGPU_PARAMS_MAX];
            if (vgpu_proto_copy_in(data, data_size, req.u.launch.params_off,
                                   req.u.launch.params_len, params) != VGPU_S_OK)
                abort(); /* a launch that passed has its parameters in range */
        } else if (req.op == VGPU_OP_COPY_HTOD &&
                   !vgpu_proto_range_ok(req.u.copy.data_off, req.u.copy.len, data_size)) {
            abort();
        }
    } else if (st <= 0 || st >= VGPU_S_COUNT_) {
        abort();
    }

    /* The backend's view of a ring whose indices the guest controls. */
    {
        struct vgpu_sring *s = calloc(1, vgpu_ring_bytes(0));
        struct vgpu_back_ring b;
        uint32_t ready;

        if (!s)
            return 0;
        vgpu_back_init(&b, s, vgpu_ring_slots(0));
        b.req_cons = idx[0];
        b.rsp_prod_pvt = idx[0] - (idx[1] % (b.nr_slots + 1));
        s->req_prod = idx[2];
        if (vgpu_back_snapshot(&b, &ready)) {
            if (ready > b.nr_slots || ready + vgpu_back_unanswered(&b) > b.nr_slots)
                abort();
            while (ready--)
                vgpu_back_take_req(&b, &req);
        }
        free(s);
    }
    return 0;
}
