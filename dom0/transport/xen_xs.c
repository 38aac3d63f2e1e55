/* xen_xs.c: small xenstore helpers for vgpud's Xen transport. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xen_internal.h"

/*
 * Read dir/key into buf (NUL-terminated). Returns 0, -ENOENT when the key
 * is missing, -ENAMETOOLONG when the value does not fit, -EINVAL when it
 * holds a NUL byte.
 */
int vgpu_xen__read_str(struct vgpu_xen *x, const char *dir, const char *key, char *buf, size_t size)
{
    char path[256];
    unsigned int len;
    char *v;

    if (snprintf(path, sizeof(path), "%s/%s", dir, key) >= (int)sizeof(path))
        return -ENAMETOOLONG;
    v = xs_read(x->xs, XBT_NULL, path, &len);
    if (!v)
        return -ENOENT;
    if (len >= size) {
        free(v);
        return -ENAMETOOLONG;
    }
    if (memchr(v, '\0', len)) {
        /* "5\0junk" must not read as "5". */
        free(v);
        return -EINVAL;
    }
    memcpy(buf, v, len);
    buf[len] = '\0';
    free(v);
    return 0;
}

/* Read a canonical decimal u32 (vgpu_xen__parse_u32). Returns 0, -ENOENT or -EINVAL. */
int vgpu_xen__read_u32(struct vgpu_xen *x, const char *dir, const char *key, uint32_t *out)
{
    uint64_t v;
    int err;

    err = vgpu_xen__read_u64(x, dir, key, &v);
    if (err)
        return err;
    if (v > UINT32_MAX)
        return -EINVAL;
    *out = (uint32_t)v;
    return 0;
}

/* Read a canonical decimal u64 (vgpu_xen__parse_u64). Returns 0, -ENOENT or -EINVAL. */
int vgpu_xen__read_u64(struct vgpu_xen *x, const char *dir, const char *key, uint64_t *out)
{
    char buf[24];
    int err;

    err = vgpu_xen__read_str(x, dir, key, buf, sizeof(buf));
    if (err)
        return err == -ENAMETOOLONG ? -EINVAL : err;
    return vgpu_xen__parse_u64(buf, UINT64_MAX, out) ? 0 : -EINVAL;
}

/* Write a decimal u32 to dir/key. Returns 0 or -errno. */
int vgpu_xen__write_u32(struct vgpu_xen *x, const char *dir, const char *key, uint32_t v)
{
    char path[256], val[16];
    int n;

    if (snprintf(path, sizeof(path), "%s/%s", dir, key) >= (int)sizeof(path))
        return -ENAMETOOLONG;
    n = snprintf(val, sizeof(val), "%u", v);
    if (!xs_write(x->xs, XBT_NULL, path, val, (unsigned int)n))
        return -errno;
    return 0;
}
