/*
 * vgpu_xen_hostbuf.c: domU test program for the Xen end-to-end run: host
 * buffers of their own through libvgpu's kernel-module port (vgpu.ko's
 * granted pages, mapped by the VM's worker in Dom0). Built statically from
 * guest-lib/ and proto/. Times under QEMU TCG are emulation times.
 *   vgpu_xen_hostbuf big MIB    a MIB host buffer end to end: alloc + MAP timed,
 *                               every byte through the device and back, checked;
 *                               a second one past the VM's pinned limit refused
 *                               (PINNED_LIMIT); free, then the size again works
 *   vgpu_xen_hostbuf hold MIB   a MIB host buffer, used once, then NOPs until killed
 *                               (the domain is destroyed with it mapped)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "vgpu.h"

#define MIB   (1ull << 20)
#define CHUNK (8 * MIB) /* device memory: within the CPU executor's default quota */

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int failed(const char *what, int r)
{
    printf("VGPU-HB-FAIL %s: %s\n", what, vgpu_strerror(r));
    return 1;
}

/* The pattern's word i (whole buffer): differs at every offset and in every run of it. */
static uint64_t word(uint64_t i, uint64_t seed)
{
    return (i + 1) * 0x9e3779b97f4a7c15ull ^ seed;
}

static void fill(uint64_t *w, uint64_t first, uint64_t n, uint64_t seed)
{
    for (uint64_t i = 0; i < n; i++)
        w[i] = word(first + i, seed);
}

/* Index of the first word of w[0..n) that is not the pattern, or n. */
static uint64_t check(const uint64_t *w, uint64_t first, uint64_t n, uint64_t seed)
{
    for (uint64_t i = 0; i < n; i++)
        if (w[i] != word(first + i, seed))
            return i;
    return n;
}

/*
 * Every chunk of the buffer to the device, the chunk zeroed here, back from
 * the device, checked whole. Adds the copy times to *htod_ns and *dtoh_ns.
 */
static int round_trip(vgpu_channel *ch, uint8_t *buf, uint64_t size, uint64_t dev, uint64_t seed,
                      uint64_t *htod_ns, uint64_t *dtoh_ns)
{
    const uint64_t words = CHUNK / 8;

    for (uint64_t off = 0; off < size; off += CHUNK) {
        uint64_t *w = (uint64_t *)(buf + off), t0 = now_ns(), bad;
        int r = vgpu_copy_htod(ch, dev, w, CHUNK);

        if (r == 0)
            r = vgpu_sync(ch);
        *htod_ns += now_ns() - t0;
        if (r < 0)
            return failed("htod from the host buffer", r);
        memset(w, 0, CHUNK);
        t0 = now_ns();
        r = vgpu_copy_dtoh(ch, w, dev, CHUNK);
        *dtoh_ns += now_ns() - t0;
        if (r < 0)
            return failed("dtoh into the host buffer", r);
        bad = check(w, off / 8, words, seed);
        if (bad != words) {
            printf("VGPU-HB-FAIL byte offset %llu: 0x%llx, expected 0x%llx\n",
                   (unsigned long long)(off + bad * 8), (unsigned long long)w[bad],
                   (unsigned long long)word(off / 8 + bad, seed));
            return 1;
        }
    }
    return 0;
}

/* A second buffer of size must be refused with PINNED_LIMIT (the VM's limit is below 2x). */
static int over_limit(vgpu_channel *ch, uint64_t size)
{
    struct vgpu_error e;
    void *p = vgpu_host_alloc(ch, size);

    if (p) {
        printf("VGPU-HB-FAIL a second %llu MiB buffer was not refused\n",
               (unsigned long long)(size / MIB));
        vgpu_host_free(ch, p);
        return 1;
    }
    vgpu_last_error(ch, &e);
    if (e.status != VGPU_S_PINNED_LIMIT) {
        printf("VGPU-HB-FAIL past the limit: status %s, expected PINNED_LIMIT\n",
               vgpu_strerror((int)e.status));
        return 1;
    }
    return 0;
}

static int big(vgpu_channel *ch, uint64_t size)
{
    uint64_t dev, t0, alloc_ns, free_ns, htod_ns = 0, dtoh_ns = 0, seed = now_ns();
    uint8_t *buf;
    int r;

    if (size < CHUNK || size % CHUNK) {
        printf("VGPU-HB-FAIL size must be a multiple of %llu MiB\n",
               (unsigned long long)(CHUNK / MIB));
        return 1;
    }
    t0 = now_ns();
    buf = vgpu_host_alloc(ch, size);
    alloc_ns = now_ns() - t0;
    if (!buf) {
        struct vgpu_error e;

        vgpu_last_error(ch, &e);
        return failed("vgpu_host_alloc", -(int)e.status);
    }
    if ((r = vgpu_mem_alloc(ch, CHUNK, &dev)) < 0)
        return failed("vgpu_mem_alloc", r);
    fill((uint64_t *)buf, 0, size / 8, seed);
    if (round_trip(ch, buf, size, dev, seed, &htod_ns, &dtoh_ns) || over_limit(ch, size))
        return 1;
    t0 = now_ns();
    vgpu_host_free(ch, buf);
    free_ns = now_ns() - t0;
    buf = vgpu_host_alloc(ch, size); /* the limit and the grant budget counted it back */
    if (!buf)
        return failed("vgpu_host_alloc after free", -VGPU_S_PINNED_LIMIT);
    vgpu_host_free(ch, buf);
    vgpu_mem_free(ch, dev);
    printf("VGPU-HB-OK size_mib=%llu alloc_map_ms=%.1f free_ms=%.1f htod_mbs=%.0f dtoh_mbs=%.0f: "
           "every byte through the device and back, a second buffer refused (PINNED_LIMIT)\n",
           (unsigned long long)(size / MIB), alloc_ns / 1e6, free_ns / 1e6,
           size / 1e6 / (htod_ns / 1e9), size / 1e6 / (dtoh_ns / 1e9));
    return 0;
}

static int hold(vgpu_channel *ch, uint64_t size)
{
    uint8_t *buf = vgpu_host_alloc(ch, size);
    uint64_t dev;
    int r;

    if (!buf)
        return failed("vgpu_host_alloc", -VGPU_S_NO_MEMORY);
    if ((r = vgpu_mem_alloc(ch, size, &dev)) < 0 || (r = vgpu_copy_htod(ch, dev, buf, size)) < 0 ||
        (r = vgpu_sync(ch)) < 0)
        return failed("a copy from the held buffer", r);
    printf("VGPU-HB-HOLD %llu MiB mapped\n", (unsigned long long)(size / MIB));
    fflush(stdout);
    while ((r = vgpu_nop(ch)) == 0)
        ;
    return failed("nop", r);
}

int main(int argc, char **argv)
{
    struct vgpu_open_opts o = {.transport = VGPU_TRANSPORT_XEN, .poll_ns = -1};
    const char *mode = argc > 1 ? argv[1] : "big";
    uint64_t size = (argc > 2 ? strtoull(argv[2], NULL, 10) : 64) * MIB;
    vgpu_channel *ch;
    int r;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if ((r = vgpu_open(&o, &ch)) < 0)
        return failed("open", r);
    r = !strcmp(mode, "hold") ? hold(ch, size) : big(ch, size);
    vgpu_close(ch);
    return r;
}
