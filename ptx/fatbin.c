/* fatbin.c: the PTX inside a fatbin container (nvcc -fatbin), zstd-compressed or not. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>
#include "ptx_int.h"

/*
 * Layout, as nvcc writes it (all little-endian):
 *   header  u32 magic 0xba55ed50, u16 version, u16 header size, u64 bytes of entries
 *   entry   u16 kind (1 PTX, 2 ELF/SASS), u16 version, u32 header size,
 *           u64 payload bytes (padded), u32 compressed bytes, ..., u32 arch at 0x1c,
 *           u64 flags at 0x28, u64 uncompressed bytes at 0x38; payload at header size.
 * Several fatbins may follow one another (an executable's .nv_fatbin section).
 */
#define FATBIN_MAGIC      0xba55ed50u
#define KIND_PTX          1
#define KIND_ELF          2
#define FLAG_ZSTD         0x8000ull /* CUDA 13's default compression */
#define FLAG_OLD_COMPRESS 0x2000ull /* the pre-13 scheme */
#define ENTRY_MIN         0x40u
#define PTX_MAX           (64u << 20)

struct entry {
    uint16_t kind;
    uint32_t arch;
    uint64_t flags, raw_size;
    const uint8_t *payload;
    uint64_t payload_size;
};

static uint64_t rd(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;

    memcpy(&v, p, n); /* little-endian host */
    return v;
}

bool ptx__is_fatbin(const void *image, size_t len)
{
    return len >= 16 && rd(image, 4) == FATBIN_MAGIC;
}

/* The entry at p (n bytes left). Returns its length or 0 if malformed. */
static uint64_t read_entry(const uint8_t *p, uint64_t n, struct entry *e)
{
    uint32_t hs;

    if (n < ENTRY_MIN)
        return 0;
    hs = (uint32_t)rd(p + 4, 4);
    e->kind = (uint16_t)rd(p, 2);
    e->payload_size = rd(p + 8, 8);
    e->arch = (uint32_t)rd(p + 0x1c, 4);
    e->flags = rd(p + 0x28, 8);
    e->raw_size = hs >= 0x40 ? rd(p + 0x38, 8) : 0;
    if (hs < ENTRY_MIN || hs > n || e->payload_size > n - hs)
        return 0;
    e->payload = p + hs;
    return hs + e->payload_size;
}

static int decompress(const struct entry *e, char **text, size_t *len, char *err, size_t errlen)
{
    size_t csize = ZSTD_findFrameCompressedSize(e->payload, e->payload_size), r;

    if (ZSTD_isError(csize) || e->raw_size == 0 || e->raw_size > PTX_MAX) {
        snprintf(err, errlen, "fatbin: PTX entry for compute_%u is not a zstd frame", e->arch);
        return -ENOEXEC;
    }
    *text = malloc(e->raw_size + 1);
    if (!*text)
        return -ENOMEM;
    r = ZSTD_decompress(*text, e->raw_size, e->payload, csize);
    if (ZSTD_isError(r)) {
        snprintf(err, errlen, "fatbin: zstd: %s", ZSTD_getErrorName(r));
        free(*text);
        *text = NULL;
        return -ENOEXEC;
    }
    (*text)[r] = '\0';
    *len = strnlen(*text, r);
    return 0;
}

static int extract(const struct entry *e, char **text, size_t *len, char *err, size_t errlen)
{
    if (e->flags & FLAG_OLD_COMPRESS) {
        snprintf(err, errlen,
                 "fatbin: PTX compressed with the pre-CUDA-13 scheme is not "
                 "supported; build with -Xfatbin -compress=false or CUDA 13");
        return -ENOEXEC;
    }
    if (e->flags & FLAG_ZSTD)
        return decompress(e, text, len, err, errlen);
    *len = strnlen((const char *)e->payload, e->payload_size);
    *text = malloc(*len + 1);
    if (!*text)
        return -ENOMEM;
    memcpy(*text, e->payload, *len);
    (*text)[*len] = '\0';
    return 0;
}

/* Picks the PTX entry of the highest architecture; counts the SASS ones for the message. */
static int scan(const uint8_t *p, size_t len, struct entry *best, uint32_t *sass_arch, char *err,
                size_t errlen)
{
    size_t off = 0;

    while (off + 16 <= len && rd(p + off, 4) == FATBIN_MAGIC) {
        uint64_t hs = rd(p + off + 6, 2), size = rd(p + off + 8, 8), at;
        struct entry e;
        if (hs < 16 || size > len - off - hs) {
            snprintf(err, errlen, "fatbin: truncated or malformed header at byte %zu", off);
            return -ENOEXEC;
        }
        for (at = off + hs; at < off + hs + size;) {
            uint64_t n = read_entry(p + at, off + hs + size - at, &e);
            if (n == 0) {
                snprintf(err, errlen, "fatbin: malformed entry at byte %llu",
                         (unsigned long long)at);
                return -ENOEXEC;
            }
            if (e.kind == KIND_PTX && (!best->payload || e.arch > best->arch))
                *best = e;
            else if (e.kind == KIND_ELF)
                *sass_arch = e.arch;
            at += n;
        }
        off += hs + size;
        off = (off + 7) & ~(size_t)7;
    }
    return 0;
}

int ptx__fatbin_ptx(const void *image, size_t len, char **text, size_t *text_len, char *err,
                    size_t errlen)
{
    struct entry best = {0};
    uint32_t sass = 0;
    int r = scan(image, len, &best, &sass, err, errlen);

    if (r)
        return r;
    if (!best.payload) {
        if (sass)
            snprintf(err, errlen,
                     "no PTX in the image (machine code for sm_%u only); build with "
                     "code=compute_XX",
                     sass);
        else
            snprintf(err, errlen, "no PTX in the image; build with code=compute_XX");
        return -ENOEXEC;
    }
    return extract(&best, text, text_len, err, errlen);
}
