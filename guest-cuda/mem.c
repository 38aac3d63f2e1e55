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

/*
 * Page-locked host memory: a libvgpu host buffer in the data area while
 * there is room (copies from and to it need no staging), else ordinary
 * memory (copies are staged, as from pageable memory).
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
        h->p = vgpu_host_alloc(c->ch, bytes);
        h->shared = h->p != NULL;
        if (!h->p && posix_memalign(&h->p, 4096, bytes) != 0)
            h->p = NULL;
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

/* Mapped host memory would need the device to reach guest memory: not offered. */
VCU_API CUresult cuMemHostGetDevicePointer_v2(CUdeviceptr *dptr, void *p, unsigned int flags)
{
    return CUDA_ERROR_NOT_SUPPORTED;
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
