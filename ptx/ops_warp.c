/* ops_warp.c: warp-wide operations (shfl, vote, activemask), timers, and the handler table. */
#include <time.h>
#include "exec_int.h"

/* shfl.sync as the PTX manual defines it: c packs the clamp (bits 0-4) and segment mask (8-12). */
static void op_shfl(struct warp *w, const struct ptx_insn *in, uint32_t m)
{
    uint32_t src[32], ok = 0;
    uint32_t dst[32];

    FOR_LANES(m, l)
    src[l] = (uint32_t)R(w, in->a, l);
    FOR_LANES(m, l)
    {
        uint32_t b = (uint32_t)R(w, in->b, l), c = (uint32_t)R(w, in->c, l);
        uint32_t seg = c >> 8 & 0x1f, maxl = (l & seg) | (c & 0x1f & ~seg), minl = l & seg;
        int32_t j;
        bool p;

        switch (in->mod) {
        case PSH_UP:
            j = (int32_t)l - (int32_t)b;
            p = j >= (int32_t)minl;
            break;
        case PSH_DOWN:
            j = (int32_t)(l + b);
            p = j <= (int32_t)maxl;
            break;
        case PSH_BFLY:
            j = (int32_t)(l ^ b);
            p = j <= (int32_t)maxl;
            break;
        default:
            j = (int32_t)(minl | (b & 0x1f & ~seg));
            p = j <= (int32_t)maxl;
        }
        if (!p || j < 0 || j > 31 || !(m >> j & 1))
            j = (int32_t)l; /* out of the segment, or a lane not taking part */
        dst[l] = src[j];
        ok |= (uint32_t)p << l;
    }
    FOR_LANES(m, l)
    {
        R(w, in->d, l) = dst[l];
        if (in->d2 != PTX_NO_SLOT)
            R(w, in->d2, l) = ok >> l & 1;
    }
}

static void op_vote(struct warp *w, const struct ptx_insn *in, uint32_t m)
{
    uint32_t yes = 0, neg = in->flags & PTX_F_NEGA ? 1 : 0;
    uint64_t r;

    FOR_LANES(m, l)
    yes |= (uint32_t)((R(w, in->a, l) & 1) ^ neg) << l;
    switch (in->mod) {
    case PV_ALL:
        r = yes == m;
        break;
    case PV_ANY:
        r = yes != 0;
        break;
    default:
        r = yes; /* PV_BALLOT */
    }
    FOR_LANES(m, l)
    R(w, in->d, l) = r;
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void ptx__op_warp(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m)
{
    (void)s;
    switch (in->op) {
    case OP_SHFL:
        op_shfl(w, in, m);
        break;
    case OP_VOTE:
        op_vote(w, in, m);
        break;
    default: /* OP_ACTIVEMASK */
        FOR_LANES(m, l)
        R(w, in->d, l) = w->mask;
    }
}

/* %globaltimer and %clock64: nanoseconds of CLOCK_MONOTONIC (%clock: its low 32 bits). */
void ptx__op_misc(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m)
{
    uint64_t t = now_ns() & ptx_mask(in->type);

    (void)s;
    FOR_LANES(m, l)
    R(w, in->d, l) = t;
}

static void op_nop(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m)
{
    (void)s;
    (void)w;
    (void)in;
    (void)m;
}

/* Integer or float, by the instruction's type. */
static void op_arith(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m)
{
    if (in->type == PT_F32 || in->type == PT_F64)
        ptx__op_float(s, w, in, m);
    else
        ptx__op_int(s, w, in, m);
}

const ptx_op_fn ptx__ops[OP_COUNT_] = {
    [OP_NOP] = op_nop,
    [OP_MOV] = ptx__op_int,
    [OP_ADD] = op_arith,
    [OP_SUB] = op_arith,
    [OP_MUL] = op_arith,
    [OP_MAD] = op_arith,
    [OP_DIV] = op_arith,
    [OP_REM] = ptx__op_int,
    [OP_ABS] = op_arith,
    [OP_NEG] = op_arith,
    [OP_MIN] = op_arith,
    [OP_MAX] = op_arith,
    [OP_AND] = ptx__op_int,
    [OP_OR] = ptx__op_int,
    [OP_XOR] = ptx__op_int,
    [OP_NOT] = ptx__op_int,
    [OP_CNOT] = ptx__op_int,
    [OP_SHL] = ptx__op_int,
    [OP_SHR] = ptx__op_int,
    [OP_SETP] = ptx__op_setp,
    [OP_SELP] = ptx__op_int,
    [OP_FMA] = ptx__op_float,
    [OP_RCP] = ptx__op_float,
    [OP_SQRT] = ptx__op_float,
    [OP_RSQRT] = ptx__op_float,
    [OP_EX2] = ptx__op_float,
    [OP_LG2] = ptx__op_float,
    [OP_SIN] = ptx__op_float,
    [OP_COS] = ptx__op_float,
    [OP_TANH] = ptx__op_float,
    [OP_COPYSIGN] = ptx__op_float,
    [OP_CVT] = ptx__op_cvt,
    [OP_CVTA] = ptx__op_cvta,
    [OP_POPC] = ptx__op_bits,
    [OP_CLZ] = ptx__op_bits,
    [OP_BREV] = ptx__op_bits,
    [OP_BFE] = ptx__op_bits,
    [OP_BFI] = ptx__op_bits,
    [OP_BFIND] = ptx__op_bits,
    [OP_PRMT] = ptx__op_bits,
    [OP_LOP3] = ptx__op_bits,
    [OP_LD] = ptx__op_ld,
    [OP_ST] = ptx__op_st,
    [OP_ATOM] = ptx__op_atom,
    [OP_PACK] = ptx__op_int,
    [OP_UNPACK] = ptx__op_int,
    [OP_TIMER] = ptx__op_misc,
    [OP_CLOCK] = ptx__op_misc,
    [OP_BRA] = op_nop,
    [OP_EXIT] = op_nop,
    [OP_BAR] = op_nop,
    [OP_SHFL] = ptx__op_warp,
    [OP_VOTE] = ptx__op_warp,
    [OP_ACTIVEMASK] = ptx__op_warp,
    [OP_TRAP] = op_nop,
};
