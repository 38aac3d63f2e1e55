/* ops_float.c: f32 and f64 arithmetic with rounding modes, ftz and sat; the approximate functions.
 */
#include <fenv.h>
#include <math.h>
#include <string.h>
#include "exec_int.h"

static float ftz(float f)
{
    return fpclassify(f) == FP_SUBNORMAL ? copysignf(0.0f, f) : f;
}

static float f32_op(const struct ptx_insn *in, float a, float b, float c)
{
    switch (in->op) {
    case OP_ADD:
        return a + b;
    case OP_SUB:
        return a - b;
    case OP_MUL:
        return a * b;
    case OP_MAD:
    case OP_FMA:
        return fmaf(a, b, c);
    case OP_DIV:
        return a / b;
    case OP_MIN:
        return fminf(a, b);
    case OP_MAX:
        return fmaxf(a, b);
    case OP_ABS:
        return fabsf(a);
    case OP_NEG:
        return -a;
    case OP_RCP:
        return 1.0f / a;
    case OP_SQRT:
        return sqrtf(a);
    case OP_RSQRT:
        return 1.0f / sqrtf(a);
    case OP_EX2:
        return exp2f(a);
    case OP_LG2:
        return log2f(a);
    case OP_SIN:
        return sinf(a);
    case OP_COS:
        return cosf(a);
    case OP_TANH:
        return tanhf(a);
    default:
        return copysignf(b, a); /* OP_COPYSIGN: b with a's sign */
    }
}

static double f64_op(const struct ptx_insn *in, double a, double b, double c)
{
    switch (in->op) {
    case OP_ADD:
        return a + b;
    case OP_SUB:
        return a - b;
    case OP_MUL:
        return a * b;
    case OP_MAD:
    case OP_FMA:
        return fma(a, b, c);
    case OP_DIV:
        return a / b;
    case OP_MIN:
        return fmin(a, b);
    case OP_MAX:
        return fmax(a, b);
    case OP_ABS:
        return fabs(a);
    case OP_NEG:
        return -a;
    case OP_RCP:
        return 1.0 / a;
    case OP_SQRT:
        return sqrt(a);
    case OP_RSQRT:
        return 1.0 / sqrt(a);
    default:
        return copysign(b, a);
    }
}

static float sat(float f)
{
    return isnan(f) ? 0.0f : f < 0.0f ? 0.0f : f > 1.0f ? 1.0f : f;
}

static void f32_lanes(struct warp *w, const struct ptx_insn *in, uint32_t m)
{
    bool z = in->flags & PTX_F_FTZ;

    FOR_LANES(m, l)
    {
        float a = ptx_f32(R(w, in->a, l)), b = ptx_f32(R(w, in->b, l)), c = ptx_f32(R(w, in->c, l)),
              r;
        if (z) {
            a = ftz(a);
            b = ftz(b);
            c = ftz(c);
        }
        r = f32_op(in, a, b, c);
        if (z)
            r = ftz(r);
        if (in->flags & PTX_F_SAT)
            r = sat(r);
        R(w, in->d, l) = ptx_u32(r);
    }
}

/* The hot cases without modifiers. */
static bool f32_fast(struct warp *w, const struct ptx_insn *in, uint32_t m)
{
    if (in->flags & (PTX_F_FTZ | PTX_F_SAT))
        return false;
    uint64_t *d = SLOT(w, in->d);
    const uint64_t *a = SLOT(w, in->a), *b = SLOT(w, in->b), *c = SLOT(w, in->c);

    switch (in->op) {
    case OP_ADD:
        EACH_LANE(m, l, d[l] = ptx_u32(ptx_f32(a[l]) + ptx_f32(b[l])););
        return true;
    case OP_MUL:
        EACH_LANE(m, l, d[l] = ptx_u32(ptx_f32(a[l]) * ptx_f32(b[l])););
        return true;
    case OP_FMA:
        EACH_LANE(m, l, d[l] = ptx_u32(fmaf(ptx_f32(a[l]), ptx_f32(b[l]), ptx_f32(c[l]))););
        return true;
    default:
        return false;
    }
}

static int fenv_mode(uint8_t rnd)
{
    switch (rnd) {
    case PR_RZ:
        return FE_TOWARDZERO;
    case PR_RM:
        return FE_DOWNWARD;
    case PR_RP:
        return FE_UPWARD;
    default:
        return FE_TONEAREST;
    }
}

PTX_HOT void ptx__op_float(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m)
{
    int mode = fenv_mode(in->mod);

    (void)s;
    if (in->type == PT_F32 && mode == FE_TONEAREST && f32_fast(w, in, m))
        return;
    if (mode != FE_TONEAREST)
        fesetround(mode);
    if (in->type == PT_F32) {
        f32_lanes(w, in, m);
    } else {
        FOR_LANES(m, l)
        R(w, in->d, l) = ptx_u64(
            f64_op(in, ptx_f64(R(w, in->a, l)), ptx_f64(R(w, in->b, l)), ptx_f64(R(w, in->c, l))));
    }
    if (mode != FE_TONEAREST)
        fesetround(FE_TONEAREST);
}

/* ---- setp ---- */

static bool cmp_float(uint8_t c, double a, double b)
{
    bool un = isnan(a) || isnan(b);

    switch (c) {
    case PC_EQ:
        return !un && a == b;
    case PC_NE:
        return !un && a != b;
    case PC_LT:
        return !un && a < b;
    case PC_LE:
        return !un && a <= b;
    case PC_GT:
        return !un && a > b;
    case PC_GE:
        return !un && a >= b;
    case PC_EQU:
        return un || a == b;
    case PC_NEU:
        return un || a != b;
    case PC_LTU:
        return un || a < b;
    case PC_LEU:
        return un || a <= b;
    case PC_GTU:
        return un || a > b;
    case PC_GEU:
        return un || a >= b;
    case PC_NUM:
        return !un;
    case PC_NAN:
        return un;
    default:
        return false;
    }
}

static bool cmp_int(uint8_t c, uint64_t a, uint64_t b, bool sgn)
{
    int64_t x = (int64_t)a, y = (int64_t)b;

    switch (c) {
    case PC_EQ:
        return a == b;
    case PC_NE:
        return a != b;
    case PC_LT:
        return sgn ? x < y : a < b;
    case PC_LE:
        return sgn ? x <= y : a <= b;
    case PC_GT:
        return sgn ? x > y : a > b;
    case PC_GE:
        return sgn ? x >= y : a >= b;
    case PC_LO:
        return a < b;
    case PC_LS:
        return a <= b;
    case PC_HI:
        return a > b;
    case PC_HS:
        return a >= b;
    default:
        return false;
    }
}

#define SETP_INT_(ext, expr)                                                                       \
    do {                                                                                           \
        if (d2_)                                                                                   \
            EACH_LANE(m, l, uint64_t a = ext(a_[l]); uint64_t b = ext(b_[l]); bool r = (expr);     \
                      d_[l] = r; d2_[l] = !r;);                                                    \
        else                                                                                       \
            EACH_LANE(m, l, uint64_t a = ext(a_[l]); uint64_t b = ext(b_[l]); d_[l] = (expr););    \
    } while (0)
/* The 32- and 64-bit types get loops of their own, with the extension a constant. */
#define EXT_U32(v) ((v)&0xffffffffu)
#define EXT_S32(v) ((uint64_t)(int64_t)(int32_t)(v))
#define EXT_64(v)  (v)
#define EXT_T(v)   ptx_ext((v), t)
#define SETP_INT(expr)                                                                             \
    do {                                                                                           \
        if (bits == 32 && sgn)                                                                     \
            SETP_INT_(EXT_S32, expr);                                                              \
        else if (bits == 32)                                                                       \
            SETP_INT_(EXT_U32, expr);                                                              \
        else if (bits == 64)                                                                       \
            SETP_INT_(EXT_64, expr);                                                               \
        else                                                                                       \
            SETP_INT_(EXT_T, expr);                                                                \
    } while (0)

/* The hot integer comparisons, each with its own loop. */
static inline __attribute__((always_inline)) bool
setp_int_fast(struct warp *w, const struct ptx_insn *in, uint32_t m)
{
    uint8_t t = in->type;
    bool sgn = ptx_signed(t);
    unsigned bits = ptx_bits(t);
    uint64_t *d_ = SLOT(w, in->d), *d2_ = in->d2 != PTX_NO_SLOT ? SLOT(w, in->d2) : NULL;
    const uint64_t *a_ = SLOT(w, in->a), *b_ = SLOT(w, in->b);

    switch (in->mod) {
    case PC_EQ:
        SETP_INT(a == b);
        return true;
    case PC_NE:
        SETP_INT(a != b);
        return true;
    case PC_LT:
        if (sgn)
            SETP_INT((int64_t)a < (int64_t)b);
        else
            SETP_INT(a < b);
        return true;
    case PC_GE:
        if (sgn)
            SETP_INT((int64_t)a >= (int64_t)b);
        else
            SETP_INT(a >= b);
        return true;
    default:
        return false;
    }
}

PTX_HOT void ptx__op_setp(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m)
{
    uint8_t t = in->type;
    bool r;

    (void)s;
    if (t != PT_F32 && t != PT_F64 && setp_int_fast(w, in, m))
        return;
    FOR_LANES(m, l)
    {
        uint64_t a = R(w, in->a, l), b = R(w, in->b, l);
        if (t == PT_F32)
            r = cmp_float(in->mod, ptx_f32(a), ptx_f32(b));
        else if (t == PT_F64)
            r = cmp_float(in->mod, ptx_f64(a), ptx_f64(b));
        else
            r = cmp_int(in->mod, ptx_ext(a, t), ptx_ext(b, t), ptx_signed(t));
        R(w, in->d, l) = r;
        if (in->d2 != PTX_NO_SLOT)
            R(w, in->d2, l) = !r;
    }
}
