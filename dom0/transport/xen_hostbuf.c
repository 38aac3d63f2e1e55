/* xen_hostbuf.c: host buffers on Xen: a guest's grant directory read, checked, shared with the
 * worker. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/mman.h>
#include <unistd.h>
#include "xen_internal.h"

/* One buffer the core holds: its pages count against the channel's grants until dropped. */
struct vgpu_xen_hb {
    struct vgpu_xen_hb *next;
    uint64_t buf;   /* the guest's id */
    uint32_t pages; /* grant pages the worker may map */
};

static struct vgpu_xen_hb **find(struct vgpu_xen_chan *c, uint64_t buf)
{
    struct vgpu_xen_hb **pp;

    for (pp = &c->hostbufs; *pp; pp = &(*pp)->next)
        if ((*pp)->buf == buf)
            return pp;
    return NULL;
}

/*
 * Map n grant pages of c's domain read-only for a moment and return a
 * private copy (the caller frees it), or NULL when any of them did not map.
 */
static struct vgpu_data_dir *copy_pages(struct vgpu_xen_chan *c, const uint32_t *refs, uint32_t n)
{
    struct vgpu_xen *x = c->dev->x;
    struct vgpu_data_dir *copy = malloc((size_t)n * sizeof(*copy));
    void *shared;

    if (!copy)
        return NULL;
    shared = xengnttab_map_domain_grant_refs(x->xgt, n, c->dev->domid, (uint32_t *)refs, PROT_READ);
    if (!shared) {
        free(copy);
        return NULL;
    }
    vgpu_proto_copy_shared(copy, shared, (size_t)n * sizeof(*copy));
    xengnttab_unmap(x->xgt, shared, n);
    return copy;
}

/*
 * The data-page refs of a checked top page, from copies of its directory
 * pages, each checked: refs[0..size/4096). VGPU_S_OK, BAD_FIELD, NO_MEMORY.
 */
static uint32_t read_dirs(struct vgpu_xen_chan *c, const struct vgpu_data_dir *top, uint64_t size,
                          uint32_t *refs, const char **why)
{
    struct vgpu_data_dir *dirs = copy_pages(c, top->gref, top->nr_pages);
    uint32_t i, st = VGPU_S_OK;

    if (!dirs) {
        *why = "its directory pages did not map";
        return VGPU_S_BAD_FIELD;
    }
    for (i = 0; i < top->nr_pages && st == VGPU_S_OK; i++) {
        st = vgpu_proto_check_hostbuf_dir(&dirs[i], i, size);
        if (st == VGPU_S_OK)
            memcpy(refs + (size_t)i * VGPU_DATA_DIR_SLOTS, dirs[i].gref,
                   dirs[i].nr_pages * sizeof(*refs));
    }
    if (st != VGPU_S_OK)
        *why = "a directory page is malformed (magic or page count)";
    free(dirs);
    return st;
}

/* The checked grant refs of m's pages, in *refs (the caller frees it). */
static uint32_t read_refs(struct vgpu_xen_chan *c, const struct vgpu_req_hostbuf_map *m,
                          uint32_t **refs, const char **why)
{
    struct vgpu_data_dir *top = copy_pages(c, &m->grant_dir, 1);
    uint32_t st;

    *refs = NULL;
    if (!top) {
        *why = "grant_dir did not map";
        return VGPU_S_BAD_FIELD;
    }
    if (vgpu_proto_check_hostbuf_top(top, m->size) != VGPU_S_OK) {
        *why = "its top directory is malformed (magic, or not the size's directory count)";
        st = VGPU_S_BAD_FIELD;
    } else if ((*why = vgpu_xen__grants_refused(c, m->size / VGPU_PAGE_SIZE)) != NULL) {
        st = VGPU_S_PINNED_LIMIT; /* before its directory pages are even looked at */
    } else if (!(*refs = malloc((size_t)(m->size / VGPU_PAGE_SIZE) * sizeof(**refs)))) {
        *why = "out of memory";
        st = VGPU_S_NO_MEMORY;
    } else {
        st = read_dirs(c, top, m->size, *refs, why);
    }
    free(top);
    if (st != VGPU_S_OK) {
        free(*refs);
        *refs = NULL;
    }
    return st;
}

/* A gntdev fd with exactly those grants, mapped by the worker at offset 0. */
static uint32_t share(struct vgpu_xen_chan *c, const uint32_t *refs, uint32_t n, int *fd,
                      const char **why)
{
    uint64_t off = 0;
    int err = vgpu_xen__gntdev_share(c->dev->domid, refs, n, fd, &off);

    if (err == 0 && off == 0)
        return VGPU_S_OK;
    if (err == 0) { /* a fresh instance's first map is at 0: the worker maps there */
        close(*fd);
        *fd = -1;
    }
    *why = "gntdev refused the grant refs";
    return VGPU_S_NO_MEMORY;
}

uint32_t vgpu_xen__hostbuf_take(void *tctx, const struct vgpu_req_hostbuf_map *m, int *fd)
{
    struct vgpu_xen_chan *c = tctx;
    struct vgpu_xen_hb *hb = NULL;
    const char *why = "its id is in use";
    uint32_t *refs = NULL, pages = 0, st = VGPU_S_BAD_FIELD;

    *fd = -1;
    if (!find(c, m->buf))
        st = read_refs(c, m, &refs, &why);
    if (st == VGPU_S_OK) {
        pages = (uint32_t)(m->size / VGPU_PAGE_SIZE); /* bounded by the top page's check */
        st = share(c, refs, pages, fd, &why);
    }
    if (st == VGPU_S_OK && !(hb = calloc(1, sizeof(*hb)))) {
        close(*fd);
        *fd = -1;
        why = "out of memory";
        st = VGPU_S_NO_MEMORY;
    }
    free(refs);
    if (st == VGPU_S_PINNED_LIMIT) /* its own line: a budget spent is not a malformed request */
        vgpu_be_log_ratelimited(
            LOG_WARNING, c,
            "xen: dom%u/%u/ch%u: host buffer %" PRIu64 " (%" PRIu64 " pages) refused: %s",
            c->dev->domid, c->dev->devid, c->index, m->buf, m->size / VGPU_PAGE_SIZE, why);
    else if (st != VGPU_S_OK)
        vgpu_be_log_ratelimited(LOG_WARNING, c,
                                "xen: dom%u/%u/ch%u: host buffer %" PRIu64 " (%" PRIu64
                                " bytes) refused: %s",
                                c->dev->domid, c->dev->devid, c->index, m->buf, m->size, why);
    if (st != VGPU_S_OK)
        return st;
    hb->buf = m->buf;
    hb->pages = pages;
    hb->next = c->hostbufs;
    c->hostbufs = hb;
    vgpu_xen__grants_take(c, pages);
    return VGPU_S_OK;
}

void vgpu_xen__hostbuf_drop(void *tctx, uint64_t buf)
{
    struct vgpu_xen_chan *c = tctx;
    struct vgpu_xen_hb **pp = find(c, buf), *hb;

    if (!pp)
        return;
    hb = *pp;
    *pp = hb->next;
    vgpu_xen__grants_give(c, hb->pages);
    free(hb);
}

void vgpu_xen__hostbufs_forget(struct vgpu_xen_chan *c)
{
    while (c->hostbufs)
        vgpu_xen__hostbuf_drop(c, c->hostbufs->buf);
}
