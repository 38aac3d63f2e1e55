/*
 * test_sim.c: deterministic simulations with a virtual clock over many seeded
 * random workloads, checking the scheduler against a shadow model.
 *
 * VGPU_SCHED_SIM_SCALE=n runs n times more seeds (default 1, a few seconds);
 * VGPU_SCHED_SIM_SEED=s runs only seed s (to replay a failure).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sched_test.h"

#define MAX_POOLS 3
#define MAX_VMS   32
#define MAX_JOBS  4096

enum { J_NONE, J_QUEUED, J_RUNNING, J_DONE, J_CANCELLED };

struct sim_job {
    uint32_t vm;
    int state;
    uint64_t submit, run_len, dispatch;
    uint32_t older_queued; /* jobs queued in its pool when it arrived */
};

struct sim_vm {
    bool alive;
    unsigned pool, prio;
};

struct sim {
    uint64_t seed, rng, t;
    struct vgpu_sched *s;
    unsigned npools;
    const char *pool[MAX_POOLS];
    uint64_t running[MAX_POOLS]; /* job id, 0 = idle */
    uint32_t nvms;
    struct sim_vm vm[MAX_VMS];
    struct sim_job job[MAX_JOBS + 1]; /* by job id */
    uint64_t njobs;
    uint64_t queued[MAX_JOBS]; /* ids of queued jobs */
    size_t nqueued;
    uint64_t dispatches;
    /* workload */
    uint64_t max_run, aging;
    bool live;
};

#define SIM_CHECK(sim, cond, ...)                                                                  \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            print_error("seed %" PRIu64 " t=%" PRIu64 ": ", (sim)->seed, (sim)->t);                \
            print_error(__VA_ARGS__);                                                              \
            print_error("\n");                                                                     \
            fail_msg("check failed: %s", #cond);                                                   \
        }                                                                                          \
    } while (0)

static unsigned sim_scale(void)
{
    const char *v = getenv("VGPU_SCHED_SIM_SCALE");
    long n = v ? strtol(v, NULL, 10) : 1;

    return n > 0 ? (unsigned)n : 1;
}

/* Calls fn(seed) for each seed of the run: seeds 1..count*scale, or the one asked for. */
static void for_seeds(unsigned count, void (*fn)(uint64_t seed))
{
    const char *one = getenv("VGPU_SCHED_SIM_SEED");

    if (one) {
        fn(strtoull(one, NULL, 10));
        return;
    }
    for (uint64_t seed = 1; seed <= (uint64_t)count * sim_scale(); seed++)
        fn(seed);
}

static void queued_remove(struct sim *sim, uint64_t id)
{
    for (size_t i = 0; i < sim->nqueued; i++) {
        if (sim->queued[i] == id) {
            sim->queued[i] = sim->queued[--sim->nqueued];
            return;
        }
    }
    SIM_CHECK(sim, false, "job %" PRIu64 " not queued", id);
}

static size_t queued_in_pool(const struct sim *sim, unsigned pool)
{
    size_t n = 0;

    for (size_t i = 0; i < sim->nqueued; i++)
        n += sim->vm[sim->job[sim->queued[i]].vm].pool == pool;
    return n;
}

static void on_cancel(void *arg, const struct vgpu_sched_job *j)
{
    struct sim *sim = arg;

    SIM_CHECK(sim, j->id >= 1 && j->id <= sim->njobs, "cancelled unknown job %" PRIu64, j->id);
    SIM_CHECK(sim, sim->job[j->id].state == J_QUEUED, "cancelled job %" PRIu64 " in state %d",
              j->id, sim->job[j->id].state);
    sim->job[j->id].state = J_CANCELLED;
    queued_remove(sim, j->id);
}

static void sim_init(struct sim *sim, uint64_t seed)
{
    memset(sim, 0, sizeof(*sim));
    sim->seed = seed;
    sim->rng = seed * 0x9e3779b97f4a7c15ull + 1;
    assert_int_equal(vgpu_sched_create(&sim->s, NULL), 0);
    sim->pool[0] = "A";
    sim->pool[1] = "B";
    sim->pool[2] = "C";
    sim->npools = 1 + (unsigned)rng_below(&sim->rng, MAX_POOLS);
    if (sim->npools == 3)
        assert_int_equal(vgpu_sched_pool_add(sim->s, "C", NULL), 0);
    sim->nvms = 1 + (uint32_t)rng_below(&sim->rng, 12);
    for (uint32_t v = 0; v < sim->nvms; v++) {
        sim->vm[v] = (struct sim_vm){
            .alive = true,
            .pool = (unsigned)rng_below(&sim->rng, sim->npools),
            .prio = (unsigned)rng_below(&sim->rng, 3),
        };
        assert_int_equal(vgpu_sched_vm_add(sim->s, v, sim->pool[sim->vm[v].pool], sim->vm[v].prio,
                                           1 + (uint32_t)rng_below(&sim->rng, 4)),
                         0);
    }
    sim->max_run = 1 + rng_below(&sim->rng, 1000);
}

static void set_policy(struct sim *sim, const struct vgpu_sched_policy *pol)
{
    for (unsigned p = 0; p < sim->npools; p++)
        assert_int_equal(vgpu_sched_pool_set_policy(sim->s, sim->pool[p], pol), 0);
}

/* The dispatched job obeys the documented order against every job still queued. */
static void check_order(struct sim *sim, unsigned pool, uint64_t id, const struct vgpu_sched_job *j)
{
    uint64_t oldest = 0;
    bool fifo = true;
    struct vgpu_sched_policy pol;

    assert_int_equal(vgpu_sched_pool_get_policy(sim->s, sim->pool[pool], &pol), 0);
    fifo = pol.fair == VGPU_SCHED_FAIR_NONE;
    for (size_t i = 0; i < sim->nqueued; i++) {
        uint64_t k = sim->queued[i];

        if (sim->vm[sim->job[k].vm].pool == pool && (!oldest || k < oldest))
            oldest = k;
    }
    if (pol.aging_ns && oldest && sim->t - sim->job[oldest].submit >= pol.aging_ns) {
        SIM_CHECK(sim, id == oldest && j->aged,
                  "pool %s: job %" PRIu64 " aged %d dispatched, oldest %" PRIu64 " waited %" PRIu64,
                  sim->pool[pool], id, j->aged, oldest, sim->t - sim->job[oldest].submit);
        return;
    }
    SIM_CHECK(sim, !j->aged, "job %" PRIu64 " marked aged", id);
    for (size_t i = 0; i < sim->nqueued; i++) {
        uint64_t k = sim->queued[i];
        unsigned kp = sim->vm[sim->job[k].vm].prio;

        if (k == id || sim->vm[sim->job[k].vm].pool != pool)
            continue;
        SIM_CHECK(sim, kp <= j->priority,
                  "pool %s: prio %u job %" PRIu64 " dispatched while prio %u job %" PRIu64 " waits",
                  sim->pool[pool], j->priority, id, kp, k);
        SIM_CHECK(sim, !fifo || kp != j->priority || k > id,
                  "pool %s: FIFO broken: job %" PRIu64 " before older %" PRIu64, sim->pool[pool],
                  id, k);
    }
}

static void dispatch_all(struct sim *sim)
{
    for (unsigned p = 0; p < sim->npools; p++) {
        struct vgpu_sched_job j;
        int rc = vgpu_sched_dispatch(sim->s, sim->pool[p], sim->t, &j);
        struct sim_job *sj;

        if (sim->running[p]) {
            SIM_CHECK(sim, rc == -EBUSY, "pool %s busy: dispatch gave %d", sim->pool[p], rc);
            continue;
        }
        if (queued_in_pool(sim, p) == 0) {
            SIM_CHECK(sim, rc == -EAGAIN, "pool %s empty: dispatch gave %d", sim->pool[p], rc);
            continue;
        }
        SIM_CHECK(sim, rc == 0, "pool %s idle with %zu queued: dispatch gave %d", sim->pool[p],
                  queued_in_pool(sim, p), rc);
        SIM_CHECK(sim, j.id >= 1 && j.id <= sim->njobs, "unknown job %" PRIu64, j.id);
        sj = &sim->job[j.id];
        SIM_CHECK(sim, sj->state == J_QUEUED, "job %" PRIu64 " dispatched in state %d", j.id,
                  sj->state);
        SIM_CHECK(sim, sim->vm[sj->vm].pool == p, "job %" PRIu64 " of pool %s dispatched in %s",
                  j.id, sim->pool[sim->vm[sj->vm].pool], sim->pool[p]);
        SIM_CHECK(sim, j.priority == sim->vm[sj->vm].prio && j.vm_id == sj->vm,
                  "job %" PRIu64 " reported prio %u vm %u", j.id, j.priority, j.vm_id);
        check_order(sim, p, j.id, &j);
        if (sim->aging)
            SIM_CHECK(sim,
                      sim->t - sj->submit <= sim->aging + sim->max_run * (1 + sj->older_queued),
                      "job %" PRIu64 " waited %" PRIu64 " past the aging bound", j.id,
                      sim->t - sj->submit);
        queued_remove(sim, j.id);
        sj->state = J_RUNNING;
        sj->dispatch = sim->t;
        sim->running[p] = j.id;
        sim->dispatches++;
    }
}

static void arrive(struct sim *sim)
{
    uint32_t v = (uint32_t)rng_below(&sim->rng, sim->nvms);
    struct sim_job *sj;
    uint64_t id;

    if (!sim->vm[v].alive || sim->njobs == MAX_JOBS)
        return;
    assert_int_equal(vgpu_sched_submit(sim->s, v, NULL, sim->t, &id), 0);
    SIM_CHECK(sim, id == sim->njobs + 1, "job id %" PRIu64 " after %" PRIu64, id, sim->njobs);
    sim->njobs = id;
    sj = &sim->job[id];
    *sj = (struct sim_job){
        .vm = v,
        .state = J_QUEUED,
        .submit = sim->t,
        .run_len = 1 + rng_below(&sim->rng, sim->max_run),
        .older_queued = (uint32_t)queued_in_pool(sim, sim->vm[v].pool),
    };
    sim->queued[sim->nqueued++] = id;
}

/* A live change: priority, pool, removal (and re-registration) or one cancel. */
static void live_change(struct sim *sim)
{
    uint32_t v = (uint32_t)rng_below(&sim->rng, sim->nvms);
    struct sim_vm *vm = &sim->vm[v];
    uint64_t r = rng_below(&sim->rng, 10);

    if (!vm->alive) {
        vm->pool = (unsigned)rng_below(&sim->rng, sim->npools);
        assert_int_equal(vgpu_sched_vm_add(sim->s, v, sim->pool[vm->pool], vm->prio, 1), 0);
        vm->alive = true;
    } else if (r < 4) {
        vm->prio = (unsigned)rng_below(&sim->rng, 3);
        assert_int_equal(vgpu_sched_vm_set_priority(sim->s, v, vm->prio, sim->t), 0);
    } else if (r < 7) {
        vm->pool = (unsigned)rng_below(&sim->rng, sim->npools);
        assert_int_equal(vgpu_sched_vm_set_pool(sim->s, v, sim->pool[vm->pool], sim->t), 0);
    } else if (r < 8) {
        assert_int_equal(vgpu_sched_vm_remove(sim->s, v, sim->t, on_cancel, sim), 0);
        for (size_t i = 0; i < sim->nqueued; i++)
            SIM_CHECK(sim, sim->job[sim->queued[i]].vm != v, "removed VM %u keeps job", v);
        vm->alive = false;
    } else if (sim->nqueued) {
        uint64_t id = sim->queued[rng_below(&sim->rng, sim->nqueued)];

        assert_int_equal(vgpu_sched_cancel(sim->s, id, sim->t, NULL), 0);
        sim->job[id].state = J_CANCELLED;
        queued_remove(sim, id);
    }
}

/* Next event: an arrival (or live change) or the earliest completion. */
static void run(struct sim *sim, uint64_t arrivals)
{
    uint64_t gap = 1 + rng_below(&sim->rng, 2 * sim->max_run / sim->npools + 1);
    uint64_t next_arrival = 0;

    for (;;) {
        uint64_t next_done = UINT64_MAX;
        unsigned done_pool = 0;

        for (unsigned p = 0; p < sim->npools; p++) {
            uint64_t id = sim->running[p];

            if (id && sim->job[id].dispatch + sim->job[id].run_len < next_done) {
                next_done = sim->job[id].dispatch + sim->job[id].run_len;
                done_pool = p;
            }
        }
        if (arrivals && next_arrival <= next_done) {
            sim->t = next_arrival;
            if (sim->live && rng_below(&sim->rng, 10) == 0)
                live_change(sim);
            else
                arrive(sim);
            arrivals--;
            next_arrival = sim->t + rng_below(&sim->rng, 2 * gap);
        } else if (next_done != UINT64_MAX) {
            uint64_t id = sim->running[done_pool];

            sim->t = next_done;
            assert_int_equal(vgpu_sched_complete(sim->s, id, sim->t), 0);
            assert_int_equal(vgpu_sched_complete(sim->s, id, sim->t), -EALREADY);
            sim->job[id].state = J_DONE;
            sim->running[done_pool] = 0;
        } else {
            SIM_CHECK(sim, sim->nqueued == 0, "%zu jobs queued, none running", sim->nqueued);
            return;
        }
        dispatch_all(sim);
    }
}

/* Every job dispatched exactly once and completed, or cancelled; the log agrees. */
static void sim_finish(struct sim *sim)
{
    size_t nlog = vgpu_sched_log_count(sim->s);

    for (uint64_t id = 1; id <= sim->njobs; id++)
        SIM_CHECK(sim, sim->job[id].state == J_DONE || sim->job[id].state == J_CANCELLED,
                  "job %" PRIu64 " ends in state %d", id, sim->job[id].state);
    SIM_CHECK(sim, nlog == sim->dispatches, "log has %zu entries, %" PRIu64 " dispatches", nlog,
              sim->dispatches);
    for (size_t i = 0; i < nlog; i++) {
        struct vgpu_sched_log_entry e;
        const struct sim_job *sj;

        assert_int_equal(vgpu_sched_log_peek(sim->s, i, &e), 0);
        sj = &sim->job[e.job_id];
        SIM_CHECK(sim,
                  sj->state == J_DONE && e.dispatch_ns == sj->dispatch &&
                      e.complete_ns == sj->dispatch + sj->run_len && e.vm_id == sj->vm,
                  "log entry %zu (job %" PRIu64 ") disagrees", i, e.job_id);
    }
    vgpu_sched_destroy(sim->s);
    sim->s = NULL;
}

static struct sim g_sim; /* large: kept off the stack */

static void default_policy_seed(uint64_t seed)
{
    sim_init(&g_sim, seed);
    run(&g_sim, 300);
    sim_finish(&g_sim);
}

static void live_changes_seed(uint64_t seed)
{
    sim_init(&g_sim, seed);
    g_sim.live = true;
    run(&g_sim, 400);
    sim_finish(&g_sim);
}

static void aging_seed(uint64_t seed)
{
    struct vgpu_sched_policy pol;

    sim_init(&g_sim, seed);
    pol = (struct vgpu_sched_policy){.aging_ns = 1 + rng_below(&g_sim.rng, 20 * g_sim.max_run)};
    g_sim.aging = pol.aging_ns;
    set_policy(&g_sim, &pol);
    run(&g_sim, 300);
    sim_finish(&g_sim);
}

static void fair_random_seed(uint64_t seed)
{
    struct vgpu_sched_policy pol;

    sim_init(&g_sim, seed);
    pol = (struct vgpu_sched_policy){
        .fair = rng_below(&g_sim.rng, 2) ? VGPU_SCHED_FAIR_WEIGHTED : VGPU_SCHED_FAIR_ROUND_ROBIN,
    };
    set_policy(&g_sim, &pol);
    g_sim.live = true;
    run(&g_sim, 300);
    sim_finish(&g_sim);
}

static void test_sim_default_policy(void **state)
{
    for_seeds(200, default_policy_seed);
}

static void test_sim_live_changes(void **state)
{
    for_seeds(200, live_changes_seed);
}

static void test_sim_aging(void **state)
{
    for_seeds(200, aging_seed);
}

static void test_sim_fair_share_keeps_priority(void **state)
{
    for_seeds(100, fair_random_seed);
}

/*
 * Backlogged VMs of one priority: after every completion, while all still
 * have queued jobs, round-robin counts differ by at most 1, and weighted
 * service per weight differs by at most max_run / min_weight (+ 1/16 ns per
 * job of rounding), as docs/sched.md states.
 */
static void fair_share_seed(uint64_t seed)
{
    uint64_t rng = seed * 0x9e3779b97f4a7c15ull + 7;
    bool weighted = seed % 2;
    struct vgpu_sched_policy pol = {
        .fair = weighted ? VGPU_SCHED_FAIR_WEIGHTED : VGPU_SCHED_FAIR_ROUND_ROBIN,
    };
    unsigned nvm = 2 + (unsigned)rng_below(&rng, 7);
    uint64_t max_run = 1 + rng_below(&rng, 1000000);
    uint32_t weight[8], wmin = UINT32_MAX;
    uint64_t served[8] = {0}, count[8] = {0}, queued[8], now = 0, jobs = 0;
    struct vgpu_sched *s = new_sched();

    assert_int_equal(vgpu_sched_pool_set_policy(s, "A", &pol), 0);
    for (unsigned v = 0; v < nvm; v++) {
        weight[v] = 1 + (uint32_t)rng_below(&rng, 8);
        wmin = weight[v] < wmin ? weight[v] : wmin;
        assert_int_equal(vgpu_sched_vm_add(s, v, "A", 1, weight[v]), 0);
        queued[v] = 100 + rng_below(&rng, 100);
        for (uint64_t i = 0; i < queued[v]; i++)
            submit(s, v, 0);
    }
    for (;;) {
        struct vgpu_sched_job j = dispatch(s, "A", now);
        uint64_t run = 1 + rng_below(&rng, max_run);
        double lo = 1e300, hi = -1e300;
        uint64_t cmin = UINT64_MAX, cmax = 0;

        now += run;
        assert_int_equal(vgpu_sched_complete(s, j.id, now), 0);
        served[j.vm_id] += run;
        count[j.vm_id]++;
        jobs++;
        if (--queued[j.vm_id] == 0)
            break; /* no longer backlogged */
        for (unsigned v = 0; v < nvm; v++) {
            double x = (double)served[v] / weight[v];

            lo = x < lo ? x : lo;
            hi = x > hi ? x : hi;
            cmin = count[v] < cmin ? count[v] : cmin;
            cmax = count[v] > cmax ? count[v] : cmax;
        }
        if (weighted) {
            double tol = (double)max_run / wmin + (double)jobs / 16.0;

            if (hi - lo > tol)
                fail_msg("seed %" PRIu64 ": service/weight spread %.1f > tolerance %.1f", seed,
                         hi - lo, tol);
        } else if (cmax - cmin > 1) {
            fail_msg("seed %" PRIu64 ": round-robin counts %" PRIu64 "..%" PRIu64, seed, cmin,
                     cmax);
        }
    }
    vgpu_sched_destroy(s);
}

static void test_sim_fair_share_tolerance(void **state)
{
    for_seeds(100, fair_share_seed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sim_default_policy),
        cmocka_unit_test(test_sim_live_changes),
        cmocka_unit_test(test_sim_aging),
        cmocka_unit_test(test_sim_fair_share_keeps_priority),
        cmocka_unit_test(test_sim_fair_share_tolerance),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
