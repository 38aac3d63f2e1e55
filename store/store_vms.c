/* Configuration store: the vms table. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store_internal.h"

#define VM_COLUMNS                                                                                 \
    "SELECT v.vm_uuid, v.vm_id, p.name, v.priority, v.name, v.mem_quota, v.uid, "                  \
    "v.created, v.updated, v.pinned_limit FROM vms v JOIN pools p ON p.pool_id = v.pool_id "

static void copy_text(char *dst, size_t size, sqlite3_stmt *st, int col)
{
    const unsigned char *s = sqlite3_column_text(st, col);

    snprintf(dst, size, "%s", s ? (const char *)s : "");
}

static void vm_from_row(sqlite3_stmt *st, struct vgpu_store_vm *vm)
{
    memset(vm, 0, sizeof(*vm));
    copy_text(vm->uuid, sizeof(vm->uuid), st, 0);
    vm->vm_id = (uint32_t)sqlite3_column_int64(st, 1);
    copy_text(vm->pool, sizeof(vm->pool), st, 2);
    vm->priority = sqlite3_column_int(st, 3);
    copy_text(vm->name, sizeof(vm->name), st, 4);
    vm->mem_quota = (uint64_t)sqlite3_column_int64(st, 5);
    vm->uid = sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 6);
    vm->created = sqlite3_column_int64(st, 7);
    vm->updated = sqlite3_column_int64(st, 8);
    vm->pinned_limit = (uint64_t)sqlite3_column_int64(st, 9);
}

/* Step @st for one VM row: 0 and *out, -ENOENT, or -errno. Finalizes @st. */
static int vm_fetch_one(struct vgpu_store *store, sqlite3_stmt *st, const char *key,
                        struct vgpu_store_vm *out)
{
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW) {
        vm_from_row(st, out);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = vgpu_store__failf(store, -ENOENT, "no registered VM '%s'", key);
    } else {
        rc = vgpu_store__fail(store, rc, "looking up a VM");
    }
    sqlite3_finalize(st);
    return rc;
}

int vgpu_store_vm_find(struct vgpu_store *store, const char *uuid_or_name,
                       struct vgpu_store_vm *out)
{
    char uuid[VGPU_STORE_UUID_LEN + 1];
    sqlite3_stmt *st;
    bool by_uuid = vgpu_store_uuid_valid(uuid_or_name);
    int i, rc;

    rc = vgpu_store__prepare(
        store, by_uuid ? VM_COLUMNS "WHERE v.vm_uuid = ?" : VM_COLUMNS "WHERE v.name = ?", &st);
    if (rc)
        return rc;
    if (by_uuid) {
        for (i = 0; i <= VGPU_STORE_UUID_LEN; i++)
            uuid[i] = (char)tolower((unsigned char)uuid_or_name[i]);
        sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_text(st, 1, uuid_or_name, -1, SQLITE_TRANSIENT);
    }
    return vm_fetch_one(store, st, uuid_or_name, out);
}

int vgpu_store_vm_find_by_id(struct vgpu_store *store, uint32_t vm_id, struct vgpu_store_vm *out)
{
    char key[16];
    sqlite3_stmt *st;
    int rc = vgpu_store__prepare(store, VM_COLUMNS "WHERE v.vm_id = ?", &st);

    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, vm_id);
    snprintf(key, sizeof(key), "vm_id %u", vm_id);
    return vm_fetch_one(store, st, key, out);
}

int vgpu_store_vm_list(struct vgpu_store *store, vgpu_store_vm_cb cb, void *ctx)
{
    struct vgpu_store_vm vm;
    sqlite3_stmt *st;
    int stop = 0;
    int rc =
        vgpu_store__prepare(store, VM_COLUMNS "ORDER BY p.name, v.priority DESC, v.vm_id", &st);

    if (rc)
        return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        vm_from_row(st, &vm);
        stop = cb(&vm, ctx);
        if (stop)
            break;
    }
    if (stop)
        rc = stop;
    else
        rc = rc == SQLITE_DONE ? 0 : vgpu_store__fail(store, rc, "listing VMs");
    sqlite3_finalize(st);
    return rc;
}
