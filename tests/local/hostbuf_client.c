/* hostbuf_client.c: host buffers through libvgpu: copies, the pinned limit, a holder to kill, large
 * staged copies through libvgpu's staging buffer (test_hostbuf.sh). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "vgpu.h"

static vgpu_channel *open_ch(const char *instance)
{
    struct vgpu_open_opts o = {.poll_ns = -1, .instance = instance};
    vgpu_channel *ch;
    int r = vgpu_open(&o, &ch);

    if (r != 0) {
        fprintf(stderr, "open: %s\n", vgpu_strerror(r));
        exit(1);
    }
    return ch;
}

static void fill(uint8_t *p, uint64_t n, uint32_t seed)
{
    for (uint64_t i = 0; i < n; i++)
        p[i] = (uint8_t)((i * 2654435761u) >> 13 ^ seed);
}

/* Report the first difference; true if equal. */
static bool same(const uint8_t *a, const uint8_t *b, uint64_t n, const char *what)
{
    for (uint64_t i = 0; i < n; i++)
        if (a[i] != b[i]) {
            printf("FAIL %s: byte %llu is 0x%02x, expected 0x%02x\n", what, (unsigned long long)i,
                   b[i], a[i]);
            return false;
        }
    return true;
}

/* One size: host buffer -> device at an offset -> another host buffer at another offset. */
static bool copy_case(vgpu_channel *ch, uint64_t size, uint64_t off_a, uint64_t off_b)
{
    uint64_t len = size - (off_a > off_b ? off_a : off_b), d = 0;
    uint8_t *a = vgpu_host_alloc(ch, size), *b = vgpu_host_alloc(ch, size);
    char what[96];
    bool ok;
    int r;

    if (!a || !b) {
        struct vgpu_error e;
        vgpu_last_error(ch, &e);
        printf("FAIL alloc %llu: %s\n", (unsigned long long)size, vgpu_status_name((int)e.status));
        return false;
    }
    fill(a, size, (uint32_t)size);
    memset(b, 0, size);
    r = vgpu_mem_alloc(ch, len, &d);
    if (r == 0)
        r = vgpu_copy_htod_async(ch, d, a + off_a, len);
    if (r == 0)
        r = vgpu_copy_dtoh_async(ch, b + off_b, d, len);
    if (r == 0)
        r = vgpu_sync(ch);
    snprintf(what, sizeof(what), "async copy of %llu bytes (offsets %llu, %llu)",
             (unsigned long long)len, (unsigned long long)off_a, (unsigned long long)off_b);
    ok = r == 0 && same(a + off_a, b + off_b, len, what);
    if (r)
        printf("FAIL %s: %s\n", what, vgpu_strerror(r));
    /* The synchronous calls take the one-request path for host buffers too. */
    memset(b, 0, size);
    r = vgpu_copy_htod(ch, d, a, len);
    if (r == 0)
        r = vgpu_copy_dtoh(ch, b, d, len);
    snprintf(what, sizeof(what), "sync copy of %llu bytes", (unsigned long long)len);
    ok = ok && r == 0 && same(a, b, len, what);
    if (r)
        printf("FAIL %s: %s\n", what, vgpu_strerror(r));
    /* Past a buffer of its own's end: refused, nothing copied (a small one lies in the data
     * area, which goes on past it). */
    r = size <= (64u << 10) ? -VGPU_S_BAD_RANGE : vgpu_copy_htod_async(ch, d, a + size - 8, 16);
    if (r == 0)
        r = vgpu_sync(ch);
    if (r != -VGPU_S_BAD_RANGE) {
        printf("FAIL a copy past the buffer's end: %s, expected BAD_RANGE\n", vgpu_status_name(r));
        ok = false;
    }
    if (ok)
        printf("ok   %llu-byte host buffers: copies at offsets %llu/%llu correct\n",
               (unsigned long long)size, (unsigned long long)off_a, (unsigned long long)off_b);
    vgpu_mem_free(ch, d);
    vgpu_host_free(ch, a);
    vgpu_host_free(ch, b);
    return ok;
}

static int copies(const char *instance)
{
    static const uint64_t sizes[][3] = {
        {4096, 0, 0},         /* small: in the data area */
        {2u << 20, 4096, 0},  /* 2 MiB: failed before issue 19 */
        {9u << 20, 17, 4099}, /* unaligned offsets */
        {40u << 20, 1u << 20, 12345},
    };
    vgpu_channel *ch = open_ch(instance);
    bool ok = true;

    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        ok = copy_case(ch, sizes[i][0], sizes[i][1], sizes[i][2]) && ok;
    vgpu_close(ch);
    return ok ? 0 : 1;
}

/* Buffers of size bytes until refused: the refusal is PINNED_LIMIT, and after a free one fits. */
static int limit(const char *instance, uint64_t limit_bytes, uint64_t size)
{
    vgpu_channel *ch = open_ch(instance);
    void *bufs[64], *again;
    struct vgpu_error e;
    unsigned n = 0;

    while (n < 64 && (bufs[n] = vgpu_host_alloc(ch, size)))
        n++;
    vgpu_last_error(ch, &e);
    printf("%u buffers of %llu bytes under a limit of %llu; then %s (%s)\n", n,
           (unsigned long long)size, (unsigned long long)limit_bytes,
           vgpu_status_name((int)e.status), vgpu_strerror((int)e.status));
    if (n != limit_bytes / size || e.status != VGPU_S_PINNED_LIMIT || e.op != VGPU_OP_HOSTBUF_MAP)
        return 1;
    if (vgpu_host_alloc(ch, limit_bytes + size)) {
        printf("FAIL a buffer larger than the limit was given\n");
        return 1;
    }
    vgpu_host_free(ch, bufs[--n]);
    again = vgpu_host_alloc(ch, size);
    printf("after one free: %s\n", again ? "one more fits" : "still refused");
    if (!again || vgpu_nop(ch) != 0)
        return 1;
    vgpu_close(ch);
    return 0;
}

/* Map n buffers of size bytes, touch them, say so, then wait to be killed. */
static int hold(const char *instance, unsigned n, uint64_t size)
{
    vgpu_channel *ch = open_ch(instance);
    uint64_t d = 0;

    if (vgpu_mem_alloc(ch, size, &d) != 0)
        return 1;
    for (unsigned i = 0; i < n; i++) {
        uint8_t *p = vgpu_host_alloc(ch, size);
        if (!p)
            return 1;
        memset(p, (int)i, size);
        if (vgpu_copy_htod_async(ch, d, p, size) != 0) /* the worker has it mapped */
            return 1;
    }
    if (vgpu_sync(ch) != 0)
        return 1;
    printf("holding\n");
    fflush(stdout);
    for (;;)
        pause();
}

/* One staged round trip: malloc'd src -> device at dev_off -> malloc'd dst at off, compared. */
static bool staged_case(vgpu_channel *ch, uint64_t d, uint64_t len, uint64_t dev_off, uint64_t off)
{
    uint8_t *src = malloc(len), *want = malloc(len), *dst = calloc(1, len + off);
    char what[64];
    bool ok = false;
    int r;

    if (src && want && dst) {
        fill(want, len, (uint32_t)len ^ 0x5eed);
        memcpy(src, want, len);
        r = vgpu_copy_htod(ch, d + dev_off, src, len);
        memset(src, 0xee, len); /* taken at the call: later changes are not the device's */
        if (r == 0)
            r = vgpu_copy_dtoh(ch, dst + off, d + dev_off, len);
        snprintf(what, sizeof(what), "staged %llu at +%llu", (unsigned long long)len,
                 (unsigned long long)dev_off);
        ok = r == 0 && same(want, dst + off, len, what);
        if (r != 0)
            printf("FAIL %s: %s\n", what, vgpu_strerror(r));
    }
    free(src);
    free(want);
    free(dst);
    return ok;
}

/* Two large copies back to back, the second reusing the first's pieces while they may be queued. */
static bool staged_overlap(vgpu_channel *ch, uint64_t d, uint64_t len)
{
    uint8_t *a = malloc(len), *b = malloc(len), *out = malloc(len);
    bool ok;
    int r;

    if (!a || !b || !out)
        return false;
    fill(a, len, 1);
    fill(b, len, 2);
    r = vgpu_copy_htod(ch, d, a, len);
    if (r == 0)
        r = vgpu_copy_htod(ch, d + len, b, len);
    if (r == 0)
        r = vgpu_copy_dtoh(ch, out, d, len);
    ok = r == 0 && same(a, out, len, "first of two");
    if (ok)
        ok = vgpu_copy_dtoh(ch, out, d + len, len) == 0 && same(b, out, len, "second of two");
    free(a);
    free(b);
    free(out);
    return ok;
}

/* A large copy the host refuses: the error is returned, and the channel goes on. */
static bool staged_refused(vgpu_channel *ch, uint64_t d, uint64_t dev_size)
{
    uint64_t len = 8u << 20;
    uint8_t *buf = malloc(len);
    int r;

    if (!buf)
        return false;
    r = vgpu_copy_dtoh(ch, buf, d + dev_size - (1u << 20), len); /* past the allocation's end */
    printf("a large copy past the allocation: %s\n", vgpu_strerror(r));
    free(buf);
    return r != 0 && vgpu_nop(ch) == 0 && staged_case(ch, d, len, 0, 0);
}

/*
 * Copies from and into ordinary memory: large ones go through libvgpu's staging buffer (or the
 * data area, VGPU_STAGING_BUFFER=0), at sizes around the pieces and unaligned offsets. With
 * "hold", then wait to be killed (the test looks at the VM's pinned memory meanwhile).
 */
static int staged(const char *instance, bool then_hold)
{
    static const uint64_t cases[][3] = {
        {2u << 20, 0, 0},               /* below the staging buffer's threshold */
        {4u << 20, 0, 0},               /* two pieces */
        {(4u << 20) + 1, 64, 3},        /* and one byte */
        {(17u << 20) + 4097, 4099, 61}, /* past the buffer's four pieces, unaligned */
    };
    uint64_t dev = 40u << 20, d = 0;
    vgpu_channel *ch = open_ch(instance);
    bool ok = vgpu_mem_alloc(ch, dev, &d) == 0;

    for (size_t i = 0; ok && i < sizeof(cases) / sizeof(cases[0]); i++)
        ok = staged_case(ch, d, cases[i][0], cases[i][1], cases[i][2]);
    ok = ok && staged_overlap(ch, d, 12u << 20) && staged_refused(ch, d, dev);
    printf("staged copies %s\n", ok ? "correct" : "FAILED");
    if (!ok)
        return 1;
    if (!then_hold) {
        vgpu_close(ch);
        return 0;
    }
    printf("holding\n");
    fflush(stdout);
    for (;;)
        pause();
}

/*
 * Under a pinned limit of limit_bytes: a large copy makes the staging buffer; a host buffer too
 * large for the limit anyway is refused and the staging buffer comes back ("probe", then a line
 * from stdin); a host buffer of the rest of the limit fits (the staging buffer gives way), large
 * copies stay correct (through the data area), and after the free the staging buffer returns.
 */
static int staged_limit(const char *instance, uint64_t limit_bytes)
{
    vgpu_channel *ch = open_ch(instance);
    uint64_t d = 0;
    char line[16];
    void *h;
    bool ok = vgpu_mem_alloc(ch, 16u << 20, &d) == 0 && staged_case(ch, d, 8u << 20, 0, 0);

    /* Past the limit even without the staging buffer: refused, and the buffer comes back. */
    h = ok ? vgpu_host_alloc(ch, 2 * limit_bytes) : NULL;
    printf("a host buffer of twice the limit: %s\n", h ? "given" : "refused");
    ok = ok && !h && staged_case(ch, d, 8u << 20, 0, 3);
    printf("probe\n"); /* the test looks at the VM's pinned memory meanwhile */
    fflush(stdout);
    ok = ok && fgets(line, sizeof(line), stdin);
    h = ok ? vgpu_host_alloc(ch, limit_bytes - 4096) : NULL;
    printf("a host buffer of the limit less a page after a large copy: %s\n",
           h ? "given" : "refused");
    ok = h && staged_case(ch, d, 8u << 20, 0, 5);
    if (h)
        vgpu_host_free(ch, h);
    ok = ok && staged_case(ch, d, 8u << 20, 0, 7);
    printf("staged copies under the limit %s\n", ok ? "correct" : "FAILED");
    vgpu_close(ch);
    return ok ? 0 : 1;
}

/*
 * Large copies, then "ready" and a line from stdin (meanwhile the test kills the VM's worker):
 * the context is lost, the staging buffer is not. A new allocation on the fresh context and
 * large copies through the same buffer work; then another line before it closes.
 */
static int staged_again(const char *instance)
{
    vgpu_channel *ch = open_ch(instance);
    uint64_t size = 24u << 20, d = 0;
    char line[16];
    int r = vgpu_mem_alloc(ch, size, &d), tries = 0;

    if (r != 0 || !staged_case(ch, d, 8u << 20, 0, 0))
        return 1;
    printf("ready\n");
    fflush(stdout);
    if (!fgets(line, sizeof(line), stdin))
        return 1;
    /* The first request after the loss may be answered CONTEXT_LOST; the next ones run. */
    do
        r = vgpu_mem_alloc(ch, size, &d);
    while (r == -VGPU_S_CONTEXT_LOST && ++tries < 3);
    printf("allocation on the fresh context: %s\n", vgpu_strerror(r));
    if (r != 0 || !staged_case(ch, d, (17u << 20) + 5, 64, 9))
        return 1;
    printf("large copies after the worker's loss correct\n");
    fflush(stdout);
    if (!fgets(line, sizeof(line), stdin)) /* the test looks at the VM meanwhile */
        return 1;
    vgpu_close(ch);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "copies") == 0)
        return copies(argv[2]);
    if (argc == 5 && strcmp(argv[1], "limit") == 0)
        return limit(argv[2], strtoull(argv[3], NULL, 0), strtoull(argv[4], NULL, 0));
    if (argc == 5 && strcmp(argv[1], "hold") == 0)
        return hold(argv[2], (unsigned)strtoul(argv[3], NULL, 0), strtoull(argv[4], NULL, 0));
    if (argc == 3 && strcmp(argv[1], "staged") == 0)
        return staged(argv[2], false);
    if (argc == 3 && strcmp(argv[1], "staged-hold") == 0)
        return staged(argv[2], true);
    if (argc == 3 && strcmp(argv[1], "staged-again") == 0)
        return staged_again(argv[2]);
    if (argc == 4 && strcmp(argv[1], "staged-limit") == 0)
        return staged_limit(argv[2], strtoull(argv[3], NULL, 0));
    fprintf(stderr, "usage: hostbuf_client copies INSTANCE | limit INSTANCE LIMIT SIZE |"
                    " hold INSTANCE N SIZE | staged[-hold|-again] INSTANCE |"
                    " staged-limit INSTANCE LIMIT\n");
    return 2;
}
