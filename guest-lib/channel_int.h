/* channel_int.h: the channel object and the core's internal helpers (queue, submit, wait, staging).
 */
#ifndef VGPU_CHANNEL_INT_H
#define VGPU_CHANNEL_INT_H

#include <stdbool.h>
#include <stdint.h>
#include "port.h"
#include "vgpu.h"
#include "vgpu_internal.h"

#define VGPU_STAGE_ALIGN 64u /* staging and host buffers start on cache lines */

/*
 * What to do with the response of one outstanding request. Responses
 * arrive in request order, so entry i & (nr_slots - 1) belongs to the
 * request in ring index i.
 */
struct vgpu__pending {
    uint64_t id;          /* the id the response must echo */
    uint16_t op;          /* the op it must echo */
    struct vgpu_rsp *rsp; /* caller waiting for it gets the whole response; NULL: async */
    void *dst;            /* on success copy data[data_off, +len) here (DTOH, DEVICE_INFO) */
    const char *src;      /* ... from here instead of the data area (a staging buffer's piece) */
    uint64_t data_off;
    uint64_t len;
    uint64_t stage_end;     /* staging is released up to here once answered */
    struct vgpu_mark *mark; /* EVENT_MARK: filled with the answer; NULL: forgotten */
};

/*
 * Staging: a FIFO byte ring over data[0, size). Positions head and tail
 * are free-running; an allocation never wraps (the tail end of the area
 * is skipped instead). It is released in order as responses arrive.
 */
struct vgpu__stage {
    uint64_t size;
    uint64_t head; /* next free position */
    uint64_t tail; /* oldest position still in use */
};

struct vgpu__hostblk { /* one vgpu_host_alloc buffer */
    uint64_t off, len;
    struct vgpu__hostblk *next;
};

struct vgpu__shm {   /* one host buffer of its own (VGPU_FEAT_HOSTBUF): the port's pages */
    uint64_t id;     /* its name on the wire */
    char *p;         /* our mapping */
    uint64_t size;   /* bytes, whole pages */
    uint64_t handle; /* the port's (hostbuf_alloc) */
    struct vgpu__shm *next;
};

/*
 * Copies of at least VGPU_BIG_MIN bytes from or into ordinary memory go through a host buffer of
 * the channel's own (copy_big.c), made on first use: VGPU_BIG_PIECES pieces of VGPU_BIG_PIECE
 * bytes, each one request, the guest filling or emptying one while the host copies the others.
 */
#define VGPU_BIG_PIECE  (2ull << 20)
#define VGPU_BIG_PIECES 4u
#define VGPU_BIG_MIN    (2 * VGPU_BIG_PIECE)

struct vgpu__bigstage {
    struct vgpu__shm *buf;            /* NULL: not made (yet) */
    uint32_t ticket[VGPU_BIG_PIECES]; /* ring index just past each piece's last request */
    bool busy[VGPU_BIG_PIECES];       /* ... and whether that request may be unanswered */
    bool refused;                     /* the host said no: the data area until a buffer is freed */
    bool off;                         /* VGPU_STAGING_BUFFER=0 */
};

struct vgpu_channel {
    struct vgpu_port port;
    struct vgpu_front_ring ring;
    struct vgpu__pending *pend; /* nr_slots entries */
    uint32_t pushed;            /* req_prod as we last published it */
    uint32_t max_out;           /* requests outstanding at most: min(nr_slots, max_inflight) */
    bool always_kick;           /* the host did not agree to VGPU_FEAT_EVENT_IDX */
    uint64_t next_id;
    uint64_t features; /* agreed at HELLO */
    uint32_t stream;   /* stream id of the requests queued next (VGPU_FEAT_STREAMS) */
    int64_t poll_ns;
    int error;                   /* first error of async work not yet reported (negated) */
    struct vgpu_error async_err; /* ... and what it was about */
    struct vgpu_error last_err;  /* what the last failing request returned */
    int broken;                  /* non-zero: the channel is dead and every call returns this */
    struct vgpu__stage stage;
    uint64_t host_off, host_size;
    struct vgpu__hostblk *host; /* allocated host buffers, sorted by offset */
    struct vgpu__shm *shm;      /* host buffers of their own */
    struct vgpu__bigstage big;  /* the staging buffer of large copies */
    uint64_t shm_ids;           /* last id given */
    struct vgpu__stats stats;
};

/* Requests written but not answered (or answered and not consumed). */
static inline uint32_t vgpu__outstanding(const vgpu_channel *ch)
{
    return ch->ring.req_prod_pvt - ch->ring.rsp_cons;
}

/* Mark ch dead with status err (negated); returns err. */
int vgpu__break(vgpu_channel *ch, int err);

/*
 * Write req (its id is assigned here) into the ring, unpublished, with
 * how (may be NULL: async, errors go to ch->error) saying what to do with
 * its response. Waits for a free slot first. 0 or -VGPU_S_*.
 */
int vgpu__queue(vgpu_channel *ch, struct vgpu_req *req, const struct vgpu__pending *how);
/* Close the job of the unpublished requests (END_JOB), publish them, kick if asked. */
int vgpu__submit(vgpu_channel *ch);
/* Consume the responses that are there, without blocking. Count or -VGPU_S_*. */
int vgpu__reap(vgpu_channel *ch);
/* Block until at least one response was consumed (adaptive polling, then sleep). */
int vgpu__wait_one(vgpu_channel *ch);
/* The same without polling: for an answer known to be far off (a large copy's piece), where a
 * spin would only take a core from the copies. */
int vgpu__wait_one_long(vgpu_channel *ch);
/* Submit and wait until every request written so far is answered. */
int vgpu__drain(vgpu_channel *ch);
/* Queue req, close the job and wait for its answer into *rsp. Returns its status, negated. */
int vgpu__call(vgpu_channel *ch, struct vgpu_req *req, struct vgpu_rsp *rsp,
               const struct vgpu__pending *how);
/* Return and clear the first error of async work. */
int vgpu__take_error(vgpu_channel *ch);

/* Lay staging and host buffers over a data area of data_size bytes. */
void vgpu__data_layout(vgpu_channel *ch, uint64_t data_size);
/* Reserve len bytes of staging, waiting for responses if needed; offset in *off. */
int vgpu__stage_alloc(vgpu_channel *ch, uint64_t len, uint64_t *off);
/* Copy len bytes into fresh staging; offset in *off. */
int vgpu__stage_put(vgpu_channel *ch, const void *src, uint64_t len, uint64_t *off);
/* Free every host buffer. */
void vgpu__host_free_all(vgpu_channel *ch);

/* hostbuf_shm.c: host buffers of their own (VGPU_FEAT_HOSTBUF). */
/* A new one of size bytes (> 0), mapped by the host. NULL, with ch->last_err saying why. */
void *vgpu__shm_alloc(vgpu_channel *ch, size_t size);
/* The buffer holding [p, p + len), or NULL. */
struct vgpu__shm *vgpu__shm_find(const vgpu_channel *ch, const void *p, uint64_t len);
/* Unmap it on the host (waits for the answer), then here. 0 or -VGPU_S_*. */
int vgpu__shm_free(vgpu_channel *ch, struct vgpu__shm *b);
/* Unmap every one here (the channel is closing: the host drops them with it). */
void vgpu__shm_free_all(vgpu_channel *ch);
/* Queue one copy between [buf, buf + len) of b and the device (op HOSTBUF_HTOD/DTOH). */
int vgpu__shm_copy(vgpu_channel *ch, uint16_t op, struct vgpu__shm *b, const void *buf,
                   uint64_t dptr, uint64_t len);

/* copy_big.c: a copy through the staging buffer: 0 or -VGPU_S_* as vgpu_copy_htod/dtoh, or 1 if
 * this copy does not take that path (too small, no such buffer). */
int vgpu__big_htod(vgpu_channel *ch, uint64_t dptr, const void *src, uint64_t len);
int vgpu__big_dtoh(vgpu_channel *ch, void *dst, uint64_t dptr, uint64_t len);
/* Free the staging buffer to make room (0 or -VGPU_S_*), or -1 if there is none. */
int vgpu__big_release(vgpu_channel *ch);
/* A host buffer was freed: a refused staging buffer may be tried again. */
void vgpu__big_room(vgpu_channel *ch);

/* mark.c: fill m from its EVENT_MARK's answer. */
void vgpu__mark_answer(struct vgpu_mark *m, const struct vgpu_rsp *rsp);

/* Nanoseconds of CLOCK_MONOTONIC. */
uint64_t vgpu__now_ns(void);

#endif /* VGPU_CHANNEL_INT_H */
