/* ops_bits.c: bit operations: popc, clz, brev, bfe, bfi, bfind, prmt, lop3. */
#include "exec_int.h"

static uint64_t brev(uint64_t v, unsigned bits)
{
    uint64_t r = 0;
    unsigned i;

    for (i = 0; i < bits; i++)
        r |= (v >> i & 1) << (bits - 1 - i);
    return r;
}

/* Bit field of len bits at pos, as the PTX manual defines bfe; signed types extend its top bit. */
static uint64_t bfe(uint64_t a, uint32_t pos, uint32_t len, uint8_t t)
{
    unsigned msb = ptx_bits(t) - 1, i;
    uint64_t d = 0, sbit = 0;

    pos &= 0xff;
    len &= 0xff;
    if (ptx_signed(t) && len)
        sbit = a >> (pos + len - 1 < msb ? pos + len - 1 : msb) & 1;
    for (i = 0; i <= msb; i++) {
        uint64_t bit = i < len && pos + i <= msb ? a >> (pos + i) & 1 : sbit;
        d |= bit << i;
    }
    return d;
}

static uint64_t bfi(uint64_t a, uint64_t b, uint32_t pos, uint32_t len, unsigned bits)
{
    uint64_t fm;

    pos &= 0xff;
    len &= 0xff;
    if (len == 0 || pos >= bits)
        return b;
    if (pos + len > bits)
        len = bits - pos;
    fm = (len >= 64 ? ~0ull : (1ull << len) - 1) << pos;
    return (b & ~fm) | (a << pos & fm);
}

static uint32_t bfind(uint64_t a, uint8_t t, bool shiftamt)
{
    unsigned bits = ptx_bits(t);
    int64_t v = (int64_t)ptx_ext(a, t);
    uint64_t u = ptx_signed(t) && v < 0 ? ~(uint64_t)v : (uint64_t)v;
    uint32_t msb;

    u &= ptx_mask(t);
    if (u == 0)
        return 0xffffffffu;
    msb = 63u - (uint32_t)__builtin_clzll(u);
    return shiftamt ? bits - 1 - msb : msb;
}

static uint32_t prmt(uint32_t a, uint32_t b, uint32_t c)
{
    uint64_t bytes = (uint64_t)b << 32 | a;
    uint32_t r = 0, i;

    for (i = 0; i < 4; i++) {
        uint32_t sel = c >> (4 * i) & 0xf;
        uint32_t byte = (uint32_t)(bytes >> (8 * (sel & 7))) & 0xff;
        if (sel & 8)
            byte = byte & 0x80 ? 0xff : 0;
        r |= byte << (8 * i);
    }
    return r;
}

static uint64_t lop3(uint64_t a, uint64_t b, uint64_t c, unsigned lut)
{
    uint64_t r = 0;
    unsigned i;

    for (i = 0; i < 8; i++)
        if (lut >> i & 1)
            r |= (i & 4 ? a : ~a) & (i & 2 ? b : ~b) & (i & 1 ? c : ~c);
    return r;
}

void ptx__op_bits(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m)
{
    uint8_t t = in->type;
    uint64_t mask = ptx_mask(t);
    unsigned bits = ptx_bits(t);

    (void)s;
    FOR_LANES(m, l)
    {
        uint64_t a = R(w, in->a, l), b = R(w, in->b, l), c = R(w, in->c, l), r;
        switch (in->op) {
        case OP_POPC:
            r = (uint64_t)__builtin_popcountll(a & mask);
            break;
        case OP_CLZ:
            r = (a & mask) ? (uint64_t)__builtin_clzll(a & mask) - (64 - bits) : bits;
            break;
        case OP_BREV:
            r = brev(a, bits);
            break;
        case OP_BFE:
            r = bfe(a, (uint32_t)b, (uint32_t)c, t) & mask;
            break;
        case OP_BFI:
            r = bfi(a, b, (uint32_t)c, (uint32_t)R(w, in->e, l), bits) & mask;
            break;
        case OP_BFIND:
            r = bfind(a, t, in->flags & PTX_F_SHIFTAM);
            break;
        case OP_PRMT:
            r = prmt((uint32_t)a, (uint32_t)b, (uint32_t)c);
            break;
        default: /* OP_LOP3 */
            r = lop3(a, b, c, (unsigned)in->off) & mask;
        }
        R(w, in->d, l) = r;
    }
}
