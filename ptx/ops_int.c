/* ops_int.c: integer arithmetic, logic, shifts, moves and selects, lane by lane. */
#include "exec_int.h"

#define LANES1(expr)                                                                               \
    do {                                                                                           \
        uint64_t *d_ = SLOT(w, in->d);                                                             \
        const uint64_t *a_ = SLOT(w, in->a);                                                       \
        EACH_LANE(m, l, uint64_t a = a_[l]; d_[l] = (expr)&mask;);                                 \
    } while (0)
#define LANES2(expr)                                                                               \
    do {                                                                                           \
        uint64_t *d_ = SLOT(w, in->d);                                                             \
        const uint64_t *a_ = SLOT(w, in->a), *b_ = SLOT(w, in->b);                                 \
        EACH_LANE(m, l, uint64_t a = a_[l]; uint64_t b = b_[l]; d_[l] = (expr)&mask;);             \
    } while (0)

/* The high half of a * b (a, b already extended to 64 bits per t). */
static uint64_t mul_hi(uint64_t a, uint64_t b, uint8_t t)
{
    unsigned bits = ptx_bits(t);

    if (bits == 64 && ptx_signed(t))
        return (uint64_t)((__int128)(int64_t)a * (int64_t)b >> 64);
    if (bits == 64)
        return (uint64_t)((unsigned __int128)a * b >> 64);
    if (ptx_signed(t))
        return (uint64_t)((int64_t)a * (int64_t)b >> bits);
    return a * b >> bits;
}

static inline __attribute__((always_inline)) void op_mul(struct warp *w, const struct ptx_insn *in,
                                                         uint32_t m, bool mad)
{
    uint8_t t = in->type;
    uint64_t mask = ptx_mask(t), tm = ptx_mask(t);

    if (in->flags & PTX_F_WIDE)
        mask = ptx_bits(t) >= 32 ? ~0ull : (1ull << (2 * ptx_bits(t))) - 1;
    if ((in->flags & PTX_F_HI) || ((in->flags & PTX_F_WIDE) && ptx_signed(t))) {
        FOR_LANES(m, l)
        {
            uint64_t a = ptx_ext(R(w, in->a, l), t), b = ptx_ext(R(w, in->b, l), t);
            uint64_t r = in->flags & PTX_F_HI ? mul_hi(a, b, t) : a * b;
            R(w, in->d, l) = (r + (mad ? R(w, in->c, l) : 0)) & mask;
        }
        return;
    }
    /* .lo of any type and unsigned .wide: the low bits of the zero-extended product. */
    {
        uint64_t *d = SLOT(w, in->d);
        const uint64_t *a = SLOT(w, in->a), *b = SLOT(w, in->b), *c = SLOT(w, in->c);
        if (mad)
            EACH_LANE(m, l, d[l] = ((a[l] & tm) * (b[l] & tm) + c[l]) & mask;);
        else
            EACH_LANE(m, l, d[l] = (a[l] & tm) * (b[l] & tm) & mask;);
    }
}

/* GPU integer division never traps: x/0 is all ones (unsigned) and x%0 is x. */
static uint64_t divrem(uint64_t a, uint64_t b, uint8_t t, bool rem)
{
    if (ptx_signed(t)) {
        int64_t x = (int64_t)a, y = (int64_t)b;
        if (y == 0)
            return rem ? a : ~0ull;
        if (y == -1)
            return rem ? 0 : (uint64_t)0 - a; /* INT_MIN / -1 wraps, as on the GPU */
        return (uint64_t)(rem ? x % y : x / y);
    }
    if (b == 0)
        return rem ? a : ~0ull;
    return rem ? a % b : a / b;
}

static void op_minmax(struct warp *w, const struct ptx_insn *in, uint32_t m, bool max)
{
    uint8_t t = in->type;
    uint64_t mask = ptx_mask(t);

    FOR_LANES(m, l)
    {
        uint64_t a = ptx_ext(R(w, in->a, l), t), b = ptx_ext(R(w, in->b, l), t);
        bool lt = ptx_signed(t) ? (int64_t)a < (int64_t)b : a < b;
        R(w, in->d, l) = (lt != max ? a : b) & mask;
    }
}

static void op_shift(struct warp *w, const struct ptx_insn *in, uint32_t m)
{
    uint8_t t = in->type;
    uint64_t mask = ptx_mask(t);
    unsigned bits = ptx_bits(t);

    if (in->op == OP_SHL) {
        LANES2((b & 0xffffffffu) >= bits ? 0 : a << b);
    } else if (ptx_signed(t)) {
        FOR_LANES(m, l)
        {
            uint64_t b = R(w, in->b, l) & 0xffffffffu;
            int64_t a = (int64_t)ptx_ext(R(w, in->a, l), t);
            R(w, in->d, l) = (uint64_t)(a >> (b >= bits ? bits - 1 : b)) & mask;
        }
    } else {
        LANES2((b & 0xffffffffu) >= bits ? 0 : (a & mask) >> b);
    }
}

static void op_unary(struct warp *w, const struct ptx_insn *in, uint32_t m)
{
    uint8_t t = in->type;
    uint64_t mask = ptx_mask(t);

    switch (in->op) {
    case OP_NOT:
        if (t == PT_PRED) {
            mask = 1;
            LANES1(~a);
        } else {
            LANES1(~a);
        }
        break;
    case OP_CNOT:
        LANES1((a & mask) == 0);
        break;
    case OP_NEG:
        LANES1(0 - a);
        break;
    default: /* OP_ABS */
        LANES1((int64_t)ptx_ext(a, t) < 0 ? 0 - a : a);
        break;
    }
}

/* mov.b64 d, {a, b} and mov.b64 {a, b}, s: elements of bits/vec bits, the first lowest. */
static void op_pack(struct warp *w, const struct ptx_insn *in, uint32_t m)
{
    unsigned eb = ptx_bits(in->type) / in->vec, i;
    uint64_t em = eb >= 64 ? ~0ull : (1ull << eb) - 1;

    FOR_LANES(m, l)
    {
        if (in->op == OP_PACK) {
            uint64_t r = 0;
            for (i = 0; i < in->vec; i++)
                r |= (R(w, in->v[i], l) & em) << (i * eb);
            R(w, in->d, l) = r;
        } else {
            uint64_t a = R(w, in->a, l);
            for (i = 0; i < in->vec; i++)
                R(w, in->v[i], l) = a >> (i * eb) & em;
        }
    }
}

PTX_HOT void ptx__op_int(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m)
{
    uint8_t t = in->type;
    uint64_t mask = t == PT_PRED ? 1 : ptx_mask(t);

    (void)s;
    switch (in->op) {
    case OP_MOV:
        LANES1(a);
        break;
    case OP_ADD:
        LANES2(a + b);
        break;
    case OP_SUB:
        LANES2(a - b);
        break;
    case OP_AND:
        LANES2(a & b);
        break;
    case OP_OR:
        LANES2(a | b);
        break;
    case OP_XOR:
        LANES2(a ^ b);
        break;
    case OP_MUL:
    case OP_MAD:
        op_mul(w, in, m, in->op == OP_MAD);
        break;
    case OP_DIV:
    case OP_REM:
        LANES2(divrem(ptx_ext(a, t), ptx_ext(b, t), t, in->op == OP_REM));
        break;
    case OP_MIN:
    case OP_MAX:
        op_minmax(w, in, m, in->op == OP_MAX);
        break;
    case OP_SHL:
    case OP_SHR:
        op_shift(w, in, m);
        break;
    case OP_PACK:
    case OP_UNPACK:
        op_pack(w, in, m);
        break;
    case OP_SELP:
        FOR_LANES(m, l)
        {
            bool c = (R(w, in->c, l) & 1) ^ !!(in->flags & PTX_F_NEGA);
            R(w, in->d, l) = (c ? R(w, in->a, l) : R(w, in->b, l)) & ptx_mask(t);
        }
        break;
    default:
        op_unary(w, in, m);
    }
}
