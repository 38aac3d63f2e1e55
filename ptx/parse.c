/* parse.c: PTX text to the parsed form (ptx_ast): directives, variables, functions, statements. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lex.h"
#include "ptx_int.h"

struct parser {
    struct ptx_lex lx;
    struct ptx_tok t; /* the current token */
    struct ptx_arena *a;
    struct ptx_ast *ast;
    uint32_t cap_vars, cap_funcs;
    char *err;
    size_t errlen;
    bool failed;
};

static int fail(struct parser *p, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (p->failed)
        return -ENOEXEC;
    p->failed = true;
    n = snprintf(p->err, p->errlen, "PTX line %u: ", p->t.line);
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < p->errlen)
        vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -ENOEXEC;
}

static void next(struct parser *p)
{
    ptx__lex_next(&p->lx, &p->t);
}

static bool is(struct parser *p, const char *s)
{
    return ptx__tok_is(&p->t, s);
}

static bool accept(struct parser *p, const char *s)
{
    if (!is(p, s))
        return false;
    next(p);
    return true;
}

static int expect(struct parser *p, const char *s)
{
    if (accept(p, s))
        return 0;
    return fail(p, "expected '%s', found '%.*s'", s, (int)p->t.n, p->t.s);
}

static const char *tok_str(struct parser *p)
{
    return ptx__strndup(p->a, p->t.s, p->t.n);
}

static int parse_uint(struct parser *p, uint64_t *v)
{
    char buf[32], *end;

    if (p->t.kind != TK_NUM || p->t.n >= sizeof(buf))
        return fail(p, "expected a number, found '%.*s'", (int)p->t.n, p->t.s);
    memcpy(buf, p->t.s, p->t.n);
    buf[p->t.n] = '\0';
    if (buf[p->t.n - 1] == 'U')
        buf[p->t.n - 1] = '\0';
    *v = strtoull(buf, &end, 0);
    if (*end)
        return fail(p, "bad number '%s'", buf);
    next(p);
    return 0;
}

/* A number token as an operand: integer, 0fXXXXXXXX, 0dXXXXXXXXXXXXXXXX or decimal float. */
static int parse_number(struct parser *p, bool neg, struct ptx_operand *o)
{
    char buf[64], *end;

    if (p->t.n >= sizeof(buf))
        return fail(p, "number too long");
    memcpy(buf, p->t.s, p->t.n);
    buf[p->t.n] = '\0';
    if ((buf[1] == 'f' || buf[1] == 'F' || buf[1] == 'd' || buf[1] == 'D') && buf[0] == '0') {
        o->kind = PO_FIMM;
        o->fbits = buf[1] == 'f' || buf[1] == 'F' ? 32 : 64;
        o->fimm = strtoull(buf + 2, &end, 16);
        if (neg)
            o->fimm ^= o->fbits == 32 ? 0x80000000ull : 0x8000000000000000ull;
    } else if (strpbrk(buf, ".eE") && strncmp(buf, "0x", 2) != 0) {
        o->kind = PO_FIMM;
        o->fval = strtod(buf, &end);
        o->fval = neg ? -o->fval : o->fval;
    } else {
        if (buf[p->t.n - 1] == 'U')
            buf[p->t.n - 1] = '\0';
        o->kind = PO_IMM;
        o->imm = (int64_t)strtoull(buf, &end, 0);
        o->imm = neg ? -o->imm : o->imm;
    }
    if (*end)
        return fail(p, "bad number '%s'", buf);
    next(p);
    return 0;
}

/* [base], [base+off], [base+-off], [off] */
static int parse_address(struct parser *p, struct ptx_operand *o)
{
    bool neg = false;
    uint64_t v;

    o->kind = PO_ADDR;
    if (p->t.kind == TK_IDENT) {
        o->name = tok_str(p);
        next(p);
        if (accept(p, "+"))
            neg = accept(p, "-");
        else if (accept(p, "-"))
            neg = true;
        else
            return expect(p, "]");
    }
    if (parse_uint(p, &v))
        return -ENOEXEC;
    o->imm = neg ? -(int64_t)v : (int64_t)v;
    return expect(p, "]");
}

/* {a, b, ...} or (a, b, ...) */
static int parse_names(struct parser *p, struct ptx_operand *o, const char *close)
{
    o->n = 0;
    while (!is(p, close)) {
        if (o->n == PTX_MAX_LIST || p->t.kind != TK_IDENT)
            return fail(p, "bad list element '%.*s'", (int)p->t.n, p->t.s);
        o->names[o->n++] = tok_str(p);
        next(p);
        if (!accept(p, ","))
            break;
    }
    return expect(p, close);
}

static int parse_operand(struct parser *p, struct ptx_operand *o)
{
    bool neg = false;

    if (accept(p, "["))
        return parse_address(p, o);
    if (accept(p, "{")) {
        o->kind = PO_VEC;
        return parse_names(p, o, "}");
    }
    if (accept(p, "(")) {
        o->kind = PO_LIST;
        return parse_names(p, o, ")");
    }
    if (accept(p, "!"))
        o->neg = true;
    else if (accept(p, "-"))
        neg = true;
    if (p->t.kind == TK_NUM)
        return parse_number(p, neg, o);
    if (p->t.kind != TK_IDENT || neg)
        return fail(p, "bad operand '%.*s'", (int)p->t.n, p->t.s);
    o->kind = is(p, "_") ? PO_SINK : PO_REG;
    o->name = tok_str(p);
    next(p);
    if (accept(p, "|")) {
        if (p->t.kind != TK_IDENT)
            return fail(p, "bad operand after '|'");
        o->pair = tok_str(p);
        next(p);
    }
    return 0;
}

/* Splits "ld.global.f32" into op "ld" and mods ".global", ".f32". */
static int split_opcode(struct parser *p, struct ptx_stmt *s)
{
    const char *t = p->t.s, *end = p->t.s + p->t.n, *dot;

    dot = memchr(t, '.', p->t.n);
    s->op = ptx__strndup(p->a, t, (size_t)((dot ? dot : end) - t));
    while (dot) {
        const char *nd = memchr(dot + 1, '.', (size_t)(end - dot - 1));
        if (s->nmods == PTX_MAX_MODS)
            return fail(p, "too many modifiers on '%.*s'", (int)p->t.n, p->t.s);
        s->mods[s->nmods++] = ptx__strndup(p->a, dot, (size_t)((nd ? nd : end) - dot));
        dot = nd;
    }
    next(p);
    return 0;
}

static int parse_insn(struct parser *p, struct ptx_stmt *s)
{
    const char *full;

    s->line = p->t.line;
    if (accept(p, "@")) {
        s->guard_neg = accept(p, "!");
        if (p->t.kind != TK_IDENT)
            return fail(p, "bad guard predicate");
        s->guard = tok_str(p);
        next(p);
    }
    if (p->t.kind != TK_IDENT)
        return fail(p, "expected an instruction, found '%.*s'", (int)p->t.n, p->t.s);
    full = tok_str(p);
    if (split_opcode(p, s))
        return -ENOEXEC;
    while (!is(p, ";")) {
        if (s->nops == PTX_MAX_OPS || parse_operand(p, &s->ops[s->nops++])) {
            p->failed = false; /* name the instruction rather than the token */
            return fail(p, "unsupported instruction '%s': operands not understood", full);
        }
        if (!accept(p, ","))
            break;
    }
    return expect(p, ";");
}

/* .align N, type, name, [dims], = init: one variable declaration after its space. */
static int parse_var_tail(struct parser *p, struct ptx_var *v);

static int parse_init(struct parser *p, struct ptx_var *v, uint64_t elems)
{
    unsigned eb = ptx__type_bytes(v->type);
    uint64_t i = 0;
    bool list = accept(p, "{");

    v->init = ptx__alloc(p->a, v->size ? v->size : 1);
    if (!v->init)
        return -ENOMEM;
    memset(v->init, 0, v->size);
    do {
        struct ptx_operand o = {0};
        uint64_t bits;

        if (list && is(p, "}"))
            break;
        if (i >= elems)
            return fail(p, "too many initialisers for '%s'", v->name);
        if (parse_operand(p, &o) || (o.kind != PO_IMM && o.kind != PO_FIMM))
            return fail(p, "unsupported initialiser for '%s' (numbers only)", v->name);
        bits = (uint64_t)o.imm;
        if (o.kind == PO_FIMM && o.fbits)
            bits = o.fimm;
        else if (o.kind == PO_FIMM && v->type == PT_F32) {
            float f = (float)o.fval;
            uint32_t u;
            memcpy(&u, &f, 4);
            bits = u;
        } else if (o.kind == PO_FIMM)
            memcpy(&bits, &o.fval, 8);
        memcpy(v->init + i * eb, &bits, eb); /* little-endian host */
        i++;
    } while (accept(p, ","));
    return list ? expect(p, "}") : 0;
}

static int parse_var_tail(struct parser *p, struct ptx_var *v)
{
    uint64_t elems = 1, dim;
    bool unsized = false;

    for (;;) {
        if (accept(p, ".align")) {
            uint64_t al;
            if (parse_uint(p, &al) || al == 0 || al > 4096 || (al & (al - 1)))
                return fail(p, "bad .align");
            v->align = (uint32_t)al;
        } else if (accept(p, ".ptr") || accept(p, ".global") || accept(p, ".shared") ||
                   accept(p, ".const") || accept(p, ".local")) {
            continue; /* .param .u64 .ptr .global .align 4: pointer attributes */
        } else if (p->t.kind == TK_IDENT && p->t.s[0] == '.' && !v->type) {
            char *m = ptx__strndup(p->a, p->t.s, p->t.n);
            v->type = (uint8_t)ptx__type_of(m);
            if (!v->type)
                return fail(p, "unsupported variable type '%s'", m);
            next(p);
        } else {
            break;
        }
    }
    if (!v->type || p->t.kind != TK_IDENT)
        return fail(p, "bad variable declaration at '%.*s'", (int)p->t.n, p->t.s);
    v->name = tok_str(p);
    next(p);
    while (accept(p, "[")) {
        if (accept(p, "]")) {
            unsized = true;
            continue;
        }
        if (parse_uint(p, &dim) || expect(p, "]"))
            return -ENOEXEC;
        if (dim == 0 || elems > PTX_MAX_VAR / dim)
            return fail(p, "array '%s' too large (over %u bytes)", v->name, PTX_MAX_VAR);
        elems *= dim;
    }
    v->size = unsized ? 0 : elems * ptx__type_bytes(v->type);
    if (v->size > PTX_MAX_VAR)
        return fail(p, "variable '%s' too large (over %u bytes)", v->name, PTX_MAX_VAR);
    if (!v->align)
        v->align = ptx__type_bytes(v->type);
    if (accept(p, "="))
        return parse_init(p, v, elems);
    return 0;
}

static enum ptx_space space_of(struct parser *p)
{
    static const struct {
        const char *s;
        enum ptx_space sp;
    } spaces[] = {{".global", PS_GLOBAL},
                  {".shared", PS_SHARED},
                  {".local", PS_LOCAL},
                  {".const", PS_CONST},
                  {".param", PS_PARAM}};
    size_t i;

    for (i = 0; i < sizeof(spaces) / sizeof(spaces[0]); i++)
        if (is(p, spaces[i].s))
            return spaces[i].sp;
    return PS_GENERIC;
}

static int push_var(struct parser *p, struct ptx_var **v, uint32_t *n, uint32_t *cap,
                    enum ptx_space sp, bool ext)
{
    struct ptx_var *nv;

    if (ptx__grow((void **)v, cap, *n, sizeof(**v)))
        return -ENOMEM;
    nv = &(*v)[*n];
    memset(nv, 0, sizeof(*nv));
    nv->space = (uint8_t)sp;
    nv->is_extern = ext;
    next(p); /* the space */
    if (parse_var_tail(p, nv))
        return -ENOEXEC;
    (*n)++;
    return 0;
}

/* (.param .u64 a, .param .b32 b) */
static int parse_params(struct parser *p, struct ptx_var **v, uint32_t *n)
{
    uint32_t cap = 0;

    if (expect(p, "("))
        return -ENOEXEC;
    while (!is(p, ")")) {
        if (!is(p, ".param") && !is(p, ".reg"))
            return fail(p, "expected .param, found '%.*s'", (int)p->t.n, p->t.s);
        if (push_var(p, v, n, &cap, PS_PARAM, false))
            return -ENOEXEC;
        if (!accept(p, ","))
            break;
    }
    return expect(p, ")");
}

static int parse_regdecl(struct parser *p, struct ptx_func *f, uint32_t *cap)
{
    enum ptx_type type;
    char *m;

    next(p); /* .reg */
    if (is(p, ".v2") || is(p, ".v4"))
        return fail(p, "vector registers are not supported");
    m = ptx__strndup(p->a, p->t.s, p->t.n);
    type = ptx__type_of(m);
    if (!type)
        return fail(p, "unsupported register type '%s'", m);
    next(p);
    do {
        struct ptx_regdecl *r;
        uint64_t count = 0;

        if (p->t.kind != TK_IDENT || ptx__grow((void **)&f->regs, cap, f->nregs, sizeof(*r)))
            return fail(p, "bad register declaration");
        r = &f->regs[f->nregs++];
        r->prefix = tok_str(p);
        r->type = (uint8_t)type;
        next(p);
        if (accept(p, "<") && (parse_uint(p, &count) || expect(p, ">")))
            return -ENOEXEC;
        if (count > 65536)
            return fail(p, "too many registers");
        r->count = (uint32_t)count;
    } while (accept(p, ","));
    return expect(p, ";");
}

/* Skips .loc/.file style directives: the rest of the line. */
static void skip_line(struct parser *p)
{
    uint32_t line = p->t.line;

    while (p->t.kind != TK_EOF && p->t.line == line && !is(p, ";"))
        next(p);
    accept(p, ";");
}

static int parse_body_item(struct parser *p, struct ptx_func *f, uint32_t *caps)
{
    enum ptx_space sp = space_of(p);
    struct ptx_stmt *s;

    if (is(p, ".reg"))
        return parse_regdecl(p, f, &caps[0]);
    if (sp != PS_GENERIC)
        return push_var(p, &f->vars, &f->nvars, &caps[1], sp, false) ? -ENOEXEC : expect(p, ";");
    if (is(p, ".pragma") || is(p, ".loc") || is(p, ".file")) {
        skip_line(p);
        return 0;
    }
    if (p->t.kind == TK_IDENT && p->t.s[0] == '.')
        return fail(p, "unsupported directive '%.*s'", (int)p->t.n, p->t.s);
    if (ptx__grow((void **)&f->stmts, &caps[2], f->nstmts, sizeof(*s)))
        return -ENOMEM;
    s = &f->stmts[f->nstmts];
    memset(s, 0, sizeof(*s));
    if (p->t.kind == TK_IDENT && p->lx.p < p->lx.end && *p->lx.p == ':') {
        s->label = tok_str(p);
        s->line = p->t.line;
        next(p);
        next(p); /* ':' */
    } else if (parse_insn(p, s)) {
        return -ENOEXEC;
    }
    f->nstmts++;
    return 0;
}

static int parse_body(struct parser *p, struct ptx_func *f)
{
    uint32_t caps[3] = {0, 0, 0}, depth = 1;

    f->has_body = true;
    while (depth > 0) {
        if (p->t.kind == TK_EOF)
            return fail(p, "function '%s' not closed", f->name);
        if (accept(p, "{"))
            depth++;
        else if (accept(p, "}"))
            depth--;
        else if (parse_body_item(p, f, caps))
            return -ENOEXEC;
    }
    return 0;
}

/* Performance directives between the parameters and the body. */
static void skip_perf_directives(struct parser *p)
{
    while (is(p, ".maxntid") || is(p, ".reqntid") || is(p, ".minnctapersm") || is(p, ".maxnreg") ||
           is(p, ".maxnctapersm") || is(p, ".noreturn") || is(p, ".explicitcluster") ||
           is(p, ".reqnctapercluster") || is(p, ".maxclusterrank")) {
        next(p);
        while (p->t.kind == TK_NUM || is(p, ","))
            next(p);
    }
}

static int parse_func(struct parser *p, bool entry)
{
    struct ptx_func *f;

    if (ptx__grow((void **)&p->ast->funcs, &p->cap_funcs, p->ast->nfuncs, sizeof(*f)))
        return -ENOMEM;
    f = &p->ast->funcs[p->ast->nfuncs++]; /* counted now: ptx__ast_free frees it on failure */
    memset(f, 0, sizeof(*f));
    f->entry = entry;
    next(p); /* .entry / .func */
    if (!entry && is(p, "(") && parse_params(p, &f->rets, &f->nrets))
        return -ENOEXEC;
    if (p->t.kind != TK_IDENT)
        return fail(p, "expected a function name");
    f->name = tok_str(p);
    next(p);
    if (is(p, "(") && parse_params(p, &f->params, &f->nparams))
        return -ENOEXEC;
    skip_perf_directives(p);
    if (accept(p, ";"))
        return 0; /* a declaration */
    if (expect(p, "{"))
        return -ENOEXEC;
    return parse_body(p, f);
}

static int parse_top(struct parser *p)
{
    enum ptx_space sp;
    bool ext = false;

    if (accept(p, ".version") || accept(p, ".target")) {
        skip_line(p);
        return 0;
    }
    if (accept(p, ".address_size")) {
        uint64_t bits;
        if (parse_uint(p, &bits) || bits != 64)
            return fail(p, ".address_size must be 64");
        return 0;
    }
    if (is(p, ".file") || is(p, ".pragma")) {
        skip_line(p);
        return 0;
    }
    if (is(p, ".section"))
        return fail(p, "debug sections are not supported: build without -G");
    while (is(p, ".visible") || is(p, ".extern") || is(p, ".weak") || is(p, ".common")) {
        ext |= is(p, ".extern");
        next(p);
    }
    if (is(p, ".entry") || is(p, ".func"))
        return parse_func(p, is(p, ".entry"));
    sp = space_of(p);
    if (sp == PS_GLOBAL || sp == PS_CONST || sp == PS_SHARED)
        return push_var(p, &p->ast->vars, &p->ast->nvars, &p->cap_vars, sp, ext) ? -ENOEXEC
                                                                                 : expect(p, ";");
    return fail(p, "unsupported directive '%.*s'", (int)p->t.n, p->t.s);
}

int ptx__parse(const char *text, size_t len, struct ptx_arena *a, struct ptx_ast *ast, char *err,
               size_t errlen)
{
    struct parser p = {
        .lx = {text, text + len, 1}, .a = a, .ast = ast, .err = err, .errlen = errlen};

    memset(ast, 0, sizeof(*ast));
    next(&p);
    while (p.t.kind != TK_EOF && !p.failed)
        if (parse_top(&p) && !p.failed)
            return -ENOMEM;
    return p.failed ? -ENOEXEC : 0;
}

void ptx__ast_free(struct ptx_ast *ast)
{
    uint32_t i;

    for (i = 0; i < ast->nfuncs; i++) {
        free(ast->funcs[i].params);
        free(ast->funcs[i].rets);
        free(ast->funcs[i].regs);
        free(ast->funcs[i].vars);
        free(ast->funcs[i].stmts);
    }
    free(ast->funcs);
    free(ast->vars);
    memset(ast, 0, sizeof(*ast));
}
