/* Configuration store: checks and conversions of user-supplied values. */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "vgpu_store.h"

bool vgpu_store_uuid_valid(const char *s)
{
    size_t i;

    if (!s || strlen(s) != VGPU_STORE_UUID_LEN)
        return false;
    for (i = 0; i < VGPU_STORE_UUID_LEN; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;

        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return false;
    }
    return true;
}

bool vgpu_store_pool_name_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n < 1 || n > VGPU_STORE_POOL_MAX)
        return false;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

bool vgpu_store_vm_name_valid(const char *s)
{
    size_t i, n = s ? strlen(s) : 0;

    if (n < 1 || n > VGPU_STORE_NAME_MAX || vgpu_store_uuid_valid(s))
        return false;
    for (i = 0; i < n; i++)
        if (!isgraph((unsigned char)s[i]) && s[i] != ' ')
            return false;
    return true;
}

static const char *const prio_names[] = {"low", "medium", "high"};

int vgpu_store_priority_parse(const char *s, int *out)
{
    int i;

    if (!s)
        return -EINVAL;
    for (i = 0; i < 3; i++) {
        if (!strcasecmp(s, prio_names[i]) || (s[0] == '0' + i && s[1] == '\0')) {
            *out = i;
            return 0;
        }
    }
    return -EINVAL;
}

const char *vgpu_store_priority_name(int priority)
{
    return priority >= 0 && priority < 3 ? prio_names[priority] : "?";
}
