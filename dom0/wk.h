/* wk.h: the worker process (vgpud-worker): one VM's executor context, its channels, its jobs. */
#ifndef VGPUD_WK_H
#define VGPUD_WK_H

#include <stdbool.h>
#include <stdint.h>
#include "exec.h"
#include "memtab.h"
#include "worker_proto.h"

#define WK_MAX_MODULES 64  /* per channel, as vgpud had them */
#define WK_MAX_FUNCS   256 /* function handles a channel holds at once */
/*
 * Allocations: at most WK_MAX_ALLOCS per VM, and each is charged to the
 * quota as what the executor says the device really holds for it
 * (mem_charge: the driver's granularity), else its size rounded up to
 * WK_ALLOC_GRAIN, plus WK_ALLOC_OVERHEAD (our bookkeeping), so that many
 * tiny allocations cannot hold more than the quota says.
 */
#define WK_MAX_ALLOCS     65536u
#define WK_ALLOC_GRAIN    256u
#define WK_ALLOC_OVERHEAD 64u

/* Tests only, with $VGPU_TEST_WORKER_SYSCALL=1: a MEMSET of this length makes a forbidden call. */
#define WK_TEST_SECCOMP_LEN 0x5ecc0u
/* ... and a MEMSET of this length poisons the context as CUDA_ERROR_ILLEGAL_ADDRESS (700) would. */
#define WK_TEST_POISON_LEN  0x70070u
#define WK_TEST_POISON_CODE 700u
/* Tests only, likewise: a MEMSET of this length ignores the job's deadline until killed. */
#define WK_TEST_HANG_LEN 0x4a460u

/* A channel of the VM, as the worker sees it: its data area and what it loaded. */
struct wk_chan {
    struct wk_chan *next;
    uint64_t id;   /* vgpud's channel id */
    uint8_t *data; /* mapped data area (hostile contents) */
    uint64_t data_size;
    bool registered; /* the executor page-locked the data area (host_register) */
    struct vgpu_limits lim;
    uint64_t modules[WK_MAX_MODULES]; /* loaded by this channel, 0 = free slot */
    struct wk_func {
        uint64_t handle, module; /* got by this channel from its module; 0 = free */
    } funcs[WK_MAX_FUNCS];
    struct wk_upload *upload;    /* a module image arriving in chunks, or NULL */
    struct wk_hostbuf *hostbufs; /* its host buffers (wk_hostbuf.c) */
    uint64_t hb_unmapped;        /* the last buffer whose pages would not map (0: none) */
};

struct wk {
    uint32_t vm_id;
    const struct vgpu_exec_ops *xops;
    struct vgpu_exec *exec;
    struct vgpu_exec_ctx *ctx;
    struct vgpu_memtab mem; /* the VM's allocations; tag = owning struct wk_chan */
    uint64_t mem_charged;   /* what they count against the quota */
    struct wk_chan *chans;
    struct vgpu_back_ring ring; /* jobs from vgpud */
    uint64_t poll_ns;           /* spin this long after a job before sleeping */
    uint64_t jobs;              /* jobs run */
    uint32_t lost;              /* the context was poisoned with this code: answer, then end */
    bool lost_set;
    bool test_hooks; /* $VGPU_TEST_WORKER_SYSCALL: see WK_TEST_SECCOMP_LEN */
};

/* wk_chan.c: control messages from vgpud. */
/* Read every pending control message; -EPIPE when vgpud closed the socket. */
int wk__ctl_drain(struct wk *w);
struct wk_chan *wk__chan_find(struct wk *w, uint64_t id);
void wk__chans_free(struct wk *w);

/* wk_ops.c: one request, copied and checked, on the executor; returns its status. */
uint32_t wk__run_one(struct wk *w, struct wk_chan *c, const struct vgpu_req *req,
                     struct vgpu_rsp *rsp, uint64_t quota);

/*
 * Load image (len bytes, a private NUL-terminated copy the caller keeps)
 * as a module of c; its handle into rsp. Returns the status.
 */
uint32_t wk__module_install(struct wk *w, struct wk_chan *c, const void *image, uint64_t len,
                            struct vgpu_rsp *rsp);

/* The slot of module in c->modules, or -1 when c did not load it. */
int wk__module_slot(const struct wk_chan *c, uint64_t module);

/* handle is a function c got (FUNC_GET) from a module still loaded. */
bool wk__func_owned(const struct wk_chan *c, uint64_t handle);

/* wk_upload.c: MODULE_CHUNK (VGPU_FEAT_MODULE_CHUNKS); returns its status. */
uint32_t wk__op_module_chunk(struct wk *w, struct wk_chan *c, const struct vgpu_req *req,
                             struct vgpu_rsp *rsp);
/* Drop c's unfinished upload, if any. */
void wk__upload_free(struct wk_chan *c);

/* Page-lock [p, p + size) with the executor (host_register); false where it has no such hook
 * or will not (logged once per *told, naming what): its copies are then staged. */
bool wk__page_lock(struct wk *w, void *p, uint64_t size, bool *told, const char *what);

/* wk_hostbuf.c: host buffers (VGPU_FEAT_HOSTBUF). */
/* HB_ADD: map fd (the caller closes it) as a host buffer of its channel. 0 or -errno. */
int wk__hostbuf_add(struct wk *w, const struct vgpu_worker_msg *m, int fd);
/* Unmap every host buffer of c. */
void wk__hostbufs_free(struct wk *w, struct wk_chan *c);
/* HOSTBUF_MAP, _UNMAP, _HTOD, _DTOH; returns the status. */
uint32_t wk__op_hostbuf(struct wk *w, struct wk_chan *c, const struct vgpu_req *req,
                        struct vgpu_rsp *rsp);

/* wk_params.c: FUNC_PARAMS (VGPU_FEAT_FUNC_PARAMS); returns its status. */
uint32_t wk__op_func_params(struct wk *w, struct wk_chan *c, const struct vgpu_req *req,
                            struct vgpu_rsp *rsp);

/* wk_globals.c: GLOBAL_GET (VGPU_FEAT_GLOBALS); returns its status. */
uint32_t wk__op_global_get(struct wk *w, struct wk_chan *c, const struct vgpu_req *req,
                           struct vgpu_rsp *rsp);
/* [ptr, ptr+len) lies in one allocation of c, or a variable of a module c loaded. */
bool wk__owned(const struct wk *w, const struct wk_chan *c, uint64_t ptr, uint64_t len);
/* Forget the variables of the module in c's slot (before it is unloaded); frees nothing. */
void wk__globals_forget(struct wk *w, struct wk_chan *c, int slot);

/* wk_job.c: take jobs from the ring and answer them. */
int wk__serve(struct wk *w);

/* wk_sandbox.c: the seccomp filter, once the executor is open. 0 or -errno. */
int wk__sandbox(const struct vgpu_exec_ops *xops);

/* Log to stderr (vgpud's log socket), one line. */
void wk__log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

uint64_t wk__now(void);
/* The running job's deadline (CLOCK_MONOTONIC ns, 0: none): the CPU executor stops kernels there.
 */
extern uint64_t wk__job_deadline_ns;

/* What an allocation of size bytes counts against the quota (size < 2^62: no overflow). */
uint64_t wk__charge(const struct wk *w, uint64_t size);

#endif /* VGPUD_WK_H */
