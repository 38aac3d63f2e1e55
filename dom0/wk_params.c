/* wk_params.c: FUNC_PARAMS: a function's packed parameter layout, from the executor, into the data
 * area. */
#include <stdlib.h>
#include <string.h>
#include "wk.h"

/*
 * Validation checked max and that max entries fit at data_off in c's data
 * area. The function must be one c got, as for a launch. The layout is
 * built privately and copied out whole. Answering a channel that did not
 * agree VGPU_FEAT_FUNC_PARAMS does no harm: the op only reads.
 */
uint32_t wk__op_func_params(struct wk *w, struct wk_chan *c, const struct vgpu_req *req,
                            struct vgpu_rsp *rsp)
{
    const struct vgpu_req_func_params *q = &req->u.func_params;
    struct vgpu_param_info *out;
    uint32_t count = 0, st;

    if (!wk__func_owned(c, q->func))
        return VGPU_S_BAD_HANDLE;
    if (!w->xops->func_params)
        return VGPU_S_UNSUPPORTED;
    out = calloc(q->max, sizeof(*out));
    if (!out)
        return VGPU_S_NO_MEMORY;
    st = (uint32_t)w->xops->func_params(w->ctx, q->func, out, q->max, &count, &rsp->detail);
    if (st == VGPU_S_OK) {
        memcpy(c->data + q->data_off, out,
               (size_t)(count < q->max ? count : q->max) * sizeof(*out));
        rsp->u.handle = count;
    }
    free(out);
    return st;
}
