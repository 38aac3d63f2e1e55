/* exec_cuda_image.c: module images bounded before the driver, which gets no length, reads them. */
#include <elf.h>
#include <errno.h>
#include <string.h>
#include "exec_cuda.h"

#define FATBIN_MAGIC  0xBA55ED50u /* a fatbin's data: header, then entries */
#define FATBINC_MAGIC 0x466243B1u /* the wrapper nvcc links: holds a pointer, never accepted */

/* The fatbin layout as nvcc writes it (fatbinary.h is not shipped; only these fields are read). */
struct fatbin_head {
    uint32_t magic;
    uint16_t version;
    uint16_t head_size; /* bytes from the start to the first entry */
    uint64_t fat_size;  /* bytes of entries after the header */
};
struct fatbin_entry {
    uint16_t kind; /* 1 PTX, 2 ELF */
    uint16_t version;
    uint32_t head_size; /* bytes from the entry to its payload */
    uint64_t size;      /* payload bytes */
};

/* [off, off+n) inside len, without overflow. */
static bool within(uint64_t off, uint64_t n, uint64_t len)
{
    return off <= len && n <= len - off;
}

static int elf_check(const uint8_t *p, size_t len)
{
    Elf64_Ehdr eh;
    uint64_t i;

    if (len < sizeof(eh))
        return -EINVAL;
    memcpy(&eh, p, sizeof(eh));
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
        eh.e_ehsize < sizeof(eh))
        return -EINVAL;
    if (eh.e_phnum && (eh.e_phentsize < sizeof(Elf64_Phdr) ||
                       !within(eh.e_phoff, (uint64_t)eh.e_phnum * eh.e_phentsize, len)))
        return -EINVAL;
    if (eh.e_shnum && (eh.e_shentsize < sizeof(Elf64_Shdr) ||
                       !within(eh.e_shoff, (uint64_t)eh.e_shnum * eh.e_shentsize, len)))
        return -EINVAL;
    if (eh.e_shnum && eh.e_shstrndx >= eh.e_shnum)
        return -EINVAL;
    for (i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, p + eh.e_phoff + i * eh.e_phentsize, sizeof(ph));
        if (!within(ph.p_offset, ph.p_filesz, len))
            return -EINVAL;
    }
    for (i = 0; i < eh.e_shnum; i++) {
        Elf64_Shdr sh;
        memcpy(&sh, p + eh.e_shoff + i * eh.e_shentsize, sizeof(sh));
        if (sh.sh_type != SHT_NOBITS && sh.sh_type != SHT_NULL &&
            !within(sh.sh_offset, sh.sh_size, len))
            return -EINVAL;
    }
    return 0;
}

static int fatbin_check(const uint8_t *p, size_t len)
{
    struct fatbin_head h;
    uint64_t off, end;

    if (len < sizeof(h))
        return -EINVAL;
    memcpy(&h, p, sizeof(h));
    if (h.head_size < sizeof(h) || !within(h.head_size, h.fat_size, len))
        return -EINVAL;
    end = h.head_size + h.fat_size;
    for (off = h.head_size; off < end;) {
        struct fatbin_entry e;
        if (!within(off, sizeof(e), end))
            return -EINVAL;
        memcpy(&e, p + off, sizeof(e));
        if (e.head_size < sizeof(e) || !within(off + e.head_size, e.size, end))
            return -EINVAL;
        off += e.head_size;
        /* An uncompressed cubin inside is bounded by its entry. */
        if (e.size >= SELFMAG && memcmp(p + off, ELFMAG, SELFMAG) == 0 &&
            elf_check(p + off, e.size) < 0)
            return -EINVAL;
        off += e.size;
    }
    return 0;
}

int vgpu_cu__image_check(const void *image, size_t len, enum cu_image_kind *kind)
{
    const uint8_t *p = image;
    uint32_t magic = 0;

    if (len >= 4)
        memcpy(&magic, p, 4);
    if (len >= SELFMAG && memcmp(p, ELFMAG, SELFMAG) == 0) {
        *kind = CU_IMAGE_ELF;
        return elf_check(p, len);
    }
    if (magic == FATBIN_MAGIC) {
        *kind = CU_IMAGE_FATBIN;
        return fatbin_check(p, len);
    }
    if (magic == FATBINC_MAGIC || len == 0)
        return -EINVAL;
    *kind = CU_IMAGE_PTX; /* text: the driver stops at its first NUL, the caller's at the latest */
    return 0;
}
