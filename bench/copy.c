/* copy.c: host<->device throughput through the data area and through host buffers, as a ratio to
 * plain memcpy. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "vgpu.h"

static const uint64_t sizes[] = {4096, 65536, 1 << 20, 16 << 20, 64 << 20};
#define NSIZES    (sizeof(sizes) / sizeof(sizes[0]))
#define MIN_BYTES (256ull << 20) /* each measurement moves at least this much */

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t reps_for(uint64_t size)
{
    uint64_t r = MIN_BYTES / size;

    return r < 3 ? 3 : (uint32_t)r;
}

/* GB/s of reps copies of size bytes in one direction; negative error on failure. */
static int measure(vgpu_channel *ch, bool htod, uint64_t d, void *buf, uint64_t size, double *gbs)
{
    uint32_t i, reps = reps_for(size);
    double t0;
    /* One copy first, untimed: what it makes once (the staging buffer, its pages) is not the
     * copies' steady cost. */
    int r = htod ? vgpu_copy_htod(ch, d, buf, size) : vgpu_copy_dtoh(ch, buf, d, size);

    if (r == 0)
        r = vgpu_sync(ch);
    t0 = now_s();
    for (i = 0; i < reps && r == 0; i++) {
        r = htod ? vgpu_copy_htod(ch, d, buf, size) : vgpu_copy_dtoh(ch, buf, d, size);
        if (r == 0 && htod)
            r = vgpu_sync(ch); /* htod returns once staged: count the host's copy too */
    }
    *gbs = (double)size * reps / (now_s() - t0) / 1e9;
    return r;
}

/* The same from or into a host buffer: no staging, one request, the worker's one copy. */
static int measure_host(vgpu_channel *ch, bool htod, uint64_t d, void *hbuf, uint64_t size,
                        double *gbs)
{
    uint32_t i, reps = reps_for(size);
    double t0 = now_s();
    int r = 0;

    for (i = 0; i < reps && r == 0; i++) {
        r = htod ? vgpu_copy_htod_async(ch, d, hbuf, size)
                 : vgpu_copy_dtoh_async(ch, hbuf, d, size);
        if (r == 0)
            r = vgpu_sync(ch);
    }
    *gbs = (double)size * reps / (now_s() - t0) / 1e9;
    return r;
}

static double memcpy_gbs(void *dst, const void *src, uint64_t size)
{
    uint32_t i, reps = reps_for(size);
    double t0 = now_s();

    for (i = 0; i < reps; i++) {
        memcpy(dst, src, size);
        __asm__ __volatile__("" ::"r"(dst) : "memory");
    }
    return (double)size * reps / (now_s() - t0) / 1e9;
}

#define ROUNDS 3 /* each figure is the best of this many, taken in turns */

static double maxd(double a, double b)
{
    return a > b ? a : b;
}

/* One size: memcpy between two buffers of its own, then both directions through h, in turns. */
static int host_row(vgpu_channel *ch, void *h, char *src, char *dst, uint64_t size)
{
    double m = 0, hd = 0, dh = 0, x;
    uint64_t d = 0;
    int r = vgpu_mem_alloc(ch, size, &d);

    memset(h, 0x3c, size);
    memset(src, 0x5a, size);
    memset(dst, 0xa5, size);
    for (int k = 0; k < ROUNDS && r == 0; k++) {
        m = maxd(m, memcpy_gbs(dst, src, size));
        r = measure_host(ch, true, d, h, size, &x);
        hd = maxd(hd, x);
        if (r == 0)
            r = measure_host(ch, false, d, h, size, &x);
        dh = maxd(dh, x);
    }
    if (r == 0)
        printf("%-10llu %12.2f %12.2f %12.2f %10.3f %10.3f\n", (unsigned long long)size, m, hd, dh,
               hd / m, dh / m);
    if (d)
        vgpu_mem_free(ch, d);
    return r;
}

/*
 * A host buffer of size bytes allocated and freed: ms, best of 5. With touch, the guest writes
 * every page in between (what makes the pages: the host maps them lazily).
 */
static int alloc_free_ms(vgpu_channel *ch, uint64_t size, bool touch, double *ms)
{
    *ms = 1e9;
    for (int k = 0; k < 5; k++) {
        double t0 = now_s(), t;
        char *h = vgpu_host_alloc(ch, size);

        if (!h)
            return -VGPU_S_PINNED_LIMIT;
        for (uint64_t i = 0; touch && i < size; i += 4096)
            h[i] = 1;
        vgpu_host_free(ch, h);
        t = (now_s() - t0) * 1e3;
        *ms = t < *ms ? t : *ms;
    }
    return 0;
}

/* Host buffers (vgpu_host_alloc) of 16, 64 and 256 MiB: each its own shared memory. */
static int host_table(vgpu_channel *ch)
{
    static const uint64_t hsizes[] = {16u << 20, 64u << 20, 256u << 20};
    uint64_t max = hsizes[2];
    char *src = malloc(max), *dst = malloc(max);
    double ms = 0;
    int r = src && dst ? 0 : -VGPU_S_NO_MEMORY;

    printf("host buffers (vgpu_host_alloc: memory of their own, one request per copy, run by the "
           "worker), best of %d\n",
           ROUNDS);
    printf("%-10s %12s %12s %12s %10s %10s\n", "size", "memcpy GB/s", "htod GB/s", "dtoh GB/s",
           "htod/mcp", "dtoh/mcp");
    for (size_t i = 0; i < sizeof(hsizes) / sizeof(hsizes[0]) && r == 0; i++) {
        void *h = vgpu_host_alloc(ch, hsizes[i]);
        struct vgpu_error e;

        if (!h) {
            vgpu_last_error(ch, &e);
            printf("%-10llu refused: %s (raise the VM's limit: vgpuctl set-pinned-limit)\n",
                   (unsigned long long)hsizes[i], vgpu_status_name((int)e.status));
            continue;
        }
        r = host_row(ch, h, src, dst, hsizes[i]);
        vgpu_host_free(ch, h);
    }
    if (r == 0 && alloc_free_ms(ch, max, false, &ms) == 0)
        printf("alloc + free of a %llu MiB host buffer: %.1f ms (best of 5)\n",
               (unsigned long long)(max >> 20), ms);
    if (r == 0 && alloc_free_ms(ch, max, true, &ms) == 0)
        printf("alloc + every page written once + free: %.1f ms (best of 5)\n", ms);
    free(src);
    free(dst);
    return r;
}

/*
 * One size from and into ordinary memory (staged), best of ROUNDS in turns with the memcpy: chd
 * takes large copies through its staging buffer, cha through the data area only
 * (VGPU_STAGING_BUFFER=0), side by side.
 */
static int staged_row(vgpu_channel *chd, vgpu_channel *cha, uint64_t d, uint64_t da, char *a,
                      char *b, uint64_t size)
{
    vgpu_channel *chs[2] = {chd, cha};
    uint64_t ds[2] = {d, da};
    double m = 0, x, best[4] = {0};
    int r = 0;

    for (int k = 0; k < ROUNDS && r == 0; k++) {
        m = maxd(m, memcpy_gbs(b, a, size));
        /* best[2c]: channel c's htod (from a), best[2c + 1]: its dtoh (into b) */
        for (int j = 0; j < 4 && r == 0; j++) {
            r = measure(chs[j / 2], j % 2 == 0, ds[j / 2], j % 2 ? b : a, size, &x);
            best[j] = maxd(best[j], x);
        }
    }
    if (r == 0)
        printf("%-10llu %9.2f %9.2f %9.2f %9.3f %9.3f %9.3f %9.3f\n", (unsigned long long)size, m,
               best[0], best[1], best[0] / m, best[1] / m, best[2] / m, best[3] / m);
    return r;
}

static int staged_table(vgpu_channel *chd, vgpu_channel *cha, char *a, char *b)
{
    uint64_t max = sizes[NSIZES - 1], d = 0, da = 0;
    int r = vgpu_mem_alloc(chd, max, &d);

    if (r == 0)
        r = vgpu_mem_alloc(cha, max, &da);
    printf("staged (from and into malloc'd memory), best of %d; last two ratios: the data area "
           "only\n",
           ROUNDS);
    printf("%-10s %9s %9s %9s %9s %9s %9s %9s\n", "size", "memcpy", "htod", "dtoh", "htod/mcp",
           "dtoh/mcp", "area-h/m", "area-d/m");
    for (size_t i = 0; i < NSIZES && r == 0; i++)
        r = staged_row(chd, cha, d, da, a, b, sizes[i]);
    if (d)
        vgpu_mem_free(chd, d);
    if (da)
        vgpu_mem_free(cha, da);
    return r;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"socket", 1, NULL, 's'},
                                             {"instance", 1, NULL, 'i'},
                                             {"data-pages", 1, NULL, 'p'},
                                             {"help", 0, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    struct vgpu_open_opts o = {.transport = VGPU_TRANSPORT_AUTO, .poll_ns = -1};
    uint64_t max = sizes[NSIZES - 1];
    vgpu_channel *ch, *cha = NULL;
    char *a = NULL, *b = NULL;
    int opt, r;

    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (opt == 's')
            o.socket_path = optarg;
        else if (opt == 'i')
            o.instance = optarg;
        else if (opt == 'p' && atoi(optarg) > 0)
            o.data_pages = (uint32_t)atoi(optarg);
        else {
            fprintf(opt == 'h' ? stdout : stderr,
                    "usage: copy [--socket PATH] [--instance NAME] [--data-pages N]\n");
            return opt == 'h' ? 0 : 2;
        }
    }
    r = vgpu_open(&o, &ch);
    if (r < 0) {
        fprintf(stderr, "copy: cannot open a vgpu channel: %s; skipping\n", vgpu_strerror(r));
        return 77;
    }
    setenv("VGPU_STAGING_BUFFER", "0", 1); /* the second channel: the data area only */
    r = vgpu_open(&o, &cha);
    a = malloc(max);
    b = malloc(max);
    if (r == 0 && !(a && b))
        r = -VGPU_S_NO_MEMORY;
    if (r == 0) {
        memset(a, 0x5a, max);
        memset(b, 0xa5, max);
        r = staged_table(ch, cha, a, b);
    }
    vgpu_close(cha);
    if (r == 0)
        r = host_table(ch);
    if (r < 0)
        fprintf(stderr, "copy: %s\n", vgpu_strerror(r));
    vgpu_close(ch);
    free(a);
    free(b);
    return r < 0 ? 1 : 0;
}
