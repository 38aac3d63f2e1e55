/* lower.h: state shared by the lowering passes (lower.c: scopes and operands; lower_insn.c). */
#ifndef PTX_LOWER_H
#define PTX_LOWER_H

#include "ptx_int.h"

#define MAX_INLINE_DEPTH 16
#define MAX_CODE         (1u << 20)

/* A symbol as an instruction sees it. */
struct sym {
    enum { SYM_NONE, SYM_REG, SYM_ADDR } kind;
    uint32_t slot;   /* SYM_REG */
    uint8_t space;   /* SYM_ADDR: the space its address is in */
    uint64_t addr;   /* SYM_ADDR: the address in that space */
    bool dyn_shared; /* addr is relative to the dynamic shared memory */
};

/* One function body being emitted (the entry, or a callee inlined into it). */
struct scope {
    const struct ptx_func *f;
    const struct scope *parent;
    uint32_t *reg_base;   /* slot of each f->regs[i] */
    uint64_t *var_addr;   /* f->vars[i] in its space (local vars: local offsets) */
    uint64_t *param_addr; /* f->params[i]: kernel param offset (entry) or local offset */
    uint64_t *ret_addr;   /* f->rets[i]: local offset */
    uint32_t *label_pc;   /* pc of the label statement i (UINT32_MAX: none) */
    struct fix {
        uint32_t insn;     /* a bra to patch */
        const char *label; /* its label; NULL: the end of this body (ret in a callee) */
    } * fix;
    uint32_t nfix, cap_fix;
};

struct lower {
    const struct ptx_ast *ast;
    struct vgpu_ptx_module *m;
    struct ptx_prog *prog;
    uint32_t cap_code, cap_consts;
    uint64_t *mod_addr;   /* per ast var: .global/.const data offset; .shared offset in
                             this prog (UINT64_MAX: not placed yet) */
    uint32_t *dyn_consts; /* consts to rebase onto the dynamic shared memory */
    uint32_t ndyn, cap_dyn;
    const struct ptx_func *stack[MAX_INLINE_DEPTH];
    uint32_t depth;
    uint32_t line; /* statement being lowered */
    char *err;
    size_t errlen;
};

int ptx__lfail(struct lower *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends an instruction; returns its index or -ENOMEM. */
int ptx__emit(struct lower *l, const struct ptx_insn *in);
/* A constant slot holding v (shared between uses). Returns 0 or -ENOMEM. */
int ptx__const_slot(struct lower *l, uint64_t v, bool dyn_shared, uint32_t *slot);
/* Looks name up in sc (registers, variables, parameters, module variables, specials). */
int ptx__resolve(struct lower *l, const struct scope *sc, const char *name, struct sym *out);
/* A source operand as a slot, immediates converted to type. */
int ptx__src(struct lower *l, const struct scope *sc, const struct ptx_operand *o,
             enum ptx_type type, uint32_t *slot);
/* A destination register slot (a sink gets a scratch slot). */
int ptx__dst(struct lower *l, const struct scope *sc, const struct ptx_operand *o, uint32_t *slot);
/* An address operand [base+off]: base slot, offset and the symbol's space (PS_GENERIC: a register).
 */
int ptx__addr(struct lower *l, const struct scope *sc, const struct ptx_operand *o, uint32_t *base,
              int64_t *off, uint8_t *space);
/* Lowers one instruction statement of sc. */
int ptx__lower_insn(struct lower *l, struct scope *sc, const struct ptx_stmt *s);
/* Inlines a call statement's callee. */
int ptx__lower_call(struct lower *l, struct scope *sc, const struct ptx_stmt *s);
/* Records a branch to a label of sc, resolved when sc's body ends. */
int ptx__branch_fix(struct lower *l, struct scope *sc, uint32_t insn, const char *label);

#endif /* PTX_LOWER_H */
