/* lower.c: the parsed form to programs: scopes, symbols, operands, inlined calls, data layout. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lower.h"

int ptx__lfail(struct lower *l, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(l->err, l->errlen, "PTX line %u: ", l->line);

    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < l->errlen)
        vsnprintf(l->err + n, l->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -ENOEXEC;
}

int ptx__emit(struct lower *l, const struct ptx_insn *in)
{
    struct ptx_prog *p = l->prog;

    if (p->ncode >= MAX_CODE)
        return ptx__lfail(l, "kernel too large (over %u instructions once inlined)", MAX_CODE);
    if (ptx__grow((void **)&p->code, &l->cap_code, p->ncode, sizeof(*in)))
        return -ENOMEM;
    p->code[p->ncode] = *in;
    p->code[p->ncode].line = l->line;
    return (int)p->ncode++;
}

int ptx__const_slot(struct lower *l, uint64_t v, bool dyn_shared, uint32_t *slot)
{
    struct ptx_prog *p = l->prog;
    uint32_t i;

    if (v == 0 && !dyn_shared) {
        *slot = SR_ZERO;
        return 0;
    }
    for (i = 0; i < p->nconsts && !dyn_shared; i++)
        if (p->consts[i].value == v) {
            *slot = p->consts[i].slot;
            return 0;
        }
    if (ptx__grow((void **)&p->consts, &l->cap_consts, p->nconsts, sizeof(*p->consts)))
        return -ENOMEM;
    if (dyn_shared) {
        if (ptx__grow((void **)&l->dyn_consts, &l->cap_dyn, l->ndyn, sizeof(uint32_t)))
            return -ENOMEM;
        l->dyn_consts[l->ndyn++] = p->nconsts;
    }
    p->consts[p->nconsts].slot = p->nslots;
    p->consts[p->nconsts++].value = v;
    *slot = p->nslots++;
    return 0;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

static const struct {
    const char *name;
    enum ptx_sreg sr;
} sregs[] = {
    {"%tid.x", SR_TID_X},
    {"%tid.y", SR_TID_Y},
    {"%tid.z", SR_TID_Z},
    {"%ntid.x", SR_NTID_X},
    {"%ntid.y", SR_NTID_Y},
    {"%ntid.z", SR_NTID_Z},
    {"%ctaid.x", SR_CTAID_X},
    {"%ctaid.y", SR_CTAID_Y},
    {"%ctaid.z", SR_CTAID_Z},
    {"%nctaid.x", SR_NCTAID_X},
    {"%nctaid.y", SR_NCTAID_Y},
    {"%nctaid.z", SR_NCTAID_Z},
    {"%laneid", SR_LANEID},
    {"%warpid", SR_WARPID},
    {"%nwarpid", SR_NWARPID},
    {"%lanemask_eq", SR_LANEMASK_EQ},
    {"%lanemask_lt", SR_LANEMASK_LT},
    {"%lanemask_le", SR_LANEMASK_LE},
    {"%lanemask_gt", SR_LANEMASK_GT},
    {"%lanemask_ge", SR_LANEMASK_GE},
};

static bool find_reg(const struct scope *sc, const char *name, uint32_t *slot)
{
    uint32_t i;

    for (i = 0; i < sc->f->nregs; i++) {
        const struct ptx_regdecl *r = &sc->f->regs[i];
        size_t pl = strlen(r->prefix);
        char *end;
        unsigned long k;

        if (strncmp(name, r->prefix, pl) != 0)
            continue;
        if (r->count == 0 && name[pl] == '\0') {
            *slot = sc->reg_base[i];
            return true;
        }
        if (r->count == 0 || name[pl] < '0' || name[pl] > '9')
            continue;
        k = strtoul(name + pl, &end, 10);
        if (*end == '\0' && k < r->count) {
            *slot = sc->reg_base[i] + (uint32_t)k;
            return true;
        }
    }
    return false;
}

static bool find_var(const struct ptx_var *v, uint32_t n, const char *name, uint32_t *i)
{
    for (*i = 0; *i < n; (*i)++)
        if (strcmp(v[*i].name, name) == 0)
            return true;
    return false;
}

/* Module-scope variables: .global/.const in the data window, .shared laid out per program. */
static int resolve_module_var(struct lower *l, const char *name, struct sym *out)
{
    const struct ptx_ast *ast = l->ast;
    const struct ptx_var *v;
    uint32_t i;

    if (!find_var(ast->vars, ast->nvars, name, &i))
        return -ENOENT;
    v = &ast->vars[i];
    out->kind = SYM_ADDR;
    out->space = v->space;
    if (v->space != PS_SHARED) {
        out->addr = l->mod_addr[i]; /* the data offset, set by layout_data() */
        return 0;
    }
    out->dyn_shared = v->is_extern;
    if (v->is_extern) {
        out->addr = 0;
        return 0;
    }
    if (l->mod_addr[i] == UINT64_MAX) {
        l->prog->shared_size = (uint32_t)align_up(l->prog->shared_size, v->align);
        l->mod_addr[i] = l->prog->shared_size;
        l->prog->shared_size += (uint32_t)v->size;
    }
    out->addr = l->mod_addr[i];
    return 0;
}

int ptx__resolve(struct lower *l, const struct scope *sc, const char *name, struct sym *out)
{
    const struct ptx_func *f = sc->f;
    uint32_t i;

    memset(out, 0, sizeof(*out));
    if (find_reg(sc, name, &out->slot)) {
        out->kind = SYM_REG;
        return 0;
    }
    for (i = 0; i < sizeof(sregs) / sizeof(sregs[0]); i++)
        if (strcmp(name, sregs[i].name) == 0) {
            out->kind = SYM_REG;
            out->slot = sregs[i].sr;
            return 0;
        }
    out->kind = SYM_ADDR;
    if (find_var(f->vars, f->nvars, name, &i)) {
        out->space = f->vars[i].space == PS_SHARED ? PS_SHARED : PS_LOCAL;
        out->addr = sc->var_addr[i];
        return 0;
    }
    if (find_var(f->params, f->nparams, name, &i)) {
        out->space = f->entry ? PS_KPARAM : PS_LOCAL;
        out->addr = sc->param_addr[i];
        return 0;
    }
    if (find_var(f->rets, f->nrets, name, &i)) {
        out->space = PS_LOCAL;
        out->addr = sc->ret_addr[i];
        return 0;
    }
    if (resolve_module_var(l, name, out) == 0)
        return 0;
    return ptx__lfail(l, "unknown name '%s'", name);
}

/* An immediate as the bits of type. */
static uint64_t imm_bits(const struct ptx_operand *o, enum ptx_type type)
{
    double d = o->kind == PO_IMM ? (double)o->imm : o->fval;
    uint64_t bits;

    if (o->kind == PO_FIMM && o->fbits) {
        if (type == PT_F64 && o->fbits == 32) {
            float f;
            uint32_t u = (uint32_t)o->fimm;
            memcpy(&f, &u, 4);
            d = f;
        } else if (type == PT_F32 && o->fbits == 64) {
            memcpy(&d, &o->fimm, 8);
        } else {
            return o->fimm;
        }
    } else if (type != PT_F32 && type != PT_F64) {
        bits = (uint64_t)o->imm;
        return ptx__type_bytes(type) == 8 ? bits
                                          : bits & ((1ull << (8 * ptx__type_bytes(type))) - 1);
    }
    if (type == PT_F32) {
        float f = (float)d;
        uint32_t u;
        memcpy(&u, &f, 4);
        return u;
    }
    memcpy(&bits, &d, 8);
    return bits;
}

int ptx__src(struct lower *l, const struct scope *sc, const struct ptx_operand *o,
             enum ptx_type type, uint32_t *slot)
{
    struct sym s;
    int r;

    if (o->kind == PO_IMM || o->kind == PO_FIMM)
        return ptx__const_slot(l, imm_bits(o, type == PT_PRED ? PT_U32 : type), false, slot);
    if (o->kind != PO_REG)
        return ptx__lfail(l, "bad source operand");
    r = ptx__resolve(l, sc, o->name, &s);
    if (r)
        return r;
    if (s.kind == SYM_REG) {
        *slot = s.slot;
        return 0;
    }
    if (s.space == PS_GLOBAL || s.space == PS_CONST)
        s.addr += PTX_GEN_DATA;
    return ptx__const_slot(l, s.addr, s.dyn_shared, slot); /* a variable's address */
}

int ptx__dst(struct lower *l, const struct scope *sc, const struct ptx_operand *o, uint32_t *slot)
{
    struct sym s;
    int r;

    if (o->kind == PO_SINK) {
        *slot = l->prog->nslots++;
        return 0;
    }
    if (o->kind != PO_REG)
        return ptx__lfail(l, "destination is not a register");
    r = ptx__resolve(l, sc, o->name, &s);
    if (r)
        return r;
    if (s.kind != SYM_REG || s.slot < SR_COUNT_)
        return ptx__lfail(l, "destination '%s' is not a writable register", o->name);
    *slot = s.slot;
    return 0;
}

int ptx__addr(struct lower *l, const struct scope *sc, const struct ptx_operand *o, uint32_t *base,
              int64_t *off, uint8_t *space)
{
    struct sym s;
    int r;

    if (o->kind != PO_ADDR)
        return ptx__lfail(l, "expected an address [..]");
    *off = o->imm;
    *space = PS_GENERIC;
    if (!o->name) {
        *base = SR_ZERO;
        return 0;
    }
    r = ptx__resolve(l, sc, o->name, &s);
    if (r)
        return r;
    if (s.kind == SYM_REG) {
        *base = s.slot;
        return 0;
    }
    *space = s.space;
    if (s.space == PS_GLOBAL || s.space == PS_CONST)
        s.addr += PTX_GEN_DATA;
    return ptx__const_slot(l, s.addr, s.dyn_shared, base);
}

int ptx__branch_fix(struct lower *l, struct scope *sc, uint32_t insn, const char *label)
{
    if (ptx__grow((void **)&sc->fix, &sc->cap_fix, sc->nfix, sizeof(*sc->fix)))
        return -ENOMEM;
    sc->fix[sc->nfix].insn = insn;
    sc->fix[sc->nfix++].label = label;
    return 0;
}
