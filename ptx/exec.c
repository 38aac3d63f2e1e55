/* exec.c: a launch: the grid's blocks one after another, each block's warps to the next barrier. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "exec_int.h"

#define MAX_THREADS 1024u
#define MAX_SHARED  (228u * 1024u) /* the protocol's limit on a launch (static + dynamic) */
#define STOP_EVERY  4096u          /* group steps between looks at the stop flag */

void ptx__fault(struct run *s, const struct warp *w, uint32_t lane, const struct ptx_insn *in,
                enum vgpu_ptx_fault_kind kind, uint64_t addr)
{
    const uint32_t *b = s->l->block;
    uint32_t t = w->index * 32u + lane;

    if (s->failed)
        return;
    s->failed = true;
    if (!s->fault)
        return;
    s->fault->kind = kind;
    s->fault->addr = addr;
    memcpy(s->fault->block, s->block, sizeof(s->block));
    s->fault->thread[0] = t % b[0];
    s->fault->thread[1] = t / b[0] % b[1];
    s->fault->thread[2] = t / (b[0] * b[1]);
    s->fault->line = in ? in->line : 0;
}

/* ---- Divergence: the group, pending lanes, barriers ---- */

static void pend_update(struct warp *w)
{
    w->pend_min = UINT32_MAX;
    FOR_LANES(w->pend, l)
    if (w->lpc[l] < w->pend_min)
        w->pend_min = w->lpc[l];
}

/* The lanes at the lowest pending pc become the group. */
static void regroup(struct warp *w)
{
    uint32_t g = 0;

    w->mask = 0;
    if (!w->pend)
        return;
    pend_update(w);
    FOR_LANES(w->pend, l)
    if (w->lpc[l] == w->pend_min)
        g |= 1u << l;
    w->pc = w->pend_min;
    w->mask = g;
    w->pend &= ~g;
    pend_update(w);
}

/* Lanes waiting at pc join the group. */
static void merge(struct warp *w)
{
    FOR_LANES(w->pend, l)
    if (w->lpc[l] == w->pc) {
        w->mask |= 1u << l;
        w->pend &= ~(1u << l);
    }
    pend_update(w);
}

static void advance(struct warp *w)
{
    w->pc++;
    if (w->pc == w->pend_min)
        merge(w);
}

/* Lanes of the group in m go to pc `to`, the others to pc+1. */
static void branch(struct warp *w, uint32_t m, uint32_t to)
{
    uint32_t stay = w->mask & ~m;

    if (!m) {
        advance(w);
        return;
    }
    if (stay) {
        FOR_LANES(m, l)
        w->lpc[l] = to;
        FOR_LANES(stay, l)
        w->lpc[l] = w->pc + 1;
        w->pend |= w->mask;
        regroup(w);
        return;
    }
    w->pc = to;
    if (w->pend && to >= w->pend_min) {
        FOR_LANES(w->mask, l)
        w->lpc[l] = to;
        w->pend |= w->mask;
        regroup(w);
    }
}

/* Lanes in m leave (exit) or park at the barrier (bar); the rest go on. */
static void retire(struct warp *w, uint32_t m, bool bar)
{
    uint32_t rest = w->mask & ~m;

    if (bar) {
        FOR_LANES(m, l)
        w->lpc[l] = w->pc + 1;
        w->wait |= m;
    }
    w->mask = rest;
    if (rest)
        advance(w);
    else
        regroup(w);
}

/* The group's lanes whose guard holds: every lane's predicate gathered without branches. */
static uint32_t guard_mask(const struct warp *w, const struct ptx_insn *in)
{
    const uint64_t *p = SLOT(w, in->guard);
    uint32_t g = 0, l;

    for (l = 0; l < 32; l++)
        g |= (uint32_t)(p[l] & 1) << l;
    if (in->flags & PTX_F_NEGG)
        g = ~g;
    return g & w->mask;
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Why the launch must stop now, or VGPU_PTX_FAULT_NONE. */
static enum vgpu_ptx_fault_kind stop_kind(const struct run *s)
{
    if (s->l->stop && atomic_load_explicit(s->l->stop, memory_order_relaxed))
        return VGPU_PTX_FAULT_STOPPED;
    if (s->l->deadline_ns && now_ns() >= s->l->deadline_ns)
        return VGPU_PTX_FAULT_DEADLINE;
    return VGPU_PTX_FAULT_NONE;
}

/* Runs w until every lane has exited or waits at a barrier, or the launch fails. */
static void run_warp(struct run *s, struct warp *w)
{
    const struct ptx_insn *code = s->p->code;
    uint32_t budget = STOP_EVERY;

    while (w->mask && !s->failed) {
        const struct ptx_insn *in = &code[w->pc];
        uint32_t m = in->guard == PTX_NO_SLOT ? w->mask : guard_mask(w, in);

        s->insns += (uint64_t)(m == ~0u ? 32 : (uint32_t)__builtin_popcount(m)) * (1 + in->extra);
        switch (in->op) {
        case OP_BRA:
            branch(w, m, in->target);
            break;
        case OP_EXIT:
            retire(w, m, false);
            break;
        case OP_BAR:
            retire(w, m, true);
            break;
        case OP_TRAP:
            if (m)
                ptx__fault(s, w, (uint32_t)__builtin_ctz(m), in, VGPU_PTX_FAULT_TRAP, 0);
            advance(w);
            break;
        default:
            if (m)
                ptx__ops[in->op](s, w, in, m);
            advance(w);
        }
        if (--budget == 0) {
            enum vgpu_ptx_fault_kind k = stop_kind(s);
            budget = STOP_EVERY;
            if (k != VGPU_PTX_FAULT_NONE)
                ptx__fault(s, w, (uint32_t)__builtin_ctz(w->mask | 1), in, k, 0);
        }
    }
}

/* ---- Blocks and the grid ---- */

struct block {
    struct warp *w;
    uint32_t nwarps, threads;
    uint64_t *regs;
    uint8_t *local;
    uint8_t *shared;
};

static int check_launch(const struct ptx_prog *p, const struct vgpu_ptx_launch *l)
{
    uint64_t threads = (uint64_t)l->block[0] * l->block[1] * l->block[2];

    if (!l->grid[0] || !l->grid[1] || !l->grid[2] || threads == 0 || threads > MAX_THREADS)
        return -EINVAL;
    if (l->block[2] > 64 || l->grid[1] > 65535 || l->grid[2] > 65535 || l->grid[0] > 0x7fffffffu)
        return -EINVAL;
    if (l->params_len < p->params_size || (p->params_size && !l->params))
        return -EINVAL;
    if ((uint64_t)p->shared_size + l->shared_bytes > MAX_SHARED || !l->region)
        return -EINVAL;
    return 0;
}

static void block_free(struct block *b)
{
    free(b->w);
    free(b->regs);
    free(b->local);
    free(b->shared);
    memset(b, 0, sizeof(*b));
}

static int block_alloc(struct run *s, struct block *b)
{
    const struct ptx_prog *p = s->p;

    b->threads = s->l->block[0] * s->l->block[1] * s->l->block[2];
    b->nwarps = (b->threads + 31) / 32;
    b->w = calloc(b->nwarps, sizeof(*b->w));
    b->regs = calloc((size_t)b->nwarps * p->nslots * 32, sizeof(uint64_t));
    b->local = calloc((size_t)b->nwarps * 32 * p->local_size + 1, 1);
    b->shared = calloc((size_t)s->shared_size + 1, 1);
    if (!b->w || !b->regs || !b->local || !b->shared) {
        block_free(b);
        return -ENOMEM;
    }
    return 0;
}

/* Constants and the special registers that stay for the whole launch. */
static void init_lane(struct run *s, struct block *b, struct warp *w, uint32_t l)
{
    const uint32_t *bd = s->l->block, *gd = s->l->grid;
    uint32_t t = w->index * 32 + l, i;
    uint64_t le = (2ull << l) - 1, lt = (1ull << l) - 1;

    for (i = 0; i < s->p->nconsts; i++)
        R(w, s->p->consts[i].slot, l) = s->p->consts[i].value;
    R(w, SR_TID_X, l) = t % bd[0];
    R(w, SR_TID_Y, l) = t / bd[0] % bd[1];
    R(w, SR_TID_Z, l) = t / (bd[0] * bd[1]);
    for (i = 0; i < 3; i++) {
        R(w, SR_NTID_X + i, l) = bd[i];
        R(w, SR_NCTAID_X + i, l) = gd[i];
    }
    R(w, SR_LANEID, l) = l;
    R(w, SR_WARPID, l) = w->index;
    R(w, SR_NWARPID, l) = b->nwarps;
    R(w, SR_LANEMASK_EQ, l) = 1u << l;
    R(w, SR_LANEMASK_LT, l) = (uint32_t)lt;
    R(w, SR_LANEMASK_LE, l) = (uint32_t)le;
    R(w, SR_LANEMASK_GT, l) = (uint32_t)~le;
    R(w, SR_LANEMASK_GE, l) = (uint32_t)~lt;
    R(w, SR_ZERO, l) = 0;
}

static void init_warps(struct run *s, struct block *b)
{
    uint32_t i, l;

    for (i = 0; i < b->nwarps; i++) {
        struct warp *w = &b->w[i];
        w->index = i;
        w->r = b->regs + (size_t)i * s->p->nslots * 32;
        w->local = b->local + (size_t)i * 32 * s->p->local_size;
        for (l = 0; l < 32; l++)
            init_lane(s, b, w, l);
        for (l = 0; l < s->p->npro; l++) /* launch-invariant: no faults, no effects */
            ptx__ops[s->p->pro[l].op](s, w, &s->p->pro[l], ~0u);
    }
}

static void start_block(struct run *s, struct block *b)
{
    uint32_t i, l, c;

    memset(b->shared, 0, s->shared_size);
    for (i = 0; i < b->nwarps; i++) {
        struct warp *w = &b->w[i];
        uint32_t lanes = b->threads - i * 32 < 32 ? b->threads - i * 32 : 32;
        for (c = 0; c < 3; c++) {
            uint64_t *r = SLOT(w, SR_CTAID_X + c), v = s->block[c];
            if (r[0] != v) /* code never writes special registers: y and z change once a row */
                for (l = 0; l < 32; l++)
                    r[l] = v;
        }
        w->pc = 0;
        w->mask = lanes == 32 ? ~0u : (1u << lanes) - 1;
        w->pend = w->wait = 0;
        w->pend_min = UINT32_MAX;
    }
}

/* Runs every warp to the next barrier, releases it, again, until all have exited. */
static void run_block(struct run *s, struct block *b)
{
    uint32_t i, waiting;

    for (;;) {
        waiting = 0;
        for (i = 0; i < b->nwarps && !s->failed; i++) {
            run_warp(s, &b->w[i]);
            waiting |= b->w[i].wait;
        }
        if (s->failed || !waiting)
            return;
        for (i = 0; i < b->nwarps; i++) {
            struct warp *w = &b->w[i];
            w->pend |= w->wait;
            w->wait = 0;
            regroup(w);
        }
    }
}

static void run_grid(struct run *s, struct block *b)
{
    const uint32_t *g = s->l->grid;

    for (s->block[2] = 0; s->block[2] < g[2]; s->block[2]++)
        for (s->block[1] = 0; s->block[1] < g[1]; s->block[1]++)
            for (s->block[0] = 0; s->block[0] < g[0]; s->block[0]++) {
                enum vgpu_ptx_fault_kind k = stop_kind(s);
                if (k != VGPU_PTX_FAULT_NONE)
                    ptx__fault(s, &b->w[0], 0, NULL, k, 0);
                if (s->failed)
                    return;
                start_block(s, b);
                run_block(s, b);
            }
}

int vgpu_ptx_launch(const struct vgpu_ptx_module *m, int entry, const struct vgpu_ptx_launch *l,
                    struct vgpu_ptx_fault *fault)
{
    struct run s = {.m = m, .l = l, .fault = fault};
    struct block b = {0};
    int r;

    if (entry < 0 || (uint32_t)entry >= m->nprogs)
        return -EINVAL;
    s.p = &m->progs[entry];
    r = check_launch(s.p, l);
    if (r)
        return r;
    s.shared_size = s.p->shared_size + l->shared_bytes;
    if (fault)
        fault->kind = VGPU_PTX_FAULT_NONE;
    s.wins = calloc(s.p->ncode + 1, sizeof(*s.wins));
    r = s.wins ? block_alloc(&s, &b) : -ENOMEM;
    if (r) {
        free(s.wins);
        return r;
    }
    s.shared = b.shared;
    init_warps(&s, &b);
    run_grid(&s, &b);
    block_free(&b);
    free(s.wins);
    if (fault)
        fault->insns += s.insns;
    return s.failed ? -EFAULT : 0;
}
