/* vgpud.h: vgpud's core objects (daemon, VM, channel, job), shared by dom0/ files only. */
#ifndef VGPUD_H
#define VGPUD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <limits.h>
#include <sys/types.h>
#include "transport.h"
#include "vgpu_proto.h"
#include "vgpu_sched.h"
#include "vgpu_store.h"
#include "worker.h"

#define VGPUD_MAX_POOLS    VGPU_SCHED_MAX_POOLS
#define VGPUD_MAX_MODULES  64 /* per channel */
#define VGPUD_MAX_POLICIES 16
#define VGPUD_DEVICE_MAX                                                                           \
    (VGPU_STORE_GPU_MAX + 8) /* a worker's --device: index, GPU- or MIG-<uuid> */

struct vgpu_be_job;

/* A pool's dispatcher: one thread, one job at a time. */
struct vgpu_be_pool {
    struct vgpu_be *be;
    char name[32];
    pthread_t thread;
    pthread_cond_t wake; /* signalled on submit and at shutdown (with be->lock) */
    bool started;
    uint64_t job_limit_ns;         /* hard limit per job (atomic): over it, the worker is killed */
    uint64_t submitted;            /* jobs submitted to it (atomic): what its spin watches */
    struct vgpu_be_job *loop_job;  /* dispatched and pushed by the loop, which awaits its answers
                                      (set and cleared by the loop under be->lock) */
    struct vgpu_be_job *handoff;   /* a job the loop dispatched, for this thread to run or to
                                      finish (be->lock) */
    char device[VGPUD_DEVICE_MAX]; /* its GPU or MIG instance (map-pool); "" = --device
                                      (be->lock) */
};

/*
 * A VM: its channels share one worker process, which holds the executor
 * context and the allocations. Jobs carry the VM's gen at their creation;
 * when a worker is lost, gen moves on and older jobs are answered
 * VGPU_S_CONTEXT_LOST without running (their handles died with it).
 */
struct vgpu_be_vm {
    struct vgpu_be_vm *next;
    struct vgpu_be_identity id;
    pthread_mutex_t lock; /* protects id */
    bool hop_busy; /* a job of it is with its worker: only that job's owner (a pool thread, or
                      the loop for a job it pushed) uses the worker's fds and ring (be->lock) */
    struct vgpu_be_worker *worker; /* started by the first job; be->lock for the pointer */
    uint64_t gen;                  /* contexts lost so far (be->lock) */
    bool starting;                 /* a worker is being started (be->lock) */
    bool running;                  /* a job is in the worker (be->lock) */
    uint64_t wk_starts, wk_restarts, wk_kills, wk_crashes; /* (be->lock) */
    uint64_t wk_faults;               /* workers ended by a GPU fault in their context (be->lock) */
    char wk_device[VGPUD_DEVICE_MAX]; /* the device its newest worker was started on
                                         (be->lock) */
    uint64_t gpu_ns;                  /* device time of its jobs, GPU events; 0 if not measured */
    pid_t wk_pid;                     /* the newest worker's pid, kept after it ends: its last log
                                         lines may be read after it was reaped (be->lock) */
    bool wk_lost;                     /* a worker was lost since the last start (be->lock) */
    uint64_t mem_used;                /* allocations, as the worker last said (be->lock) */
    unsigned nchan;
    uint64_t failed;      /* requests answered with an error */
    uint64_t requests;    /* requests answered */
    uint64_t kicks;       /* notifications from its channels (metrics) */
    uint64_t throttles;   /* times a channel's kicks were ignored for a window */
    uint64_t pinned_used; /* bytes of its channels' host buffers (loop thread) */
    unsigned nhostbufs;   /* and their number (loop thread) */
};

enum vgpu_be_chan_state {
    CHAN_OPEN,    /* serving */
    CHAN_CLOSING, /* detached or broken: waiting for its running job */
};

struct vgpu_be_chan {
    struct vgpu_be_chan *next;
    struct vgpu_be *be;
    struct vgpu_be_vm *vm;
    struct vgpu_be_chan_desc d;
    struct vgpu_back_ring ring;
    struct vgpu_limits lim;
    enum vgpu_be_chan_state state;
    bool hello_done;
    uint64_t features;
    struct vgpu_be_job *cur;          /* requests being gathered into a job */
    struct vgpu_be_job *pending_head; /* closed jobs waiting for the channel's turn */
    struct vgpu_be_job *pending_tail;
    struct vgpu_be_job *inflight;     /* the job in the scheduler (queued or running) */
    uint64_t id;                      /* unique in this vgpud: the worker's name for it */
    uint64_t wk_serial;               /* the worker that has the data area (pool thread) */
    pthread_mutex_t hb_lock;          /* hostbufs: added and removed by the loop, read by pools */
    struct vgpu_be_hostbuf *hostbufs; /* its host buffers (hostbuf.c) */
    unsigned nhostbufs;
};

/*
 * A host buffer of a channel, from the MAP that vgpud accepted until the
 * answer of its UNMAP (or of a MAP that failed in the worker), or the
 * channel's end. fd stays open so that the worker can map it again after a
 * restart; vgpud itself never touches the contents (copies run in the worker).
 */
struct vgpu_be_hostbuf {
    struct vgpu_be_hostbuf *next;
    uint64_t id, size;
    int fd;                        /* the transport's pages (owned) */
    bool live;                     /* its MAP was answered OK */
    bool dying;                    /* UNMAP taken: copies and a second UNMAP are refused */
    const struct vgpu_be_job *job; /* until live: the job whose MAP it is */
    uint64_t wk_serial;            /* the worker that has it mapped (pool thread) */
};
#define VGPUD_HOSTBUFS_MAX         64u /* per VM: each costs vgpud a descriptor */
#define VGPUD_PINNED_LIMIT_DEFAULT (256ull << 20)

/* One request of a job and its answer. */
struct vgpu_be_item {
    struct vgpu_req req; /* private copy */
    struct vgpu_rsp rsp;
    uint32_t prefail; /* status decided at validation (not executed) */
};

struct vgpu_be_job {
    struct vgpu_be_job *next;
    struct vgpu_be_chan *chan;
    uint32_t n, cap;
    struct vgpu_be_item *items;
    uint64_t sched_id;
    uint64_t submit_ns, dispatch_ns, complete_ns, seq;
    uint8_t priority;
    bool aged;
    char pool[32];
    uint32_t status;   /* first error of the job */
    uint64_t gen;      /* the VM's gen when the job was made */
    uint64_t limit_ns; /* its pool's hard limit at dispatch */
    bool running;      /* dispatched, executing (be->lock) */
    bool finished;     /* on the done list, not yet answered (be->lock) */
    /* A job the loop pushed to its worker (job.c's fast path), for whoever finishes the hop. */
    struct vgpu_be_worker *hop_w; /* the worker it went to; NULL: not pushed by the loop */
    uint32_t hop_n, hop_next;     /* slots of the pushed chunk; the next item to push */
    uint64_t hop_deadline;        /* its hard limit's deadline (UINT64_MAX: none) */
    uint64_t hop_pushed_ns;       /* when the loop pushed it */
    int hop_r;                    /* the loop took its answers: 0 or -errno, */
    uint32_t hop_lost;            /* and the executor code if the context was lost */
#ifdef VGPUD_JOB_STAMPS
    /* Where its time went (bench/latency-split.sh; -DVGPUD_JOB_STAMPS builds only): closed in
     * its channel, pushed to the worker's ring, its answers seen, the worker's own run time,
     * taken off the done list, answered on the guest's ring. CLOCK_MONOTONIC ns. */
    uint64_t st_closed, st_pushed, st_answered, st_wk_run, st_drained, st_answered_guest;
#endif
};
#ifdef VGPUD_JOB_STAMPS
#define VGPUD_STAMP(job, field) ((job)->field = vgpu_be_now())
#else
#define VGPUD_STAMP(job, field) ((void)0)
#endif

struct vgpu_be_config {
    const char *db_path;
    const char *socket_path;
    const char *ctl_path;
    const char *ctl_group;
    const char *executor;   /* auto, cpu, cuda */
    const char *transports; /* "local", "xen", "local,xen" */
    const char *exec_log;   /* CSV path or NULL */
    const char *device;
    const char *metrics_addr; /* --metrics [ADDR:]PORT, NULL = off */
    uint64_t poll_ns;
    uint64_t cpu_mem_bytes;
    /* A VM whose store entry sets no quota gets this much device memory:
     * default_quota_pct percent of the device's, or default_quota bytes when
     * that is not 0 (--default-mem-quota; both 0: no quota). */
    uint64_t default_quota;
    uint32_t default_quota_pct;
    uint64_t default_pinned_limit; /* --default-pinned-limit: host buffers per VM, bytes */
    struct vgpu_be_limits limits;
    struct vgpu_be_pool_policy {
        char pool[32];
        struct vgpu_sched_policy policy;
    } policies[VGPUD_MAX_POLICIES]; /* --policy, applied when the pool is created */
    unsigned npolicies;
};

struct vgpu_be {
    struct vgpu_be_config cfg;
    struct vgpu_be_loop *loop;
    pthread_mutex_t lock;    /* sched, done list, pool waits, job fields set by pools */
    pthread_cond_t hop_free; /* a VM's hop_busy was cleared (with lock) */
    bool loop_runs;          /* the loop serves the rings: it may run jobs' hops (loop thread) */
    struct vgpu_sched *sched;
    struct vgpu_be_pool pools[VGPUD_MAX_POOLS];
    unsigned npools;
    char exec_name[32];              /* the executor the probe opened: "cpu-reference", "cuda" */
    uint32_t exec_kind;              /* enum vgpu_executor_kind */
    struct vgpu_device_info devinfo; /* as the probe worker reported it */
    char worker_path[PATH_MAX];      /* vgpud-worker */
    int worker_exe;                  /* O_PATH fd of it: exec'd after the uid is dropped */
    bool worker_setuid;              /* drop to worker_uid/gid (vgpud runs as root) */
    uid_t worker_uid;
    gid_t worker_gid;
    int log_fd;                     /* workers' output arrives here (datagrams), -1 */
    int log_wfd;                    /* the end workers write to, -1 */
    struct vgpu_be_worker *retired; /* ending workers, reaped by the loop */
    uint64_t worker_serial;         /* last worker serial given (be->lock) */
    uint64_t chan_ids;              /* last channel id given (loop) */
    struct vgpu_store *store;
    struct vgpu_be_vm *vms;
    struct vgpu_be_chan *chans;
    struct vgpu_be_job *done_head, *done_tail; /* completed by pools, for the loop */
    int done_fd;                               /* eventfd: done list non-empty */
    bool stopping;
    bool armed; /* guests signal us (not spinning): re-arm after each pass */
    uint64_t dispatch_seq;
    FILE *exec_log;
    uint64_t poll_spin_ns; /* CPU time spent polling rings */
    uint64_t started_ns;
    void *tstate[4];
    const struct vgpu_be_transport *transports[4];
    unsigned ntransports;
    int ctl_fd;
    int watchdog_fd;                 /* timerfd for budget overruns, -1 if no budget */
    struct vgpu_be_metrics *metrics; /* the Prometheus endpoint, NULL when off */
};

/* vm.c */
int vgpu_be__vm_get(struct vgpu_be *be, const struct vgpu_be_identity *id, struct vgpu_be_vm **out);
uint64_t vgpu_be__vm_quota(const struct vgpu_be *be, const struct vgpu_be_vm *vm);
struct vgpu_be_vm *vgpu_be__vm_by_id(struct vgpu_be *be, uint32_t vm_id);
/* The newest record of the VM with this UUID (NULL for ""). */
struct vgpu_be_vm *vgpu_be__vm_by_uuid(struct vgpu_be *be, const char *uuid);
void vgpu_be__vm_release_chan(struct vgpu_be *be, struct vgpu_be_vm *vm, struct vgpu_be_chan *c);

/* hostbuf.c: host buffers (VGPU_FEAT_HOSTBUF) as vgpud keeps them. */
/* Loop, at validation: the status a HOSTBUF_* request gets now (OK for other ops). */
uint32_t vgpu_be__hostbuf_take(struct vgpu_be_chan *c, struct vgpu_be_job *job,
                               const struct vgpu_req *req);
/* Loop, once the job was answered: forget what its UNMAPs and failed MAPs released. */
void vgpu_be__hostbuf_settle(struct vgpu_be_chan *c, const struct vgpu_be_job *job);
/* Loop, channel gone: close and forget all of c's buffers. */
void vgpu_be__hostbuf_free_all(struct vgpu_be_chan *c);
/* Pool thread: hand w the buffers of c it lacks that job may use. 0 or -errno. */
int vgpu_be__hostbuf_attach(struct vgpu_be_worker *w, struct vgpu_be_chan *c,
                            const struct vgpu_be_job *job);
/* Loop: true if w has every buffer of c that job may use (attach would send nothing). */
bool vgpu_be__hostbuf_ready(const struct vgpu_be_worker *w, struct vgpu_be_chan *c,
                            const struct vgpu_be_job *job);
/* The VM's limit on host buffers, bytes (under vm->lock). */
uint64_t vgpu_be__vm_pinned_limit(const struct vgpu_be *be, const struct vgpu_be_vm *vm);

/* pool.c */
struct vgpu_be_pool *vgpu_be__pool_find(struct vgpu_be *be, const char *name);
int vgpu_be__pool_ensure(struct vgpu_be *be, const char *name);
/*
 * The device a VM of pool `name` gets its worker on, into out: the pool's
 * map-pool GPU or MIG instance, else --device. Takes be->lock.
 */
void vgpu_be__pool_device(struct vgpu_be *be, const char *name, char *out, size_t len);
/*
 * Re-read the pool's device from the store (map-pool) into the pool and
 * into device; 1 if it changed, 0 if not, -ENOENT for no such pool.
 */
int vgpu_be__pool_refresh_device(struct vgpu_be *be, const char *name, char *device, size_t len);
void vgpu_be__pools_stop(struct vgpu_be *be);
int vgpu_be__pool_set_limit(struct vgpu_be *be, const char *name, uint64_t limit_ns);

/* job.c: a job's life, in the order it happens (the file's head comment tells it whole). */
/* Loop: a new, empty job of channel c (NULL: out of memory), and a request added to it. */
struct vgpu_be_job *vgpu_be__job_new(struct vgpu_be_chan *c);
int vgpu_be__job_append(struct vgpu_be_job *job, const struct vgpu_req *req, uint32_t prefail);
/* Loop: the job being gathered (c->cur) is closed: to the end of c's pending list. */
void vgpu_be__chan_queue_cur(struct vgpu_be_chan *c);
/* Loop: start c's pending jobs while it has none in flight (control-only ones answered here). */
void vgpu_be__job_start_next(struct vgpu_be_chan *c);
/* Loop: queue job in its VM's pool and wake the pool's thread. */
void vgpu_be__job_submit(struct vgpu_be *be, struct vgpu_be_job *job);
/* Pool thread, be->lock held: the pool's next job from sched/; 0, or -EAGAIN/-EBUSY. */
int vgpu_be__job_dispatch(struct vgpu_be_pool *p, struct vgpu_be_job **out);
/* Pool thread, no lock: run the job's work in its VM's worker and put its answers together. */
void vgpu_be__job_execute(struct vgpu_be *be, struct vgpu_be_job *job);
/* Pool thread: finish a job the loop dispatched and handed over (p->handoff). */
void vgpu_be__job_resume(struct vgpu_be *be, struct vgpu_be_job *job);
/* Loop: the jobs it pushed to workers, answered: finished and answered here. True if one was. */
bool vgpu_be__job_loop_poll(struct vgpu_be *be);
/* Loop, before it sleeps: its jobs not yet answered go to their pools' threads; stopping: it
 * runs no more hops (shutdown). */
void vgpu_be__job_loop_sleep(struct vgpu_be *be, bool stopping);
/* Pool thread, be->lock held: completed in sched/, handed to the loop (the done list). */
void vgpu_be__job_complete(struct vgpu_be *be, struct vgpu_be_job *job);
void vgpu_be__done_add_locked(struct vgpu_be *be, struct vgpu_be_job *job); /* holds be->lock */
void vgpu_be__done_add(struct vgpu_be *be, struct vgpu_be_job *job);
/* Loop: answer every finished job; true if there was one. */
bool vgpu_be__done_drain(struct vgpu_be *be);
/* Loop: c's in-flight job is finished (or was never run): answered, freed, the next started. */
void vgpu_be__chan_job_done(struct vgpu_be_chan *c, struct vgpu_be_job *job);
/* Loop: answer every request of job with status (cancelled, shut down) without running it. */
void vgpu_be__chan_fail_job(struct vgpu_be_chan *c, struct vgpu_be_job *job, uint32_t status);
void vgpu_be__job_free(struct vgpu_be_job *job);

/* job_control.c: requests vgpud answers itself, and a job's answers once its worker ran it */
void vgpu_be__job_execute_control(struct vgpu_be *be, struct vgpu_be_job *job);
bool vgpu_be__job_item_to_worker(const struct vgpu_be_item *it);
void vgpu_be__job_answer(struct vgpu_be *be, struct vgpu_be_job *job);
bool vgpu_be__job_is_control(const struct vgpu_be_job *job);

/* chan.c */
void vgpu_be__chan_close(struct vgpu_be_chan *c, const char *why);
void vgpu_be__chan_shutdown(struct vgpu_be_chan *c);
bool vgpu_be__chan_poll(struct vgpu_be_chan *c);
void vgpu_be__chans_arm(struct vgpu_be *be, bool armed);

/* execlog.c */
int vgpu_be__execlog_open(struct vgpu_be *be);
void vgpu_be__execlog_write(struct vgpu_be *be, const struct vgpu_be_job *job);

/* ctl.c */
int vgpu_be__ctl_start(struct vgpu_be *be);
/* The "status" answer: a new JSON object the caller puts. Loop thread; takes be->lock. */
struct json_object *vgpu_be__status_json(struct vgpu_be *be);
void vgpu_be__ctl_stop(struct vgpu_be *be);
int vgpu_be__apply_vm(struct vgpu_be *be, const char *uuid, char *err, size_t errlen);
int vgpu_be__remove_vm(struct vgpu_be *be, const char *uuid, char *err, size_t errlen);
int vgpu_be__apply_pool(struct vgpu_be *be, const char *name, char *err, size_t errlen);

/* policy.c */
int vgpu_be__policy_parse(struct vgpu_be_config *cfg, const char *arg, char *err, size_t errlen);
const struct vgpu_sched_policy *vgpu_be__policy_for(const struct vgpu_be_config *cfg,
                                                    const char *pool);
int vgpu_be__watchdog_start(struct vgpu_be *be);
void vgpu_be__watchdog_stop(struct vgpu_be *be);

/* metrics.c: --metrics. parse: 0 or -EINVAL with a message for people in err. */
struct sockaddr_storage;
int vgpu_be__metrics_parse(const char *arg, struct sockaddr_storage *ss, char *err, size_t errlen);
int vgpu_be__metrics_start(struct vgpu_be *be);
void vgpu_be__metrics_stop(struct vgpu_be *be);

/* loop.c */
int vgpu_be__loop_create(struct vgpu_be_loop **out);
void vgpu_be__loop_destroy(struct vgpu_be_loop *l);
int vgpu_be__loop_run(struct vgpu_be *be);
void vgpu_be__loop_stop(struct vgpu_be_loop *l);

/* daemon.c: set up, serve until a signal, shut down; 0 or -errno */
int vgpu_be__daemon_run(struct vgpu_be *be);

/* log.c */
void vgpu_be__log_setup(int level, bool use_syslog);

#endif /* VGPUD_H */
