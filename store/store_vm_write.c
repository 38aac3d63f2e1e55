/* Configuration store: adding, changing and removing VMs (one transaction each). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store_internal.h"

/* Lowest vm_id not in use, within a write transaction. */
#define FREE_VM_ID_SQL                                                                             \
    "SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM vms WHERE vm_id = 1) THEN 1 ELSE "                 \
    "(SELECT MIN(v.vm_id + 1) FROM vms v WHERE NOT EXISTS "                                        \
    "(SELECT 1 FROM vms w WHERE w.vm_id = v.vm_id + 1)) END"

static int scalar_int64(struct vgpu_store *store, sqlite3_stmt *st, const char *what, int64_t *out)
{
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = -ENOENT;
    } else {
        rc = vgpu_store__fail(store, rc, what);
    }
    sqlite3_finalize(st);
    return rc;
}

static int pool_id_of(struct vgpu_store *store, const char *pool, int64_t *id)
{
    sqlite3_stmt *st;
    int rc = vgpu_store__prepare(store, "SELECT pool_id FROM pools WHERE name = ?", &st);

    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, pool, -1, SQLITE_TRANSIENT);
    rc = scalar_int64(store, st, "looking up a pool", id);
    if (rc == -ENOENT)
        vgpu_store__failf(store, rc, "no pool '%s'", pool);
    return rc;
}

static int free_vm_id(struct vgpu_store *store, uint32_t *vm_id)
{
    sqlite3_stmt *st;
    int64_t id = 0;
    int rc = vgpu_store__prepare(store, FREE_VM_ID_SQL, &st);

    if (!rc)
        rc = scalar_int64(store, st, "choosing a vm_id", &id);
    if (rc)
        return rc;
    if (id < 1 || id > VGPU_STORE_VM_ID_MAX)
        return vgpu_store__failf(store, -ENOSPC, "every vm_id 1..%u is taken",
                                 VGPU_STORE_VM_ID_MAX);
    *vm_id = (uint32_t)id;
    return 0;
}

/* Bind the changeable columns as parameters 1..7 (vm_id, pool_id, priority,
 * name, mem_quota, uid, updated). */
static int bind_vm(struct vgpu_store *store, sqlite3_stmt *st, const struct vgpu_store_vm *vm,
                   int64_t pool_id)
{
    if (vm->mem_quota > (uint64_t)INT64_MAX)
        return vgpu_store__failf(store, -EINVAL, "memory quota %llu is too large",
                                 (unsigned long long)vm->mem_quota);
    sqlite3_bind_int64(st, 1, vm->vm_id);
    sqlite3_bind_int64(st, 2, pool_id);
    sqlite3_bind_int(st, 3, vm->priority);
    if (vm->name[0])
        sqlite3_bind_text(st, 4, vm->name, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 4);
    sqlite3_bind_int64(st, 5, (int64_t)vm->mem_quota);
    if (vm->uid >= 0)
        sqlite3_bind_int64(st, 6, vm->uid);
    else
        sqlite3_bind_null(st, 6);
    sqlite3_bind_int64(st, 7, vgpu_store__now());
    return 0;
}

/* Run @st (already bound) to completion; -ENOENT if it changed no row. */
static int exec_change(struct vgpu_store *store, sqlite3_stmt *st, const char *what,
                       const char *uuid)
{
    char msg[96];
    int rc = sqlite3_step(st);

    snprintf(msg, sizeof(msg), "%s VM %s", what, uuid);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return vgpu_store__fail(store, rc, msg);
    if (sqlite3_changes(store->db) == 0)
        return vgpu_store__failf(store, -ENOENT, "no registered VM '%s'", uuid);
    return 0;
}

static void lower_uuid(char *uuid)
{
    for (; *uuid; uuid++)
        *uuid = (char)tolower((unsigned char)*uuid);
}

/* The body of vm_add/vm_update, inside the caller's transaction. */
static int vm_write(struct vgpu_store *store, struct vgpu_store_vm *vm, bool add)
{
    static const char insert_sql[] =
        "INSERT INTO vms(vm_id, pool_id, priority, name, mem_quota, uid, updated, "
        "vm_uuid, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7)";
    static const char update_sql[] =
        "UPDATE vms SET vm_id = ?1, pool_id = ?2, priority = ?3, name = ?4, "
        "mem_quota = ?5, uid = ?6, updated = ?7 WHERE vm_uuid = ?8";
    sqlite3_stmt *st;
    int64_t pool_id = 0;
    int rc;

    rc = pool_id_of(store, vm->pool, &pool_id);
    if (!rc && add && vm->vm_id == 0)
        rc = free_vm_id(store, &vm->vm_id);
    if (!rc)
        rc = vgpu_store__prepare(store, add ? insert_sql : update_sql, &st);
    if (rc)
        return rc;
    rc = bind_vm(store, st, vm, pool_id);
    if (rc) {
        sqlite3_finalize(st);
        return rc;
    }
    sqlite3_bind_text(st, 8, vm->uuid, -1, SQLITE_TRANSIENT);
    return exec_change(store, st, add ? "adding" : "updating", vm->uuid);
}

static int vm_write_tx(struct vgpu_store *store, struct vgpu_store_vm *vm, bool add)
{
    char uuid[sizeof(vm->uuid)];
    int rc;

    if (!vgpu_store_uuid_valid(vm->uuid))
        return vgpu_store__failf(store, -EINVAL, "'%s' is not a VM UUID", vm->uuid);
    lower_uuid(vm->uuid);
    rc = vgpu_store__begin(store);
    if (rc)
        return rc;
    rc = vm_write(store, vm, add);
    if (rc) {
        vgpu_store__rollback(store);
        return rc;
    }
    rc = vgpu_store__commit(store);
    if (rc)
        return rc;
    memcpy(uuid, vm->uuid, sizeof(uuid));
    return vgpu_store_vm_find(store, uuid, vm);
}

int vgpu_store_vm_add(struct vgpu_store *store, struct vgpu_store_vm *vm)
{
    return vm_write_tx(store, vm, true);
}

int vgpu_store_vm_update(struct vgpu_store *store, struct vgpu_store_vm *vm)
{
    return vm_write_tx(store, vm, false);
}

int vgpu_store_vm_remove(struct vgpu_store *store, const char *uuid)
{
    char key[VGPU_STORE_UUID_LEN + 1];
    sqlite3_stmt *st;
    int rc;

    if (!vgpu_store_uuid_valid(uuid))
        return vgpu_store__failf(store, -EINVAL, "'%s' is not a VM UUID", uuid);
    memcpy(key, uuid, sizeof(key));
    lower_uuid(key);
    rc = vgpu_store__prepare(store, "DELETE FROM vms WHERE vm_uuid = ?", &st);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    return exec_change(store, st, "removing", key);
}

int vgpu_store_vm_set_pinned_limit(struct vgpu_store *store, const char *uuid, uint64_t bytes)
{
    char key[VGPU_STORE_UUID_LEN + 1];
    sqlite3_stmt *st;
    int rc;

    if (!vgpu_store_uuid_valid(uuid))
        return vgpu_store__failf(store, -EINVAL, "'%s' is not a VM UUID", uuid);
    if (bytes > (uint64_t)INT64_MAX)
        return vgpu_store__failf(store, -EINVAL, "pinned limit %llu is too large",
                                 (unsigned long long)bytes);
    memcpy(key, uuid, sizeof(key));
    lower_uuid(key);
    rc = vgpu_store__prepare(store,
                             "UPDATE vms SET pinned_limit = ?1, updated = ?2 "
                             "WHERE vm_uuid = ?3",
                             &st);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, (int64_t)bytes);
    sqlite3_bind_int64(st, 2, vgpu_store__now());
    sqlite3_bind_text(st, 3, key, -1, SQLITE_TRANSIENT);
    return exec_change(store, st, "setting the pinned limit of", key);
}
