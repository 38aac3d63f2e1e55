/* selfcheck.c: prints the wire layout and runs requests through an in-memory ring. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vgpu_proto.h"

static int roundtrip(uint32_t order, uint32_t count)
{
    uint32_t nr = vgpu_ring_slots(order), done = 0, ready, i;
    struct vgpu_sring *s = calloc(1, vgpu_ring_bytes(order));
    struct vgpu_front_ring f;
    struct vgpu_back_ring b;
    struct vgpu_limits lim;
    int bad = 0;

    if (!s)
        return -1;
    vgpu_proto_limits_default(&lim, 4096);
    vgpu_sring_init(s);
    vgpu_front_init(&f, s, nr);
    vgpu_back_init(&b, s, nr);
    while (done < count) {
        while (vgpu_front_free(&f) && f.req_prod_pvt < count) {
            struct vgpu_req *r = vgpu_front_next_req(&f);
            memset(r, 0, sizeof(*r));
            r->id = f.req_prod_pvt;
            r->op = VGPU_OP_NOP;
        }
        vgpu_front_push(&f);
        if (!vgpu_back_snapshot(&b, &ready))
            return -1;
        for (i = 0; i < ready; i++) {
            struct vgpu_req req;
            struct vgpu_rsp rsp = {0};
            vgpu_back_take_req(&b, &req);
            rsp.id = req.id;
            rsp.op = req.op;
            rsp.status = (uint32_t)vgpu_proto_check_req(&req, &lim);
            vgpu_back_put_rsp(&b, &rsp);
        }
        vgpu_back_push(&b);
        if (!vgpu_front_snapshot(&f, &ready))
            return -1;
        for (i = 0; i < ready; i++, done++) {
            struct vgpu_rsp rsp;
            vgpu_front_take_rsp(&f, &rsp);
            bad += rsp.status != VGPU_S_OK || rsp.id != done + 1;
        }
    }
    free(s);
    return bad;
}

int main(void)
{
    uint32_t order;
    int bad = 0;

    printf("vgpu protocol version %u: request %zu bytes, response %zu bytes, ring header %zu\n",
           VGPU_PROTO_VERSION, sizeof(struct vgpu_req), sizeof(struct vgpu_rsp),
           sizeof(struct vgpu_sring));
    for (order = 0; order <= VGPU_RING_ORDER_MAX; order++) {
        int r = roundtrip(order, 100000);
        printf("ring order %u: %3u slots, 100000 NOP requests through the ring: %s\n", order,
               vgpu_ring_slots(order), r == 0 ? "ok" : "FAILED");
        bad |= r != 0;
    }
    printf("protocol self-check: %s\n", bad ? "FAILED" : "ok");
    return bad ? 1 : 0;
}
