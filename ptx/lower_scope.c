/* lower_scope.c: function bodies as scopes: entries, inlined callees, labels, module data. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lower.h"

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

static void scope_free(struct scope *sc)
{
    free(sc->reg_base);
    free(sc->var_addr);
    free(sc->param_addr);
    free(sc->ret_addr);
    free(sc->label_pc);
    free(sc->fix);
    memset(sc, 0, sizeof(*sc));
}

/* Places a body-scope variable: shared in the block's memory, the rest in each thread's local. */
static uint64_t place_var(struct ptx_prog *p, const struct ptx_var *v)
{
    uint64_t at;

    if (v->space == PS_SHARED) {
        at = align_up(p->shared_size, v->align);
        p->shared_size = (uint32_t)(at + v->size);
    } else {
        at = align_up(p->local_size, v->align);
        p->local_size = (uint32_t)(at + v->size);
    }
    return at;
}

static int scope_alloc(struct scope *sc, const struct ptx_func *f)
{
    sc->f = f;
    sc->reg_base = calloc(f->nregs + 1, sizeof(*sc->reg_base));
    sc->var_addr = calloc(f->nvars + 1, sizeof(*sc->var_addr));
    sc->param_addr = calloc(f->nparams + 1, sizeof(*sc->param_addr));
    sc->ret_addr = calloc(f->nrets + 1, sizeof(*sc->ret_addr));
    sc->label_pc = calloc(f->nstmts + 1, sizeof(*sc->label_pc));
    if (!sc->reg_base || !sc->var_addr || !sc->param_addr || !sc->ret_addr || !sc->label_pc)
        return -ENOMEM;
    return 0;
}

/* Gives f's registers and variables their slots and addresses in l->prog. */
static int scope_init(struct lower *l, struct scope *sc, const struct ptx_func *f,
                      const struct scope *parent)
{
    struct ptx_prog *p = l->prog;
    uint32_t i;

    memset(sc, 0, sizeof(*sc));
    sc->parent = parent;
    if (scope_alloc(sc, f))
        return -ENOMEM;
    for (i = 0; i < f->nregs; i++) {
        sc->reg_base[i] = p->nslots;
        p->nslots += f->regs[i].count ? f->regs[i].count : 1;
    }
    for (i = 0; i < f->nvars; i++) {
        if (f->vars[i].size == 0)
            return ptx__lfail(l, "variable '%s' has no size", f->vars[i].name);
        sc->var_addr[i] = place_var(p, &f->vars[i]);
    }
    if (f->entry && f->nparams && !(p->params = calloc(f->nparams, sizeof(*p->params))))
        return -ENOMEM;
    for (i = 0; f->entry && i < f->nparams; i++) {
        const struct ptx_var *v = &f->params[i];
        sc->param_addr[i] = align_up(p->params_size, v->align);
        p->params_size = (uint32_t)(sc->param_addr[i] + v->size);
        p->params[i].offset = (uint32_t)sc->param_addr[i];
        p->params[i].size = (uint32_t)v->size;
        p->nparams = i + 1;
    }
    if (p->nslots > PTX_MAX_SLOTS)
        return ptx__lfail(l, "too many registers (over %u once calls are inlined)", PTX_MAX_SLOTS);
    if (p->local_size > PTX_MAX_LOCAL || p->shared_size > PTX_MAX_SHARED)
        return ptx__lfail(l, "too much local (over %u bytes) or shared memory (over %u bytes)",
                          PTX_MAX_LOCAL, PTX_MAX_SHARED);
    return 0;
}

static int resolve_fixes(struct lower *l, struct scope *sc)
{
    uint32_t i, k;

    for (i = 0; i < sc->nfix; i++) {
        uint32_t pc = l->prog->ncode;
        if (sc->fix[i].label) {
            for (k = 0; k < sc->f->nstmts; k++)
                if (sc->f->stmts[k].label && strcmp(sc->f->stmts[k].label, sc->fix[i].label) == 0)
                    break;
            if (k == sc->f->nstmts)
                return ptx__lfail(l, "branch to unknown label '%s'", sc->fix[i].label);
            pc = sc->label_pc[k];
        }
        l->prog->code[sc->fix[i].insn].target = pc;
    }
    return 0;
}

static int emit_body(struct lower *l, struct scope *sc)
{
    const struct ptx_func *f = sc->f;
    uint32_t i;
    int r = 0;

    for (i = 0; i < f->nstmts && r == 0; i++) {
        const struct ptx_stmt *s = &f->stmts[i];
        l->line = s->line;
        if (s->label)
            sc->label_pc[i] = l->prog->ncode;
        else if (strcmp(s->op, "call") == 0)
            r = ptx__lower_call(l, sc, s);
        else
            r = ptx__lower_insn(l, sc, s);
    }
    return r ? r : resolve_fixes(l, sc);
}

static const struct ptx_func *find_func(const struct ptx_ast *ast, const char *name)
{
    uint32_t i;

    for (i = 0; i < ast->nfuncs; i++)
        if (ast->funcs[i].has_body && strcmp(ast->funcs[i].name, name) == 0)
            return &ast->funcs[i];
    return NULL;
}

/* Binds each callee parameter to the caller's .param variable of the same position. */
static int bind_list(struct lower *l, const struct scope *caller, const struct ptx_operand *o,
                     uint32_t want, uint64_t *addr, const char *what)
{
    uint32_t i, n = o ? o->n : 0;
    struct sym s;

    if (n != want)
        return ptx__lfail(l, "call passes %u %s, the callee takes %u", n, what, want);
    for (i = 0; i < n; i++) {
        if (ptx__resolve(l, caller, o->names[i], &s))
            return -ENOEXEC;
        if (s.kind != SYM_ADDR || s.space != PS_LOCAL)
            return ptx__lfail(l, "call %s '%s' is not a .param variable", what, o->names[i]);
        addr[i] = s.addr;
    }
    return 0;
}

/* call{.uni} [(rets),] func [, (args)]; */
int ptx__lower_call(struct lower *l, struct scope *sc, const struct ptx_stmt *s)
{
    const struct ptx_operand *rets = NULL, *args = NULL, *fn;
    const struct ptx_func *callee;
    struct scope cs;
    uint32_t i = 0;
    int r;

    if (s->guard)
        return ptx__lfail(l, "unsupported instruction 'call' with a guard predicate");
    if (s->nops > 0 && s->ops[0].kind == PO_LIST)
        rets = &s->ops[i++];
    if (i >= s->nops || s->ops[i].kind != PO_REG)
        return ptx__lfail(l, "unsupported instruction 'call' (indirect or malformed)");
    fn = &s->ops[i++];
    if (i < s->nops)
        args = &s->ops[i];
    callee = find_func(l->ast, fn->name);
    if (!callee)
        return ptx__lfail(l, "call to '%s', which has no body in the module", fn->name);
    for (i = 0; i < l->depth; i++)
        if (l->stack[i] == callee)
            return ptx__lfail(l, "recursive call to '%s' is not supported", fn->name);
    if (l->depth == MAX_INLINE_DEPTH)
        return ptx__lfail(l, "calls nested deeper than %d", MAX_INLINE_DEPTH);
    r = scope_init(l, &cs, callee, sc);
    if (r == 0)
        r = bind_list(l, sc, args, callee->nparams, cs.param_addr, "arguments");
    if (r == 0)
        r = bind_list(l, sc, rets, callee->nrets, cs.ret_addr, "return values");
    if (r == 0) {
        l->stack[l->depth++] = callee;
        r = emit_body(l, &cs);
        l->depth--;
    }
    scope_free(&cs);
    return r;
}

static int lower_entry(struct lower *l, const struct ptx_func *f)
{
    struct ptx_prog *p = &l->m->progs[l->m->nprogs];
    struct ptx_insn ex = {.op = OP_EXIT, .guard = PTX_NO_SLOT};
    struct scope sc;
    uint32_t i;
    int r;

    memset(p, 0, sizeof(*p));
    l->prog = p;
    l->cap_code = l->cap_consts = 0;
    l->ndyn = 0;
    l->m->nprogs++;
    p->nslots = SR_COUNT_;
    p->name = strdup(f->name);
    if (!p->name)
        return -ENOMEM;
    for (i = 0; i < l->ast->nvars; i++)
        if (l->ast->vars[i].space == PS_SHARED)
            l->mod_addr[i] = UINT64_MAX;
    l->stack[0] = f;
    l->depth = 1;
    r = scope_init(l, &sc, f, NULL);
    if (r == 0)
        r = emit_body(l, &sc);
    if (r == 0)
        r = ptx__emit(l, &ex) < 0 ? -ENOMEM : 0; /* falling off the end exits */
    if (r == 0 && p->nslots > PTX_MAX_SLOTS)
        r = ptx__lfail(l, "too many registers and constants (over %u)", PTX_MAX_SLOTS);
    scope_free(&sc);
    p->shared_size = (uint32_t)align_up(p->shared_size, 16);
    p->local_size = (uint32_t)align_up(p->local_size, 16);
    for (i = 0; i < l->ndyn; i++)
        p->consts[l->dyn_consts[i]].value += p->shared_size;
    if (r == 0 && ptx__optimise(p) < 0)
        r = -ENOMEM;
    return r;
}

/* .global and .const variables: one data block per module, initialised. */
static int layout_data(struct lower *l)
{
    const struct ptx_ast *ast = l->ast;
    uint64_t size = 0;
    uint32_t i;

    for (i = 0; i < ast->nvars; i++) {
        const struct ptx_var *v = &ast->vars[i];
        if (v->space == PS_SHARED)
            continue;
        if (v->size == 0 || v->size > PTX_WINDOW)
            return ptx__lfail(l, "variable '%s' has no size or is too large", v->name);
        l->mod_addr[i] = align_up(size, v->align);
        size = l->mod_addr[i] + v->size;
    }
    if (size > PTX_MAX_DATA)
        return ptx__lfail(l, "module variables too large (over %u bytes)", PTX_MAX_DATA);
    l->m->data = calloc(1, size ? size : 1);
    if (!l->m->data)
        return -ENOMEM;
    l->m->data_size = size;
    l->m->globals = calloc(ast->nvars + 1, sizeof(*l->m->globals));
    if (!l->m->globals)
        return -ENOMEM;
    for (i = 0; i < ast->nvars; i++)
        if (ast->vars[i].space != PS_SHARED && ast->vars[i].init)
            memcpy(l->m->data + l->mod_addr[i], ast->vars[i].init, ast->vars[i].size);
    for (i = 0; i < ast->nvars; i++) {
        struct ptx_global *g = &l->m->globals[l->m->nglobals];
        if (ast->vars[i].space == PS_SHARED)
            continue;
        g->name = strdup(ast->vars[i].name);
        if (!g->name)
            return -ENOMEM;
        g->off = l->mod_addr[i];
        g->size = ast->vars[i].size;
        l->m->nglobals++;
    }
    return 0;
}

int ptx__lower(const struct ptx_ast *ast, struct vgpu_ptx_module *m, char *err, size_t errlen)
{
    struct lower l = {.ast = ast, .m = m, .err = err, .errlen = errlen};
    uint32_t i, n = 0;
    int r;

    for (i = 0; i < ast->nfuncs; i++)
        n += ast->funcs[i].entry && ast->funcs[i].has_body;
    m->progs = calloc(n + 1, sizeof(*m->progs));
    l.mod_addr = calloc(ast->nvars + 1, sizeof(*l.mod_addr));
    if (!m->progs || !l.mod_addr) {
        free(l.mod_addr);
        return -ENOMEM;
    }
    r = layout_data(&l);
    for (i = 0; i < ast->nfuncs && r == 0; i++)
        if (ast->funcs[i].entry && ast->funcs[i].has_body)
            r = lower_entry(&l, &ast->funcs[i]);
    free(l.mod_addr);
    free(l.dyn_consts);
    return r;
}
