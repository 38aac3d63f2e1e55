/*
 * vgpu_xen_badgrant.c: domU test program: grants a ring page and a data
 * directory page to dom0 from userspace (/dev/xen/gntalloc) with a broken
 * directory, prints "<ring-ref> <dir-ref>" and keeps the grants until killed.
 * The harness publishes them as a channel by hand and checks that the
 * backend refuses it.   usage: vgpu_xen_badgrant badmagic|toomany|badref
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <xen/sys/gntalloc.h>
#include "vgpu_proto.h"

int main(int argc, char **argv)
{
    union {
        struct ioctl_gntalloc_alloc_gref a;
        uint8_t raw[64]; /* gref_ids[] runs past the struct's declared end */
    } req;
    uint32_t refs[2];
    const char *mode = argc > 1 ? argv[1] : "badmagic";
    struct vgpu_data_dir *dir;
    uint8_t *pages;
    int fd;

    fd = open("/dev/xen/gntalloc", O_RDWR);
    if (fd < 0) {
        perror("open /dev/xen/gntalloc");
        return 1;
    }
    memset(&req, 0, sizeof(req));
    req.a.domid = 0;
    req.a.flags = GNTALLOC_FLAG_WRITABLE;
    req.a.count = 2;
    if (ioctl(fd, IOCTL_GNTALLOC_ALLOC_GREF, &req.a)) {
        perror("IOCTL_GNTALLOC_ALLOC_GREF");
        return 1;
    }
    pages = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)req.a.index);
    if (pages == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    memset(pages, 0, 4096);
    vgpu_sring_init((struct vgpu_sring *)pages);
    dir = (struct vgpu_data_dir *)(pages + 4096);
    memset(dir, 0xee, sizeof(*dir));
    dir->magic = VGPU_DATA_DIR_MAGIC;
    if (!strcmp(mode, "badmagic")) {
        dir->magic = 0x12345678u;
        dir->nr_pages = 1;
    } else if (!strcmp(mode, "toomany")) {
        dir->nr_pages = 5000;
    } else {
        dir->nr_pages = 2; /* refs 0xeeeeeeee: do not map */
    }
    memcpy(refs, (uint8_t *)&req + offsetof(struct ioctl_gntalloc_alloc_gref, gref_ids),
           sizeof(refs));
    printf("%u %u\n", refs[0], refs[1]);
    fflush(stdout);
    pause();
    return 0;
}
