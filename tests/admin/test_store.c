/* Unit tests of the configuration store (store/store_*.c) on real SQLite files. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "vgpu_store.h"

#define U1 "3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e51"
#define U2 "3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e52"

struct fixture {
    char dir[64];
    char path[96];
    struct vgpu_store *store;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    snprintf(f->dir, sizeof(f->dir), "/tmp/vgpu-store-test.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/vgpu.db", f->dir);
    assert_int_equal(vgpu_store_open(f->path, VGPU_STORE_CREATE, &f->store), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];

    vgpu_store_close(f->store);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static struct vgpu_store_vm make_vm(const char *uuid)
{
    struct vgpu_store_vm vm = {.priority = VGPU_PRIO_MEDIUM, .uid = -1};

    snprintf(vm.uuid, sizeof(vm.uuid), "%s", uuid);
    snprintf(vm.pool, sizeof(vm.pool), "A");
    return vm;
}

static int count_vm(const struct vgpu_store_vm *vm, void *ctx)
{
    (*(int *)ctx)++;
    return 0;
}

static int count_pool(const struct vgpu_store_pool *pool, void *ctx)
{
    (*(int *)ctx)++;
    return 0;
}

static void test_create_has_pools_and_version(void **state)
{
    struct fixture *f = *state;
    struct vgpu_store_pool p;
    int version = -1, n = 0;

    assert_int_equal(vgpu_store_schema_version(f->store, &version), 0);
    assert_int_equal(version, VGPU_STORE_SCHEMA_VERSION);
    assert_int_equal(vgpu_store_pool_list(f->store, count_pool, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(vgpu_store_pool_find(f->store, "B", &p), 0);
    assert_string_equal(p.name, "B");
    assert_string_equal(p.gpu, "");
}

static void test_open_missing_without_create(void **state)
{
    struct fixture *f = *state;
    struct vgpu_store *s;
    char path[128];

    snprintf(path, sizeof(path), "%s/none.db", f->dir);
    assert_int_equal(vgpu_store_open(path, 0, &s), -ENOENT);
    assert_non_null(strstr(vgpu_store_errmsg(s), "vgpuctl init"));
    vgpu_store_close(s);
    assert_int_equal(access(path, F_OK), -1);
}

static void test_vm_add_defaults_and_find(void **state)
{
    struct fixture *f = *state;
    struct vgpu_store_vm vm = make_vm("3F2A6C1E-9B7D-4E21-8C55-0A1B2C3D4E51"), got;

    snprintf(vm.name, sizeof(vm.name), "web");
    assert_int_equal(vgpu_store_vm_add(f->store, &vm), 0);
    assert_int_equal(vm.vm_id, 1);
    assert_string_equal(vm.uuid, U1);
    assert_true(vm.created > 0);
    assert_int_equal(vgpu_store_vm_find(f->store, "web", &got), 0);
    assert_string_equal(got.uuid, U1);
    assert_int_equal(got.uid, -1);
    assert_int_equal(vgpu_store_vm_find(f->store, U1, &got), 0);
    assert_int_equal(vgpu_store_vm_find_by_id(f->store, 1, &got), 0);
    assert_int_equal(vgpu_store_vm_find(f->store, "nobody", &got), -ENOENT);
}

static void test_vm_constraints(void **state)
{
    struct fixture *f = *state;
    struct vgpu_store_vm vm = make_vm(U1), other = make_vm(U2);
    int n = 0;

    vm.vm_id = 5;
    assert_int_equal(vgpu_store_vm_add(f->store, &vm), 0);
    other.vm_id = 5;
    assert_int_equal(vgpu_store_vm_add(f->store, &other), -EEXIST);
    other.vm_id = 0;
    snprintf(other.pool, sizeof(other.pool), "C");
    assert_int_equal(vgpu_store_vm_add(f->store, &other), -ENOENT);
    assert_non_null(strstr(vgpu_store_errmsg(f->store), "no pool 'C'"));
    snprintf(other.pool, sizeof(other.pool), "A");
    other.priority = 3;
    assert_int_equal(vgpu_store_vm_add(f->store, &other), -EINVAL);
    assert_non_null(strstr(vgpu_store_errmsg(f->store), "CHECK"));
    other.priority = 0;
    other.vm_id = VGPU_STORE_VM_ID_MAX + 1;
    assert_int_equal(vgpu_store_vm_add(f->store, &other), -EINVAL);
    snprintf(other.uuid, sizeof(other.uuid), "not-a-uuid");
    assert_int_equal(vgpu_store_vm_add(f->store, &other), -EINVAL);
    assert_int_equal(vgpu_store_vm_add(f->store, &vm), -EEXIST);
    assert_int_equal(vgpu_store_vm_list(f->store, count_vm, &n), 0);
    assert_int_equal(n, 1);
}

static void test_vm_update_is_atomic(void **state)
{
    struct fixture *f = *state;
    struct vgpu_store_vm a = make_vm(U1), b = make_vm(U2), got;

    assert_int_equal(vgpu_store_vm_add(f->store, &a), 0);
    assert_int_equal(vgpu_store_vm_add(f->store, &b), 0);
    assert_int_equal(b.vm_id, 2);
    b.priority = VGPU_PRIO_HIGH;
    b.vm_id = a.vm_id; /* taken: nothing of the update may land */
    assert_int_equal(vgpu_store_vm_update(f->store, &b), -EEXIST);
    assert_int_equal(vgpu_store_vm_find(f->store, U2, &got), 0);
    assert_int_equal(got.priority, VGPU_PRIO_MEDIUM);
    assert_int_equal(got.vm_id, 2);
    got.priority = VGPU_PRIO_HIGH;
    snprintf(got.pool, sizeof(got.pool), "B");
    got.mem_quota = 1u << 30;
    got.uid = 1000;
    assert_int_equal(vgpu_store_vm_update(f->store, &got), 0);
    assert_int_equal(vgpu_store_vm_find(f->store, U2, &b), 0);
    assert_string_equal(b.pool, "B");
    assert_int_equal(b.priority, VGPU_PRIO_HIGH);
    assert_int_equal(b.mem_quota, 1u << 30);
    assert_int_equal(b.uid, 1000);
}

static void test_vm_remove_and_reuse_id(void **state)
{
    struct fixture *f = *state;
    struct vgpu_store_vm a = make_vm(U1), b = make_vm(U2);

    assert_int_equal(vgpu_store_vm_add(f->store, &a), 0);
    assert_int_equal(vgpu_store_vm_remove(f->store, U1), 0);
    assert_int_equal(vgpu_store_vm_remove(f->store, U1), -ENOENT);
    assert_int_equal(vgpu_store_vm_add(f->store, &b), 0);
    assert_int_equal(b.vm_id, 1);
}

static void test_pools(void **state)
{
    struct fixture *f = *state;
    struct vgpu_store_vm vm = make_vm(U1);
    struct vgpu_store_pool p;

    assert_int_equal(vgpu_store_pool_add(f->store, "gpu-1"), 0);
    assert_int_equal(vgpu_store_pool_add(f->store, "gpu-1"), -EEXIST);
    assert_int_equal(vgpu_store_pool_add(f->store, "bad name"), -EINVAL);
    assert_int_equal(vgpu_store_pool_map(f->store, "gpu-1", "0", NULL), 0);
    assert_int_equal(vgpu_store_pool_find(f->store, "gpu-1", &p), 0);
    assert_string_equal(p.gpu, "0");
    assert_int_equal(vgpu_store_pool_map(f->store, "nope", "0", NULL), -ENOENT);
    assert_int_equal(vgpu_store_pool_map(f->store, "A", NULL, "MIG-x"), -EINVAL);
    snprintf(vm.pool, sizeof(vm.pool), "gpu-1");
    assert_int_equal(vgpu_store_vm_add(f->store, &vm), 0);
    assert_int_equal(vgpu_store_pool_remove(f->store, "gpu-1"), -EBUSY);
    assert_int_equal(vgpu_store_vm_remove(f->store, U1), 0);
    assert_int_equal(vgpu_store_pool_remove(f->store, "gpu-1"), 0);
}

static void test_readonly(void **state)
{
    struct fixture *f = *state;
    struct vgpu_store *ro;
    struct vgpu_store_vm vm = make_vm(U1), got;

    assert_int_equal(vgpu_store_vm_add(f->store, &vm), 0);
    assert_int_equal(vgpu_store_open(f->path, VGPU_STORE_RDONLY, &ro), 0);
    assert_int_equal(vgpu_store_vm_find(ro, U1, &got), 0);
    vm = make_vm(U2);
    assert_int_equal(vgpu_store_vm_add(ro, &vm), -EROFS);
    vgpu_store_close(ro);
}

/* A file at version 0 (empty) is migrated by a writer, refused by a reader. */
static void test_migration_from_empty(void **state)
{
    struct fixture *f = *state;
    struct vgpu_store *s;
    char path[128];
    sqlite3 *db;
    int version;

    snprintf(path, sizeof(path), "%s/old.db", f->dir);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE x(y)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(vgpu_store_open(path, VGPU_STORE_RDONLY, &s), -EPROTO);
    assert_non_null(strstr(vgpu_store_errmsg(s), "schema version 0"));
    vgpu_store_close(s);
    assert_int_equal(vgpu_store_open(path, 0, &s), 0);
    assert_int_equal(vgpu_store_schema_version(s, &version), 0);
    assert_int_equal(version, VGPU_STORE_SCHEMA_VERSION);
    vgpu_store_close(s);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(vgpu_store_open(path, 0, &s), -EPROTO);
    assert_non_null(strstr(vgpu_store_errmsg(s), "newer"));
    vgpu_store_close(s);
}

/* A version-1 store (pools without job limits) is brought to 2: each pool gets the default. */
static void test_migration_job_limit(void **state)
{
    struct fixture *f = *state;
    struct vgpu_store_pool pool;
    struct vgpu_store *s;
    sqlite3 *db;

    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "ALTER TABLE pools DROP COLUMN job_limit_ms;"
                                  "ALTER TABLE vms DROP COLUMN pinned_limit;"
                                  "PRAGMA user_version = 1",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(vgpu_store_open(f->path, VGPU_STORE_RDONLY, &s), -EPROTO);
    vgpu_store_close(s);
    assert_int_equal(vgpu_store_open(f->path, 0, &s), 0);
    assert_int_equal(vgpu_store_pool_find(s, "A", &pool), 0);
    assert_int_equal(pool.job_limit_ms, VGPU_STORE_JOB_LIMIT_DEFAULT_MS);
    assert_int_equal(vgpu_store_pool_set_limit(s, "A", 1500), 0);
    assert_int_equal(vgpu_store_pool_find(s, "A", &pool), 0);
    assert_int_equal(pool.job_limit_ms, 1500);
    assert_int_equal(vgpu_store_pool_set_limit(s, "A", VGPU_STORE_JOB_LIMIT_MIN_MS - 1), -EINVAL);
    assert_int_equal(vgpu_store_pool_set_limit(s, "nope", 1500), -ENOENT);
    vgpu_store_close(s);
}

/* A version-2 store (VMs without pinned limits) is brought to 3: each VM gets 0 (the default). */
static void test_migration_pinned_limit(void **state)
{
    struct fixture *f = *state;
    struct vgpu_store_vm vm = {
        .uuid = "12345678-9abc-def0-1234-56789abcdef0", .pool = "A", .priority = 1, .uid = -1};
    struct vgpu_store *s;
    sqlite3 *db;

    assert_int_equal(vgpu_store_open(f->path, 0, &s), 0);
    assert_int_equal(vgpu_store_vm_add(s, &vm), 0);
    vgpu_store_close(s);
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "ALTER TABLE vms DROP COLUMN pinned_limit;"
                                  "PRAGMA user_version = 2",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(vgpu_store_open(f->path, 0, &s), 0);
    assert_int_equal(vgpu_store_vm_find(s, vm.uuid, &vm), 0);
    assert_int_equal(vm.pinned_limit, 0);
    assert_int_equal(vgpu_store_vm_set_pinned_limit(s, vm.uuid, 512ull << 20), 0);
    vm.mem_quota = 1 << 20; /* an update of the other fields keeps the pinned limit */
    assert_int_equal(vgpu_store_vm_update(s, &vm), 0);
    assert_int_equal(vgpu_store_vm_find(s, vm.uuid, &vm), 0);
    assert_int_equal(vm.pinned_limit, 512ull << 20);
    assert_int_equal(vgpu_store_vm_set_pinned_limit(s, "00000000-0000-0000-0000-000000000000", 1),
                     -ENOENT);
    assert_int_equal(vgpu_store_vm_set_pinned_limit(s, vm.uuid, UINT64_MAX), -EINVAL);
    vgpu_store_close(s);
}

/* Two processes adding VMs at once: all land, ids unique, never -EBUSY. */
static void test_concurrent_writers(void **state)
{
    struct fixture *f = *state;
    int w, status, n = 0;
    pid_t pids[2];

    for (w = 0; w < 2; w++) {
        pids[w] = fork();
        assert_true(pids[w] >= 0);
        if (pids[w] == 0) {
            struct vgpu_store *s;
            int i, rc = vgpu_store_open(f->path, 0, &s);

            for (i = 0; !rc && i < 50; i++) {
                struct vgpu_store_vm vm = make_vm(U1);

                snprintf(vm.uuid + 24, 13, "%06d%06d", w, i);
                rc = vgpu_store_vm_add(s, &vm);
                if (rc)
                    fprintf(stderr, "writer %d: %s\n", w, vgpu_store_errmsg(s));
            }
            vgpu_store_close(s);
            _exit(rc ? 1 : 0);
        }
    }
    for (w = 0; w < 2; w++) {
        assert_int_equal(waitpid(pids[w], &status, 0), pids[w]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    assert_int_equal(vgpu_store_vm_list(f->store, count_vm, &n), 0);
    assert_int_equal(n, 100);
}

static void test_values(void **state)
{
    int p;

    assert_true(vgpu_store_uuid_valid(U1));
    assert_false(vgpu_store_uuid_valid("3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e5"));
    assert_false(vgpu_store_uuid_valid("3f2a6c1e99b7d-4e21-8c55-0a1b2c3d4e51"));
    assert_int_equal(vgpu_store_priority_parse("HIGH", &p), 0);
    assert_int_equal(p, 2);
    assert_int_equal(vgpu_store_priority_parse("0", &p), 0);
    assert_int_equal(p, 0);
    assert_int_equal(vgpu_store_priority_parse("3", &p), -EINVAL);
    assert_int_equal(vgpu_store_priority_parse("urgent", &p), -EINVAL);
    assert_false(vgpu_store_vm_name_valid(U1));
    assert_true(vgpu_store_pool_name_valid("gpu_0-a"));
    assert_false(vgpu_store_pool_name_valid(""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_has_pools_and_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_missing_without_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vm_add_defaults_and_find, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vm_constraints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vm_update_is_atomic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vm_remove_and_reuse_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pools, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration_from_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration_pinned_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migration_job_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_writers, setup, teardown),
        cmocka_unit_test(test_values),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
