/* xen_parse.c: strict parsers for the names and values vgpud's Xen transport reads from xenstore.
 */
#include <string.h>
#include "xen_internal.h"

/*
 * Everything here is pure: no xenstore, no allocation. A guest writes
 * its frontend directory freely, so each number has exactly one spelling
 * (no sign, no blanks, no leading zero, no junk): "channel-05" or
 * "channel-+5" would otherwise name channel 5 twice.
 */

bool vgpu_xen__parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    const char *p;

    if (!s || s[0] < '0' || s[0] > '9' || (s[0] == '0' && s[1] != '\0'))
        return false;
    for (p = s; *p; p++) {
        unsigned int digit = (unsigned int)(*p - '0');

        if (*p < '0' || *p > '9' || digit > max || v > (max - digit) / 10u)
            return false;
        v = v * 10u + digit;
    }
    *out = v;
    return true;
}

bool vgpu_xen__parse_u32(const char *s, uint32_t max, uint32_t *out)
{
    uint64_t v;

    if (!vgpu_xen__parse_u64(s, max, &v))
        return false;
    *out = (uint32_t)v;
    return true;
}

bool vgpu_xen__parse_channel_name(const char *name, uint32_t *index)
{
    static const char prefix[] = "channel-";

    if (!name || strncmp(name, prefix, sizeof(prefix) - 1) != 0)
        return false;
    return vgpu_xen__parse_u32(name + sizeof(prefix) - 1, VGPU_XEN_CHANNELS_MAX - 1, index);
}

bool vgpu_xen__uuid_valid(const char *s)
{
    static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    size_t i;

    if (!s || strlen(s) != sizeof(shape) - 1)
        return false;
    for (i = 0; i < sizeof(shape) - 1; i++) {
        char ch = s[i];
        bool hex = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');

        if (shape[i] == '-' ? ch != '-' : !hex)
            return false;
    }
    return true;
}

static char vgpu_xen_lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

bool vgpu_xen__uuid_equal(const char *a, const char *b)
{
    size_t i;

    if (!vgpu_xen__uuid_valid(a) || !vgpu_xen__uuid_valid(b))
        return false;
    for (i = 0; a[i]; i++) {
        if (vgpu_xen_lower(a[i]) != vgpu_xen_lower(b[i]))
            return false;
    }
    return true;
}

bool vgpu_xen__vm_path_is(const char *vm_path, const char *uuid)
{
    static const char prefix[] = "/vm/";

    return vm_path && strncmp(vm_path, prefix, sizeof(prefix) - 1) == 0 &&
           vgpu_xen__uuid_equal(vm_path + sizeof(prefix) - 1, uuid);
}

/* Next path component of *p (after one '/'), as a number; advances *p. */
static bool vgpu_xen_next_number(const char **p, uint32_t max, uint32_t *out)
{
    char part[12];
    const char *start, *end;

    if (**p != '/')
        return false;
    start = *p + 1;
    end = strchr(start, '/');
    if (!end)
        end = start + strlen(start);
    if ((size_t)(end - start) >= sizeof(part))
        return false;
    memcpy(part, start, (size_t)(end - start));
    part[end - start] = '\0';
    *p = end;
    return vgpu_xen__parse_u32(part, max, out);
}

int vgpu_xen__parse_backend_path(const char *path, uint32_t *domid, uint32_t *devid)
{
    static const char root[] = VGPU_XEN_BACKEND_ROOT;
    const char *p;

    if (!path || strncmp(path, root, sizeof(root) - 1) != 0)
        return -1;
    p = path + sizeof(root) - 1;
    if (*p == '\0')
        return 0;
    if (!vgpu_xen_next_number(&p, VGPU_XEN_DOMID_MAX, domid) || *domid == 0)
        return -1;
    if (*p == '\0')
        return 1;
    if (!vgpu_xen_next_number(&p, VGPU_XEN_DEVID_MAX, devid))
        return -1;
    return 2;
}
