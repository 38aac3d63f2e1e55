/* exec_int.h: the state of a running launch: warps in lockstep, memory windows, faults. */
#ifndef PTX_EXEC_INT_H
#define PTX_EXEC_INT_H

#include <string.h>
#include "ptx_int.h"

/*
 * A warp runs its lanes in lockstep: the group (mask) executes the
 * instruction at pc. Lanes that branched elsewhere wait in pend at their own
 * lpc; the group is always the lanes at the lowest pc, so diverged lanes
 * meet again where their paths join (every pend lane's lpc > pc). Lanes at
 * a barrier wait in wait until every warp of the block is there.
 */
struct warp {
    uint64_t *r;       /* registers: slot s of lane l at r[s * 32 + l] */
    uint8_t *local;    /* 32 lanes' local memory, local_size each */
    uint32_t pc;       /* the group's instruction */
    uint32_t mask;     /* the group: lanes executing pc */
    uint32_t pend;     /* runnable lanes elsewhere, at lpc */
    uint32_t pend_min; /* lowest lpc in pend (UINT32_MAX: none) */
    uint32_t wait;     /* lanes at a barrier, to resume at lpc */
    uint32_t index;    /* warp number in the block */
    uint32_t lpc[32];
};

/* A span of memory loads and stores reach without a lookup (see ops_mem.c). */
struct ptx_window {
    uint8_t *host;
    uint64_t base, size;
};

struct run {
    const struct ptx_prog *p;
    const struct vgpu_ptx_module *m;
    const struct vgpu_ptx_launch *l;
    uint8_t *shared;
    uint32_t shared_size;         /* static + dynamic */
    struct vgpu_ptx_region cache; /* the last region the caller returned */
    bool cached;
    bool failed; /* a fault was recorded: stop */
    struct vgpu_ptx_fault *fault;
    uint32_t block[3];       /* the block running */
    uint64_t insns;          /* thread-instructions executed */
    struct ptx_window *wins; /* per instruction: the region its last access found */
};

#define R(w, slot, lane) ((w)->r[(size_t)(slot)*32u + (lane)])
/* The 32 lanes of one slot. Loops take these first: with -fno-strict-aliasing every store would
 * otherwise reload the instruction's fields. */
#define SLOT(w, slot) (&(w)->r[(size_t)(slot)*32u])
#define FOR_LANES(m, l)                                                                            \
    for (uint32_t mm_ = (m), l = 0; mm_ && ((l = (uint32_t)__builtin_ctz(mm_)), 1); mm_ &= mm_ - 1)

/*
 * Runs the statement (the rest of the arguments) for each lane l in m; a whole warp takes a plain
 * loop, which the compiler can vectorise.
 */
#define EACH_LANE(m, l, ...)                                                                       \
    do {                                                                                           \
        if ((m) == ~0u) {                                                                          \
            for (uint32_t l = 0; l < 32; l++) {                                                    \
                __VA_ARGS__                                                                        \
            }                                                                                      \
        } else {                                                                                   \
            FOR_LANES(m, l)                                                                        \
            {                                                                                      \
                __VA_ARGS__                                                                        \
            }                                                                                      \
        }                                                                                          \
    } while (0)

/*
 * The operations whose whole-warp loops vectorise: built twice on x86-64, for AVX2 and the
 * baseline, the loader picking one for the CPU at hand (GCC's target_clones; clang 14-16 emit no
 * resolver for a clone called from another file, so clang builds, the fuzzers among them, get
 * one baseline build).
 */
/* Not under ThreadSanitizer: GCC instruments the ifunc resolver, which then runs before
 * relocation and crashes the worker at load. */
#if defined(__x86_64__) && !defined(__clang__) && __GNUC__ >= 6 && !defined(__SANITIZE_THREAD__)
#define PTX_HOT __attribute__((target_clones("avx2", "default")))
#else
#define PTX_HOT
#endif

typedef void (*ptx_op_fn)(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m);

/* Handlers, by enum ptx_op (NULL: handled by the scheduler). */
extern const ptx_op_fn ptx__ops[OP_COUNT_];

void ptx__op_int(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m);
void ptx__op_bits(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m);
void ptx__op_float(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m);
void ptx__op_cvt(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m);
void ptx__op_setp(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m);
void ptx__op_ld(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m);
void ptx__op_st(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m);
void ptx__op_atom(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m);
void ptx__op_cvta(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m);
void ptx__op_warp(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m);
void ptx__op_misc(struct run *s, struct warp *w, const struct ptx_insn *in, uint32_t m);

/* Records a fault of lane (first one wins) and stops the launch. */
void ptx__fault(struct run *s, const struct warp *w, uint32_t lane, const struct ptx_insn *in,
                enum vgpu_ptx_fault_kind kind, uint64_t addr);

/* Type helpers. */
static inline unsigned ptx_bytes(uint8_t t)
{
    static const uint8_t bytes[] = {
        [PT_B8] = 1,  [PT_B16] = 2, [PT_B32] = 4, [PT_B64] = 8,  [PT_U8] = 1,  [PT_U16] = 2,
        [PT_U32] = 4, [PT_U64] = 8, [PT_S8] = 1,  [PT_S16] = 2,  [PT_S32] = 4, [PT_S64] = 8,
        [PT_F16] = 2, [PT_F32] = 4, [PT_F64] = 8, [PT_PRED] = 1,
    };

    return t < sizeof(bytes) ? bytes[t] : 0;
}

static inline unsigned ptx_bits(uint8_t t)
{
    return 8u * ptx_bytes(t);
}

static inline bool ptx_signed(uint8_t t)
{
    return t >= PT_S8 && t <= PT_S64;
}

static inline uint64_t ptx_mask(uint8_t t)
{
    unsigned b = ptx_bits(t);
    return b >= 64 ? ~0ull : (1ull << b) - 1;
}

static inline int64_t ptx_sext(uint64_t v, unsigned bits)
{
    return bits >= 64 ? (int64_t)v : (int64_t)(v << (64 - bits)) >> (64 - bits);
}

/* v read as type t: signed types sign-extended to 64 bits, others zero-extended. */
static inline uint64_t ptx_ext(uint64_t v, uint8_t t)
{
    return ptx_signed(t) ? (uint64_t)ptx_sext(v, ptx_bits(t)) : v & ptx_mask(t);
}

/* Register bits as floats and back. */
static inline float ptx_f32(uint64_t v)
{
    uint32_t u = (uint32_t)v;
    float f;

    memcpy(&f, &u, 4);
    return f;
}

static inline uint64_t ptx_u32(float f)
{
    uint32_t u;

    memcpy(&u, &f, 4);
    return u;
}

static inline double ptx_f64(uint64_t v)
{
    double d;

    memcpy(&d, &v, 8);
    return d;
}

static inline uint64_t ptx_u64(double d)
{
    uint64_t u;

    memcpy(&u, &d, 8);
    return u;
}

#endif /* PTX_EXEC_INT_H */
