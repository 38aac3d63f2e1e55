/* job_control.c: requests vgpud answers itself (HELLO, DEVICE_INFO, SYNC), and a job's answers. */
#include <string.h>
#include "vgpud.h"

/* Requests that need no executor work. */
static bool is_control_op(uint16_t op)
{
    return op == VGPU_OP_HELLO || op == VGPU_OP_NOP || op == VGPU_OP_DEVICE_INFO ||
           op == VGPU_OP_SYNC || op == VGPU_OP_BATCH_END;
}

bool vgpu_be__job_is_control(const struct vgpu_be_job *job)
{
    uint32_t i;

    for (i = 0; i < job->n; i++)
        if (!job->items[i].prefail && !is_control_op(job->items[i].req.op))
            return false;
    return true;
}

/* What HELLO offers: the ops behind these features run in the VM's worker (wk_params.c,
 * wk_upload.c, wk_globals.c, wk_ops.c's EVENT_MARK); host buffers (wk_hostbuf.c) where the
 * transport has them. */
#define HOST_FEATURES                                                                              \
    (VGPU_FEAT_EVENT_IDX | VGPU_FEAT_FUNC_PARAMS | VGPU_FEAT_MODULE_CHUNKS | VGPU_FEAT_GLOBALS |   \
     VGPU_FEAT_STREAMS)

static uint32_t do_hello(struct vgpu_be_chan *c, const struct vgpu_req *req, struct vgpu_rsp *rsp)
{
    uint16_t version;
    uint64_t features;
    uint64_t offer = HOST_FEATURES | (c->d.ops->hostbuf_take ? VGPU_FEAT_HOSTBUF : 0);
    int st = vgpu_proto_negotiate(&req->u.hello, offer, &version, &features);

    if (st != VGPU_S_OK)
        return (uint32_t)st;
    c->features = features;
    /* Stream ids pass from the next request on; read by the loop thread (chan.c). */
    __atomic_store_n(&c->lim.features, features, __ATOMIC_RELAXED);
    rsp->u.hello.version = version;
    rsp->u.hello.nr_slots = c->ring.nr_slots;
    rsp->u.hello.features = features;
    rsp->u.hello.data_size = c->d.data_size;
    rsp->u.hello.max_inflight = c->ring.nr_slots;
    return VGPU_S_OK;
}

static uint32_t do_info(struct vgpu_be *be, struct vgpu_be_chan *c, const struct vgpu_req *req)
{
    struct vgpu_device_info info = be->devinfo; /* as the probe worker reported it */
    struct vgpu_be_vm *vm = c->vm;

    pthread_mutex_lock(&vm->lock);
    snprintf(info.pool, sizeof(info.pool), "%s", vm->id.pool);
    info.vm_id = vm->id.vm_id;
    info.priority = (uint32_t)vm->id.priority;
    info.mem_quota = vgpu_be__vm_quota(c->be, vm);
    pthread_mutex_unlock(&vm->lock);
    pthread_mutex_lock(&be->lock);
    info.mem_used = vm->mem_used;
    pthread_mutex_unlock(&be->lock);
    /* Built privately, then copied out whole; the range was validated. */
    memcpy((uint8_t *)c->d.data + req->u.info.data_off, &info, sizeof(info));
    return VGPU_S_OK;
}

static uint32_t control_one(struct vgpu_be *be, struct vgpu_be_chan *c, struct vgpu_be_item *it)
{
    switch (it->req.op) {
    case VGPU_OP_HELLO:
        return do_hello(c, &it->req, &it->rsp);
    case VGPU_OP_DEVICE_INFO:
        return do_info(be, c, &it->req);
    default:
        return VGPU_S_OK;
    }
}

void vgpu_be__job_execute_control(struct vgpu_be *be, struct vgpu_be_job *job)
{
    uint32_t i;

    for (i = 0; i < job->n; i++) {
        struct vgpu_be_item *it = &job->items[i];
        it->rsp.status = it->prefail ? it->prefail : control_one(be, job->chan, it);
        if (it->req.op == VGPU_OP_SYNC && !it->rsp.status)
            it->rsp.status = job->status;
        if (it->rsp.status && !job->status)
            job->status = it->rsp.status;
    }
}

/* Requests the worker runs: executor work and SYNC (it waits for that work). */
bool vgpu_be__job_item_to_worker(const struct vgpu_be_item *it)
{
    return !it->prefail && (!is_control_op(it->req.op) || it->req.op == VGPU_OP_SYNC);
}

/* The worker's answers are in; answer the rest, in order. A SYNC reports the job's first error. */
void vgpu_be__job_answer(struct vgpu_be *be, struct vgpu_be_job *job)
{
    uint32_t i;

    for (i = 0; i < job->n; i++) {
        struct vgpu_be_item *it = &job->items[i];
        if (it->prefail)
            it->rsp.status = it->prefail;
        else if (!vgpu_be__job_item_to_worker(it))
            it->rsp.status = control_one(be, job->chan, it);
        if (it->req.op == VGPU_OP_SYNC && !it->rsp.status)
            it->rsp.status = job->status;
        if (it->rsp.status && !job->status)
            job->status = it->rsp.status;
    }
}
