/* hostbuf_client.c: host buffers through libvgpu: copies, the pinned limit, a holder to kill
 * (test_hostbuf.sh). */
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

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "copies") == 0)
        return copies(argv[2]);
    if (argc == 5 && strcmp(argv[1], "limit") == 0)
        return limit(argv[2], strtoull(argv[3], NULL, 0), strtoull(argv[4], NULL, 0));
    if (argc == 5 && strcmp(argv[1], "hold") == 0)
        return hold(argv[2], (unsigned)strtoul(argv[3], NULL, 0), strtoull(argv[4], NULL, 0));
    fprintf(stderr, "usage: hostbuf_client copies INSTANCE | limit INSTANCE LIMIT SIZE |"
                    " hold INSTANCE N SIZE\n");
    return 2;
}
