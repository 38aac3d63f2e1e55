/* Configuration store: schema and its migrations (PRAGMA user_version). */
#include <errno.h>
#include <stdio.h>

#include "store_internal.h"

/* The schema's macros and SQL keep their own layout (one clause a line). */
/* clang-format off */
#define HEX  "[0-9a-f]"
#define HEX4 HEX HEX HEX HEX
#define UUID_GLOB "'" HEX4 HEX4 "-" HEX4 "-" HEX4 "-" HEX4 "-" HEX4 HEX4 HEX4 "'"
#define SQL_VM_ID_MAX 65535 /* VGPU_STORE_VM_ID_MAX without its suffix */
#define VGPU_STORE_JOB_LIMIT_DEFAULT_MS_SQL 30000 /* the same, for the SQL text */
#define VGPU_STORE_JOB_LIMIT_MIN_MS_SQL     10
#define VGPU_STORE_JOB_LIMIT_MAX_MS_SQL     3600000
#define STR(x)  #x
#define XSTR(x) STR(x)

/*
 * migrations[n] takes the schema from version n to n + 1. Released entries
 * never change: a new column or table is a new entry. Every constraint the
 * CLI checks is also here, so no other writer can break them.
 */
static const char *const migrations[] = {
    /* 0 -> 1: pools and vms. */
    "CREATE TABLE pools ("
    "  pool_id INTEGER PRIMARY KEY,"
    "  name    TEXT NOT NULL UNIQUE"
    "          CHECK (length(name) BETWEEN 1 AND " XSTR(VGPU_STORE_POOL_MAX)
    "                 AND name NOT GLOB '*[^A-Za-z0-9_-]*'),"
    "  gpu     TEXT CHECK (gpu IS NULL OR length(gpu) BETWEEN 1 AND "
    XSTR(VGPU_STORE_GPU_MAX) "),"
    "  mig     TEXT CHECK (mig IS NULL OR (gpu IS NOT NULL AND length(mig) BETWEEN 1 AND "
    XSTR(VGPU_STORE_GPU_MAX) ")),"
    "  created INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL);"
    "CREATE TABLE vms ("
    "  vm_uuid   TEXT PRIMARY KEY NOT NULL CHECK (vm_uuid GLOB " UUID_GLOB "),"
    "  vm_id     INTEGER NOT NULL UNIQUE"
    "            CHECK (vm_id BETWEEN 1 AND " XSTR(SQL_VM_ID_MAX) "),"
    "  pool_id   INTEGER NOT NULL REFERENCES pools(pool_id) ON DELETE RESTRICT,"
    "  priority  INTEGER NOT NULL DEFAULT 1 CHECK (priority IN (0, 1, 2)),"
    "  name      TEXT UNIQUE CHECK (name IS NULL OR length(name) BETWEEN 1 AND "
    XSTR(VGPU_STORE_NAME_MAX) "),"
    "  mem_quota INTEGER NOT NULL DEFAULT 0 CHECK (mem_quota >= 0),"
    "  uid       INTEGER CHECK (uid IS NULL OR uid BETWEEN 0 AND 4294967294),"
    "  created   INTEGER NOT NULL,"
    "  updated   INTEGER NOT NULL);"
    "CREATE INDEX vms_pool ON vms(pool_id);"
    "INSERT INTO pools(name, created, updated) VALUES"
    "  ('A', strftime('%s','now'), strftime('%s','now')),"
    "  ('B', strftime('%s','now'), strftime('%s','now'));",
    /* 1 -> 2: each pool's hard time limit per job (vgpud kills the VM's worker past it). */
    "ALTER TABLE pools ADD COLUMN job_limit_ms INTEGER NOT NULL DEFAULT "
    XSTR(VGPU_STORE_JOB_LIMIT_DEFAULT_MS_SQL)
    " CHECK (job_limit_ms BETWEEN " XSTR(VGPU_STORE_JOB_LIMIT_MIN_MS_SQL) " AND "
    XSTR(VGPU_STORE_JOB_LIMIT_MAX_MS_SQL) ");",
    /* 2 -> 3: each VM's limit on host buffers (pinned memory), bytes; 0 = vgpud's default. */
    "ALTER TABLE vms ADD COLUMN pinned_limit INTEGER NOT NULL DEFAULT 0"
    " CHECK (pinned_limit >= 0);",
};
/* clang-format on */

_Static_assert(SQL_VM_ID_MAX == VGPU_STORE_VM_ID_MAX, "vm_id bound in the schema");
_Static_assert(VGPU_STORE_JOB_LIMIT_DEFAULT_MS_SQL == VGPU_STORE_JOB_LIMIT_DEFAULT_MS &&
                   VGPU_STORE_JOB_LIMIT_MIN_MS_SQL == VGPU_STORE_JOB_LIMIT_MIN_MS &&
                   VGPU_STORE_JOB_LIMIT_MAX_MS_SQL == VGPU_STORE_JOB_LIMIT_MAX_MS,
               "job limit bounds in the schema");
_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == VGPU_STORE_SCHEMA_VERSION,
               "one migration per schema version");

static int migrate_step(struct vgpu_store *store, int from)
{
    char sql[64];
    int rc = sqlite3_exec(store->db, migrations[from], NULL, NULL, NULL);

    if (rc != SQLITE_OK)
        return vgpu_store__fail(store, rc, "migrating the schema");
    snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", from + 1);
    rc = sqlite3_exec(store->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : vgpu_store__fail(store, rc, "setting the schema version");
}

int vgpu_store__migrate(struct vgpu_store *store)
{
    int version, rc;

    rc = vgpu_store_schema_version(store, &version);
    if (rc || version == VGPU_STORE_SCHEMA_VERSION)
        return rc;
    if (version > VGPU_STORE_SCHEMA_VERSION)
        return vgpu_store__failf(store, -EPROTO,
                                 "the database has schema version %d, newer than this "
                                 "build's %d: use a newer vgpuctl",
                                 version, VGPU_STORE_SCHEMA_VERSION);
    /* WAL lets vgpud read while vgpuctl writes; it is stored in the file. */
    rc = sqlite3_exec(store->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return vgpu_store__fail(store, rc, "switching to WAL");
    rc = vgpu_store__begin(store);
    if (rc)
        return rc;
    /* Another process may have migrated while we waited for the lock. */
    rc = vgpu_store_schema_version(store, &version);
    for (; !rc && version < VGPU_STORE_SCHEMA_VERSION; version++)
        rc = migrate_step(store, version);
    if (rc) {
        vgpu_store__rollback(store);
        return rc;
    }
    return vgpu_store__commit(store);
}
