/* vgpu.h: libvgpu, the guest-side C API of vgpu. */
#ifndef VGPU_H
#define VGPU_H

#include <stddef.h>
#include <stdint.h>
#include "vgpu_status.h"
#include "vgpu_wire.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A channel to the host's vgpud: one ring and one data area. Every
 * function returns 0 (VGPU_S_OK) or a negated enum vgpu_status; turn it
 * into words with vgpu_strerror(). Device pointers, modules and functions
 * are 64-bit handles valid only on the channel that made them.
 *
 * Thread safety: a channel is used by one thread at a time (callers lock
 * around it, or open one channel per thread). Different channels are
 * independent. vgpu_strerror() is thread-safe.
 *
 * Execution model: requests are queued on the channel and reach the host
 * as a job when the job is closed: vgpu_sync() (waits for completion) or
 * vgpu_flush() (returns at once; the results are collected by the next
 * vgpu_sync()). Calls that return a value (alloc, module load, function
 * lookup, device info, copies to the host) close the job and wait.
 */
typedef struct vgpu_channel vgpu_channel;

/* Transports (vgpu_open_opts.transport). */
enum vgpu_transport {
    VGPU_TRANSPORT_AUTO =
        0, /* $VGPU_TRANSPORT ("local" or "xen"), else xen if /dev/vgpu exists, else local */
    VGPU_TRANSPORT_LOCAL = 1, /* vgpud's unix socket on this host */
    VGPU_TRANSPORT_XEN = 2,   /* /dev/vgpu of the guest kernel module */
};

struct vgpu_open_opts {
    int transport;           /* enum vgpu_transport */
    const char *socket_path; /* local: default $VGPU_SOCKET, else VGPU_LOCAL_SOCKET_DEFAULT */
    const char *instance;    /* local: VM UUID or name, default $VGPU_INSTANCE */
    uint32_t ring_order;     /* 0: default (2) */
    uint32_t data_pages;     /* 0: default (1022, about 4 MiB) */
    int64_t poll_ns;         /* spin this long for a response before sleeping; -1: default
                                ($VGPU_POLL_NS, else 50000); 0: never spin */
};

/* Open a channel; opts may be NULL (all defaults). The HELLO exchange is done here. */
int vgpu_open(const struct vgpu_open_opts *opts, vgpu_channel **out);
/* Close a channel; outstanding work is waited for. Tolerates NULL. */
void vgpu_close(vgpu_channel *ch);

/* How the host sees this channel's VM and device (written by DEVICE_INFO). */
int vgpu_device_info(vgpu_channel *ch, struct vgpu_device_info *out);

int vgpu_mem_alloc(vgpu_channel *ch, uint64_t size, uint64_t *dptr);
int vgpu_mem_free(vgpu_channel *ch, uint64_t dptr);
int vgpu_memset(vgpu_channel *ch, uint64_t dptr, uint8_t value, uint64_t len);

/*
 * Copies of any size. From or into a host buffer: one request. From or into ordinary memory:
 * staged and pipelined, through a staging buffer of the channel's own (8 MiB of the VM's pinned
 * memory, made on the first copy of 4 MiB or more; VGPU_STAGING_BUFFER=0: never) or in chunks
 * through the data area. vgpu_copy_htod returns once src may be reused (the host's errors come at
 * the next vgpu_sync); vgpu_copy_dtoh returns with the data in dst, or the first error.
 */
int vgpu_copy_htod(vgpu_channel *ch, uint64_t dptr, const void *src, uint64_t len);
int vgpu_copy_dtoh(vgpu_channel *ch, void *dst, uint64_t dptr, uint64_t len);
int vgpu_copy_dtod(vgpu_channel *ch, uint64_t dst, uint64_t src, uint64_t len);

/*
 * Host buffers inside the data area (zero-copy, like pinned memory):
 * vgpu_host_alloc returns a pointer into the shared data area;
 * vgpu_copy_htod_async/vgpu_copy_dtoh_async queue copies from/to such a
 * buffer without staging. NULL / -NO_MEMORY when the area is full.
 */
void *vgpu_host_alloc(vgpu_channel *ch, size_t size);
void vgpu_host_free(vgpu_channel *ch, void *p);
int vgpu_copy_htod_async(vgpu_channel *ch, uint64_t dptr, const void *host_buf, uint64_t len);
int vgpu_copy_dtoh_async(vgpu_channel *ch, void *host_buf, uint64_t dptr, uint64_t len);

/*
 * Load a module image (PTX with its NUL, cubin or fatbin). One larger than
 * half of staging goes in chunks where the host agreed
 * VGPU_FEAT_MODULE_CHUNKS (up to VGPU_MODULE_MAX), else fails with
 * -VGPU_S_NO_MEMORY when it does not fit staging.
 */
int vgpu_module_load(vgpu_channel *ch, const void *image, size_t len, uint64_t *module);
int vgpu_module_unload(vgpu_channel *ch, uint64_t module);
int vgpu_func_get(vgpu_channel *ch, uint64_t module, const char *name, uint64_t *func);

/*
 * A module's __device__ or __constant__ variable by name: its device
 * address and size; copies and memsets of this channel may then reach it.
 * -VGPU_S_UNSUPPORTED where the host (no VGPU_FEAT_GLOBALS) or its
 * executor cannot say, -VGPU_S_NOT_FOUND for no such variable. Closes the
 * job and waits.
 */
int vgpu_global_get(vgpu_channel *ch, uint64_t module, const char *name, uint64_t *dptr,
                    uint64_t *size);

/*
 * The packed parameter layout of func as the host's executor knows it:
 * the first min(*count, max) parameters in out, their number in *count.
 * -VGPU_S_UNSUPPORTED where the host (no VGPU_FEAT_FUNC_PARAMS) or its
 * executor cannot say. Closes the job and waits.
 */
int vgpu_func_params(vgpu_channel *ch, uint64_t func, struct vgpu_param_info *out, uint32_t max,
                     uint32_t *count);

/*
 * Queue a kernel launch. params is the packed parameter buffer
 * (CU_LAUNCH_PARAM_BUFFER_POINTER layout), copied at once.
 */
int vgpu_launch(vgpu_channel *ch, uint64_t func, const uint32_t grid[3], const uint32_t block[3],
                uint32_t shmem, const void *params, size_t params_len);

/*
 * Streams (the host agreed VGPU_FEAT_STREAMS). vgpu_set_stream names the
 * stream (0: the default one) that the launches, memsets, copies and
 * marks queued from now on belong to; each stream keeps its order.
 * -VGPU_S_UNSUPPORTED for a stream other than 0 where the host lacks the
 * feature (everything then runs in one order, which is correct too).
 */
int vgpu_set_stream(vgpu_channel *ch, uint32_t stream);

/*
 * An event mark: answered once all work queued before it on its stream is
 * done, with the host's CLOCK_MONOTONIC at that moment. The caller owns
 * the struct and keeps it until done is set or it calls vgpu_mark_forget().
 */
struct vgpu_mark {
    uint64_t host_ns; /* when the work before it was done (host clock, ns); valid once done */
    uint32_t done;    /* 1 once the host answered */
    uint32_t status;  /* the answer's enum vgpu_status (a failure of the work before it) */
    uint32_t detail;  /* executor code where the executor made status, else 0 */
    uint32_t rsvd0;
};
/* Queue a mark on the current stream and send the job, without waiting. -VGPU_S_UNSUPPORTED
 * where the host lacks VGPU_FEAT_STREAMS. */
int vgpu_mark(vgpu_channel *ch, struct vgpu_mark *m);
/*
 * Wait until m is answered. Its status, negated; if it succeeded, the first error of the work
 * answered so far (reported once, as vgpu_sync() does). -VGPU_S_BAD_HANDLE if m is neither
 * answered nor outstanding.
 */
int vgpu_mark_wait(vgpu_channel *ch, struct vgpu_mark *m);
/* Stop filling m (it may be freed); its answer, when it comes, is dropped. */
void vgpu_mark_forget(vgpu_channel *ch, struct vgpu_mark *m);
/*
 * Send what is queued and take the answers that are there, without
 * waiting (marks answered get done set). *idle (may be NULL): 1 if every
 * request sent so far is answered. Returns -VGPU_S_* for a broken channel;
 * once idle, the first error of the work (reported once, as vgpu_sync()
 * does); else 0.
 */
int vgpu_poll(vgpu_channel *ch, int *idle);

/* Close the current job without waiting. */
int vgpu_flush(vgpu_channel *ch);
/* Close the current job and wait for all queued work; returns the first error of that work. */
int vgpu_sync(vgpu_channel *ch);
/* One NOP round trip (latency probes). */
int vgpu_nop(vgpu_channel *ch);

/*
 * What the error the last call on ch returned was about: the op of the
 * request that failed, its status and the executor's own code (a CUresult)
 * where the executor produced the status, 0 where vgpud's core did. For an error of queued work
 * (reported by vgpu_sync() or vgpu_copy_dtoh()) it is that work's first failing request. Errors
 * found before a request reached the host (bad arguments, a broken channel) leave it unchanged; all
 * zero before any error.
 */
struct vgpu_error {
    uint16_t op; /* enum vgpu_op */
    uint16_t rsvd0;
    uint32_t status; /* enum vgpu_status */
    uint32_t detail; /* executor code (CUresult), 0 if none */
};
void vgpu_last_error(const vgpu_channel *ch, struct vgpu_error *out);

/* The executor kind's name ("cpu-reference", "cuda"). */
const char *vgpu_executor_name(uint32_t kind);

#ifdef __cplusplus
}
#endif

#endif /* VGPU_H */
