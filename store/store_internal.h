/* Internals of the configuration store shared by its source files. */
#ifndef VGPU_STORE_INTERNAL_H
#define VGPU_STORE_INTERNAL_H

#include <sqlite3.h>

#include "vgpu_store.h"

#define VGPU_STORE_BUSY_TIMEOUT_MS 10000 /* wait this long for a writer */

struct vgpu_store {
    sqlite3 *db;      /* NULL once closed */
    int flags;        /* VGPU_STORE_* given to open */
    char errmsg[512]; /* last failure, for vgpu_store_errmsg() */
};

/* Record a failure: @rc is an SQLite result code; the message gets @what and
 * SQLite's own text. Returns the matching -errno. */
int vgpu_store__fail(struct vgpu_store *store, int rc, const char *what);

/* Record a failure that is not SQLite's; returns @err (a -errno). */
int vgpu_store__failf(struct vgpu_store *store, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Map an SQLite result code (extended or primary) to -errno. */
int vgpu_store__errno(int rc);

/* Write transactions: BEGIN IMMEDIATE takes the write lock up front so that
 * concurrent writers queue on the busy timeout instead of failing later. */
int vgpu_store__begin(struct vgpu_store *store);
int vgpu_store__commit(struct vgpu_store *store);
void vgpu_store__rollback(struct vgpu_store *store);

/* Prepare @sql; 0 or -errno with the message recorded. */
int vgpu_store__prepare(struct vgpu_store *store, const char *sql, sqlite3_stmt **out);

/* Bring the schema to VGPU_STORE_SCHEMA_VERSION (in one transaction). */
int vgpu_store__migrate(struct vgpu_store *store);

/* Current time for created/updated columns. */
int64_t vgpu_store__now(void);

#endif /* VGPU_STORE_INTERNAL_H */
