/* vgpu_ring.h: the shared request/response ring, after Xen's io/ring.h. */
#ifndef VGPU_RING_H
#define VGPU_RING_H

#include "vgpu_proto_types.h"
#include "vgpu_wire.h"

/*
 * Layout: one header of 64 bytes, then nr_slots slots of 64 bytes, each
 * holding a request (written by the frontend) or, once consumed, its
 * response (written by the backend), as in Xen's io/ring.h. The ring is
 * 1 << order pages of VGPU_PAGE_SIZE; nr_slots is the largest power of two
 * that fits. All four indices are free-running 32-bit counters; a slot is
 * index & (nr_slots - 1).
 *
 * Notification suppression: a side that is about to sleep sets the peer's
 * event index (req_event, written by the backend; rsp_event, written by
 * the frontend) to "one past what I have consumed"; the producer notifies
 * only when its push crosses that index. A side that is polling leaves the
 * event index behind, so the peer does not signal it.
 */
struct vgpu_sring {
    uint32_t req_prod;  /* frontend: requests produced */
    uint32_t req_event; /* backend: notify when req_prod passes this */
    uint32_t rsp_prod;  /* backend: responses produced */
    uint32_t rsp_event; /* frontend: notify when rsp_prod passes this */
    uint8_t rsvd[48];   /* zero */
    union vgpu_slot {
        struct vgpu_req req;
        struct vgpu_rsp rsp;
    } ring[];
};

VGPU_STATIC_ASSERT(sizeof(struct vgpu_sring) == 64, "ring header is 64 bytes");
VGPU_STATIC_ASSERT(sizeof(union vgpu_slot) == 64, "slot is 64 bytes");
VGPU_STATIC_ASSERT(offsetof(struct vgpu_sring, rsp_event) == 12, "rsp_event at 12");

/* Slots in a ring of 1 << order pages (0 if order is above the maximum). */
static inline uint32_t vgpu_ring_slots(uint32_t order)
{
    uint32_t n, p = 1;

    if (order > VGPU_RING_ORDER_MAX)
        return 0;
    n = ((VGPU_PAGE_SIZE << order) - sizeof(struct vgpu_sring)) / sizeof(union vgpu_slot);
    while (p * 2 <= n)
        p *= 2;
    return p;
}

static inline uint32_t vgpu_ring_bytes(uint32_t order)
{
    return VGPU_PAGE_SIZE << order;
}

/* Frontend's private view (guest kernel module or libvgpu). */
struct vgpu_front_ring {
    uint32_t req_prod_pvt; /* requests written, not yet pushed */
    uint32_t rsp_cons;     /* responses consumed */
    uint32_t nr_slots;
    struct vgpu_sring *sring;
};

/* Backend's private view (vgpud). */
struct vgpu_back_ring {
    uint32_t rsp_prod_pvt; /* responses written, not yet pushed */
    uint32_t req_cons;     /* requests consumed */
    uint32_t nr_slots;
    struct vgpu_sring *sring;
};

/* Zero the shared header and arm both event indices. Frontend, at setup. */
static inline void vgpu_sring_init(struct vgpu_sring *s)
{
    s->req_prod = 0;
    s->rsp_prod = 0;
    s->req_event = 1;
    s->rsp_event = 1;
    vgpu_proto_memset(s->rsvd, 0, sizeof(s->rsvd));
}

static inline void vgpu_front_init(struct vgpu_front_ring *f, struct vgpu_sring *s, uint32_t nr)
{
    f->req_prod_pvt = 0;
    f->rsp_cons = 0;
    f->nr_slots = nr;
    f->sring = s;
}

static inline void vgpu_back_init(struct vgpu_back_ring *b, struct vgpu_sring *s, uint32_t nr)
{
    b->rsp_prod_pvt = 0;
    b->req_cons = 0;
    b->nr_slots = nr;
    b->sring = s;
}

/* Slots the frontend may still fill: those not holding an unconsumed request or response. */
static inline uint32_t vgpu_front_free(const struct vgpu_front_ring *f)
{
    return f->nr_slots - (f->req_prod_pvt - f->rsp_cons);
}

/* The next request slot to fill; the caller checked vgpu_front_free() > 0. */
static inline struct vgpu_req *vgpu_front_next_req(struct vgpu_front_ring *f)
{
    return &f->sring->ring[f->req_prod_pvt++ & (f->nr_slots - 1)].req;
}

/*
 * Publish the requests written so far. Returns true when the backend asked
 * to be notified (it is sleeping on req_event), false when it is polling.
 */
static inline bool vgpu_front_push(struct vgpu_front_ring *f)
{
    uint32_t old = f->sring->req_prod;
    uint32_t new = f->req_prod_pvt;

    vgpu_wmb(); /* request bodies before the index that publishes them */
    VGPU_WRITE_ONCE(f->sring->req_prod, new);
    vgpu_mb(); /* publish req_prod before reading req_event */
    return (uint32_t)(new - VGPU_READ_ONCE(f->sring->req_event)) < (uint32_t)(new - old);
}

/* Same as vgpu_front_push, on the backend's responses. */
static inline bool vgpu_back_push(struct vgpu_back_ring *b)
{
    uint32_t old = b->sring->rsp_prod;
    uint32_t new = b->rsp_prod_pvt;

    vgpu_wmb(); /* response bodies before the index that publishes them */
    VGPU_WRITE_ONCE(b->sring->rsp_prod, new);
    vgpu_mb(); /* publish rsp_prod before reading rsp_event */
    return (uint32_t)(new - VGPU_READ_ONCE(b->sring->rsp_event)) < (uint32_t)(new - old);
}

/*
 * Backend: snapshot the peer's producer index once and bound it.
 * Returns the number of requests ready (0..nr_slots) in *ready, or false
 * if the index is more than a ring ahead of what was consumed and of what
 * was answered (a protocol violation: close the channel). After a true
 * return, the slots up to req_cons + *ready may be copied.
 */
static inline bool vgpu_back_snapshot(const struct vgpu_back_ring *b, uint32_t *ready)
{
    uint32_t prod = VGPU_READ_ONCE(b->sring->req_prod);
    uint32_t avail = prod - b->req_cons;

    *ready = 0;
    vgpu_rmb(); /* the index before the request bodies it covers */
    /* Unanswered requests and new ones must fit in the ring together. */
    if (avail > b->nr_slots - (b->req_cons - b->rsp_prod_pvt))
        return false;
    *ready = avail;
    return true;
}

/* Backend: copy the next request out of shared memory, once. Validate the copy only. */
static inline void vgpu_back_take_req(struct vgpu_back_ring *b, struct vgpu_req *out)
{
    const union vgpu_slot *slot = &b->sring->ring[b->req_cons++ & (b->nr_slots - 1)];

    vgpu_proto_copy_shared(out, &slot->req, sizeof(*out));
}

/* Backend: requests consumed but not yet answered. */
static inline uint32_t vgpu_back_unanswered(const struct vgpu_back_ring *b)
{
    return b->req_cons - b->rsp_prod_pvt;
}

/* Backend: write a finished response (built in a zeroed local struct) into the next slot. */
static inline void vgpu_back_put_rsp(struct vgpu_back_ring *b, const struct vgpu_rsp *rsp)
{
    vgpu_proto_memcpy(&b->sring->ring[b->rsp_prod_pvt++ & (b->nr_slots - 1)].rsp, rsp,
                      sizeof(*rsp));
}

/*
 * Backend, before sleeping: ask to be notified of the next request, then
 * look again so a request that raced in is not missed. True if work is there.
 */
static inline bool vgpu_back_arm(struct vgpu_back_ring *b)
{
    VGPU_WRITE_ONCE(b->sring->req_event, b->req_cons + 1);
    vgpu_mb(); /* req_event before re-reading req_prod */
    return VGPU_READ_ONCE(b->sring->req_prod) != b->req_cons;
}

/* Backend, while polling: stop asking for notifications. */
static inline void vgpu_back_disarm(struct vgpu_back_ring *b)
{
    /* Half a ring behind: a push never crosses it while we poll. */
    VGPU_WRITE_ONCE(b->sring->req_event, b->req_cons - 0x80000000u);
}

/* Frontend: responses ready, bounded (false if the backend broke the protocol). */
static inline bool vgpu_front_snapshot(const struct vgpu_front_ring *f, uint32_t *ready)
{
    uint32_t prod = VGPU_READ_ONCE(f->sring->rsp_prod);
    uint32_t avail = prod - f->rsp_cons;

    *ready = 0;
    vgpu_rmb(); /* the index before the response bodies it covers */
    if (avail > f->req_prod_pvt - f->rsp_cons)
        return false;
    *ready = avail;
    return true;
}

/* Frontend: copy the next response out of shared memory. */
static inline void vgpu_front_take_rsp(struct vgpu_front_ring *f, struct vgpu_rsp *out)
{
    const union vgpu_slot *slot = &f->sring->ring[f->rsp_cons++ & (f->nr_slots - 1)];

    vgpu_proto_copy_shared(out, &slot->rsp, sizeof(*out));
}

/* Frontend, before sleeping: ask for a notification, then look again. */
static inline bool vgpu_front_arm(struct vgpu_front_ring *f)
{
    VGPU_WRITE_ONCE(f->sring->rsp_event, f->rsp_cons + 1);
    vgpu_mb(); /* rsp_event before re-reading rsp_prod */
    return VGPU_READ_ONCE(f->sring->rsp_prod) != f->rsp_cons;
}

static inline void vgpu_front_disarm(struct vgpu_front_ring *f)
{
    VGPU_WRITE_ONCE(f->sring->rsp_event, f->rsp_cons - 0x80000000u);
}

#endif /* VGPU_RING_H */
