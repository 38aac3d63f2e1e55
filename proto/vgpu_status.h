/* vgpu_status.h: the status codes a response carries, and their messages. */
#ifndef VGPU_STATUS_H
#define VGPU_STATUS_H

#include "vgpu_proto_types.h"

/*
 * Status of a request, carried in vgpu_rsp.status. Values are part of the
 * wire contract: never renumber, only append. libvgpu returns them negated
 * (0 or -VGPU_S_*), and vgpu_strerror() accepts either sign.
 * vgpu_rsp.detail carries the executor's own code (a CUresult) whenever the
 * executor produced the status: always for VGPU_S_EXEC, and for the statuses
 * an executor maps its codes to (NO_MEMORY, BAD_IMAGE, NOT_FOUND, ...); it
 * is 0 where vgpud's core produced the status.
 */
enum vgpu_status {
    VGPU_S_OK = 0,            /* success */
    VGPU_S_BAD_OP = 1,        /* unknown op code */
    VGPU_S_BAD_FIELD = 2,     /* reserved field non-zero, bad flag or value */
    VGPU_S_BAD_RANGE = 3,     /* offset/length outside the data area, or wraps */
    VGPU_S_BAD_HANDLE = 4,    /* pointer, module or function not owned by this VM */
    VGPU_S_NO_MEMORY = 5,     /* allocation beyond the VM's quota or the device */
    VGPU_S_NOT_FOUND = 6,     /* function name not in the module */
    VGPU_S_BAD_NAME = 7,      /* name empty, too long or not NUL-terminated */
    VGPU_S_BAD_LAUNCH = 8,    /* grid, block, shared memory or parameters out of limits */
    VGPU_S_UNSUPPORTED = 9,   /* op or feature not supported by this executor */
    VGPU_S_VERSION = 10,      /* no protocol version in common */
    VGPU_S_EXEC = 11,         /* the executor failed; detail holds its code */
    VGPU_S_CANCELLED = 12,    /* job cancelled (VM removed, channel closed) */
    VGPU_S_TIMEOUT = 13,      /* job overran its time budget and was stopped */
    VGPU_S_SHUTDOWN = 14,     /* vgpud is shutting down */
    VGPU_S_PROTOCOL = 15,     /* the channel broke the protocol and was closed */
    VGPU_S_BUSY = 16,         /* queue limit reached; retry later */
    VGPU_S_NO_DEVICE = 17,    /* no transport or backend reachable */
    VGPU_S_DENIED = 18,       /* identity not registered or not allowed */
    VGPU_S_BAD_IMAGE = 19,    /* module image rejected */
    VGPU_S_INTERNAL = 20,     /* a bug in vgpu: please report */
    VGPU_S_CONTEXT_LOST = 21, /* the VM's context was lost (time limit, worker crash): allocations,
                                 modules and functions are gone; later requests get a fresh one */
    VGPU_S_PINNED_LIMIT = 22, /* host buffers past the VM's pinned-memory limit (bytes or count) */
    VGPU_S_COUNT_
};

/* Short upper-case name of a status ("BAD_RANGE"); "UNKNOWN" if out of range. */
const char *vgpu_status_name(int status);

/* A sentence for people: what happened and what to do. Accepts status or -status. */
const char *vgpu_strerror(int status);

#endif /* VGPU_STATUS_H */
