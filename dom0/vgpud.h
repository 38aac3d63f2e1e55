/* vgpud.h: vgpud's core objects (daemon, VM, channel, job), shared by dom0/ files only. */
#ifndef VGPUD_H
#define VGPUD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "exec.h"
#include "memtab.h"
#include "transport.h"
#include "vgpu_proto.h"
#include "vgpu_sched.h"
#include "vgpu_store.h"

#define VGPUD_CTL_DEFAULT "/run/vgpu/vgpud.ctl"
#define VGPUD_MAX_POOLS   VGPU_SCHED_MAX_POOLS
#define VGPUD_MAX_MODULES 64 /* per channel */
#define VGPUD_MAX_POLICIES 16

struct vgpu_be_job;

/* A pool's dispatcher: one thread, one job at a time. */
struct vgpu_be_pool {
    struct vgpu_be *be;
    char name[32];
    pthread_t thread;
    pthread_cond_t wake;       /* signalled on submit and at shutdown (with be->lock) */
    bool started;
};

/* A VM: shares its executor context and allocations among its channels. */
struct vgpu_be_vm {
    struct vgpu_be_vm *next;
    struct vgpu_be_identity id;
    pthread_mutex_t lock;      /* protects mem, ctx creation */
    struct vgpu_exec_ctx *ctx; /* created on first use, destroyed with the last channel */
    struct vgpu_memtab mem;    /* allocations; tag = owning channel */
    unsigned nchan;
    uint64_t failed;           /* requests answered with an error */
    uint64_t requests;         /* requests answered */
    uint64_t kicks;            /* notifications from its channels (metrics) */
    uint64_t throttles;        /* times a channel's kicks were ignored for a window */
};

enum vgpu_be_chan_state {
    CHAN_OPEN,                 /* serving */
    CHAN_CLOSING,              /* detached or broken: waiting for its running job */
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
    struct vgpu_be_job *cur;           /* requests being gathered into a job */
    struct vgpu_be_job *pending_head;  /* closed jobs waiting for the channel's turn */
    struct vgpu_be_job *pending_tail;
    struct vgpu_be_job *inflight;      /* the job in the scheduler (queued or running) */
    uint64_t modules[VGPUD_MAX_MODULES]; /* loaded by this channel, 0 = free slot */
};

/* One request of a job and its answer. */
struct vgpu_be_item {
    struct vgpu_req req;               /* private copy */
    struct vgpu_rsp rsp;
    uint32_t prefail;                  /* status decided at validation (not executed) */
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
    uint32_t status;                   /* first error of the job */
    bool running;                      /* dispatched, executing (be->lock) */
    bool finished;                     /* on the done list, not yet answered (be->lock) */
};

struct vgpu_be_config {
    const char *db_path;
    const char *socket_path;
    const char *ctl_path;
    const char *ctl_group;
    const char *executor;              /* auto, cpu, cuda */
    const char *transports;            /* "local", "xen", "local,xen" */
    const char *exec_log;              /* CSV path or NULL */
    const char *device;
    const char *metrics_addr;          /* --metrics [ADDR:]PORT, NULL = off */
    uint64_t poll_ns;
    uint64_t cpu_mem_bytes;
    struct vgpu_be_limits limits;
    struct vgpu_be_pool_policy {
        char pool[32];
        struct vgpu_sched_policy policy;
    } policies[VGPUD_MAX_POLICIES];    /* --policy, applied when the pool is created */
    unsigned npolicies;
};

struct vgpu_be {
    struct vgpu_be_config cfg;
    struct vgpu_be_loop *loop;
    pthread_mutex_t lock;              /* sched, done list, pool waits, job fields set by pools */
    struct vgpu_sched *sched;
    struct vgpu_be_pool pools[VGPUD_MAX_POOLS];
    unsigned npools;
    const struct vgpu_exec_ops *xops;
    struct vgpu_exec *exec;
    struct vgpu_store *store;
    struct vgpu_be_vm *vms;
    struct vgpu_be_chan *chans;
    struct vgpu_be_job *done_head, *done_tail; /* completed by pools, for the loop */
    int done_fd;                       /* eventfd: done list non-empty */
    bool stopping;
    bool armed;                        /* guests signal us (not spinning): re-arm after each pass */
    uint64_t dispatch_seq;
    FILE *exec_log;
    uint64_t poll_spin_ns;             /* CPU time spent polling rings */
    uint64_t started_ns;
    void *tstate[4];
    const struct vgpu_be_transport *transports[4];
    unsigned ntransports;
    int ctl_fd;
    int watchdog_fd;                   /* timerfd for budget overruns, -1 if no budget */
    struct vgpu_be_metrics *metrics;   /* the Prometheus endpoint, NULL when off */
};

uint64_t vgpu_be_now(void);

/* vm.c */
int vgpu_be__vm_get(struct vgpu_be *be, const struct vgpu_be_identity *id, struct vgpu_be_vm **out);
struct vgpu_be_vm *vgpu_be__vm_by_id(struct vgpu_be *be, uint32_t vm_id);
int vgpu_be__vm_ctx(struct vgpu_be_vm *vm, struct vgpu_be *be, struct vgpu_exec_ctx **out);
void vgpu_be__vm_release_chan(struct vgpu_be *be, struct vgpu_be_vm *vm, struct vgpu_be_chan *c);

/* pool.c */
struct vgpu_be_pool *vgpu_be__pool_find(struct vgpu_be *be, const char *name);
int vgpu_be__pool_ensure(struct vgpu_be *be, const char *name);
void vgpu_be__pools_stop(struct vgpu_be *be);
void vgpu_be__job_submit(struct vgpu_be *be, struct vgpu_be_job *job);

/* job.c: runs on a pool thread */
void vgpu_be__job_execute(struct vgpu_be *be, struct vgpu_be_job *job);
void vgpu_be__job_execute_control(struct vgpu_be *be, struct vgpu_be_job *job);
bool vgpu_be__job_is_control(const struct vgpu_be_job *job);
void vgpu_be__job_free(struct vgpu_be_job *job);
/* job_ops.c: one executor request; returns its status */
uint32_t vgpu_be__run_one(struct vgpu_be *be, struct vgpu_be_chan *c, struct vgpu_exec_ctx *ctx,
                          struct vgpu_be_item *it);

/* chan.c */
void vgpu_be__chan_job_done(struct vgpu_be_chan *c, struct vgpu_be_job *job);
void vgpu_be__chan_close(struct vgpu_be_chan *c, const char *why);
void vgpu_be__chan_shutdown(struct vgpu_be_chan *c);
void vgpu_be__chan_close_cur(struct vgpu_be_chan *c);
bool vgpu_be__chan_poll(struct vgpu_be_chan *c);
void vgpu_be__chan_fail_job(struct vgpu_be_chan *c, struct vgpu_be_job *job, uint32_t status);
void vgpu_be__chans_arm(struct vgpu_be *be, bool armed);

/* done.c: completions from pool threads to the loop */
void vgpu_be__done_push(struct vgpu_be *be, struct vgpu_be_job *job);
void vgpu_be__done_push_unlocked(struct vgpu_be *be, struct vgpu_be_job *job);
bool vgpu_be__done_drain(struct vgpu_be *be);

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
