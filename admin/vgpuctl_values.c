/* vgpuctl: parsing and checking values given on the command line. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vgpuctl.h"

int vgpuctl_parse_priority(const char *s, int *out)
{
    if (vgpu_store_priority_parse(s, out) == 0)
        return VGPUCTL_OK;
    vgpuctl_err("bad priority '%s': use low, medium or high (or 0, 1, 2)", s);
    return VGPUCTL_USAGE;
}

int vgpuctl_parse_vm_id(const char *s, uint32_t *out)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (!isdigit((unsigned char)s[0]) || *end || errno || v < 1 || v > VGPU_STORE_VM_ID_MAX) {
        vgpuctl_err("bad vm_id '%s': use a whole number from 1 to %u", s, VGPU_STORE_VM_ID_MAX);
        return VGPUCTL_USAGE;
    }
    *out = (uint32_t)v;
    return VGPUCTL_OK;
}

int vgpuctl_parse_uid(const char *s, int64_t *out)
{
    struct passwd *pw;
    char *end;
    unsigned long v;

    if (!strcmp(s, "none")) {
        *out = -1;
        return VGPUCTL_OK;
    }
    errno = 0;
    v = strtoul(s, &end, 10);
    if (isdigit((unsigned char)s[0]) && !*end && !errno && v < 4294967295ul) {
        *out = (int64_t)v;
        return VGPUCTL_OK;
    }
    pw = getpwnam(s);
    if (pw) {
        *out = pw->pw_uid;
        return VGPUCTL_OK;
    }
    vgpuctl_err("bad uid '%s': use a user name, a numeric uid or 'none'", s);
    return VGPUCTL_USAGE;
}

int vgpuctl_parse_size(const char *s, uint64_t *out)
{
    static const char units[] = "KMGT";
    const char *u;
    char *end;
    unsigned long long v;
    int shift = 0;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (isdigit((unsigned char)s[0]) && !errno) {
        u = *end ? strchr(units, toupper((unsigned char)*end)) : NULL;
        if (u && (end[1] == '\0' || !strcasecmp(end + 1, "iB") || !strcasecmp(end + 1, "B")))
            shift = 10 * (int)(u - units + 1);
        if ((!*end || shift) && (shift == 0 || v <= (unsigned long long)(INT64_MAX >> shift))) {
            *out = (uint64_t)v << shift;
            if (*out <= (uint64_t)INT64_MAX)
                return VGPUCTL_OK;
        }
    }
    vgpuctl_err("bad size '%s': use bytes with an optional K, M, G or T suffix (0 = no quota)", s);
    return VGPUCTL_USAGE;
}

int vgpuctl_parse_uuid(const char *s)
{
    if (vgpu_store_uuid_valid(s))
        return VGPUCTL_OK;
    vgpuctl_err("malformed UUID '%s': expected 8-4-4-4-12 hex digits, "
                "e.g. 3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e5f",
                s);
    return VGPUCTL_USAGE;
}

static int add_pool_name(const struct vgpu_store_pool *pool, void *ctx)
{
    char *list = ctx;
    size_t n = strlen(list);

    snprintf(list + n, 256 - n, "%s%s", n ? ", " : "", pool->name);
    return 0;
}

int vgpuctl_check_pool(struct vgpu_store *store, const char *pool)
{
    struct vgpu_store_pool p;
    char list[256] = "";
    int rc = vgpu_store_pool_find(store, pool, &p);

    if (rc == 0)
        return VGPUCTL_OK;
    if (rc != -ENOENT)
        return vgpuctl_store_error(store, rc);
    vgpu_store_pool_list(store, add_pool_name, list);
    vgpuctl_err("no pool '%s': pools are %s (add one with 'vgpuctl add-pool')", pool, list);
    return VGPUCTL_USAGE;
}

int vgpuctl_check_vm_name(struct vgpu_store *store, const char *name, const char *self_uuid)
{
    struct vgpu_store_vm other;

    if (!vgpu_store_vm_name_valid(name)) {
        vgpuctl_err("bad name '%s': use 1 to %d printable characters, not a UUID", name,
                    VGPU_STORE_NAME_MAX);
        return VGPUCTL_USAGE;
    }
    if (vgpu_store_vm_find(store, name, &other) == 0 &&
        (!self_uuid || strcasecmp(other.uuid, self_uuid) != 0)) {
        vgpuctl_err("name '%s' is already taken by VM %s: choose another", name, other.uuid);
        return VGPUCTL_USAGE;
    }
    return VGPUCTL_OK;
}

int vgpuctl_check_vm_id_free(struct vgpu_store *store, uint32_t vm_id, const char *self_uuid)
{
    struct vgpu_store_vm other;

    if (vgpu_store_vm_find_by_id(store, vm_id, &other) == 0 &&
        (!self_uuid || strcasecmp(other.uuid, self_uuid) != 0)) {
        vgpuctl_err("vm_id %" PRIu32 " is already taken by VM %s%s%s: choose a free one "
                    "(see 'vgpuctl list-vms') or leave --vm-id out",
                    vm_id, other.uuid, other.name[0] ? " " : "", other.name);
        return VGPUCTL_USAGE;
    }
    return VGPUCTL_OK;
}

/* True if @s looks like an attempt at a UUID rather than a VM name. */
static bool uuid_like(const char *s)
{
    size_t n = strlen(s);

    return n >= 32 && n <= 40 && strspn(s, "0123456789abcdefABCDEF-") == n;
}

int vgpuctl_find_vm(struct vgpu_store *store, const char *arg, struct vgpu_store_vm *vm)
{
    int rc;

    if (!vgpu_store_uuid_valid(arg) && uuid_like(arg))
        return vgpuctl_parse_uuid(arg);
    rc = vgpu_store_vm_find(store, arg, vm);
    if (rc == 0)
        return VGPUCTL_OK;
    if (rc != -ENOENT)
        return vgpuctl_store_error(store, rc);
    vgpuctl_err("unknown VM '%s': give a registered VM's UUID or name "
                "(see 'vgpuctl list-vms', or 'vgpuctl register-vm')",
                arg);
    return VGPUCTL_USAGE;
}
