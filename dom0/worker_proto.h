/* worker_proto.h: what vgpud and a VM's worker process exchange: fds, messages, the job ring. */
#ifndef VGPUD_WORKER_PROTO_H
#define VGPUD_WORKER_PROTO_H

#include <stdint.h>
#include "vgpu_proto.h"

/*
 * A worker is started with these descriptors and no others (stdin is
 * /dev/null; stdout and stderr are vgpud's log socket, one datagram per
 * write). Everything else reaches it as SCM_RIGHTS on the control socket.
 */
#define VGPU_WORKER_FD_CTL    3 /* SOCK_SEQPACKET to vgpud: struct vgpu_worker_msg */
#define VGPU_WORKER_FD_RING   4 /* memfd: the job ring, vgpu_ring_bytes(VGPU_WORKER_RING_ORDER) */
#define VGPU_WORKER_FD_KICK   5 /* eventfd: vgpud pushed jobs and the worker asked for a kick */
#define VGPU_WORKER_FD_NOTIFY 6 /* eventfd: the worker pushed answers and vgpud asked */
#define VGPU_WORKER_NFDS      7

/*
 * The job ring is our guest ring (proto/vgpu_ring.h) with vgpud as the
 * frontend and the worker as the backend, so the same rules hold: the
 * worker snapshots req_prod once, copies each slot and checks the copy;
 * vgpud does the same with the answers. A job is one VGPU_WOP_JOB slot
 * followed by n request slots, published by one push; it is answered by
 * n + 1 response slots, the JOB slot's first.
 */
#define VGPU_WORKER_RING_ORDER 4
#define VGPU_WOP_JOB           0x8001u /* never a guest op: vgpud refuses those above VGPU_OP_COUNT_ */

/* In a VGPU_WOP_JOB request's u.raw. */
struct vgpu_worker_job {
    uint64_t chan;        /* vgpud's channel id: whose data area and handles */
    uint64_t mem_quota;   /* the VM's device-memory quota, bytes; 0 = none */
    uint32_t n;           /* request slots that follow */
    uint32_t rsvd0;       /* zero */
    uint64_t deadline_ns; /* CLOCK_MONOTONIC: the pool's hard limit; kernels stop there; 0: none */
    uint8_t rsvd[16];     /* zero */
};

/* In the VGPU_WOP_JOB response's u.raw. */
struct vgpu_worker_job_done {
    uint64_t mem_used; /* the VM's allocations after the job, bytes */
    uint64_t run_ns;   /* the job's time in the worker, its end-of-job sync included */
    uint64_t gpu_ns;   /* the device time its work took (GPU events); 0 if not measured */
    uint32_t lost;     /* non-zero: the context was poisoned, with this executor code (or
                          VGPU_WORKER_LOST_UNKNOWN); the worker ends after this answer */
    uint8_t rsvd[12];
};
#define VGPU_WORKER_LOST_UNKNOWN 0xffffffffu

enum vgpu_worker_msg_type {
    VGPU_WMSG_READY = 1,    /* worker -> vgpud: executor open, context made (or status why not) */
    VGPU_WMSG_CHAN_ADD = 2, /* vgpud -> worker: a channel's data area, one fd attached */
    VGPU_WMSG_CHAN_DEL = 3, /* vgpud -> worker: the channel is gone: free what it holds */
    VGPU_WMSG_HB_ADD = 4,   /* vgpud -> worker: a host buffer of a channel, one fd attached */
};

/* One control message; fields a type does not use are zero. */
struct vgpu_worker_msg {
    uint32_t type;   /* enum vgpu_worker_msg_type */
    uint32_t status; /* READY: enum vgpu_status of the context creation */
    uint32_t detail; /* READY: the executor's code */
    uint32_t rsvd0;
    uint64_t chan;      /* CHAN_*: vgpud's channel id */
    uint64_t data_off;  /* CHAN_ADD: where the data area starts in the fd (page multiple) */
    uint64_t data_size; /* CHAN_ADD: its size; HB_ADD: the buffer's size */
    uint64_t hostbuf;   /* HB_ADD: the guest's id of the buffer (its fd maps it at 0) */
    char executor[32];  /* READY: the executor's name */
    struct vgpu_device_info info; /* READY */
};

VGPU_STATIC_ASSERT(sizeof(struct vgpu_worker_job) == 48, "job header fills a request's union");
VGPU_STATIC_ASSERT(sizeof(struct vgpu_worker_job_done) == 40,
                   "job answer fills a response's union");

#endif /* VGPUD_WORKER_PROTO_H */
