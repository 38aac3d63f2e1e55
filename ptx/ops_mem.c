/* ops_mem.c: loads, stores and atomics, every access checked against its space before it happens.
 */
#include <string.h>
#include "exec_int.h"

/* Host memory of [a, a+n) within [0, size) of base, or NULL. */
static void *within(uint8_t *base, uint64_t size, uint64_t a, unsigned n)
{
    return size >= n && a <= size - n ? base + a : NULL;
}

static void *global(struct run *s, uint64_t a, unsigned n)
{
    struct vgpu_ptx_region *c = &s->cache;

    if (a - PTX_GEN_DATA < PTX_WINDOW)
        return within(s->m->data, s->m->data_size, a - PTX_GEN_DATA, n);
    if (!s->cached || a < c->base || a - c->base >= c->size) {
        if (a >= VGPU_PTX_RESERVED_BASE || !s->l->region(s->l->region_ctx, a, c))
            return NULL;
        s->cached = true;
    }
    return within(c->host, c->size, a - c->base, n);
}

/*
 * Host memory behind n bytes at address a of space for lane, or NULL with
 * the fault recorded (misaligned, or outside everything the kernel may use).
 */
static void *resolve(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t lane,
                     uint8_t space, uint64_t a, unsigned n)
{
    uint8_t *lm = w->local + (size_t)lane * s->p->local_size;
    void *p;

    if (a & (n - 1)) {
        ptx__fault(s, w, lane, in, VGPU_PTX_FAULT_MISALIGNED, a);
        return NULL;
    }
    switch (space) {
    case PS_KPARAM:
        p = within((uint8_t *)s->l->params, s->p->params_size, a, n);
        break;
    case PS_SHARED:
        p = within(s->shared, s->shared_size, a, n);
        break;
    case PS_LOCAL:
        p = within(lm, s->p->local_size, a, n);
        break;
    default:
        if (space == PS_GENERIC && a - PTX_GEN_SHARED < PTX_WINDOW)
            p = within(s->shared, s->shared_size, a - PTX_GEN_SHARED, n);
        else if (space == PS_GENERIC && a - PTX_GEN_LOCAL < PTX_WINDOW)
            p = within(lm, s->p->local_size, a - PTX_GEN_LOCAL, n);
        else
            p = global(s, a, n);
    }
    if (!p)
        ptx__fault(s, w, lane, in, VGPU_PTX_FAULT_ILLEGAL_ADDRESS, a);
    return p;
}

static inline uint64_t load(const void *p, uint8_t t)
{
    uint64_t v = 0;

    memcpy(&v, p, ptx_bytes(t)); /* little-endian host */
    return ptx_signed(t) ? (uint64_t)ptx_sext(v, ptx_bits(t)) : v;
}

/* The memory window an access of instruction in hits without asking: shared memory, or the
 * region its own last global access found. Empty (size 0) for the rest, which resolve() handles. */
static inline struct ptx_window window_of(const struct run *s, const struct ptx_insn *in)
{
    struct ptx_window win = {NULL, 0, 0};

    if (in->space == PS_SHARED) {
        win.host = s->shared;
        win.size = s->shared_size;
    } else if (in->space == PS_GLOBAL || in->space == PS_GENERIC || in->space == PS_CONST) {
        win = s->wins[in - s->p->code];
    }
    return win;
}

/* Remember the region resolve() found for the next warps' accesses of in. */
static inline void window_keep(struct run *s, const struct ptx_insn *in)
{
    struct ptx_window *win = &s->wins[in - s->p->code];

    if (s->cached && in->space != PS_SHARED) {
        win->host = s->cache.host;
        win->base = s->cache.base;
        win->size = s->cache.size;
    }
}

/* Host memory of n bytes at a in win, or NULL. */
static inline uint8_t *in_window(const struct ptx_window *win, uint64_t a, unsigned n)
{
    uint64_t o = a - win->base;

    return !(a & (n - 1)) && o < win->size && win->size - o >= n ? win->host + o : NULL;
}

/*
 * Whether the whole warp's accesses of n bytes at base[l] + off fall in win, aligned: the highest
 * offset into the window (one below it wraps to a huge one) and the OR of all addresses, in a loop
 * the compiler vectorises. *seq: whether lane l's address is lane 0's + l * n.
 */
static inline __attribute__((always_inline)) bool warp_in_window(const struct ptx_window *win,
                                                                 const uint64_t *base, uint64_t off,
                                                                 unsigned n, bool *seq)
{
    uint64_t hi = 0, any = 0, l, apart = 0;

    for (l = 0; l < 32; l++) {
        uint64_t o = base[l] + off - win->base;
        hi = o > hi ? o : hi;
        any |= base[l] + off;
        apart |= base[l] - base[0] - l * n;
    }
    *seq = apart == 0;
    return !(any & (n - 1)) && win->size >= n && hi <= win->size - n;
}

/* A whole warp's load of eb-byte elements from host memory h + base[l]. */
static inline __attribute__((always_inline)) void
ld_warp(uint64_t *d, const uint8_t *h, const uint64_t *base, bool seq, unsigned eb, bool sgn)
{
    uint32_t l;

    if (seq && eb == 4 && !sgn) {
        const uint8_t *h0 = h + base[0];
        for (l = 0; l < 32; l++) {
            uint32_t v;
            memcpy(&v, h0 + 4 * l, 4);
            d[l] = v;
        }
        return;
    }
    for (l = 0; l < 32; l++) {
        uint64_t v = 0;
        memcpy(&v, h + base[l], eb);
        d[l] = sgn ? (uint64_t)ptx_sext(v, 8 * eb) : v;
    }
}

/* One element per lane; eb is a constant where this is inlined, so the copies are plain moves. */
static inline __attribute__((always_inline)) void
ld1(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m, unsigned eb)
{
    struct ptx_window win = window_of(s, in);
    bool sgn = ptx_signed(in->type), seq;
    uint64_t *d = SLOT(w, in->v[0]), off = (uint64_t)in->off;
    const uint64_t *base = SLOT(w, in->a);

    if (m == ~0u && warp_in_window(&win, base, off, eb, &seq)) {
        ld_warp(d, win.host - win.base + off, base, seq, eb, sgn);
        return;
    }
    EACH_LANE(
        m, l, uint64_t a = base[l] + off; uint64_t v = 0; const uint8_t *p = in_window(&win, a, eb);
        if (!p) {
            p = resolve(s, w, in, l, in->space, a, eb);
            if (!p)
                return;
            window_keep(s, in);
            win = window_of(s, in);
        } memcpy(&v, p, eb);
        d[l] = sgn ? (uint64_t)ptx_sext(v, 8 * eb) : v;);
}

static inline __attribute__((always_inline)) void
st1(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m, unsigned eb)
{
    struct ptx_window win = window_of(s, in);
    const uint64_t *base = SLOT(w, in->a), *src = SLOT(w, in->v[0]);
    uint64_t off = (uint64_t)in->off;

    bool seq;

    if (m == ~0u && warp_in_window(&win, base, off, eb, &seq)) {
        uint8_t *h = win.host - win.base + off;
        if (seq && eb == 4) {
            for (uint32_t l = 0; l < 32; l++) {
                uint32_t v = (uint32_t)src[l];
                memcpy(h + base[0] + 4 * l, &v, 4);
            }
            return;
        }
        for (uint32_t l = 0; l < 32; l++) {
            uint64_t v = src[l];
            memcpy(h + base[l], &v, eb);
        }
        return;
    }
    EACH_LANE(
        m, l, uint64_t a = base[l] + off; uint64_t v = src[l]; uint8_t *p = in_window(&win, a, eb);
        if (!p) {
            p = resolve(s, w, in, l, in->space, a, eb);
            if (!p)
                return;
            window_keep(s, in);
            win = window_of(s, in);
        } memcpy(p, &v, eb););
}

PTX_HOT void ptx__op_ld(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m)
{
    unsigned eb = ptx_bytes(in->type), i;

    if (in->space == PS_KPARAM && in->vec == 1) { /* the kernel's parameters: once per warp */
        uint32_t l0 = (uint32_t)__builtin_ctz(m);
        const uint8_t *p =
            resolve(s, w, in, l0, PS_KPARAM, R(w, in->a, l0) + (uint64_t)in->off, eb);
        if (p) {
            uint64_t v = load(p, in->type);
            uint64_t *d = SLOT(w, in->v[0]);
            EACH_LANE(m, l, d[l] = v;);
        }
        return;
    }
    if (in->vec == 1 && eb == 4) {
        ld1(s, w, in, m, 4);
        return;
    }
    if (in->vec == 1 && eb == 8) {
        ld1(s, w, in, m, 8);
        return;
    }
    FOR_LANES(m, l)
    {
        uint64_t a = R(w, in->a, l) + (uint64_t)in->off;
        const uint8_t *p = resolve(s, w, in, l, in->space, a, eb * in->vec);
        if (!p)
            return;
        for (i = 0; i < in->vec; i++)
            R(w, in->v[i], l) = load(p + i * eb, in->type);
    }
}

PTX_HOT void ptx__op_st(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m)
{
    unsigned eb = ptx_bytes(in->type), i;

    if (in->space == PS_KPARAM) {
        ptx__fault(s, w, (uint32_t)__builtin_ctz(m), in, VGPU_PTX_FAULT_ILLEGAL_ADDRESS,
                   R(w, in->a, 0) + (uint64_t)in->off);
        return;
    }
    if (in->vec == 1 && eb == 4) {
        st1(s, w, in, m, 4);
        return;
    }
    if (in->vec == 1 && eb == 8) {
        st1(s, w, in, m, 8);
        return;
    }
    FOR_LANES(m, l)
    {
        uint64_t a = R(w, in->a, l) + (uint64_t)in->off;
        uint8_t *p = resolve(s, w, in, l, in->space, a, eb * in->vec);
        if (!p)
            return;
        for (i = 0; i < in->vec; i++) {
            uint64_t v = R(w, in->v[i], l);
            memcpy(p + i * eb, &v, eb);
        }
    }
}

static uint64_t atom_int(uint8_t op, uint8_t t, uint64_t old, uint64_t b, uint64_t c)
{
    uint64_t x = ptx_ext(old, t), y = ptx_ext(b, t);
    bool lt = ptx_signed(t) ? (int64_t)x < (int64_t)y : x < y;

    switch (op) {
    case PA_ADD:
        return old + b;
    case PA_MIN:
        return lt ? old : b;
    case PA_MAX:
        return lt ? b : old;
    case PA_EXCH:
        return b;
    case PA_CAS:
        return (old & ptx_mask(t)) == (b & ptx_mask(t)) ? c : old;
    case PA_AND:
        return old & b;
    case PA_OR:
        return old | b;
    case PA_XOR:
        return old ^ b;
    case PA_INC:
        return (old & ptx_mask(t)) >= (b & ptx_mask(t)) ? 0 : old + 1;
    default: /* PA_DEC */
        return (old & ptx_mask(t)) == 0 || (old & ptx_mask(t)) > (b & ptx_mask(t)) ? b : old - 1;
    }
}

static uint64_t atom_one(const struct ptx_insn *in, uint64_t old, uint64_t b, uint64_t c)
{
    if (in->type == PT_F32 && in->mod == PA_ADD)
        return ptx_u32(ptx_f32(old) + ptx_f32(b));
    if (in->type == PT_F64 && in->mod == PA_ADD)
        return ptx_u64(ptx_f64(old) + ptx_f64(b));
    if (in->type == PT_F32 || in->type == PT_F64)
        return in->mod == PA_EXCH ? b : old; /* min/max on floats: refused at load */
    return atom_int(in->mod, in->type, old, b, c);
}

/* One lane after another: the warp's atomics are serialised, as the hardware does. */
void ptx__op_atom(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m)
{
    unsigned eb = ptx_bytes(in->type);

    FOR_LANES(m, l)
    {
        uint64_t a = R(w, in->a, l) + (uint64_t)in->off, old = 0, nv;
        uint8_t *p = resolve(s, w, in, l, in->space, a, eb);
        if (!p)
            return;
        memcpy(&old, p, eb);
        nv = atom_one(in, old, R(w, in->b, l), R(w, in->c, l));
        memcpy(p, &nv, eb);
        if (in->d != PTX_NO_SLOT)
            R(w, in->d, l) = ptx_signed(in->type) ? ptx_ext(old, in->type) : old;
    }
}

/* Generic addresses of the shared and local windows; global and const are identity. */
PTX_HOT void ptx__op_cvta(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m)
{
    uint64_t base = in->space == PS_SHARED  ? PTX_GEN_SHARED
                    : in->space == PS_LOCAL ? PTX_GEN_LOCAL
                                            : 0;
    bool to = in->flags & PTX_F_TO;

    uint64_t *d = SLOT(w, in->d), mask = ptx_mask(in->type);
    const uint64_t *src = SLOT(w, in->a);

    (void)s;
    if (to)
        base = 0 - base;
    EACH_LANE(m, l, d[l] = (src[l] + base) & mask;);
}
