/* lost_client.c: a VM whose context is lost (time limit, worker killed), as the test drives it. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernels_ptx.h"
#include "vgpu.h"
#include "vgpu_kernels.h"

#define N 4096

static volatile sig_atomic_t stop;

static int fail(const char *what, int r)
{
    fprintf(stderr, "lost_client: %s: %s (%s)\n", what, vgpu_strerror(r), vgpu_status_name(r));
    return 1;
}

static void on_term(int sig)
{
    stop = 1;
}

/* Queue the busy kernel for ms (not yet sent). */
static int launch_busy(vgpu_channel *ch, uint64_t ms, uint64_t out)
{
    struct vgpu_k_busy p = {.ns = ms * 1000000ull, .out = out};
    const uint32_t one[3] = {1, 1, 1};
    uint64_t module, func;
    int r;

    if ((r = vgpu_module_load(ch, vgpu_kernels_ptx, vgpu_kernels_ptx_len, &module)) ||
        (r = vgpu_func_get(ch, module, VGPU_K_BUSY, &func)))
        return r;
    return vgpu_launch(ch, func, one, one, 0, &p, sizeof(p));
}

/* Launch the busy kernel for ms and wait: what the worker's end makes of it. */
static int busy(vgpu_channel *ch, uint64_t ms, uint64_t out)
{
    int r = launch_busy(ch, ms, out);

    return r ? r : vgpu_sync(ch);
}

/* A fresh context works: alloc, memset, copy back. */
static int fresh(vgpu_channel *ch)
{
    static unsigned char out[N];
    uint64_t d;
    int r;

    if ((r = vgpu_mem_alloc(ch, N, &d)) || (r = vgpu_copy_dtoh(ch, out, d, N)))
        return fail("on the fresh context", r);
    for (int i = 0; i < N; i++) /* a new allocation never shows what was there before */
        if (out[i] != 0)
            return fail("fresh context: a new allocation is not zeroed", -VGPU_S_INTERNAL);
    if ((r = vgpu_memset(ch, d, 0x5a, N)) || (r = vgpu_sync(ch)) ||
        (r = vgpu_copy_dtoh(ch, out, d, N)))
        return fail("on the fresh context", r);
    for (int i = 0; i < N; i++)
        if (out[i] != 0x5a)
            return fail("fresh context: wrong bytes", -VGPU_S_INTERNAL);
    return vgpu_mem_free(ch, d) ? fail("free", -VGPU_S_INTERNAL) : 0;
}

#define SECCOMP_TRIGGER_LEN 0x5ecc0u /* WK_TEST_SECCOMP_LEN: the worker's test hook */
#define HANG_TRIGGER_LEN    0x4a460u /* WK_TEST_HANG_LEN: the worker ignores its deadline */
#define POISON_TRIGGER_LEN  0x70070u /* WK_TEST_POISON_LEN: a context poisoned as by a GPU fault */
#define POISON_CODE         700u     /* WK_TEST_POISON_CODE: CUDA_ERROR_ILLEGAL_ADDRESS */

/* fault: the context is poisoned: the guest gets CONTEXT_LOST with the driver's code, once. */
static int mode_fault(vgpu_channel *ch)
{
    struct vgpu_error e;
    uint64_t old;
    int r;

    if ((r = vgpu_mem_alloc(ch, POISON_TRIGGER_LEN, &old)))
        return fail("alloc", r);
    r = vgpu_memset(ch, old, 1, POISON_TRIGGER_LEN);
    if (r == 0)
        r = vgpu_sync(ch);
    vgpu_last_error(ch, &e);
    if (r != -VGPU_S_CONTEXT_LOST || e.detail != POISON_CODE) {
        fprintf(stderr, "lost_client: the faulting job: status %d detail %u, expected %d %u\n", r,
                e.detail, -VGPU_S_CONTEXT_LOST, POISON_CODE);
        return 1;
    }
    printf("lost_client: the fault was answered CONTEXT_LOST with code %u\n", e.detail);
    r = vgpu_memset(ch, old, 0, N);
    if (r == 0)
        r = vgpu_sync(ch);
    if (r != -VGPU_S_BAD_HANDLE)
        return fail("the lost buffer (expected BAD_HANDLE)", r);
    if (fresh(ch))
        return 1;
    printf("lost_client: a fresh context works\n");
    return 0;
}

/* busy MS / seccomp / hang: the job is lost with its worker; the old buffer is gone, a new one
 * works. trigger: the length of the MEMSET that sets off the worker's test hook (ms 0). */
static int mode_lost(vgpu_channel *ch, uint64_t ms, uint64_t trigger)
{
    uint64_t old;
    int r;

    if ((r = vgpu_mem_alloc(ch, trigger > N ? trigger : N, &old)))
        return fail("alloc", r);
    if (ms)
        r = busy(ch, ms, old);
    else if (!(r = vgpu_memset(ch, old, 1, trigger)))
        r = vgpu_sync(ch);
    if (r != -VGPU_S_CONTEXT_LOST)
        return fail("the job (expected CONTEXT_LOST)", r);
    printf("lost_client: the job was answered CONTEXT_LOST\n");
    r = vgpu_memset(ch, old, 0, N);
    if (r == 0)
        r = vgpu_sync(ch);
    if (r != -VGPU_S_BAD_HANDLE)
        return fail("the lost buffer (expected BAD_HANDLE)", r);
    if (fresh(ch))
        return 1;
    printf("lost_client: a fresh context works\n");
    return 0;
}

/* stopped MS: the kernel is stopped at the pool's limit (TIMEOUT); the context lives on. */
static int mode_stopped(vgpu_channel *ch, uint64_t ms)
{
    static unsigned char out[N];
    uint64_t old;
    int r;

    if ((r = vgpu_mem_alloc(ch, N, &old)))
        return fail("alloc", r);
    r = busy(ch, ms, old);
    if (r != -VGPU_S_TIMEOUT)
        return fail("the long kernel (expected TIMEOUT)", r);
    printf("lost_client: the kernel was stopped: TIMEOUT\n");
    if ((r = vgpu_memset(ch, old, 0x5a, N)) || (r = vgpu_sync(ch)) ||
        (r = vgpu_copy_dtoh(ch, out, old, N)))
        return fail("the buffer allocated before the stop", r);
    for (int i = 0; i < N; i++)
        if (out[i] != 0x5a)
            return fail("the same context: wrong bytes", -VGPU_S_INTERNAL);
    printf("lost_client: the same context works\n");
    return vgpu_mem_free(ch, old) ? fail("free", -VGPU_S_INTERNAL) : 0;
}

/* loop: small jobs until SIGTERM; a lost context is met by allocating again. */
static int mode_loop(vgpu_channel *ch)
{
    unsigned long lost = 0, jobs = 0;
    uint64_t d = 0;
    int r;

    while (!stop) {
        r = d ? 0 : vgpu_mem_alloc(ch, N, &d);
        if (r == 0)
            r = vgpu_memset(ch, d, (uint8_t)jobs, N);
        if (r == 0)
            r = vgpu_sync(ch);
        jobs++;
        if (r == -VGPU_S_CONTEXT_LOST || r == -VGPU_S_BAD_HANDLE) {
            lost++;
            d = 0;
        } else if (r) {
            return fail("memset", r);
        }
    }
    printf("lost_client: %lu jobs, %lu lost contexts\n", jobs, lost);
    return 0;
}

/* twochan MS: channel 2 closes while channel 1 runs a long kernel. */
static int mode_twochan(const struct vgpu_open_opts *o, vgpu_channel *ch, uint64_t ms)
{
    vgpu_channel *ch2;
    uint64_t d;
    int r;

    if ((r = vgpu_open(o, &ch2)) || (r = vgpu_mem_alloc(ch2, N, &d)))
        return fail("second channel", r);
    if ((r = launch_busy(ch, ms, 0)) || (r = vgpu_flush(ch)))
        return fail("launch", r);
    vgpu_close(ch2); /* while the kernel runs: vgpud's loop must not wait for it */
    if ((r = vgpu_sync(ch)))
        return fail("the long kernel", r);
    printf("lost_client: the second channel closed while the first ran its kernel\n");
    return 0;
}

int main(int argc, char **argv)
{
    struct vgpu_open_opts o = {.poll_ns = -1};
    const char *mode = argc > 2 ? argv[2] : "";
    uint64_t ms = argc > 3 ? strtoull(argv[3], NULL, 10) : 0;
    vgpu_channel *ch;
    int r;

    if (argc < 3) {
        fprintf(stderr,
                "usage: lost_client INSTANCE busy MS | stopped MS | seccomp | hang | fault | "
                "loop | twochan MS\n");
        return 2;
    }
    signal(SIGTERM, on_term);
    o.instance = argv[1];
    if ((r = vgpu_open(&o, &ch)))
        return fail("open", r);
    if (strcmp(mode, "busy") == 0)
        r = mode_lost(ch, ms, 0);
    else if (strcmp(mode, "seccomp") == 0 || strcmp(mode, "hang") == 0)
        r = mode_lost(ch, 0, mode[0] == 's' ? SECCOMP_TRIGGER_LEN : HANG_TRIGGER_LEN);
    else if (strcmp(mode, "fault") == 0)
        r = mode_fault(ch);
    else if (strcmp(mode, "stopped") == 0)
        r = mode_stopped(ch, ms);
    else if (strcmp(mode, "loop") == 0)
        r = mode_loop(ch);
    else
        r = mode_twochan(&o, ch, ms);
    vgpu_close(ch);
    return r;
}
