/* module.c: loading a module image (PTX text or fatbin) into lowered programs, and freeing it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ptx_int.h"

#define CHUNK_SIZE 65536u

struct ptx_arena_chunk {
    struct ptx_arena_chunk *next;
    size_t used, cap;
    max_align_t data[]; /* cap bytes */
};

void *ptx__alloc(struct ptx_arena *a, size_t n)
{
    struct ptx_arena_chunk *c = a->head;
    void *r;

    n = (n + 15) & ~(size_t)15;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > CHUNK_SIZE ? n : CHUNK_SIZE;
        c = malloc(sizeof(*c) + cap);
        if (!c)
            return NULL;
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
    }
    r = (char *)c->data + c->used;
    c->used += n;
    return r;
}

char *ptx__strndup(struct ptx_arena *a, const char *s, size_t n)
{
    char *r = ptx__alloc(a, n + 1);

    if (r) {
        memcpy(r, s, n);
        r[n] = '\0';
    }
    return r;
}

void ptx__arena_free(struct ptx_arena *a)
{
    while (a->head) {
        struct ptx_arena_chunk *c = a->head;
        a->head = c->next;
        free(c);
    }
}

int ptx__grow(void **v, uint32_t *cap, uint32_t n, size_t sz)
{
    void *nv;
    uint32_t nc;

    if (n < *cap)
        return 0;
    nc = *cap ? *cap * 2 : 8;
    nv = realloc(*v, (size_t)nc * sz);
    if (!nv)
        return -ENOMEM;
    *v = nv;
    *cap = nc;
    return 0;
}

enum ptx_type ptx__type_of(const char *mod)
{
    static const char *const names[] = {
        [PT_B8] = ".b8",   [PT_B16] = ".b16", [PT_B32] = ".b32", [PT_B64] = ".b64",
        [PT_U8] = ".u8",   [PT_U16] = ".u16", [PT_U32] = ".u32", [PT_U64] = ".u64",
        [PT_S8] = ".s8",   [PT_S16] = ".s16", [PT_S32] = ".s32", [PT_S64] = ".s64",
        [PT_F16] = ".f16", [PT_F32] = ".f32", [PT_F64] = ".f64", [PT_PRED] = ".pred",
    };
    size_t i;

    for (i = 1; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(mod, names[i]) == 0)
            return (enum ptx_type)i;
    return PT_NONE;
}

unsigned ptx__type_bytes(enum ptx_type t)
{
    switch (t) {
    case PT_B8:
    case PT_U8:
    case PT_S8:
    case PT_PRED:
        return 1;
    case PT_B16:
    case PT_U16:
    case PT_S16:
    case PT_F16:
        return 2;
    case PT_B32:
    case PT_U32:
    case PT_S32:
    case PT_F32:
        return 4;
    case PT_B64:
    case PT_U64:
    case PT_S64:
    case PT_F64:
        return 8;
    default:
        return 0;
    }
}

/* Parses and lowers text; the parsed form is dropped once lowered. */
static int load_text(const char *text, size_t len, struct vgpu_ptx_module *m, char *err,
                     size_t errlen)
{
    struct ptx_arena arena = {NULL};
    struct ptx_ast ast;
    int r;

    r = ptx__parse(text, len, &arena, &ast, err, errlen);
    if (r == 0)
        r = ptx__lower(&ast, m, err, errlen);
    ptx__ast_free(&ast);
    ptx__arena_free(&arena);
    return r;
}

static bool looks_like_ptx(const char *s, size_t len)
{
    return memmem(s, len, ".version", 8) != NULL && memmem(s, len, ".target", 7) != NULL;
}

int vgpu_ptx_module_load(const void *image, size_t len, struct vgpu_ptx_module **out, char *err,
                         size_t errlen)
{
    struct vgpu_ptx_module *m;
    char *text = NULL;
    size_t text_len = len;
    int r;

    snprintf(err, errlen, "no error");
    if (ptx__is_fatbin(image, len)) {
        r = ptx__fatbin_ptx(image, len, &text, &text_len, err, errlen);
        if (r)
            return r;
    } else if (len >= 4 && memcmp(image,
                                  "\x7f"
                                  "ELF",
                                  4) == 0) {
        snprintf(err, errlen,
                 "no PTX in the image (a cubin: machine code only); build with "
                 "code=compute_XX");
        return -ENOEXEC;
    } else if (memchr(image, '\0', len) &&
               memchr(image, '\0', len) != (const char *)image + len - 1) {
        snprintf(err, errlen, "not PTX text (a NUL byte inside) nor a fatbin");
        return -ENOEXEC;
    } else if (!looks_like_ptx(image, len)) {
        snprintf(err, errlen, "not PTX text (no .version/.target) nor a fatbin");
        return -ENOEXEC;
    }
    m = calloc(1, sizeof(*m));
    if (!m) {
        free(text);
        return -ENOMEM;
    }
    r = load_text(text ? text : image, text_len, m, err, errlen);
    free(text);
    if (r) {
        vgpu_ptx_module_free(m);
        return r;
    }
    *out = m;
    return 0;
}

void vgpu_ptx_module_free(struct vgpu_ptx_module *m)
{
    uint32_t i;

    if (!m)
        return;
    for (i = 0; i < m->nprogs; i++) {
        free(m->progs[i].name);
        free(m->progs[i].code);
        free(m->progs[i].consts);
        free(m->progs[i].pro);
        free(m->progs[i].params);
    }
    for (i = 0; i < m->nglobals; i++)
        free(m->globals[i].name);
    free(m->globals);
    free(m->progs);
    free(m->data);
    free(m);
}

int vgpu_ptx_entry_find(const struct vgpu_ptx_module *m, const char *name)
{
    uint32_t i;

    for (i = 0; i < m->nprogs; i++)
        if (strcmp(m->progs[i].name, name) == 0)
            return (int)i;
    return -ENOENT;
}

int vgpu_ptx_entry_count(const struct vgpu_ptx_module *m)
{
    return (int)m->nprogs;
}

size_t vgpu_ptx_entry_params_size(const struct vgpu_ptx_module *m, int entry)
{
    return m->progs[entry].params_size;
}

uint32_t vgpu_ptx_entry_nparams(const struct vgpu_ptx_module *m, int entry)
{
    return m->progs[entry].nparams;
}

void vgpu_ptx_entry_param(const struct vgpu_ptx_module *m, int entry, uint32_t i, uint32_t *offset,
                          uint32_t *size)
{
    *offset = m->progs[entry].params[i].offset;
    *size = m->progs[entry].params[i].size;
}

int vgpu_ptx_global(struct vgpu_ptx_module *m, const char *name, void **host, uint64_t *size,
                    uint64_t *addr)
{
    uint32_t i;

    for (i = 0; i < m->nglobals; i++)
        if (strcmp(m->globals[i].name, name) == 0) {
            *host = m->data + m->globals[i].off;
            *size = m->globals[i].size;
            *addr = PTX_GEN_DATA + m->globals[i].off;
            return 0;
        }
    return -ENOENT;
}

void vgpu_ptx_module_data(struct vgpu_ptx_module *m, void **host, uint64_t *size)
{
    *host = m->data;
    *size = m->data_size;
}

const char *vgpu_ptx_fault_name(enum vgpu_ptx_fault_kind kind)
{
    switch (kind) {
    case VGPU_PTX_FAULT_NONE:
        return "none";
    case VGPU_PTX_FAULT_ILLEGAL_ADDRESS:
        return "illegal address";
    case VGPU_PTX_FAULT_MISALIGNED:
        return "misaligned address";
    case VGPU_PTX_FAULT_TRAP:
        return "trap";
    case VGPU_PTX_FAULT_STOPPED:
        return "stopped";
    case VGPU_PTX_FAULT_DEADLINE:
        return "time limit reached";
    }
    return "?";
}
