/* policy.c: per-pool scheduling policies from the command line, and the budget watchdog. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <syslog.h>
#include <unistd.h>
#include "vgpud.h"

#define WATCHDOG_PERIOD_NS (10ull * 1000 * 1000) /* overruns are noticed within 10 ms */

static int parse_ms(const char *v, uint64_t *ns)
{
    char *end;
    unsigned long long ms;

    errno = 0;
    ms = strtoull(v, &end, 10);
    if (errno || end == v || *end || v[0] == '-' || ms > 3600000ull)
        return -EINVAL;
    *ns = ms * 1000000ull;
    return 0;
}

static int parse_key(struct vgpu_sched_policy *p, const char *key, const char *val)
{
    if (strcmp(key, "aging-ms") == 0)
        return parse_ms(val, &p->aging_ns);
    if (strcmp(key, "budget-ms") == 0)
        return parse_ms(val, &p->budget_ns);
    if (strcmp(key, "fair") != 0)
        return -ENOENT;
    if (strcmp(val, "none") == 0)
        p->fair = VGPU_SCHED_FAIR_NONE;
    else if (strcmp(val, "rr") == 0)
        p->fair = VGPU_SCHED_FAIR_ROUND_ROBIN;
    else if (strcmp(val, "weighted") == 0)
        p->fair = VGPU_SCHED_FAIR_WEIGHTED;
    else
        return -EINVAL;
    return 0;
}

/* "A:aging-ms=200,fair=rr,budget-ms=50" */
int vgpu_be__policy_parse(struct vgpu_be_config *cfg, const char *arg, char *err, size_t errlen)
{
    char buf[256], *colon, *item, *save = NULL;
    struct vgpu_be_pool_policy *pp;

    snprintf(buf, sizeof(buf), "%s", arg);
    colon = strchr(buf, ':');
    if (!colon || colon == buf || colon - buf >= (long)sizeof(pp->pool)) {
        snprintf(err, errlen, "expected POOL:key=value[,key=value...]");
        return -EINVAL;
    }
    if (cfg->npolicies == VGPUD_MAX_POLICIES) {
        snprintf(err, errlen, "at most %d --policy options", VGPUD_MAX_POLICIES);
        return -ENOSPC;
    }
    pp = &cfg->policies[cfg->npolicies];
    memset(pp, 0, sizeof(*pp));
    *colon = '\0';
    memcpy(pp->pool, buf, (size_t)(colon - buf) + 1); /* length checked above */
    for (item = strtok_r(colon + 1, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        int r;
        if (!eq) {
            snprintf(err, errlen, "'%s' is not key=value", item);
            return -EINVAL;
        }
        *eq = '\0';
        r = parse_key(&pp->policy, item, eq + 1);
        if (r == -ENOENT) {
            snprintf(err, errlen, "unknown key '%s' (aging-ms, budget-ms, fair)", item);
            return r;
        }
        if (r < 0) {
            snprintf(err, errlen,
                     "bad value for %s: '%s' (ms 0..3600000; fair: none, rr, "
                     "weighted)",
                     item, eq + 1);
            return r;
        }
    }
    cfg->npolicies++;
    return 0;
}

const struct vgpu_sched_policy *vgpu_be__policy_for(const struct vgpu_be_config *cfg,
                                                    const char *pool)
{
    unsigned i;

    for (i = cfg->npolicies; i-- > 0;) /* the last --policy for a pool wins */
        if (strcmp(cfg->policies[i].pool, pool) == 0)
            return &cfg->policies[i].policy;
    return NULL;
}

static void on_overrun(void *arg, const struct vgpu_sched_job *job)
{
    struct vgpu_sched_policy p = {0};
    struct vgpu_be *be = arg;

    vgpu_sched_pool_get_policy(be->sched, job->pool, &p);
    vgpu_be_log_ratelimited(LOG_WARNING, job->cookie,
                            "pool %s: job %" PRIu64 " of VM %u running for %" PRIu64
                            " ms, over its budget of %" PRIu64 " ms",
                            job->pool, job->id, job->vm_id,
                            (vgpu_be_now() - job->dispatch_ns) / 1000000, p.budget_ns / 1000000);
}

static void on_watchdog(void *ctx, uint32_t events)
{
    struct vgpu_be *be = ctx;
    uint64_t ticks;

    (void)events;
    if (read(be->watchdog_fd, &ticks, sizeof(ticks)) < 0)
        return;
    pthread_mutex_lock(&be->lock);
    /* Counted in the VM's and pool's statistics; logged here for the administrator. */
    vgpu_sched_overruns(be->sched, vgpu_be_now(), on_overrun, be);
    pthread_mutex_unlock(&be->lock);
}

/* A periodic check, only when some --policy sets a budget. */
int vgpu_be__watchdog_start(struct vgpu_be *be)
{
    struct itimerspec its = {
        .it_interval = {.tv_nsec = WATCHDOG_PERIOD_NS},
        .it_value = {.tv_nsec = WATCHDOG_PERIOD_NS},
    };
    unsigned i;
    bool any = false;

    be->watchdog_fd = -1;
    for (i = 0; i < be->cfg.npolicies; i++)
        any |= be->cfg.policies[i].policy.budget_ns != 0;
    if (!any)
        return 0;
    be->watchdog_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (be->watchdog_fd < 0 || timerfd_settime(be->watchdog_fd, 0, &its, NULL) < 0)
        return -errno;
    return vgpu_be_loop_add(be->loop, be->watchdog_fd, EPOLLIN, on_watchdog, be);
}

void vgpu_be__watchdog_stop(struct vgpu_be *be)
{
    if (be->watchdog_fd < 0)
        return;
    vgpu_be_loop_del(be->loop, be->watchdog_fd);
    close(be->watchdog_fd);
    be->watchdog_fd = -1;
}
