/* wait.c: waiting for responses: poll the ring for poll_ns with notifications off, then sleep. */
#include <sched.h>
#include <time.h>
#include "channel_int.h"

uint64_t vgpu__now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Step *n of a spin: a pause; past the first SPIN_PURE steps (a few microseconds, where a fast
 * answer lands), sched_yield() every SPIN_YIELD_EVERY steps. The job path has up to five spinning
 * parties (client, vgpud's loop, the pool thread, its wait on the worker, the worker); where they
 * outnumber the cores, a thread one of them woke used to wait for a spin window to run out
 * (docs/performance.md, "The worker hop").
 */
#define SPIN_PURE        64u
#define SPIN_YIELD_EVERY 8u

static inline void cpu_relax(uint32_t *n)
{
    if (++*n > SPIN_PURE && *n % SPIN_YIELD_EVERY == 0) {
        sched_yield();
        return;
    }
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield" ::: "memory");
#endif
}

/* Poll the ring for up to poll_ns with rsp_event disarmed. Count consumed or -VGPU_S_*. */
static int spin(vgpu_channel *ch)
{
    uint64_t t0 = vgpu__now_ns(), t = t0;
    uint32_t spins = 0;
    int n;

    ch->stats.spins++;
    vgpu_front_disarm(&ch->ring);
    do {
        n = vgpu__reap(ch);
        if (n != 0)
            break;
        cpu_relax(&spins);
        t = vgpu__now_ns();
    } while (t - t0 < (uint64_t)ch->poll_ns);
    if (n > 0)
        ch->stats.spin_hits++;
    ch->stats.spin_ns += (n != 0 ? vgpu__now_ns() : t) - t0;
    return n;
}

/* Arm rsp_event, look again, sleep on the port until a response is there. */
static int sleep_for_rsp(vgpu_channel *ch)
{
    int n, r;

    for (;;) {
        if (vgpu_front_arm(&ch->ring)) {
            n = vgpu__reap(ch);
            if (n != 0)
                return n;
        }
        ch->stats.sleeps++;
        r = ch->port.ops->wait(&ch->port, -1);
        n = vgpu__reap(ch);
        if (n != 0)
            return n;
        /* The backend went away with nothing more for us. */
        if (r < 0)
            return vgpu__break(ch, r);
    }
}

static int wait_one(vgpu_channel *ch, bool poll)
{
    int n = vgpu__reap(ch);

    if (n == 0 && ch->ring.rsp_cons == ch->pushed)
        return -VGPU_S_INTERNAL; /* nothing published to wait for: a bug in libvgpu */
    if (n == 0 && poll && ch->poll_ns > 0)
        n = spin(ch);
    if (n == 0)
        n = sleep_for_rsp(ch);
    return n < 0 ? n : 0;
}

int vgpu__wait_one(vgpu_channel *ch)
{
    return wait_one(ch, true);
}

int vgpu__wait_one_long(vgpu_channel *ch)
{
    return wait_one(ch, false);
}
