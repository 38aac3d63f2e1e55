/* wk_upload.c: MODULE_CHUNK: a module image larger than the data area, gathered chunk by chunk. */
#include <stdlib.h>
#include <string.h>
#include "wk.h"

/* A module image arriving on one channel; the channel's jobs run one at a time, in order. */
struct wk_upload {
    uint8_t *image; /* total + 1 bytes: the executor gets a NUL-terminated image */
    uint64_t total; /* bytes announced by the first chunk */
    uint64_t got;   /* bytes received so far */
};

void wk__upload_free(struct wk_chan *c)
{
    if (!c->upload)
        return;
    free(c->upload->image);
    free(c->upload);
    c->upload = NULL;
}

/* The first chunk: a new upload of total bytes, dropping one not finished. */
static uint32_t upload_start(struct wk_chan *c, uint64_t total)
{
    wk__upload_free(c);
    c->upload = calloc(1, sizeof(*c->upload));
    if (!c->upload)
        return VGPU_S_NO_MEMORY;
    c->upload->image = malloc(total + 1);
    if (!c->upload->image) {
        wk__upload_free(c);
        return VGPU_S_NO_MEMORY;
    }
    c->upload->total = total;
    return VGPU_S_OK;
}

/*
 * Validation checked the chunk against its own total and the data area;
 * here it must continue the channel's upload. Any failure drops the upload.
 */
uint32_t wk__op_module_chunk(struct wk *w, struct wk_chan *c, const struct vgpu_req *req,
                             struct vgpu_rsp *rsp)
{
    const struct vgpu_req_module_chunk *k = &req->u.chunk;
    struct wk_upload *u;
    uint32_t st = VGPU_S_OK;

    if (k->offset == 0)
        st = upload_start(c, k->total);
    u = c->upload;
    if (st != VGPU_S_OK || !u || u->total != k->total || u->got != k->offset) {
        wk__upload_free(c);
        return st != VGPU_S_OK ? st : VGPU_S_BAD_FIELD;
    }
    st =
        (uint32_t)vgpu_proto_copy_in(c->data, c->data_size, k->data_off, k->len, u->image + u->got);
    u->got += k->len;
    if (st == VGPU_S_OK && (k->flags & VGPU_CHUNKF_LAST)) {
        st = u->got == u->total ? VGPU_S_OK : VGPU_S_BAD_FIELD;
        u->image[u->total] = '\0';
        if (st == VGPU_S_OK)
            st = wk__module_install(w, c, u->image, u->total, rsp);
        wk__upload_free(c);
    } else if (st != VGPU_S_OK) {
        wk__upload_free(c);
    }
    return st;
}
