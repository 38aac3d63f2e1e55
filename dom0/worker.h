/* worker.h: vgpud's side of the worker processes, one per VM, that run the VM's GPU work. */
#ifndef VGPUD_WORKER_H
#define VGPUD_WORKER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "worker_proto.h"

struct vgpu_be;
struct vgpu_be_vm;
struct vgpu_be_chan;
struct vgpu_be_job;

#define VGPUD_JOB_LIMIT_DEFAULT_NS (30ull * 1000000000ull) /* a pool's hard limit per job */
#define VGPUD_WORKER_USER          "vgpu-worker"           /* created by the install */

/*
 * One worker process. While it serves a VM (vm->worker), only the owner
 * of the VM's hop (vm->hop_busy: a pool thread, or the loop for a job it
 * pushed) uses its fds and ring; the pointer itself is
 * changed under be->lock. Once retired (last channel gone) it belongs to
 * the loop thread, which reaps it.
 */
struct vgpu_be_worker {
    struct vgpu_be_worker *next; /* on be->retired */
    struct vgpu_be *be;
    pid_t pid;
    int pidfd;                /* readable once the process has ended */
    int ctl;                  /* SOCK_SEQPACKET: struct vgpu_worker_msg */
    int kick, notify;         /* eventfds, see worker_proto.h */
    struct vgpu_sring *sring; /* the job ring (vgpud is its frontend) */
    struct vgpu_front_ring ring;
    uint64_t serial; /* unique per process: channels note which has their area */
    uint32_t vm_id;
};

/* worker_spawn.c */
/* Daemon set-up: find vgpud-worker, pick its user, open the log socket; probe the executor. */
int vgpu_be__workers_setup(struct vgpu_be *be);
/* Start a worker for vm on device (NULL: --device; vm NULL and probe: report the device and
 * exit). From the fork on, vm->wk_pid names it (its log lines are the VM's). Waits for its
 * READY until deadline_ns; *ready gets the context creation's status. 0 or -errno. Pool
 * thread or setup. */
int vgpu_be__worker_spawn(struct vgpu_be *be, struct vgpu_be_vm *vm, const char *device, bool probe,
                          uint64_t deadline_ns, struct vgpu_be_worker **out,
                          struct vgpu_worker_msg *ready);
/* Close fds and unmap; the process must have been reaped. Tolerates NULL. */
void vgpu_be__worker_free(struct vgpu_be_worker *w);
/* SIGKILL and reap (blocking: after SIGKILL the kernel ends it). Returns the wait status. */
int vgpu_be__worker_kill(struct vgpu_be_worker *w);

/* worker_hop.c: the steps of a job's trip to its VM's worker (job.c strings them together).
 * The owner of the VM's hop (vm->hop_busy); get_worker and attach: a pool thread only. */
/* After a job's deadline, the time its worker has to stop the kernel and answer before it is
 * killed (a kernel it cannot stop, or a worker that does not answer). */
#define VGPUD_KILL_GRACE_NS (50ull * 1000000ull)
/* Send m with fd attached (SCM_RIGHTS) on w's control socket. 0 or -EPIPE. */
int vgpu_be__worker_send(struct vgpu_be_worker *w, const struct vgpu_worker_msg *m, int fd);
/* The VM's worker, started if it has none. VGPU_S_OK, or the status its requests get. */
uint32_t vgpu_be__hop_get_worker(struct vgpu_be *be, struct vgpu_be_vm *vm,
                                 struct vgpu_be_worker **out);
/* Hand the channel's data area to this worker, once per worker, and the host buffers job uses.
 * 0 or -errno. */
int vgpu_be__hop_attach(struct vgpu_be_worker *w, struct vgpu_be_chan *c,
                        const struct vgpu_be_job *job);
/* Publish the JOB slot and up to a ring's worth of items from *next; returns the slots used. */
uint32_t vgpu_be__hop_push(struct vgpu_be_worker *w, struct vgpu_be_job *job, uint32_t *next,
                           uint64_t deadline);
/* Wait for n answers: spin for poll_ns, then sleep. 0, -ETIMEDOUT, -EPIPE or -EPROTO. */
int vgpu_be__hop_wait(struct vgpu_be *be, struct vgpu_be_worker *w, uint32_t n, uint64_t deadline);
/* Copy the n answers out and check each against what was sent. 0 or -EPROTO; *lost: the
 * executor code if the worker's context was poisoned. */
int vgpu_be__hop_take(struct vgpu_be *be, struct vgpu_be_worker *w, struct vgpu_be_job *job,
                      uint32_t n, uint32_t *lost);

/* worker_life.c: loop thread */
/* The channel is gone: its worker frees what it holds. Never waits. */
void vgpu_be__worker_chan_gone(struct vgpu_be *be, struct vgpu_be_vm *vm, struct vgpu_be_chan *c);
/* The VM's last channel is gone: its worker ends (its context with it). Never waits. */
void vgpu_be__worker_retire(struct vgpu_be *be, struct vgpu_be_vm *vm);
/* Shutdown, jobs still running: SIGKILL every VM's worker (their pool threads reap them). */
void vgpu_be__workers_abort(struct vgpu_be *be);
/* Shutdown: kill and reap every worker. */
void vgpu_be__workers_stop(struct vgpu_be *be);
/* Why a worker was lost. */
enum vgpu_be_loss {
    VGPU_BE_LOSS_CRASH = 0, /* it died, broke the ring, or could not be reached */
    VGPU_BE_LOSS_LIMIT = 1, /* killed: a job ran over its pool's time limit */
    VGPU_BE_LOSS_FAULT = 2, /* a GPU fault poisoned its context; it answered, then ended */
};
/* Pool thread, owning the VM's hop: the worker died or was killed; count it and log it once. */
void vgpu_be__worker_lost(struct vgpu_be *be, struct vgpu_be_vm *vm, enum vgpu_be_loss loss,
                          const char *why);
/* "none", "starting", "idle", "running", "exited" (be->lock held) */
const char *vgpu_be__worker_state(const struct vgpu_be_vm *vm);

/* worker_log.c: workers' stdout and stderr, one datagram per write, into vgpud's log. */
int vgpu_be__worker_log_start(struct vgpu_be *be);
void vgpu_be__worker_log_stop(struct vgpu_be *be);

#endif /* VGPUD_WORKER_H */
