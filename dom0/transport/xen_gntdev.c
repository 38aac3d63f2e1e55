/* xen_gntdev.c: a guest's grants in a gntdev instance of their own, for a worker to map. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <xen/sys/gntdev.h>
#include "xen_internal.h"

int vgpu_xen__gntdev_share(uint32_t domid, const uint32_t *refs, uint32_t n, int *fd, uint64_t *off)
{
    struct ioctl_gntdev_map_grant_ref *m;
    size_t len = sizeof(*m) + ((size_t)n - 1) * sizeof(m->refs[0]);
    int f, err = 0;

    *fd = -1;
    if (n == 0)
        return -EINVAL;
    m = calloc(1, len);
    if (!m)
        return -ENOMEM;
    m->count = n;
    for (uint32_t i = 0; i < n; i++) {
        m->refs[i].domid = domid;
        m->refs[i].ref = refs[i];
    }
    f = open("/dev/xen/gntdev", O_RDWR | O_CLOEXEC);
    if (f < 0 || ioctl(f, IOCTL_GNTDEV_MAP_GRANT_REF, m) < 0) {
        err = -errno;
        if (f >= 0)
            close(f);
    } else {
        *fd = f;
        *off = m->index;
    }
    free(m);
    return err;
}
