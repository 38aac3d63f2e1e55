/* Configuration store: the pools table and their GPU mapping. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store_internal.h"

#define POOL_COLUMNS "SELECT name, gpu, mig, created, updated, job_limit_ms FROM pools "

static void pool_from_row(sqlite3_stmt *st, struct vgpu_store_pool *pool)
{
    const unsigned char *s;

    memset(pool, 0, sizeof(*pool));
    s = sqlite3_column_text(st, 0);
    snprintf(pool->name, sizeof(pool->name), "%s", s ? (const char *)s : "");
    s = sqlite3_column_text(st, 1);
    snprintf(pool->gpu, sizeof(pool->gpu), "%s", s ? (const char *)s : "");
    s = sqlite3_column_text(st, 2);
    snprintf(pool->mig, sizeof(pool->mig), "%s", s ? (const char *)s : "");
    pool->created = sqlite3_column_int64(st, 3);
    pool->updated = sqlite3_column_int64(st, 4);
    pool->job_limit_ms = (uint32_t)sqlite3_column_int64(st, 5);
}

int vgpu_store_pool_find(struct vgpu_store *store, const char *name, struct vgpu_store_pool *out)
{
    sqlite3_stmt *st;
    int rc = vgpu_store__prepare(store, POOL_COLUMNS "WHERE name = ?", &st);

    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        pool_from_row(st, out);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = vgpu_store__failf(store, -ENOENT, "no pool '%s'", name);
    } else {
        rc = vgpu_store__fail(store, rc, "looking up a pool");
    }
    sqlite3_finalize(st);
    return rc;
}

int vgpu_store_pool_list(struct vgpu_store *store, vgpu_store_pool_cb cb, void *ctx)
{
    struct vgpu_store_pool pool;
    sqlite3_stmt *st;
    int stop = 0;
    int rc = vgpu_store__prepare(store, POOL_COLUMNS "ORDER BY name", &st);

    if (rc)
        return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        pool_from_row(st, &pool);
        stop = cb(&pool, ctx);
        if (stop)
            break;
    }
    if (stop)
        rc = stop;
    else
        rc = rc == SQLITE_DONE ? 0 : vgpu_store__fail(store, rc, "listing pools");
    sqlite3_finalize(st);
    return rc;
}

/* Run a one-statement change on pool @name; -ENOENT when no row changed. */
static int pool_change(struct vgpu_store *store, sqlite3_stmt *st, const char *what,
                       const char *name)
{
    char msg[96];
    int rc = sqlite3_step(st);

    sqlite3_finalize(st);
    snprintf(msg, sizeof(msg), "%s pool '%s'", what, name);
    if (rc != SQLITE_DONE)
        return vgpu_store__fail(store, rc, msg);
    if (sqlite3_changes(store->db) == 0)
        return vgpu_store__failf(store, -ENOENT, "no pool '%s'", name);
    return 0;
}

int vgpu_store_pool_add(struct vgpu_store *store, const char *name)
{
    sqlite3_stmt *st;
    int rc;

    if (!vgpu_store_pool_name_valid(name))
        return vgpu_store__failf(store, -EINVAL, "'%s' is not a pool name", name);
    rc = vgpu_store__prepare(store,
                             "INSERT INTO pools(name, created, updated) "
                             "VALUES (?1, ?2, ?2)",
                             &st);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, vgpu_store__now());
    return pool_change(store, st, "adding", name);
}

int vgpu_store_pool_remove(struct vgpu_store *store, const char *name)
{
    sqlite3_stmt *st;
    int rc = vgpu_store__prepare(store, "DELETE FROM pools WHERE name = ?", &st);

    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    rc = pool_change(store, st, "removing", name);
    if (rc && strstr(store->errmsg, "FOREIGN KEY"))
        rc = vgpu_store__failf(store, -EBUSY, "pool '%s' still has VMs: move them first", name);
    return rc;
}

int vgpu_store_pool_map(struct vgpu_store *store, const char *name, const char *gpu,
                        const char *mig)
{
    sqlite3_stmt *st;
    int rc = vgpu_store__prepare(store,
                                 "UPDATE pools SET gpu = ?1, mig = ?2, updated = ?3 "
                                 "WHERE name = ?4",
                                 &st);

    if (rc)
        return rc;
    if (gpu && *gpu)
        sqlite3_bind_text(st, 1, gpu, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 1);
    if (mig && *mig)
        sqlite3_bind_text(st, 2, mig, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_int64(st, 3, vgpu_store__now());
    sqlite3_bind_text(st, 4, name, -1, SQLITE_TRANSIENT);
    return pool_change(store, st, "mapping", name);
}

int vgpu_store_pool_set_limit(struct vgpu_store *store, const char *name, uint32_t job_limit_ms)
{
    sqlite3_stmt *st;
    int rc;

    if (job_limit_ms < VGPU_STORE_JOB_LIMIT_MIN_MS || job_limit_ms > VGPU_STORE_JOB_LIMIT_MAX_MS)
        return vgpu_store__failf(store, -EINVAL, "job limit %u ms is outside %u..%u ms",
                                 job_limit_ms, VGPU_STORE_JOB_LIMIT_MIN_MS,
                                 VGPU_STORE_JOB_LIMIT_MAX_MS);
    rc = vgpu_store__prepare(store,
                             "UPDATE pools SET job_limit_ms = ?1, updated = ?2 "
                             "WHERE name = ?3",
                             &st);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, job_limit_ms);
    sqlite3_bind_int64(st, 2, vgpu_store__now());
    sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
    return pool_change(store, st, "setting the job limit of", name);
}
