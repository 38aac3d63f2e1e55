/* mem.c: device memory (alloc, free, info) and page-locked host memory on libvgpu's host buffers.
 */
#include <stdlib.h>
#include "cuda_int.h"

bool vcu__dev_range(CUcontext c, CUdeviceptr p, size_t len)
{
    const struct vcu_alloc *a;

    for (a = c->allocs; a; a = a->next)
        if (p >= a->base && p - a->base <= a->size && len <= a->size - (p - a->base))
            return true;
    return vcu__global_range(c, p, len);
}

/* Device memory of the VM on the host, within its quota (CUDA_ERROR_OUT_OF_MEMORY beyond). */
VCU_API CUresult cuMemAlloc_v2(CUdeviceptr *dptr, size_t bytes)
{
    struct vcu_alloc *a;
    CUcontext c;
    CUresult r;
    uint64_t d;

    if (!dptr || bytes == 0)
        return CUDA_ERROR_INVALID_VALUE;
    r = vcu__ctx_enter(&c);
    if (r != CUDA_SUCCESS)
        return r;
    a = malloc(sizeof(*a));
    r = a ? vcu__result(c, vgpu_mem_alloc(c->ch, bytes, &d)) : CUDA_ERROR_OUT_OF_MEMORY;
    if (r == CUDA_SUCCESS) {
        *a = (struct vcu_alloc){.base = d, .size = bytes, .next = c->allocs};
        c->allocs = a;
        *dptr = d;
    } else {
        free(a);
    }
    vcu__ctx_leave(c);
    return r;
}

/* Only the base pointer of an allocation of the current context; else CUDA_ERROR_INVALID_VALUE. */
VCU_API CUresult cuMemFree_v2(CUdeviceptr dptr)
{
    struct vcu_alloc **pp, *a;
    CUcontext c;
    CUresult r;

    r = vcu__ctx_enter(&c);
    if (r != CUDA_SUCCESS)
        return r;
    for (pp = &c->allocs; *pp && (*pp)->base != dptr; pp = &(*pp)->next)
        ;
    r = CUDA_ERROR_INVALID_VALUE;
    if (*pp) {
        a = *pp;
        r = vcu__result(c, vgpu_mem_free(c->ch, dptr));
        *pp = a->next;
        free(a);
    }
    vcu__ctx_leave(c);
    return r;
}

/* Free and total as the host sees this VM: its quota (else the device) less its allocations. */
VCU_API CUresult cuMemGetInfo_v2(size_t *free_bytes, size_t *total)
{
    struct vgpu_device_info info;
    CUcontext c;
    CUresult r = vcu__ctx_enter(&c);
    uint64_t cap;

    if (r != CUDA_SUCCESS)
        return r;
    r = vcu__result(c, vgpu_device_info(c->ch, &info));
    vcu__ctx_leave(c);
    if (r != CUDA_SUCCESS)
        return r;
    cap = info.mem_quota ? info.mem_quota : info.total_mem;
    if (free_bytes)
        *free_bytes = cap > info.mem_used ? cap - info.mem_used : 0;
    if (total)
        *total = cap;
    return CUDA_SUCCESS;
}

VCU_API CUresult cuMemGetAddressRange_v2(CUdeviceptr *base, size_t *size, CUdeviceptr dptr)
{
    const struct vcu_alloc *a;
    CUcontext c;
    CUresult r = vcu__ctx_enter(&c);

    if (r != CUDA_SUCCESS)
        return r;
    r = CUDA_ERROR_NOT_FOUND;
    for (a = c->allocs; a; a = a->next)
        if (dptr >= a->base && dptr - a->base < a->size) {
            if (base)
                *base = a->base;
            if (size)
                *size = a->size;
            r = CUDA_SUCCESS;
        }
    vcu__ctx_leave(c);
    return r;
}

const struct vcu_hostmem *vcu__host_find(CUcontext c, const void *p, size_t len)
{
    const struct vcu_hostmem *h;
    const char *q = p;

    for (h = c->host; h; h = h->next)
        if (q >= (const char *)h->p && (size_t)(q - (const char *)h->p) <= h->size &&
            len <= h->size - (size_t)(q - (const char *)h->p))
            return h;
    return NULL;
}

/* A host buffer; ordinary memory only where the host offers none. *shared: which. */
static void *host_alloc(CUcontext c, size_t bytes, bool *shared)
{
    struct vgpu_error e;
    void *p = vgpu_host_alloc(c->ch, bytes);

    *shared = p != NULL;
    if (p)
        return p;
    vgpu_last_error(c->ch, &e);
    if (e.status == VGPU_S_UNSUPPORTED && posix_memalign(&p, 4096, bytes) == 0)
        return p;
    return NULL;
}

/*
 * Page-locked host memory: a libvgpu host buffer of any size, shared with
 * the host for its life, so copies from and to it are one request with no
 * staging (issue 19). A host that offers no host buffers (an older vgpud, a
 * transport without them) gets ordinary memory (copies are staged, as from
 * pageable memory); one that refuses (the VM's pinned limit, Dom0 out of
 * memory) makes the call fail with CUDA_ERROR_OUT_OF_MEMORY, as the driver
 * does when it cannot pin. Flags are accepted: PORTABLE is what every
 * context of the process gets anyway, WRITECOMBINED changes nothing here,
 * DEVICEMAP's device pointer is not offered (cuMemHostGetDevicePointer).
 */
VCU_API CUresult cuMemHostAlloc(void **pp, size_t bytes, unsigned int flags)
{
    struct vcu_hostmem *h;
    CUcontext c;
    CUresult r;

    if (!pp || bytes == 0 || flags & ~7u)
        return CUDA_ERROR_INVALID_VALUE;
    r = vcu__ctx_enter(&c);
    if (r != CUDA_SUCCESS)
        return r;
    h = calloc(1, sizeof(*h));
    if (h) {
        h->size = bytes;
        h->p = host_alloc(c, bytes, &h->shared);
    }
    if (h && h->p) {
        h->next = c->host;
        c->host = h;
        *pp = h->p;
    } else {
        free(h);
        r = CUDA_ERROR_OUT_OF_MEMORY;
    }
    vcu__ctx_leave(c);
    return r;
}

VCU_API CUresult cuMemAllocHost_v2(void **pp, size_t bytes)
{
    return cuMemHostAlloc(pp, bytes, 0);
}

VCU_API CUresult cuMemFreeHost(void *p)
{
    struct vcu_hostmem **pp, *h;
    CUcontext c;
    CUresult r = vcu__ctx_enter(&c);

    if (r != CUDA_SUCCESS)
        return r;
    for (pp = &c->host; *pp && (*pp)->p != p; pp = &(*pp)->next)
        ;
    r = CUDA_ERROR_INVALID_VALUE;
    if (*pp) {
        h = *pp;
        *pp = h->next;
        if (h->shared) {
            vgpu_sync(c->ch); /* copies that use it are done before it is reused */
            vgpu_host_free(c->ch, h->p);
        } else {
            free(h->p);
        }
        free(h);
        r = CUDA_SUCCESS;
    }
    vcu__ctx_leave(c);
    return r;
}

/*
 * Mapped host memory (kernels reading a host buffer through a device
 * address) would need the executor to hand out a device address for the
 * registered pages, which the protocol does not carry: copies to and from
 * host buffers are the way. CUDA_ERROR_INVALID_VALUE for a pointer that is
 * not page-locked memory of the current context, as the driver answers.
 */
VCU_API CUresult cuMemHostGetDevicePointer_v2(CUdeviceptr *dptr, void *p, unsigned int flags)
{
    CUcontext c;
    CUresult r;

    if (!dptr || !p || flags)
        return CUDA_ERROR_INVALID_VALUE;
    r = vcu__ctx_enter(&c);
    if (r != CUDA_SUCCESS)
        return r;
    r = vcu__host_find(c, p, 1) ? CUDA_ERROR_NOT_SUPPORTED : CUDA_ERROR_INVALID_VALUE;
    vcu__ctx_leave(c);
    return r;
}

/* Frees what a context still holds; its channel is about to close. */
void vcu__mem_release(CUcontext c)
{
    while (c->allocs) {
        struct vcu_alloc *a = c->allocs;
        c->allocs = a->next;
        free(a); /* the host frees the VM's memory with the channel */
    }
    while (c->host) {
        struct vcu_hostmem *h = c->host;
        c->host = h->next;
        if (!h->shared)
            free(h->p);
        free(h);
    }
}
