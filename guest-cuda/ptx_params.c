/* ptx_params.c: a kernel's parameter layout from its PTX .entry signature. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cuda_int.h"

#define PARAMS_MAX 1024u

/*
 * An entry reads: [.visible] .entry NAME ( .param TYPE [.ptr .SPACE]
 * [.align N] PNAME[[COUNT]], ... ). Each parameter sits at the next
 * multiple of its alignment (its .align, else its element size); the
 * buffer is rounded up to the largest alignment, as a C struct of the
 * same members would be.
 */

/* Element size of a PTX scalar type (".u32" ...), 0 if p is not one. */
static uint32_t type_size(const char *p, size_t n)
{
    if (n < 3 || p[0] != '.' || !strchr("usbf", p[1]))
        return 0;
    if (n == 3 && p[2] == '8')
        return 1;
    if (n == 4 && !memcmp(p + 2, "16", 2))
        return 2;
    if (n == 4 && !memcmp(p + 2, "32", 2))
        return 4;
    if (n == 4 && !memcmp(p + 2, "64", 2))
        return 8;
    return 0;
}

/* Next token: a word, or one punctuation character. Returns its length; 0 at the end. */
static size_t token(const char **pp, const char **tok)
{
    const char *p = *pp;
    size_t n = 0;

    while (*p && isspace((unsigned char)*p))
        p++;
    *tok = p;
    if (*p && strchr("(),[]", *p))
        n = 1;
    else
        while (p[n] && !isspace((unsigned char)p[n]) && !strchr("(),[]", p[n]))
            n++;
    *pp = p + n;
    return n;
}

/* The text just after "( " of entry name's signature, or NULL. */
static const char *find_entry(const char *ptx, const char *name)
{
    size_t len = strlen(name);
    const char *p = ptx, *tok;

    while ((p = strstr(p, ".entry")) != NULL) {
        p += 6;
        if (token(&p, &tok) == len && !memcmp(tok, name, len) && token(&p, &tok) == 1 &&
            *tok == '(')
            return p;
    }
    return NULL;
}

/* One ".param ..." declaration at *pp; its size and alignment. */
static int one_param(const char **pp, uint32_t *size, uint32_t *align)
{
    const char *tok;
    size_t n = token(pp, &tok);
    uint32_t elem = 0, count = 1;

    if (n != 6 || memcmp(tok, ".param", 6))
        return -EINVAL;
    *align = 0;
    while ((n = token(pp, &tok)) > 0 && *tok == '.') {
        if (n == 6 && !memcmp(tok, ".align", 6)) {
            token(pp, &tok);
            *align = (uint32_t)strtoul(tok, NULL, 10);
        } else if (type_size(tok, n)) {
            elem = type_size(tok, n);
        } /* .ptr, .global, .const ...: qualifiers that change nothing here */
    }
    if (n == 0 || elem == 0)
        return -EINVAL;
    if (token(pp, &tok) == 1 && *tok == '[') {
        token(pp, &tok);
        count = (uint32_t)strtoul(tok, NULL, 10);
        token(pp, &tok); /* ] */
        token(pp, &tok);
    }
    if (count == 0 || count > VGPU_PARAMS_MAX)
        return -EINVAL;
    *size = elem * count;
    if (*align == 0 || (*align & (*align - 1)))
        *align = elem;
    *pp = tok; /* at "," or ")" */
    return 0;
}

/* The next token at p is the ")" that ends the list (p does not move). */
static bool closes(const char *p)
{
    const char *tok;

    return token(&p, &tok) == 1 && *tok == ')';
}

static int push(struct vcu_params *out, uint32_t off, uint32_t size)
{
    if (out->count == PARAMS_MAX)
        return -E2BIG;
    out->off[out->count] = off;
    out->size[out->count++] = size;
    return 0;
}

int vcu__ptx_params(const char *ptx, const char *name, struct vcu_params *out)
{
    const char *p = find_entry(ptx, name), *tok;
    uint32_t off = 0, maxalign = 1, size, align;
    int r = 0;

    memset(out, 0, sizeof(*out));
    if (!p)
        return -ENOENT;
    out->off = calloc(PARAMS_MAX, sizeof(uint32_t));
    out->size = calloc(PARAMS_MAX, sizeof(uint32_t));
    if (!out->off || !out->size)
        r = -ENOMEM;
    r = r < 0 || !closes(p) ? r : 1; /* "()": no parameters */
    while (r == 0) {
        r = one_param(&p, &size, &align);
        if (r == 0) {
            off = (off + align - 1) & ~(align - 1);
            r = push(out, off, size);
            off += size;
            maxalign = align > maxalign ? align : maxalign;
        }
        if (r == 0 && token(&p, &tok) == 1 && *tok == ')')
            r = 1; /* the signature is complete */
        else if (r == 0 && *tok != ',')
            r = -EINVAL;
    }
    out->total = (off + maxalign - 1) & ~(maxalign - 1);
    if (r == 0)
        r = -EINVAL; /* the text ended inside the signature */
    if (r < 0 || out->total > VGPU_PARAMS_MAX) {
        vcu__params_free(out);
        return r < 0 ? r : -E2BIG;
    }
    return 0;
}
