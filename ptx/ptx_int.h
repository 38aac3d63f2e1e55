/* ptx_int.h: the PTX interpreter's internals: the parsed text, the lowered form, the executor. */
#ifndef PTX_INT_H
#define PTX_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vgpu_ptx.h"

/* ---- Types, state spaces, modifiers ---- */

enum ptx_type {
    PT_NONE = 0,
    PT_B8,
    PT_B16,
    PT_B32,
    PT_B64,
    PT_U8,
    PT_U16,
    PT_U32,
    PT_U64,
    PT_S8,
    PT_S16,
    PT_S32,
    PT_S64,
    PT_F16,
    PT_F32,
    PT_F64,
    PT_PRED,
};

enum ptx_space { PS_GENERIC = 0, PS_GLOBAL, PS_SHARED, PS_LOCAL, PS_CONST, PS_PARAM, PS_KPARAM };

/* Rounding (cvt, float ops) and comparison kinds share insn.mod. */
enum ptx_round { PR_NONE = 0, PR_RN, PR_RZ, PR_RM, PR_RP, PR_RNI, PR_RZI, PR_RMI, PR_RPI };
enum ptx_cmp {
    PC_EQ = 1,
    PC_NE,
    PC_LT,
    PC_LE,
    PC_GT,
    PC_GE,
    PC_LO,
    PC_LS,
    PC_HI,
    PC_HS,
    PC_EQU,
    PC_NEU,
    PC_LTU,
    PC_LEU,
    PC_GTU,
    PC_GEU,
    PC_NUM,
    PC_NAN,
};
enum ptx_atom {
    PA_ADD = 1,
    PA_MIN,
    PA_MAX,
    PA_EXCH,
    PA_CAS,
    PA_AND,
    PA_OR,
    PA_XOR,
    PA_INC,
    PA_DEC
};
enum ptx_shfl { PSH_UP = 1, PSH_DOWN, PSH_BFLY, PSH_IDX };
enum ptx_vote { PV_ALL = 1, PV_ANY, PV_UNI, PV_BALLOT };

#define PTX_F_FTZ     0x01u  /* flush f32 subnormals to zero */
#define PTX_F_SAT     0x02u  /* clamp float results to [0, 1] */
#define PTX_F_HI      0x04u  /* mul/mad: high half */
#define PTX_F_WIDE    0x08u  /* mul/mad: double-width result */
#define PTX_F_NEGG    0x10u  /* the guard is negated (@!p) */
#define PTX_F_APPROX  0x20u  /* .approx */
#define PTX_F_SHIFTAM 0x40u  /* bfind.shiftamt */
#define PTX_F_NEGA    0x80u  /* vote/selp: source predicate negated */
#define PTX_F_TO      0x100u /* cvta.to: generic to the space */

/* ---- Parsed text ---- */

enum ptx_okind { PO_REG = 1, PO_IMM, PO_FIMM, PO_SYM, PO_ADDR, PO_VEC, PO_LIST, PO_SINK };

#define PTX_MAX_MODS 12
#define PTX_MAX_OPS  8
#define PTX_MAX_LIST 8

struct ptx_operand {
    uint8_t kind;                    /* enum ptx_okind */
    bool neg;                        /* !%p */
    uint8_t fbits;                   /* PO_FIMM: 32 or 64 (hex 0f/0d); 0 for a decimal literal */
    uint8_t n;                       /* PO_VEC, PO_LIST: names used */
    const char *name;                /* PO_REG, PO_SYM, PO_ADDR base (NULL: absolute) */
    const char *pair;                /* d|p: the second destination */
    const char *names[PTX_MAX_LIST]; /* PO_VEC, PO_LIST */
    int64_t imm;                     /* PO_IMM value, PO_ADDR offset */
    uint64_t fimm;                   /* PO_FIMM bits (fbits 32/64) */
    double fval;                     /* PO_FIMM decimal value */
};

struct ptx_stmt {
    const char *label;              /* a label line: the name, nothing else set */
    const char *op;                 /* "ld" */
    const char *mods[PTX_MAX_MODS]; /* ".global", ".f32", ... in order */
    uint8_t nmods;
    uint8_t nops;
    bool guard_neg;
    const char *guard; /* @p / @!p, or NULL */
    struct ptx_operand ops[PTX_MAX_OPS];
    uint32_t line;
};

/* Registers declared as %r<60> (count 60) or %p (count 0: one, no number). */
struct ptx_regdecl {
    const char *prefix;
    uint32_t count;
    uint8_t type;
};

/* A variable in any state space, module or function scope. */
struct ptx_var {
    const char *name;
    uint8_t space;  /* enum ptx_space */
    uint8_t type;   /* element type */
    bool is_extern; /* extern .shared: the dynamic shared memory */
    uint32_t align;
    uint64_t size; /* bytes */
    uint8_t *init; /* size bytes, or NULL (zeroes) */
};

struct ptx_func {
    const char *name;
    bool entry;
    struct ptx_var *params; /* in order; space PS_PARAM */
    uint32_t nparams;
    struct ptx_var *rets; /* .func return parameters */
    uint32_t nrets;
    struct ptx_regdecl *regs;
    uint32_t nregs;
    struct ptx_var *vars; /* .shared/.local/.param declared in the body */
    uint32_t nvars;
    struct ptx_stmt *stmts;
    uint32_t nstmts;
    bool has_body;
};

struct ptx_ast {
    struct ptx_var *vars; /* module scope: .global, .const, .shared */
    uint32_t nvars;
    struct ptx_func *funcs;
    uint32_t nfuncs;
};

/* A bump allocator: everything parsed lives until the module is freed. */
struct ptx_arena {
    struct ptx_arena_chunk *head;
};

void *ptx__alloc(struct ptx_arena *a, size_t n);
char *ptx__strndup(struct ptx_arena *a, const char *s, size_t n);
void ptx__arena_free(struct ptx_arena *a);
/* Grows *v (elements of size sz, *cap of them) to hold n+1. Returns 0 or -ENOMEM. */
int ptx__grow(void **v, uint32_t *cap, uint32_t n, size_t sz);

/* Parses PTX text. Returns 0, or -ENOEXEC with err naming the line. */
int ptx__parse(const char *text, size_t len, struct ptx_arena *a, struct ptx_ast *ast, char *err,
               size_t errlen);
void ptx__ast_free(struct ptx_ast *ast);
enum ptx_type ptx__type_of(const char *mod);
unsigned ptx__type_bytes(enum ptx_type t);

/* Finds the PTX text in a fatbin (decompressing it). Returns 0, -ENOEXEC (err), -ENOMEM. */
int ptx__fatbin_ptx(const void *image, size_t len, char **text, size_t *text_len, char *err,
                    size_t errlen);
bool ptx__is_fatbin(const void *image, size_t len);

/* ---- Lowered form ---- */

enum ptx_op {
    OP_NOP = 0,
    OP_MOV,
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_MAD,
    OP_DIV,
    OP_REM,
    OP_ABS,
    OP_NEG,
    OP_MIN,
    OP_MAX,
    OP_AND,
    OP_OR,
    OP_XOR,
    OP_NOT,
    OP_CNOT,
    OP_SHL,
    OP_SHR,
    OP_SETP,
    OP_SELP,
    OP_FMA,
    OP_RCP,
    OP_SQRT,
    OP_RSQRT,
    OP_EX2,
    OP_LG2,
    OP_SIN,
    OP_COS,
    OP_TANH,
    OP_COPYSIGN,
    OP_CVT,
    OP_CVTA,
    OP_POPC,
    OP_CLZ,
    OP_BREV,
    OP_BFE,
    OP_BFI,
    OP_BFIND,
    OP_PRMT,
    OP_LOP3,
    OP_LD,
    OP_ST,
    OP_ATOM,
    OP_PACK,
    OP_UNPACK,
    OP_TIMER,
    OP_CLOCK,
    OP_BRA,
    OP_EXIT,
    OP_BAR,
    OP_SHFL,
    OP_VOTE,
    OP_ACTIVEMASK,
    OP_TRAP,
    OP_COUNT_
};

#define PTX_NO_SLOT UINT32_MAX

struct ptx_insn {
    uint8_t op;          /* enum ptx_op */
    uint8_t type;        /* the operation's type */
    uint8_t type2;       /* cvt: source type; ld/st: register element type */
    uint8_t mod;         /* rounding, comparison, atomic, shuffle or vote kind */
    uint8_t space;       /* ld/st/atom/cvta: enum ptx_space */
    uint8_t vec;         /* ld/st/pack: elements (1, 2, 4) */
    uint16_t flags;      /* PTX_F_* */
    uint32_t guard;      /* predicate slot or PTX_NO_SLOT */
    uint32_t d, d2;      /* destinations (d2: setp/shfl's predicate) */
    uint32_t a, b, c, e; /* sources: register, constant or special slots */
    uint32_t v[4];       /* ld/st/pack: element slots */
    uint32_t extra;      /* thread-instructions per lane counted here for removed ones */
    int64_t off;         /* address offset */
    uint32_t target;     /* bra: instruction index */
    uint32_t line;       /* PTX line, for faults */
};

/* Slots 0.. hold the special registers, filled per thread before it runs. */
enum ptx_sreg {
    SR_TID_X,
    SR_TID_Y,
    SR_TID_Z,
    SR_NTID_X,
    SR_NTID_Y,
    SR_NTID_Z,
    SR_CTAID_X,
    SR_CTAID_Y,
    SR_CTAID_Z,
    SR_NCTAID_X,
    SR_NCTAID_Y,
    SR_NCTAID_Z,
    SR_LANEID,
    SR_WARPID,
    SR_NWARPID,
    SR_LANEMASK_EQ,
    SR_LANEMASK_LT,
    SR_LANEMASK_LE,
    SR_LANEMASK_GT,
    SR_LANEMASK_GE,
    SR_ZERO,
    SR_COUNT_
};

struct ptx_const {
    uint32_t slot;
    uint64_t value;
};

/* One .entry, lowered: callees inlined, registers and constants in numbered slots. */
struct ptx_prog {
    char *name;
    struct ptx_insn *code;
    uint32_t ncode;
    uint32_t nslots;
    struct ptx_const *consts;
    uint32_t nconsts;
    struct ptx_insn *pro; /* the prologue: launch-invariant work, once per warp per launch */
    uint32_t npro;
    uint32_t params_size; /* packed parameter bytes */
    struct vgpu_ptx_param {
        uint32_t offset, size; /* in the packed buffer */
    } * params;                /* an .entry's parameters, in order */
    uint32_t nparams;
    uint32_t shared_size; /* static .shared bytes; dynamic shared starts here */
    uint32_t local_size;  /* .local and call .param bytes per thread */
};

struct vgpu_ptx_module {
    struct ptx_prog *progs;
    uint32_t nprogs;
    uint8_t *data; /* .global and .const variables */
    uint64_t data_size;
    struct ptx_global {
        char *name;
        uint64_t off, size; /* within data */
    } * globals;
    uint32_t nglobals;
};

/*
 * Limits on what a module may ask for, so that a hostile one costs bounded
 * memory: registers per kernel (slots; a block holds 32 warps x slots x 256
 * bytes), one variable, all module variables, local memory per thread and
 * static shared memory per block.
 */
#define PTX_MAX_SLOTS  8192u
#define PTX_MAX_VAR    (64u << 20)
#define PTX_MAX_DATA   (256u << 20)
#define PTX_MAX_LOCAL  (64u << 10)
#define PTX_MAX_SHARED (227u << 10)

/* Forwards copies of special registers and hoists launch-invariant work (lower_opt.c). */
int ptx__optimise(struct ptx_prog *p);

/* Where the interpreter's own windows sit in the generic address space. */
#define PTX_GEN_DATA   0x7d0000000000ull /* module .global/.const variables */
#define PTX_GEN_SHARED 0x7e0000000000ull /* this block's shared memory */
#define PTX_GEN_LOCAL  0x7f0000000000ull /* this thread's local memory */
#define PTX_WINDOW     0x010000000000ull /* each window's span */

/*
 * Lowers every .entry of ast into m->progs, module variables into m->data.
 * Returns 0, -ENOEXEC (err names the instruction or construct), -ENOMEM.
 */
int ptx__lower(const struct ptx_ast *ast, struct vgpu_ptx_module *m, char *err, size_t errlen);

#endif /* PTX_INT_H */
