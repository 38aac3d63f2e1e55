/*
 * vgpu_xen_perf.c: domU measurement program for the Xen end-to-end run: NOP
 * round trips and copy throughput through libvgpu's kernel-module port
 * (/dev/vgpu, the grant-mapped ring and data area). Built statically from
 * guest-lib/ and proto/. Figures under QEMU TCG are emulation figures.
 *   vgpu_xen_perf lat N        N NOP round trips, polling and not: p50/p99
 *   vgpu_xen_perf copy MIB     htod (+ SYNC) and dtoh, MIB MiB per size and direction
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "vgpu.h"

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static int open_xen(int64_t poll_ns, vgpu_channel **ch)
{
    struct vgpu_open_opts o = {.transport = VGPU_TRANSPORT_XEN, .poll_ns = poll_ns};
    int r = vgpu_open(&o, ch);

    if (r < 0)
        printf("VGPU-PERF-FAIL open: %s\n", vgpu_strerror(r));
    return r;
}

/* n NOP round trips on a channel opened with poll_ns (-1: libvgpu's default); p50/p99 in us. */
static int lat(const char *label, int64_t poll_ns, uint64_t *t, size_t n, double *p50, double *p99)
{
    vgpu_channel *ch;
    size_t i;
    int r;

    if (open_xen(poll_ns, &ch) < 0)
        return 1;
    for (i = 0, r = 0; i < n / 10 && r == 0; i++) /* warm-up */
        r = vgpu_nop(ch);
    for (i = 0; i < n && r == 0; i++) {
        uint64_t t0 = now_ns();

        r = vgpu_nop(ch);
        t[i] = now_ns() - t0;
    }
    vgpu_close(ch);
    if (r < 0) {
        printf("VGPU-PERF-FAIL nop: %s\n", vgpu_strerror(r));
        return 1;
    }
    qsort(t, n, sizeof(*t), cmp_u64);
    *p50 = (double)t[n / 2] / 1e3;
    *p99 = (double)t[n * 99 / 100] / 1e3;
    printf("VGPU-PERF-LAT %s n=%zu p50_us=%.1f p99_us=%.1f\n", label, n, *p50, *p99);
    return 0;
}

/* MB/s of size-byte copies in one direction, total bytes in all. */
static int copy_rate(vgpu_channel *ch, int htod, uint64_t d, char *buf, uint64_t size,
                     uint64_t total, double *mbs)
{
    uint64_t i, reps = total / size ? total / size : 1, t0 = now_ns();
    int r = 0;

    for (i = 0; i < reps && r == 0; i++) {
        r = htod ? vgpu_copy_htod(ch, d, buf, size) : vgpu_copy_dtoh(ch, buf, d, size);
        if (r == 0 && htod)
            r = vgpu_sync(ch); /* htod returns once staged */
    }
    *mbs = (double)size * (double)reps / ((double)(now_ns() - t0) / 1e9) / 1e6;
    return r;
}

static int copy(uint64_t total)
{
    static const uint64_t sizes[] = {65536, 1 << 20, 4 << 20};
    uint64_t max = sizes[2], d = 0;
    vgpu_channel *ch;
    double h = 0, t = 0;
    char sum[160];
    size_t len = 0;
    char *buf;
    size_t i;
    int r;

    if (open_xen(-1, &ch) < 0)
        return 1;
    buf = malloc(max);
    r = buf ? vgpu_mem_alloc(ch, max, &d) : -VGPU_S_NO_MEMORY;
    if (buf)
        memset(buf, 0x5a, max);
    for (i = 0; i < 3 && r == 0; i++) {
        r = copy_rate(ch, 1, d, buf, sizes[i], total, &h);
        if (r == 0)
            r = copy_rate(ch, 0, d, buf, sizes[i], total, &t);
        if (r == 0) {
            printf("VGPU-PERF-COPY size=%llu htod_MBps=%.1f dtoh_MBps=%.1f\n",
                   (unsigned long long)sizes[i], h, t);
            len += (size_t)snprintf(sum + len, sizeof(sum) - len, " %lluK %.0f/%.0f",
                                    (unsigned long long)sizes[i] >> 10, h, t);
        }
    }
    if (r == 0)
        printf("copy MB/s htod/dtoh,%s\n", sum);
    if (r < 0)
        printf("VGPU-PERF-FAIL copy: %s\n", vgpu_strerror(r));
    if (d)
        vgpu_mem_free(ch, d);
    vgpu_close(ch);
    free(buf);
    return r < 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "lat";
    long n = argc > 2 ? atol(argv[2]) : 300;
    double a50, a99, b50, b99;
    uint64_t *t;
    int r;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (n < 1)
        n = 1;
    if (!strcmp(mode, "copy"))
        return copy((uint64_t)n << 20);
    if (n < 100)
        n = 100;
    t = calloc((size_t)n, sizeof(*t));
    if (!t)
        return 1;
    r = lat("polling", -1, t, (size_t)n, &a50, &a99) ||
        lat("no-polling", 0, t, (size_t)n, &b50, &b99);
    free(t);
    if (r == 0)
        printf("NOP round trip, %ld each, p50/p99 us: polling %.0f/%.0f, no polling %.0f/%.0f\n", n,
               a50, a99, b50, b99);
    return r;
}
