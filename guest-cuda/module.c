/* module.c: modules and their functions: images go to the host, handles stay ours. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cuda_int.h"

#define FILE_MAX (256u << 20)

static void func_free(CUfunction f)
{
    if (f->kernel) {
        vcu__obj_del(&f->kernel->obj);
        free(f->kernel);
    }
    vcu__obj_del(&f->obj);
    vcu__params_free(&f->params);
    free(f->name);
    free(f);
}

/* Frees m and its functions; the host side goes with the unload or the channel. */
void vcu__module_free(CUmodule m)
{
    while (m->funcs) {
        CUfunction f = m->funcs;
        m->funcs = f->next;
        func_free(f);
    }
    while (m->globals) {
        struct vcu_alloc *g = m->globals;
        m->globals = g->next;
        free(g);
    }
    vcu__obj_del(&m->obj);
    free(m->ptx);
    free(m);
}

/*
 * The CPU reference executor runs PTX only: an image without any (a
 * cubin, or a fatbin of SASS alone) fails here, as the driver fails an
 * image with no code for its GPU.
 */
CUresult vcu__module_load(CUcontext c, const void *image, CUmodule *out)
{
    const void *data;
    size_t len;
    CUmodule m;
    CUresult r;

    if (!image || !out)
        return CUDA_ERROR_INVALID_VALUE;
    if (vcu__image_span(image, &data, &len) < 0)
        return CUDA_ERROR_INVALID_IMAGE;
    if (vcu__device()->executor == VGPU_EXECUTOR_CPU_REF && !vcu__image_has_ptx(data, len))
        return CUDA_ERROR_NO_BINARY_FOR_GPU;
    m = calloc(1, sizeof(*m));
    if (!m)
        return CUDA_ERROR_OUT_OF_MEMORY;
    r = vcu__result(c, vgpu_module_load(c->ch, data, len, &m->handle));
    if (r != CUDA_SUCCESS) {
        free(m);
        return r;
    }
    m->ctx = c;
    m->ptx = vcu__image_ptx(data, len);
    m->next = c->mods;
    c->mods = m;
    vcu__obj_add(&m->obj, VCU_MOD);
    *out = m;
    return CUDA_SUCCESS;
}

/*
 * PTX text, cubin, fatbin or the runtime's fatbin wrapper; the length follows from the format.
 * Images beyond half of staging go in chunks (up to 64 MiB). No PTX on the CPU executor:
 * CUDA_ERROR_NO_BINARY_FOR_GPU.
 */
VCU_API CUresult cuModuleLoadData(CUmodule *module, const void *image)
{
    CUcontext c;
    CUresult r = vcu__ctx_enter(&c);

    if (r != CUDA_SUCCESS)
        return r;
    r = vcu__module_load(c, image, module);
    vcu__ctx_leave(c);
    return r;
}

/* JIT options are the host's business: accepted and ignored (logs and their sizes stay empty). */
VCU_API CUresult cuModuleLoadDataEx(CUmodule *module, const void *image, unsigned int n,
                                    CUjit_option *options, void **values)
{
    if (n && (!options || !values))
        return CUDA_ERROR_INVALID_VALUE;
    return cuModuleLoadData(module, image);
}

VCU_API CUresult cuModuleLoadFatBinary(CUmodule *module, const void *fatbin)
{
    return cuModuleLoadData(module, fatbin);
}

static CUresult read_file(const char *path, char **out)
{
    FILE *f = fopen(path, "rb");
    long n;
    char *buf = NULL;

    if (!f)
        return CUDA_ERROR_FILE_NOT_FOUND;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && n <= FILE_MAX &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = calloc(1, (size_t)n + 1)) &&
        fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *out = buf;
    return buf ? CUDA_SUCCESS : CUDA_ERROR_INVALID_IMAGE;
}

VCU_API CUresult cuModuleLoad(CUmodule *module, const char *path)
{
    char *image = NULL;
    CUresult r;

    if (!module || !path)
        return CUDA_ERROR_INVALID_VALUE;
    r = read_file(path, &image);
    if (r == CUDA_SUCCESS)
        r = cuModuleLoadData(module, image);
    free(image);
    return r;
}

VCU_API CUresult cuModuleUnload(CUmodule m)
{
    CUmodule *pp;
    CUresult r;

    if (!vcu__obj_ok(m, VCU_MOD))
        return CUDA_ERROR_INVALID_HANDLE;
    r = vcu__ctx_enter_this(m->ctx);
    if (r != CUDA_SUCCESS)
        return r;
    r = vcu__result(m->ctx, vgpu_module_unload(m->ctx->ch, m->handle));
    for (pp = &m->ctx->mods; *pp && *pp != m; pp = &(*pp)->next)
        ;
    if (*pp)
        *pp = m->next;
    vcu__ctx_leave(m->ctx);
    vcu__module_free(m);
    return r;
}

static CUresult func_new(CUmodule m, const char *name, CUfunction *out)
{
    CUfunction f;
    CUresult r;

    for (f = m->funcs; f; f = f->next)
        if (!strcmp(f->name, name)) {
            *out = f;
            return CUDA_SUCCESS;
        }
    f = calloc(1, sizeof(*f));
    if (!f || !(f->name = strdup(name))) {
        free(f);
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    r = vcu__result(m->ctx, vgpu_func_get(m->ctx->ch, m->handle, name, &f->handle));
    if (r != CUDA_SUCCESS) {
        free(f->name);
        free(f);
        return r;
    }
    f->mod = m;
    f->max_dyn_shmem = 48 * 1024;
    /* The host's answer where it has one; else the image's PTX signature. */
    f->params_known = vcu__params_from_host(m->ctx->ch, f->handle, &f->params) == 0 ||
                      (m->ptx && vcu__ptx_params(m->ptx, name, &f->params) == 0);
    f->next = m->funcs;
    m->funcs = f;
    vcu__obj_add(&f->obj, VCU_FUNC);
    *out = f;
    return CUDA_SUCCESS;
}

/*
 * Asks the host for the function, and for its parameter layout (the host's answer, else the
 * image's PTX).
 */
VCU_API CUresult cuModuleGetFunction(CUfunction *pf, CUmodule m, const char *name)
{
    CUresult r;

    if (!pf || !name)
        return CUDA_ERROR_INVALID_VALUE;
    if (!vcu__obj_ok(m, VCU_MOD))
        return CUDA_ERROR_INVALID_HANDLE;
    r = vcu__ctx_enter_this(m->ctx);
    if (r != CUDA_SUCCESS)
        return r;
    r = func_new(m, name, pf);
    vcu__ctx_leave(m->ctx);
    return r;
}

CUfunction vcu__func_of(const void *h)
{
    if (vcu__obj_ok(h, VCU_FUNC))
        return (CUfunction)h;
    if (vcu__obj_ok(h, VCU_KERN))
        return ((const struct CUkern_st *)h)->func;
    return NULL;
}
