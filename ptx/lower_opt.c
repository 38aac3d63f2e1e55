/* lower_opt.c: after lowering: copies of special registers forwarded, launch-invariant work
 * hoisted. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "exec_int.h"

/*
 * Every thread computes the same kernel-parameter loads, cvta of them and
 * arithmetic on %tid/%ntid/constants once per block, though their values
 * are fixed for the whole launch (each warp keeps its registers from block
 * to block). This pass moves such instructions to the program's prologue,
 * run once per warp per launch, and forwards `mov %r, %ctaid.x`-like copies
 * of special registers into their uses.
 *
 * An instruction qualifies when it cannot fault or have effects beyond its
 * destination, is not guarded, is the only definition of its destination,
 * and reads only slots that are launch-invariant: never written by the
 * code (special registers other than %ctaid, constants) or defined by an
 * earlier hoisted instruction. Reading its destination before that
 * definition was undefined, so the values every thread sees are the same.
 *
 * Thread-instructions stay counted as the kernel executes them: a removed
 * instruction adds one to `extra` of the next instruction kept (unguarded,
 * reached only through it: no branch lands between them), else it stays
 * in the code as well.
 */

static bool hoistable_op(const struct ptx_insn *in)
{
    switch (in->op) {
    case OP_MOV:
    case OP_CVTA:
    case OP_ADD:
    case OP_SUB:
    case OP_MUL:
    case OP_MAD:
    case OP_SHL:
    case OP_SHR:
    case OP_AND:
    case OP_OR:
    case OP_XOR:
        return true; /* none of these writes d2 */
    default:
        return false;
    }
}

/* Definitions per slot, saturating at 2: d, d2, and the elements ld and unpack write (unused
 * fields hold SR_ZERO or slot 0: special registers, never counted). */
static void count_defs(const struct ptx_prog *p, uint8_t *defs)
{
    uint32_t i, k;

    for (i = 0; i < p->ncode; i++) {
        const struct ptx_insn *in = &p->code[i];
        uint32_t s[6] = {in->d, in->d2, PTX_NO_SLOT, PTX_NO_SLOT, PTX_NO_SLOT, PTX_NO_SLOT};
        if (in->op == OP_LD || in->op == OP_UNPACK)
            for (k = 0; k < in->vec && k < 4; k++)
                s[2 + k] = in->v[k];
        for (k = 0; k < 6; k++)
            if (s[k] >= SR_COUNT_ && s[k] < p->nslots && defs[s[k]] < 2) /* lowering never
                                                         lets code write special registers */
                defs[s[k]]++;
    }
}

static bool const_value(const struct ptx_prog *p, uint32_t slot, uint64_t *v)
{
    uint32_t i;

    if (slot == SR_ZERO) {
        *v = 0;
        return true;
    }
    for (i = 0; i < p->nconsts; i++)
        if (p->consts[i].slot == slot) {
            *v = p->consts[i].value;
            return true;
        }
    return false;
}

static bool src_invariant(const bool *inv, const struct ptx_prog *p, uint32_t slot)
{
    return slot == PTX_NO_SLOT || (slot < p->nslots && inv[slot]);
}

/* A kernel-parameter load at a constant, aligned address within the parameters. */
static bool param_load(const struct ptx_prog *p, const struct ptx_insn *in, const uint8_t *defs)
{
    unsigned n = ptx_bytes(in->type);
    uint64_t a;

    if (in->op != OP_LD || in->space != PS_KPARAM || in->vec != 1 || !n)
        return false;
    if (!const_value(p, in->a, &a) || in->v[0] >= p->nslots || defs[in->v[0]] != 1)
        return false;
    a += (uint64_t)in->off;
    return !(a & (n - 1)) && a < p->params_size && p->params_size - a >= n;
}

/* Whether in can run once per launch (see the comment at the top). */
static bool hoistable(const struct ptx_prog *p, const struct ptx_insn *in, const uint8_t *defs,
                      const bool *inv)
{
    if (in->guard != PTX_NO_SLOT)
        return false;
    if (param_load(p, in, defs))
        return true;
    return hoistable_op(in) && in->d < p->nslots && defs[in->d] == 1 &&
           src_invariant(inv, p, in->a) && src_invariant(inv, p, in->b) &&
           src_invariant(inv, p, in->c) && src_invariant(inv, p, in->e);
}

/* mov (32 or 64 bits) of a special register into a register defined nowhere else. */
static bool forwardable(const struct ptx_prog *p, const struct ptx_insn *in, const uint8_t *defs)
{
    return in->op == OP_MOV && in->guard == PTX_NO_SLOT && ptx_bits(in->type) >= 32 &&
           in->type != PT_F32 && in->type != PT_F64 && in->a < SR_COUNT_ && in->d < p->nslots &&
           defs[in->d] == 1;
}

/* Point every use of a forwarded register at its special register (fwd[slot], or PTX_NO_SLOT). */
static void replace_uses(struct ptx_insn *code, uint32_t n, const uint32_t *fwd, uint32_t nslots)
{
    uint32_t i, k;

    for (i = 0; i < n; i++) {
        struct ptx_insn *in = &code[i];
        uint32_t *f[9] = {&in->a,    &in->b,    &in->c,    &in->e,   &in->guard,
                          &in->v[0], &in->v[1], &in->v[2], &in->v[3]};
        for (k = 0; k < 9; k++)
            if (*f[k] < nslots && fwd[*f[k]] != PTX_NO_SLOT)
                *f[k] = fwd[*f[k]];
    }
}

/* Mark what goes (gone[i]: 1 forwarded, 2 hoisted), build the prologue, forward the copies. */
static int pick(struct ptx_prog *p, const uint8_t *defs, bool *inv, uint32_t *fwd, uint8_t *gone)
{
    uint32_t i, s, cap = 0;

    for (s = 0; s < p->nslots; s++) {
        inv[s] = defs[s] == 0 && (s < SR_CTAID_X || s > SR_CTAID_Z);
        fwd[s] = PTX_NO_SLOT;
    }
    for (i = 0; i < p->ncode; i++) {
        struct ptx_insn *in = &p->code[i];
        if (forwardable(p, in, defs)) {
            fwd[in->d] = in->a;
            inv[in->d] = inv[in->a];
            gone[i] = 1;
        } else if (hoistable(p, in, defs, inv)) {
            if (ptx__grow((void **)&p->pro, &cap, p->npro, sizeof(*p->pro)))
                return -ENOMEM;
            p->pro[p->npro++] = *in;
            inv[in->op == OP_LD ? in->v[0] : in->d] = true;
            gone[i] = 2;
        }
    }
    replace_uses(p->code, p->ncode, fwd, p->nslots);
    replace_uses(p->pro, p->npro, fwd, p->nslots);
    return 0;
}

/*
 * Decide, last to first, which removed instructions can hand their count to
 * the next kept one; the others stay (a hoisted one then also runs in the code: same value).
 */
static void settle(struct ptx_prog *p, uint8_t *gone, const bool *target)
{
    uint32_t i, j = p->ncode;
    bool landed = false; /* a branch lands in (i, j] */

    for (i = p->ncode; i-- > 0;) {
        bool ok;
        if (i + 1 <= j && i + 1 <= p->ncode)
            landed = landed || target[i + 1];
        ok = gone[i] && !landed && j < p->ncode && p->code[j].guard == PTX_NO_SLOT &&
             p->code[j].extra < UINT16_MAX;
        if (ok) {
            p->code[j].extra++;
        } else {
            gone[i] = 0;
            j = i;
            landed = false;
        }
    }
}

/* Drop the removed instructions, renumbering branch targets: map has ncode + 1 entries. */
static void compact(struct ptx_prog *p, const uint8_t *gone, uint32_t *map)
{
    uint32_t i, n = 0;

    for (i = 0; i < p->ncode; i++)
        map[i] = n, n += !gone[i]; /* new index of i, or of the first kept after it */
    map[p->ncode] = n;
    for (i = 0; i < p->ncode; i++)
        if (p->code[i].op == OP_BRA && p->code[i].target <= p->ncode)
            p->code[i].target = map[p->code[i].target];
    for (i = 0, n = 0; i < p->ncode; i++)
        if (!gone[i])
            p->code[n++] = p->code[i];
    p->ncode = n;
}

int ptx__optimise(struct ptx_prog *p)
{
    uint8_t *defs = calloc(p->nslots, 1), *gone = calloc(p->ncode + 1, 1);
    bool *inv = calloc(p->nslots, sizeof(bool)), *target = calloc(p->ncode + 1, sizeof(bool));
    uint32_t *map = calloc(p->ncode + 1, sizeof(uint32_t)), i;
    uint32_t *fwd = calloc(p->nslots, sizeof(uint32_t));
    int r = -ENOMEM;

    if (defs && gone && inv && target && map && fwd) {
        for (i = 0; i < p->ncode; i++)
            if (p->code[i].op == OP_BRA && p->code[i].target <= p->ncode)
                target[p->code[i].target] = true;
        count_defs(p, defs);
        r = pick(p, defs, inv, fwd, gone);
    }
    if (r == 0) {
        settle(p, gone, target);
        compact(p, gone, map);
    }
    free(defs);
    free(gone);
    free(inv);
    free(target);
    free(map);
    free(fwd);
    return r;
}
