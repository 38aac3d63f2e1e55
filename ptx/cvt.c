/* cvt.c: cvt between integer, f16, f32 and f64 types with PTX's rounding modes and saturation. */
#include <fenv.h>
#include <math.h>
#include "exec_int.h"

static bool is_float(uint8_t t)
{
    return t == PT_F16 || t == PT_F32 || t == PT_F64;
}

/* f32 to IEEE half, round to nearest even. */
static uint16_t f32_to_f16(float f)
{
    uint32_t x = (uint32_t)ptx_u32(f), sign = x >> 16 & 0x8000, man = x & 0x7fffff, h, rem, half;
    int e = (int)(x >> 23 & 0xff) - 127 + 15, shift;

    if ((x >> 23 & 0xff) == 0xff)
        return (uint16_t)(sign | 0x7c00 | (man ? 0x200 | man >> 13 : 0));
    if (e >= 0x1f)
        return (uint16_t)(sign | 0x7c00);
    if (e <= 0) {
        if (e < -10)
            return (uint16_t)sign;
        man |= 0x800000;
        shift = 14 - e;
        h = man >> shift;
        rem = man & ((1u << shift) - 1);
        half = 1u << (shift - 1);
        h += rem > half || (rem == half && (h & 1));
        return (uint16_t)(sign | h);
    }
    h = (uint32_t)e << 10 | man >> 13;
    rem = man & 0x1fff;
    h += rem > 0x1000 || (rem == 0x1000 && (h & 1)); /* may carry into infinity, as it should */
    return (uint16_t)(sign | h);
}

static float f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, e = h >> 10 & 0x1f, man = h & 0x3ff;

    if (e == 0x1f)
        return ptx_f32(sign | 0x7f800000 | man << 13);
    if (e == 0) {
        float v = ldexpf((float)man, -24);
        return sign ? -v : v;
    }
    return ptx_f32(sign | (e - 15 + 127) << 23 | man << 13);
}

static double read_float(uint64_t v, uint8_t t, bool ftz)
{
    if (t == PT_F16)
        return f16_to_f32((uint16_t)v);
    if (t == PT_F64)
        return ptx_f64(v);
    if (ftz && fpclassify(ptx_f32(v)) == FP_SUBNORMAL)
        return copysign(0.0, ptx_f32(v));
    return ptx_f32(v);
}

static double round_int(double x, uint8_t rnd)
{
    switch (rnd) {
    case PR_RNI:
        return nearbyint(x);
    case PR_RMI:
        return floor(x);
    case PR_RPI:
        return ceil(x);
    default:
        return trunc(x);
    }
}

/* Float to integer: rounded, NaN to 0, saturated to the type's range (as the GPU does). */
static uint64_t float_to_int(double x, uint8_t t, uint8_t rnd)
{
    unsigned bits = ptx_bits(t);
    double lim = ldexp(1.0, (int)bits - (ptx_signed(t) ? 1 : 0));

    if (isnan(x))
        return 0;
    x = round_int(x, rnd);
    if (ptx_signed(t)) {
        if (x >= lim)
            return ptx_mask(t) >> 1;
        if (x < -lim)
            return (ptx_mask(t) >> 1) + 1;
        return (uint64_t)(int64_t)x & ptx_mask(t);
    }
    if (x <= 0)
        return 0;
    return x >= lim ? ptx_mask(t) : (uint64_t)x;
}

static uint64_t write_float(double x, uint8_t t, const struct ptx_insn *in)
{
    float f;

    if (in->flags & PTX_F_SAT)
        x = isnan(x) ? 0.0 : x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x;
    if (t == PT_F64)
        return ptx_u64(x);
    f = (float)x; /* rounded by the current mode */
    if ((in->flags & PTX_F_FTZ) && fpclassify(f) == FP_SUBNORMAL)
        f = copysignf(0.0f, f);
    return t == PT_F16 ? f32_to_f16(f) : ptx_u32(f);
}

static uint64_t cvt_one(const struct ptx_insn *in, uint64_t v)
{
    uint8_t dt = in->type, st = in->type2;
    double x;

    if (!is_float(st) && !is_float(dt))
        return ptx_ext(v, st) & ptx_mask(dt);
    if (!is_float(st)) {
        if (ptx_signed(st) && dt == PT_F32 && ptx_bits(st) == 64 && !(in->flags & PTX_F_SAT))
            return ptx_u32((float)(int64_t)v);
        if (ptx_signed(st))
            return write_float((double)(int64_t)ptx_ext(v, st), dt, in);
        if (dt == PT_F32 && ptx_bits(st) == 64 && !(in->flags & PTX_F_SAT))
            return ptx_u32((float)v); /* one rounding, not two */
        return write_float((double)(v & ptx_mask(st)), dt, in);
    }
    x = read_float(v, st, in->flags & PTX_F_FTZ);
    if (!is_float(dt))
        return float_to_int(x, dt, in->mod);
    if (in->mod >= PR_RNI)
        x = round_int(x, in->mod);
    return write_float(x, dt, in);
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

void ptx__op_cvt(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m)
{
    int mode = fenv_mode(in->mod);

    (void)s;
    if (mode != FE_TONEAREST)
        fesetround(mode);
    FOR_LANES(m, l)
    R(w, in->d, l) = cvt_one(in, R(w, in->a, l));
    if (mode != FE_TONEAREST)
        fesetround(FE_TONEAREST);
}
