/* Configuration store: open, close, error conversion and transactions. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store_internal.h"

const char *vgpu_store_default_path(void)
{
    const char *env = getenv(VGPU_STORE_ENV);

    return env && *env ? env : VGPU_STORE_DEFAULT_PATH;
}

int vgpu_store__errno(int rc)
{
    switch (rc) {
    case SQLITE_OK:
        return 0;
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        return -EEXIST;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return -ENOENT;
    }
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
        return -EINVAL;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return -EBUSY;
    case SQLITE_READONLY:
        return -EROFS;
    case SQLITE_NOMEM:
        return -ENOMEM;
    case SQLITE_FULL:
        return -ENOSPC;
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return -EACCES;
    case SQLITE_CANTOPEN:
        return -ENOENT;
    case SQLITE_NOTFOUND:
        return -ENOENT;
    default: /* IOERR, CORRUPT, NOTADB, ... */
        return -EIO;
    }
}

int vgpu_store__failf(struct vgpu_store *store, int err, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(store->errmsg, sizeof(store->errmsg), fmt, ap);
    va_end(ap);
    return err;
}

int vgpu_store__fail(struct vgpu_store *store, int rc, const char *what)
{
    const char *detail = store->db ? sqlite3_errmsg(store->db) : sqlite3_errstr(rc);
    int err = vgpu_store__errno(rc);

    if (err == -ENOENT && (rc & 0xff) == SQLITE_CANTOPEN && store->db &&
        sqlite3_system_errno(store->db))
        err = -sqlite3_system_errno(store->db);
    vgpu_store__failf(store, err, "%s: %s (sqlite code %d)", what, detail, rc);
    return err;
}

int vgpu_store__prepare(struct vgpu_store *store, const char *sql, sqlite3_stmt **out)
{
    int rc = sqlite3_prepare_v2(store->db, sql, -1, out, NULL);

    return rc == SQLITE_OK ? 0 : vgpu_store__fail(store, rc, "preparing a query");
}

int vgpu_store__begin(struct vgpu_store *store)
{
    int rc = sqlite3_exec(store->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

    return rc == SQLITE_OK ? 0 : vgpu_store__fail(store, rc, "starting a transaction");
}

int vgpu_store__commit(struct vgpu_store *store)
{
    int rc = sqlite3_exec(store->db, "COMMIT", NULL, NULL, NULL);

    if (rc == SQLITE_OK)
        return 0;
    rc = vgpu_store__fail(store, rc, "committing");
    vgpu_store__rollback(store);
    return rc;
}

void vgpu_store__rollback(struct vgpu_store *store)
{
    if (!sqlite3_get_autocommit(store->db))
        sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
}

int64_t vgpu_store__now(void)
{
    return (int64_t)time(NULL);
}

int vgpu_store_schema_version(struct vgpu_store *store, int *version)
{
    sqlite3_stmt *st;
    int rc = vgpu_store__prepare(store, "PRAGMA user_version", &st);

    if (rc)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *version = sqlite3_column_int(st, 0);
        rc = 0;
    } else {
        rc = vgpu_store__fail(store, rc, "reading the schema version");
    }
    sqlite3_finalize(st);
    return rc;
}

/* Per-connection settings; foreign keys are off by default in SQLite. */
static int store_configure(struct vgpu_store *store)
{
    int rc;

    sqlite3_extended_result_codes(store->db, 1);
    rc = sqlite3_busy_timeout(store->db, VGPU_STORE_BUSY_TIMEOUT_MS);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(store->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    if (rc == SQLITE_OK && !(store->flags & VGPU_STORE_RDONLY))
        rc = sqlite3_exec(store->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : vgpu_store__fail(store, rc, "configuring the connection");
}

/* A read-only connection cannot migrate: it needs the exact version. */
static int store_check_version(struct vgpu_store *store, const char *path)
{
    int version, rc = vgpu_store_schema_version(store, &version);

    if (rc)
        return rc;
    if (version == VGPU_STORE_SCHEMA_VERSION)
        return 0;
    return vgpu_store__failf(store, -EPROTO,
                             "%s has schema version %d, this build needs %d: "
                             "run 'vgpuctl init' (or any vgpuctl change) to migrate it",
                             path, version, VGPU_STORE_SCHEMA_VERSION);
}

int vgpu_store_open(const char *path, int flags, struct vgpu_store **out)
{
    struct vgpu_store *store;
    int oflags, rc;

    *out = NULL;
    store = calloc(1, sizeof(*store));
    if (!store)
        return -ENOMEM;
    *out = store;
    store->flags = flags;
    if (!path)
        path = vgpu_store_default_path();
    if (!(flags & VGPU_STORE_CREATE) && access(path, F_OK) != 0)
        return vgpu_store__failf(store, -errno,
                                 "no database at %s (%s): create it with "
                                 "'vgpuctl init' or point --db / $%s at one",
                                 path, strerror(errno), VGPU_STORE_ENV);
    if (flags & VGPU_STORE_RDONLY)
        oflags = SQLITE_OPEN_READONLY;
    else
        oflags = SQLITE_OPEN_READWRITE | (flags & VGPU_STORE_CREATE ? SQLITE_OPEN_CREATE : 0);
    rc = sqlite3_open_v2(path, &store->db, oflags, NULL);
    if (rc != SQLITE_OK)
        return vgpu_store__fail(store, rc, path);
    rc = store_configure(store);
    if (rc)
        return rc;
    if (flags & VGPU_STORE_RDONLY)
        return store_check_version(store, path);
    return vgpu_store__migrate(store);
}

void vgpu_store_close(struct vgpu_store *store)
{
    if (!store)
        return;
    if (store->db) {
        sqlite3_close(store->db);
        store->db = NULL;
    }
    free(store);
}

const char *vgpu_store_errmsg(const struct vgpu_store *store)
{
    if (!store)
        return "out of memory";
    return store->errmsg[0] ? store->errmsg : "no error";
}
