/* stream_client.c: streams and event marks (VGPU_FEAT_STREAMS) end to end: marks complete no
 * earlier than the work before them, host times bound a kernel's run, streams keep their order. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kernels_ptx.h"
#include "vgpu.h"
#include "vgpu_kernels.h"

#define BUSY_NS  (200ull * 1000 * 1000) /* the busy kernel's run: long against a round trip */
#define N        65536
#define DEADLINE (20ull * 1000 * 1000 * 1000) /* ns a mark may take to be answered */

static int fail(const char *what, int r)
{
    fprintf(stderr, "stream_client: %s: %s (%s)\n", what, vgpu_strerror(r), vgpu_status_name(r));
    return 1;
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int launch_busy(vgpu_channel *ch, uint64_t func, uint64_t ns)
{
    struct vgpu_k_busy p = {.ns = ns, .out = 0};
    uint32_t grid[3] = {1, 1, 1}, block[3] = {1, 1, 1};
    int r = vgpu_launch(ch, func, grid, block, 0, &p, sizeof(p));

    return r ? r : vgpu_flush(ch);
}

/*
 * A mark after a BUSY_NS kernel is not answered before BUSY_NS passed since the launch (polled,
 * without waiting, until it is answered or a deadline), and the host times of the marks around
 * the kernel are at least BUSY_NS apart.
 */
static int mark_after_kernel(vgpu_channel *ch, uint64_t func)
{
    struct vgpu_mark m0, m1;
    uint64_t t0, t;
    int r, polls = 0;

    if ((r = vgpu_set_stream(ch, 1)) || (r = vgpu_mark(ch, &m0)))
        return fail("a mark on stream 1", r);
    t0 = now_ns();
    if ((r = launch_busy(ch, func, BUSY_NS)) || (r = vgpu_mark(ch, &m1)))
        return fail("busy kernel and a mark after it", r);
    do {
        if ((r = vgpu_poll(ch, NULL)))
            return fail("poll", r);
        t = now_ns();
        polls++;
        sched_yield(); /* a poll interval, not a wait: the loop ends on the answer */
    } while (!m1.done && t - t0 < DEADLINE);
    if (!m1.done)
        return fail("the mark after the kernel was never answered", -VGPU_S_TIMEOUT);
    if (t - t0 < BUSY_NS) {
        fprintf(stderr,
                "stream_client: mark answered %llu ns after the launch, before the %llu ns "
                "kernel could end\n",
                (unsigned long long)(t - t0), (unsigned long long)BUSY_NS);
        return 1;
    }
    if ((r = vgpu_mark_wait(ch, &m0)) || (r = vgpu_mark_wait(ch, &m1)))
        return fail("marks' answers", r);
    if (m1.host_ns < m0.host_ns || m1.host_ns - m0.host_ns < BUSY_NS) {
        fprintf(stderr, "stream_client: host times %llu and %llu are less than %llu ns apart\n",
                (unsigned long long)m0.host_ns, (unsigned long long)m1.host_ns,
                (unsigned long long)BUSY_NS);
        return 1;
    }
    printf("stream_client: mark answered after %.1f ms (%d polls), host elapsed %.1f ms\n",
           (double)(t - t0) / 1e6, polls, (double)(m1.host_ns - m0.host_ns) / 1e6);
    return 0;
}

/* Each buffer's memsets and copies on their own stream, interleaved with another stream's. */
static int interleaved(vgpu_channel *ch)
{
    static unsigned char out[N];
    uint64_t a, b, c, d;
    int r, i;

    if ((r = vgpu_mem_alloc(ch, N, &a)) || (r = vgpu_mem_alloc(ch, N, &b)) ||
        (r = vgpu_mem_alloc(ch, N, &c)) || (r = vgpu_mem_alloc(ch, N, &d)))
        return fail("alloc", r);
    for (i = 0; i < 4; i++) {
        uint8_t v = (uint8_t)(i + 1);
        if ((r = vgpu_set_stream(ch, 1)) || (r = vgpu_memset(ch, a, v, N)) ||
            (r = vgpu_set_stream(ch, 2)) || (r = vgpu_memset(ch, b, (uint8_t)(v + 0x10), N)) ||
            (r = vgpu_set_stream(ch, 1)) || (r = vgpu_copy_dtod(ch, c, a, N)) ||
            (r = vgpu_set_stream(ch, 2)) || (r = vgpu_copy_dtod(ch, d, b, N)) ||
            (r = vgpu_flush(ch)))
            return fail("interleaved work on streams 1 and 2", r);
    }
    if ((r = vgpu_sync(ch)))
        return fail("sync of both streams", r);
    if ((r = vgpu_set_stream(ch, 0)) || (r = vgpu_copy_dtoh(ch, out, c, N)))
        return fail("copy back", r);
    for (i = 0; i < N; i++)
        if (out[i] != 4)
            return fprintf(stderr, "stream_client: c[%d] = %u, expected 4\n", i, out[i]), 1;
    if ((r = vgpu_copy_dtoh(ch, out, d, N)))
        return fail("copy back", r);
    for (i = 0; i < N; i++)
        if (out[i] != 0x14)
            return fprintf(stderr, "stream_client: d[%d] = %u, expected 0x14\n", i, out[i]), 1;
    return 0;
}

/* A forgotten mark is never written; waiting for one not outstanding is refused. */
static int forget(vgpu_channel *ch, uint64_t func)
{
    struct vgpu_mark m;
    int r, idle = 1;

    if ((r = launch_busy(ch, func, BUSY_NS / 4)) || (r = vgpu_mark(ch, &m)))
        return fail("a kernel and a mark", r);
    vgpu_mark_forget(ch, &m);
    m.done = 7;
    if ((r = vgpu_poll(ch, &idle)) || (r = vgpu_sync(ch)))
        return fail("sync after forgetting a mark", r);
    if (m.done != 7)
        return fail("a forgotten mark was written", -VGPU_S_INTERNAL);
    if ((r = vgpu_poll(ch, &idle)) || !idle)
        return fail("poll after sync (expected idle)", r ? r : -VGPU_S_INTERNAL);
    m.done = 0;
    if ((r = vgpu_mark_wait(ch, &m)) != -VGPU_S_BAD_HANDLE)
        return fail("waiting for a mark not outstanding (expected BAD_HANDLE)", r);
    return 0;
}

int main(int argc, char **argv)
{
    struct vgpu_open_opts o = {.poll_ns = -1};
    uint64_t module, func;
    vgpu_channel *ch;
    int r;

    o.instance = argc > 1 ? argv[1] : NULL;
    if ((r = vgpu_open(&o, &ch)))
        return fail("open", r);
    if ((r = vgpu_module_load(ch, vgpu_kernels_ptx, vgpu_kernels_ptx_len, &module)) ||
        (r = vgpu_func_get(ch, module, VGPU_K_BUSY, &func)))
        return fail("module load/lookup", r);
    if ((r = mark_after_kernel(ch, func)) || (r = interleaved(ch)) || (r = forget(ch, func)))
        return r;
    vgpu_close(ch);
    printf("stream_client: marks, host times and stream order behave\n");
    return 0;
}
