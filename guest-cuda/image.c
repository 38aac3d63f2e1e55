/* image.c: what a module image is (PTX, cubin, fatbin, fatbin wrapper), its length and its PTX. */
#include <stdlib.h>
#include <string.h>
#include "cuda_int.h"
#ifdef VCU_HAVE_ZSTD
#include <zstd.h>
#endif

/*
 * cuModuleLoadData gets a pointer and no length; the length follows from
 * the format. A fatbin (nvcc -fatbin) is a container:
 *   u32 magic 0xba55ed50, u16 version, u16 header bytes, u64 entry bytes;
 * each entry: u16 kind (1 PTX, 2 ELF), u16, u32 header bytes, u64 payload
 * bytes, u32 compressed bytes, ..., u32 arch at 0x1c, u64 flags at 0x28
 * (0x8000: zstd), u64 uncompressed bytes at 0x38, payload after the header.
 * The CUDA runtime passes a wrapper (magic 0x466243b1) pointing at one.
 */
#define FATBIN_MAGIC  0xba55ed50u
#define WRAPPER_MAGIC 0x466243b1u
#define ENTRY_PTX     1u
#define ENTRY_HDR_MIN 0x40u
#define FLAG_ZSTD     0x8000ull
#define IMAGE_MAX     (256ull << 20) /* a sanity bound while walking headers */

struct wrapper {
    int32_t magic, version;
    const void *data;
    const void *filename;
};

static uint64_t rd(const void *p, unsigned int n)
{
    uint64_t v = 0;

    memcpy(&v, p, n); /* guests are little-endian (x86, arm64) */
    return v;
}

/* Skip the runtime's wrapper to the fatbin it points at. */
static const void *unwrap(const void *image)
{
    const struct wrapper *w = image;

    return rd(image, 4) == WRAPPER_MAGIC ? w->data : image;
}

/*
 * Bytes of the fatbin container at p. Only one: nothing says whether
 * another follows, and reading on could run past the caller's buffer.
 */
static size_t fatbin_len(const uint8_t *p)
{
    return rd(p + 6, 2) + rd(p + 8, 8);
}

/* An ELF cubin ends with its section header table. */
static size_t elf_len(const uint8_t *p)
{
    uint64_t shoff = rd(p + 0x28, 8), phoff = rd(p + 0x20, 8);
    uint64_t sh = shoff + rd(p + 0x3c, 2) * rd(p + 0x3a, 2);
    uint64_t ph = phoff + rd(p + 0x38, 2) * rd(p + 0x36, 2);

    return sh > ph ? sh : ph;
}

int vcu__image_span(const void *image, const void **data, size_t *len)
{
    const uint8_t *p = unwrap(image);

    if (!p)
        return -1;
    *data = p;
    if (rd(p, 4) == FATBIN_MAGIC)
        *len = fatbin_len(p);
    else if (memcmp(p, "\177ELF", 4) == 0)
        *len = elf_len(p);
    else
        *len = strlen((const char *)p) + 1; /* PTX text, NUL included */
    return *len > 0 && *len <= IMAGE_MAX ? 0 : -1;
}

/* Calls fn for each PTX entry of the fatbin at p (len bytes) until it returns true. */
static bool each_ptx(const uint8_t *p, size_t len, bool (*fn)(const uint8_t *e, void *arg),
                     void *arg)
{
    size_t off = 0;

    while (off + 16 <= len && rd(p + off, 4) == FATBIN_MAGIC) {
        size_t hs = rd(p + off + 6, 2), end = off + hs + rd(p + off + 8, 8), at = off + hs;
        while (end <= len && at + ENTRY_HDR_MIN <= end) {
            size_t ehs = rd(p + at + 4, 4), n = ehs + rd(p + at + 8, 8);
            if (ehs < ENTRY_HDR_MIN || n > end - at)
                break;
            if (rd(p + at, 2) == ENTRY_PTX && fn(p + at, arg))
                return true;
            at += n;
        }
        off = (end + 7) & ~(size_t)7;
    }
    return false;
}

static bool any_entry(const uint8_t *e, void *arg)
{
    return true;
}

bool vcu__image_has_ptx(const void *image, size_t len)
{
    const uint8_t *p = image;

    if (rd(p, 4) == FATBIN_MAGIC)
        return each_ptx(p, len, any_entry, NULL);
    return memcmp(p, "\177ELF", 4) != 0;
}

/* The text of one PTX entry, decompressed where needed; NULL if it cannot be read. */
static char *entry_text(const uint8_t *e)
{
    size_t hs = rd(e + 4, 4), psize = rd(e + 8, 8), raw = rd(e + 0x38, 8);
    char *t;

    if (!(rd(e + 0x28, 8) & FLAG_ZSTD)) {
        t = calloc(1, psize + 1);
        if (t)
            memcpy(t, e + hs, psize);
        return t;
    }
#ifdef VCU_HAVE_ZSTD
    if (raw == 0 || raw > IMAGE_MAX)
        return NULL;
    t = calloc(1, raw + 1);
    if (t && ZSTD_isError(ZSTD_decompress(t, raw, e + hs, rd(e + 0x10, 4)))) {
        free(t);
        t = NULL;
    }
    return t;
#else
    (void)raw;
    return NULL;
#endif
}

static bool take_text(const uint8_t *e, void *arg)
{
    char **out = arg;

    *out = entry_text(e);
    return *out != NULL;
}

char *vcu__image_ptx(const void *image, size_t len)
{
    const uint8_t *p = image;
    char *text = NULL;

    if (rd(p, 4) == FATBIN_MAGIC)
        each_ptx(p, len, take_text, &text);
    else if (memcmp(p, "\177ELF", 4) != 0)
        text = strndup((const char *)p, len);
    return text;
}
