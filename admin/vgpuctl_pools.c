/* vgpuctl: init and the pool commands (list-pools, add-pool, map-pool, set-pool-limit). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vgpuctl.h"

/* mkdir -p of the directory holding @path. */
static int make_parent(const char *path)
{
    char dir[4096];
    char *p;

    snprintf(dir, sizeof(dir), "%s", path);
    p = strrchr(dir, '/');
    if (!p || p == dir)
        return 0;
    *p = '\0';
    for (p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0755) != 0 && errno != EEXIST)
            return -errno;
        *p = '/';
    }
    return mkdir(dir, 0755) != 0 && errno != EEXIST ? -errno : 0;
}

static int print_pool_row(const struct vgpu_store_pool *pool, void *ctx)
{
    json_object *arr = ctx;

    if (arr)
        json_object_array_add(arr, vgpuctl_pool_json(pool));
    else
        printf("%-12s %-42s %-38s %u\n", pool->name, pool->gpu[0] ? pool->gpu : "-",
               pool->mig[0] ? pool->mig : "-", pool->job_limit_ms);
    return 0;
}

static int print_pools(struct vgpuctl *c, struct vgpu_store *store)
{
    json_object *arr = c->json ? json_object_new_array() : NULL;
    int rc;

    if (!arr)
        printf("%-12s %-42s %-38s %s\n", "POOL", "GPU", "MIG", "JOB_LIMIT_MS");
    rc = vgpu_store_pool_list(store, print_pool_row, arr);
    if (rc) {
        json_object_put(arr);
        return vgpuctl_store_error(store, rc);
    }
    if (arr)
        vgpuctl_print_json(arr);
    return VGPUCTL_OK;
}

int vgpuctl_cmd_init(struct vgpuctl *c)
{
    struct vgpu_store *store;
    int rc, version = 0;

    rc = make_parent(c->db_path);
    if (rc) {
        vgpuctl_err("cannot create the directory of %s: %s", c->db_path, strerror(-rc));
        return VGPUCTL_ERR;
    }
    rc = vgpuctl_open_store(c, VGPU_STORE_CREATE, &store);
    if (rc)
        return rc;
    vgpu_store_schema_version(store, &version);
    if (c->json) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "database", json_object_new_string(c->db_path));
        json_object_object_add(o, "schema_version", json_object_new_int(version));
        vgpuctl_print_json(o);
    } else {
        printf("database %s ready (schema version %d)\n", c->db_path, version);
    }
    vgpu_store_close(store);
    return VGPUCTL_OK;
}

int vgpuctl_cmd_list_pools(struct vgpuctl *c)
{
    struct vgpu_store *store;
    int rc = vgpuctl_open_store(c, VGPU_STORE_RDONLY, &store);

    if (rc)
        return rc;
    rc = print_pools(c, store);
    vgpu_store_close(store);
    return rc;
}

int vgpuctl_cmd_add_pool(struct vgpuctl *c)
{
    const char *name = c->argv[0];
    struct vgpu_store *store;
    int rc;

    if (!vgpu_store_pool_name_valid(name)) {
        vgpuctl_err("bad pool name '%s': use 1 to %d of A-Z a-z 0-9 _ -", name,
                    VGPU_STORE_POOL_MAX);
        return VGPUCTL_USAGE;
    }
    rc = vgpuctl_open_store(c, 0, &store);
    if (rc)
        return rc;
    rc = vgpu_store_pool_add(store, name);
    if (rc == -EEXIST) {
        vgpuctl_err("pool '%s' already exists", name);
        rc = VGPUCTL_USAGE;
    } else if (rc) {
        rc = vgpuctl_store_error(store, rc);
    } else {
        printf("pool %s added\n", name);
    }
    vgpu_store_close(store);
    return rc;
}

/* A GPU index (0..63), a GPU UUID ("GPU-" + UUID) or a bare UUID. */
static bool gpu_valid(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);

    if (!strncmp(s, prefix, n) && vgpu_store_uuid_valid(s + n))
        return true;
    if (vgpu_store_uuid_valid(s))
        return true;
    return !prefix[0] ? false
                      : (!strcmp(prefix, "GPU-") && isdigit((unsigned char)s[0]) &&
                         strspn(s, "0123456789") == strlen(s) && atoi(s) < 64 && strlen(s) <= 2);
}

int vgpuctl_cmd_map_pool(struct vgpuctl *c)
{
    const char *pool = c->argv[0], *gpu = c->argv[1];
    struct vgpu_store *store;
    bool unmap = !strcmp(gpu, "none");
    int rc;

    if (!unmap && !gpu_valid(gpu, "GPU-")) {
        vgpuctl_err("bad GPU '%s': use a GPU index (0-63), a GPU UUID (GPU-xxxxxxxx-...) "
                    "or 'none'",
                    gpu);
        return VGPUCTL_USAGE;
    }
    if (c->mig && unmap) {
        vgpuctl_err("--mig needs a GPU, not 'none'");
        return VGPUCTL_USAGE;
    }
    if (c->mig && !gpu_valid(c->mig, "MIG-")) {
        vgpuctl_err("bad MIG instance '%s': use its UUID (MIG-xxxxxxxx-...)", c->mig);
        return VGPUCTL_USAGE;
    }
    rc = vgpuctl_open_store(c, 0, &store);
    if (rc)
        return rc;
    rc = vgpuctl_check_pool(store, pool);
    if (!rc) {
        rc = vgpu_store_pool_map(store, pool, unmap ? NULL : gpu, c->mig);
        rc = rc ? vgpuctl_store_error(store, rc) : VGPUCTL_OK;
    }
    vgpu_store_close(store);
    if (rc)
        return rc;
    printf("pool %s now runs on %s%s%s (each VM's worker moves when it next starts)\n", pool,
           unmap ? "the default device" : gpu, c->mig ? " MIG " : "", c->mig ? c->mig : "");
    return vgpuctl_live_pool(c, pool);
}

int vgpuctl_cmd_set_pool_limit(struct vgpuctl *c)
{
    const char *pool = c->argv[0], *ms_arg = c->argv[1];
    struct vgpu_store *store;
    unsigned long ms;
    char *end;
    int rc;

    errno = 0;
    ms = strtoul(ms_arg, &end, 10);
    if (errno || end == ms_arg || *end || ms_arg[0] == '-' || ms < VGPU_STORE_JOB_LIMIT_MIN_MS ||
        ms > VGPU_STORE_JOB_LIMIT_MAX_MS) {
        vgpuctl_err("bad job limit '%s': milliseconds, %u to %u", ms_arg,
                    VGPU_STORE_JOB_LIMIT_MIN_MS, VGPU_STORE_JOB_LIMIT_MAX_MS);
        return VGPUCTL_USAGE;
    }
    rc = vgpuctl_open_store(c, 0, &store);
    if (rc)
        return rc;
    rc = vgpuctl_check_pool(store, pool);
    if (!rc) {
        rc = vgpu_store_pool_set_limit(store, pool, (uint32_t)ms);
        rc = rc ? vgpuctl_store_error(store, rc) : VGPUCTL_OK;
    }
    vgpu_store_close(store);
    if (rc)
        return rc;
    printf("pool %s: jobs running longer than %lu ms lose their VM's context\n", pool, ms);
    return vgpuctl_live_pool(c, pool);
}
