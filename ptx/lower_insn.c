/* lower_insn.c: one PTX instruction to the internal form: modifiers, operand shapes, refusals. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "lower.h"

struct mods {
    uint8_t types[3];
    uint8_t ntypes;
    uint8_t space, rnd, cmp, kind, vec; /* kind: atomic, shuffle or vote operation */
    uint16_t flags;
};

struct ctx {
    struct lower *l;
    struct scope *sc;
    const struct ptx_stmt *s;
    struct mods m;
    struct ptx_insn in;
};

static const char *full_name(const struct ptx_stmt *s, char *buf, size_t len)
{
    size_t n = (size_t)snprintf(buf, len, "%s", s->op);
    uint32_t i;

    for (i = 0; i < s->nmods && n < len; i++)
        n += (size_t)snprintf(buf + n, len - n, "%s", s->mods[i]);
    return buf;
}

static int refuse(struct ctx *c, const char *why)
{
    char buf[128];

    return ptx__lfail(c->l, "unsupported instruction '%s'%s%s", full_name(c->s, buf, sizeof(buf)),
                      why ? ": " : "", why ? why : "");
}

static int find_in(const char *m, const char *const *names, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(m, names[i]) == 0)
            return (int)i + 1;
    return 0;
}

#define FIND(m, tab) find_in(m, tab, sizeof(tab) / sizeof(tab[0]))

static const char *const spaces[] = {".global", ".shared", ".local", ".const", ".param"};
static const char *const rounds[] = {".rn", ".rz", ".rm", ".rp", ".rni", ".rzi", ".rmi", ".rpi"};
static const char *const cmps[] = {".eq",  ".ne",  ".lt",  ".le",  ".gt",  ".ge",
                                   ".lo",  ".ls",  ".hi",  ".hs",  ".equ", ".neu",
                                   ".ltu", ".leu", ".gtu", ".geu", ".num", ".nan"};
static const char *const atoms[] = {".add", ".min", ".max", ".exch", ".cas",
                                    ".and", ".or",  ".xor", ".inc",  ".dec"};
static const char *const shfls[] = {".up", ".down", ".bfly", ".idx"};
static const char *const votes[] = {".all", ".any", ".uni", ".ballot"};
static const char *const ignored[] = {".sync",
                                      ".aligned",
                                      ".uni",
                                      ".volatile",
                                      ".relaxed",
                                      ".acquire",
                                      ".release",
                                      ".acq_rel",
                                      ".sc",
                                      ".gpu",
                                      ".sys",
                                      ".cta",
                                      ".weak",
                                      ".nc",
                                      ".ca",
                                      ".cg",
                                      ".cs",
                                      ".lu",
                                      ".cv",
                                      ".wb",
                                      ".wt",
                                      ".gl",
                                      ".full",
                                      ".shared::cta",
                                      ".L1::no_allocate",
                                      ".L1::evict_normal",
                                      ".L1::evict_first",
                                      ".L1::evict_last",
                                      ".L1::evict_unchanged"};

/* One modifier; the op decides what ambiguous ones (.lo, .and, ...) mean. */
static bool parse_mod(struct ctx *c, const char *m)
{
    const char *op = c->s->op;
    bool is_setp = strcmp(op, "setp") == 0, is_atom = !strcmp(op, "atom") || !strcmp(op, "red");
    int k;

    if ((k = ptx__type_of(m)) != 0 && c->m.ntypes < 3)
        c->m.types[c->m.ntypes++] = (uint8_t)k;
    else if ((k = FIND(m, spaces)) != 0)
        c->m.space = (uint8_t)k; /* PS_GLOBAL.. in the same order */
    else if (strcmp(m, ".shared::cta") == 0)
        c->m.space = PS_SHARED;
    else if (is_setp && (k = FIND(m, cmps)) != 0)
        c->m.cmp = (uint8_t)k;
    else if (is_atom && (k = FIND(m, atoms)) != 0)
        c->m.kind = (uint8_t)k;
    else if (!strcmp(op, "shfl") && (k = FIND(m, shfls)) != 0)
        c->m.kind = (uint8_t)k;
    else if (!strcmp(op, "vote") && (k = FIND(m, votes)) != 0)
        c->m.kind = (uint8_t)k;
    else if ((k = FIND(m, rounds)) != 0)
        c->m.rnd = (uint8_t)k;
    else if (!strcmp(m, ".v2") || !strcmp(m, ".v4"))
        c->m.vec = (uint8_t)(m[2] - '0');
    else if (!strcmp(m, ".to"))
        c->m.flags |= PTX_F_TO;
    else if (!strcmp(m, ".ftz"))
        c->m.flags |= PTX_F_FTZ;
    else if (!strcmp(m, ".sat"))
        c->m.flags |= PTX_F_SAT;
    else if (!strcmp(m, ".hi"))
        c->m.flags |= PTX_F_HI;
    else if (!strcmp(m, ".wide"))
        c->m.flags |= PTX_F_WIDE;
    else if (!strcmp(m, ".approx"))
        c->m.flags |= PTX_F_APPROX;
    else if (!strcmp(m, ".shiftamt"))
        c->m.flags |= PTX_F_SHIFTAM;
    else if (!strcmp(m, ".lo") || FIND(m, ignored))
        ;
    else
        return false;
    return true;
}

static int parse_mods(struct ctx *c)
{
    uint32_t i;
    char why[64];

    for (i = 0; i < c->s->nmods; i++)
        if (!parse_mod(c, c->s->mods[i])) {
            snprintf(why, sizeof(why), "modifier '%s'", c->s->mods[i]);
            return refuse(c, why);
        }
    c->in.type = c->m.types[0];
    c->in.type2 = c->m.ntypes > 1 ? c->m.types[1] : c->m.types[0];
    c->in.space = c->m.space;
    c->in.mod = c->m.rnd;
    c->in.flags = c->m.flags;
    c->in.vec = c->m.vec ? c->m.vec : 1;
    return 0;
}

static int nops(struct ctx *c, unsigned lo, unsigned hi)
{
    if (c->s->nops < lo || c->s->nops > hi)
        return refuse(c, "wrong number of operands");
    return 0;
}

static int src(struct ctx *c, unsigned i, enum ptx_type t, uint32_t *slot)
{
    return ptx__src(c->l, c->sc, &c->s->ops[i], t, slot);
}

static int dst(struct ctx *c, unsigned i, uint32_t *slot)
{
    return ptx__dst(c->l, c->sc, &c->s->ops[i], slot);
}

/* d, a [, b [, c [, e]]]: sources typed by the instruction unless told otherwise. */
static int lower_alu(struct ctx *c, unsigned n, const uint8_t *types)
{
    uint32_t *srcs[4] = {&c->in.a, &c->in.b, &c->in.c, &c->in.e};
    unsigned i;
    int r = nops(c, n + 1, n + 1);

    if (r == 0)
        r = dst(c, 0, &c->in.d);
    for (i = 0; i < n && r == 0; i++)
        r = src(c, i + 1, types && types[i] ? types[i] : c->in.type, srcs[i]);
    return r;
}

static int lower_setp(struct ctx *c)
{
    const struct ptx_operand *d = &c->s->ops[0];
    struct ptx_operand pair = {.kind = PO_REG, .name = d->pair};
    int r = nops(c, 3, 3);

    if (r)
        return r;
    if (!c->m.cmp)
        return refuse(c, "no comparison");
    c->in.mod = c->m.cmp;
    c->in.d2 = PTX_NO_SLOT;
    r = dst(c, 0, &c->in.d);
    if (r == 0 && d->pair)
        r = ptx__dst(c->l, c->sc, &pair, &c->in.d2);
    if (r == 0)
        r = src(c, 1, c->in.type, &c->in.a);
    return r ? r : src(c, 2, c->in.type, &c->in.b);
}

static int lower_mem(struct ctx *c, bool load)
{
    const struct ptx_operand *v = &c->s->ops[load ? 0 : 1];
    uint8_t sp;
    unsigned i;
    int r = nops(c, 2, 2);

    if (r)
        return r;
    if (c->m.vec && (v->kind != PO_VEC || v->n != c->m.vec))
        return refuse(c, "vector operand does not match");
    r = ptx__addr(c->l, c->sc, &c->s->ops[load ? 1 : 0], &c->in.a, &c->in.off, &sp);
    if (r)
        return r;
    if (sp == PS_LOCAL || sp == PS_KPARAM)
        c->in.space = sp; /* .param variables live in local memory or the kernel's parameters */
    else if (c->in.space == PS_PARAM)
        c->in.space = c->sc->parent ? PS_LOCAL : PS_KPARAM;
    for (i = 0; i < c->in.vec && r == 0; i++) {
        struct ptx_operand e = {.kind = PO_REG, .name = v->names[i]};
        if (v->kind != PO_VEC)
            e = *v;
        if (e.kind == PO_REG && !strcmp(e.name, "_"))
            e.kind = PO_SINK;
        r = load ? ptx__dst(c->l, c->sc, &e, &c->in.v[i])
                 : ptx__src(c->l, c->sc, &e, c->in.type, &c->in.v[i]);
    }
    return r;
}

static int lower_atom(struct ctx *c, bool red)
{
    uint8_t sp;
    unsigned o = red ? 0 : 1;
    int r = nops(c, 2 + o, 3 + o);

    if (r)
        return r;
    if (!c->m.kind)
        return refuse(c, "no operation");
    c->in.mod = c->m.kind;
    c->in.d = PTX_NO_SLOT;
    if (!red && (r = dst(c, 0, &c->in.d)) != 0)
        return r;
    r = ptx__addr(c->l, c->sc, &c->s->ops[o], &c->in.a, &c->in.off, &sp);
    if (r == 0 && sp != PS_GENERIC)
        c->in.space = sp;
    if (r == 0)
        r = src(c, o + 1, c->in.type, &c->in.b);
    if (r == 0 && c->m.kind == PA_CAS)
        r = c->s->nops == 3 + o ? src(c, o + 2, c->in.type, &c->in.c) : refuse(c, "cas needs 2");
    return r;
}

static int lower_bra(struct ctx *c)
{
    int pc;

    if (nops(c, 1, 1) || c->s->ops[0].kind != PO_REG)
        return refuse(c, "not a label");
    pc = ptx__emit(c->l, &c->in);
    return pc < 0 ? pc : ptx__branch_fix(c->l, c->sc, (uint32_t)pc, c->s->ops[0].name);
}

static int lower_ret(struct ctx *c)
{
    int pc;

    if (!c->sc->parent) {
        c->in.op = OP_EXIT;
        return ptx__emit(c->l, &c->in) < 0 ? -ENOMEM : 0;
    }
    c->in.op = OP_BRA;
    pc = ptx__emit(c->l, &c->in);
    return pc < 0 ? pc : ptx__branch_fix(c->l, c->sc, (uint32_t)pc, NULL);
}

/* mov: register, immediate, address of a variable, special register, pack/unpack. */
static int lower_mov(struct ctx *c)
{
    const struct ptx_operand *d = &c->s->ops[0], *a = &c->s->ops[1];
    unsigned i;
    int r = nops(c, 2, 2);

    if (r)
        return r;
    if (a->kind == PO_REG && (!strcmp(a->name, "%globaltimer") || !strncmp(a->name, "%clock", 6))) {
        c->in.op = strcmp(a->name, "%globaltimer") ? OP_CLOCK : OP_TIMER;
        c->in.type = !strcmp(a->name, "%clock") ? PT_U32 : PT_U64;
        return dst(c, 0, &c->in.d);
    }
    if (d->kind == PO_VEC || a->kind == PO_VEC) {
        const struct ptx_operand *v = d->kind == PO_VEC ? d : a;
        c->in.op = d->kind == PO_VEC ? OP_UNPACK : OP_PACK;
        c->in.vec = v->n;
        if (v->n != 2 && v->n != 4)
            return refuse(c, "bad vector");
        for (i = 0; i < v->n && r == 0; i++) {
            struct ptx_operand e = {.kind = PO_REG, .name = v->names[i]};
            r = c->in.op == OP_UNPACK ? ptx__dst(c->l, c->sc, &e, &c->in.v[i])
                                      : ptx__src(c->l, c->sc, &e, PT_U64, &c->in.v[i]);
        }
        if (r == 0)
            r = c->in.op == OP_UNPACK ? src(c, 1, c->in.type, &c->in.a) : dst(c, 0, &c->in.d);
        return r;
    }
    return lower_alu(c, 1, NULL);
}

static uint8_t widened(uint8_t t)
{
    switch (t) {
    case PT_U16:
        return PT_U32;
    case PT_S16:
        return PT_S32;
    case PT_U32:
        return PT_U64;
    case PT_S32:
        return PT_S64;
    default:
        return t;
    }
}

static int lower_arith(struct ctx *c)
{
    uint8_t t3[3] = {0, 0, 0};
    unsigned n = c->s->nops - 1;

    if (c->in.op == OP_MAD && (c->in.flags & PTX_F_WIDE))
        t3[2] = widened(c->in.type);
    if (c->in.op == OP_MAD && n != 3)
        return refuse(c, "wrong number of operands");
    if (c->in.op == OP_SHL || c->in.op == OP_SHR)
        t3[1] = PT_U32;
    if (c->in.op == OP_SELP) {
        t3[2] = PT_PRED;
        if (c->s->nops == 4 && c->s->ops[3].neg)
            c->in.flags |= PTX_F_NEGA;
    }
    if (c->in.op == OP_CVT)
        t3[0] = c->in.type2;
    if (c->in.op == OP_BFE)
        t3[1] = t3[2] = PT_U32;
    if (n < 1 || n > 3)
        return refuse(c, "wrong number of operands");
    return lower_alu(c, n, t3);
}

static int lower_bfi(struct ctx *c)
{
    uint8_t t[4] = {0, 0, PT_U32, PT_U32};

    return lower_alu(c, 4, t);
}

static int lower_lop3(struct ctx *c)
{
    int r = nops(c, 5, 5);

    if (r == 0 && c->s->ops[4].kind != PO_IMM)
        return refuse(c, "the lookup table must be an immediate");
    c->in.off = r == 0 ? c->s->ops[4].imm & 0xff : 0;
    if (r == 0)
        r = dst(c, 0, &c->in.d);
    if (r == 0)
        r = src(c, 1, c->in.type, &c->in.a);
    if (r == 0)
        r = src(c, 2, c->in.type, &c->in.b);
    return r ? r : src(c, 3, c->in.type, &c->in.c);
}

static int lower_shfl(struct ctx *c)
{
    const struct ptx_operand *d = &c->s->ops[0];
    struct ptx_operand pair = {.kind = PO_REG, .name = d->pair};
    int r = nops(c, 4, 5);

    if (r)
        return r;
    if (!c->m.kind || c->in.type != PT_B32)
        return refuse(c, "needs a mode and .b32");
    c->in.mod = c->m.kind;
    c->in.d2 = PTX_NO_SLOT;
    r = dst(c, 0, &c->in.d);
    if (r == 0 && d->pair)
        r = ptx__dst(c->l, c->sc, &pair, &c->in.d2);
    if (r == 0)
        r = src(c, 1, PT_B32, &c->in.a);
    if (r == 0)
        r = src(c, 2, PT_B32, &c->in.b);
    if (r == 0)
        r = src(c, 3, PT_B32, &c->in.c);
    return r;
}

static int lower_vote(struct ctx *c)
{
    int r = nops(c, 2, 3);

    if (r)
        return r;
    if (!c->m.kind || c->m.kind == PV_UNI)
        return refuse(c, NULL);
    c->in.mod = c->m.kind;
    if (c->s->ops[1].neg)
        c->in.flags |= PTX_F_NEGA;
    r = dst(c, 0, &c->in.d);
    return r ? r : src(c, 1, PT_PRED, &c->in.a);
}

static int lower_bar(struct ctx *c)
{
    uint32_t i;

    for (i = 0; i < c->s->nmods; i++)
        if (!strcmp(c->s->mods[i], ".warp"))
            return 0; /* bar.warp.sync: the warp runs in lockstep already */
    if (c->s->nops > 1)
        return refuse(c, "barriers with a thread count");
    c->in.op = OP_BAR;
    return 0;
}

enum shape {
    SH_ARITH,
    SH_MOV,
    SH_SETP,
    SH_LD,
    SH_ST,
    SH_ATOM,
    SH_RED,
    SH_BRA,
    SH_RET,
    SH_NONE,
    SH_BAR,
    SH_BFI,
    SH_LOP3,
    SH_SHFL,
    SH_VOTE,
    SH_DST,
    SH_NOP
};

static const struct {
    const char *name;
    uint8_t op, shape;
} table[] = {
    {"mov", OP_MOV, SH_MOV},       {"add", OP_ADD, SH_ARITH},
    {"sub", OP_SUB, SH_ARITH},     {"mul", OP_MUL, SH_ARITH},
    {"mad", OP_MAD, SH_ARITH},     {"div", OP_DIV, SH_ARITH},
    {"rem", OP_REM, SH_ARITH},     {"abs", OP_ABS, SH_ARITH},
    {"neg", OP_NEG, SH_ARITH},     {"min", OP_MIN, SH_ARITH},
    {"max", OP_MAX, SH_ARITH},     {"and", OP_AND, SH_ARITH},
    {"or", OP_OR, SH_ARITH},       {"xor", OP_XOR, SH_ARITH},
    {"not", OP_NOT, SH_ARITH},     {"cnot", OP_CNOT, SH_ARITH},
    {"shl", OP_SHL, SH_ARITH},     {"shr", OP_SHR, SH_ARITH},
    {"setp", OP_SETP, SH_SETP},    {"selp", OP_SELP, SH_ARITH},
    {"fma", OP_FMA, SH_ARITH},     {"rcp", OP_RCP, SH_ARITH},
    {"sqrt", OP_SQRT, SH_ARITH},   {"rsqrt", OP_RSQRT, SH_ARITH},
    {"ex2", OP_EX2, SH_ARITH},     {"lg2", OP_LG2, SH_ARITH},
    {"sin", OP_SIN, SH_ARITH},     {"cos", OP_COS, SH_ARITH},
    {"tanh", OP_TANH, SH_ARITH},   {"copysign", OP_COPYSIGN, SH_ARITH},
    {"cvt", OP_CVT, SH_ARITH},     {"cvta", OP_CVTA, SH_ARITH},
    {"popc", OP_POPC, SH_ARITH},   {"clz", OP_CLZ, SH_ARITH},
    {"brev", OP_BREV, SH_ARITH},   {"bfe", OP_BFE, SH_ARITH},
    {"bfi", OP_BFI, SH_BFI},       {"bfind", OP_BFIND, SH_ARITH},
    {"prmt", OP_PRMT, SH_ARITH},   {"lop3", OP_LOP3, SH_LOP3},
    {"ld", OP_LD, SH_LD},          {"ldu", OP_LD, SH_LD},
    {"st", OP_ST, SH_ST},          {"atom", OP_ATOM, SH_ATOM},
    {"red", OP_ATOM, SH_RED},      {"bra", OP_BRA, SH_BRA},
    {"ret", OP_EXIT, SH_RET},      {"exit", OP_EXIT, SH_NONE},
    {"bar", OP_BAR, SH_BAR},       {"barrier", OP_BAR, SH_BAR},
    {"membar", OP_NOP, SH_NOP},    {"fence", OP_NOP, SH_NOP},
    {"nanosleep", OP_NOP, SH_NOP}, {"shfl", OP_SHFL, SH_SHFL},
    {"vote", OP_VOTE, SH_VOTE},    {"activemask", OP_ACTIVEMASK, SH_DST},
    {"trap", OP_TRAP, SH_NONE},
};

static int lower_shape(struct ctx *c, uint8_t shape)
{
    switch (shape) {
    case SH_ARITH:
        return lower_arith(c);
    case SH_MOV:
        return lower_mov(c);
    case SH_SETP:
        return lower_setp(c);
    case SH_LD:
        return lower_mem(c, true);
    case SH_ST:
        return lower_mem(c, false);
    case SH_ATOM:
        return lower_atom(c, false);
    case SH_RED:
        return lower_atom(c, true);
    case SH_BAR:
        return lower_bar(c);
    case SH_BFI:
        return lower_bfi(c);
    case SH_LOP3:
        return lower_lop3(c);
    case SH_SHFL:
        return lower_shfl(c);
    case SH_VOTE:
        return lower_vote(c);
    case SH_DST:
        return nops(c, 1, 1) ? -ENOEXEC : dst(c, 0, &c->in.d);
    default:
        return 0;
    }
}

/* Types each operation accepts; the rest is refused by name. */
static bool type_ok(const struct ctx *c)
{
    uint8_t t = c->in.type, op = c->in.op;

    if (op == OP_NOP || op == OP_BRA || op == OP_EXIT || op == OP_BAR || op == OP_TRAP ||
        op == OP_TIMER || op == OP_CLOCK)
        return true;
    if (t == PT_NONE)
        return false;
    if (t == PT_F16 && op != OP_CVT && op != OP_LD && op != OP_ST && op != OP_MOV)
        return false;
    if (op == OP_EX2 || op == OP_LG2 || op == OP_SIN || op == OP_COS || op == OP_TANH)
        return t == PT_F32;
    if ((c->m.flags & PTX_F_SAT) && t != PT_F32 && t != PT_F64 &&
        !(op == OP_CVT &&
          (c->in.type2 == PT_F32 || c->in.type2 == PT_F64 || c->in.type2 == PT_F16)))
        return false; /* integer saturation */
    if (op == OP_ATOM && (t == PT_F32 || t == PT_F64))
        return c->m.kind == PA_ADD || c->m.kind == PA_EXCH;
    if (op == OP_ATOM && t == PT_F16)
        return false;
    return true;
}

int ptx__lower_insn(struct lower *l, struct scope *sc, const struct ptx_stmt *s)
{
    struct ctx c = {.l = l, .sc = sc, .s = s};
    size_t i;
    int r;

    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strcmp(s->op, table[i].name) == 0)
            break;
    if (i == sizeof(table) / sizeof(table[0]))
        return refuse(&c, NULL);
    c.in.op = table[i].op;
    c.in.guard = PTX_NO_SLOT;
    c.in.d = c.in.d2 = c.in.a = c.in.b = c.in.c = c.in.e = SR_ZERO;
    r = parse_mods(&c);
    if (r)
        return r;
    if (s->guard) {
        struct ptx_operand g = {.kind = PO_REG, .name = s->guard};
        r = ptx__src(l, sc, &g, PT_PRED, &c.in.guard);
        if (r)
            return r;
        if (s->guard_neg)
            c.in.flags |= PTX_F_NEGG;
    }
    if (table[i].shape == SH_RET)
        return lower_ret(&c);
    r = lower_shape(&c, table[i].shape);
    if (r)
        return r;
    if (!type_ok(&c))
        return refuse(&c, "type not supported");
    if (table[i].shape == SH_BRA)
        return lower_bra(&c);
    if (c.in.op == OP_NOP)
        return 0;
    return ptx__emit(l, &c.in) < 0 ? -ENOMEM : 0;
}
