/* vgpu configuration store: pools and VMs in one SQLite file (public API). */
#ifndef VGPU_STORE_H
#define VGPU_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include "vgpu_identity.h"

#define VGPU_STORE_DEFAULT_PATH "/var/lib/vgpu/vgpu.db"
#define VGPU_STORE_ENV          "VGPU_DB" /* overrides the default path */

#define VGPU_STORE_SCHEMA_VERSION 3 /* PRAGMA user_version this code writes */

#define VGPU_STORE_UUID_LEN             36     /* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" */
#define VGPU_STORE_NAME_MAX             63     /* VM name, bytes, without the NUL */
#define VGPU_STORE_POOL_MAX             31     /* pool name, bytes, without the NUL */
#define VGPU_STORE_GPU_MAX              63     /* GPU index or UUID ("GPU-..."), bytes */
#define VGPU_STORE_VM_ID_MAX            65535u /* vm_id is 1..65535 (stub device register) */
#define VGPU_STORE_JOB_LIMIT_MIN_MS     10u    /* a pool's hard limit per job, bounds */
#define VGPU_STORE_JOB_LIMIT_MAX_MS     3600000u
#define VGPU_STORE_JOB_LIMIT_DEFAULT_MS 30000u

/* Flags for vgpu_store_open(). */
enum {
    VGPU_STORE_RDONLY = 1 << 0, /* read-only connection (vgpud) */
    VGPU_STORE_CREATE = 1 << 1, /* create the file (and schema) if absent */
};

/* The store keeps proto/'s priority scale (vgpu_identity.h). */
enum vgpu_store_priority {
    VGPU_PRIO_LOW = VGPU_PRIORITY_LOW,
    VGPU_PRIO_MEDIUM = VGPU_PRIORITY_MEDIUM,
    VGPU_PRIO_HIGH = VGPU_PRIORITY_HIGH,
};

#define VGPU_STORE_DEFAULT_POOL     "A"
#define VGPU_STORE_DEFAULT_PRIORITY VGPU_PRIO_MEDIUM

struct vgpu_store;

/* One registered VM, as stored. Strings are NUL-terminated; "" = unset. */
struct vgpu_store_vm {
    char uuid[VGPU_STORE_UUID_LEN + 1]; /* hypervisor's VM UUID, lower case */
    uint32_t vm_id;                     /* 1..VGPU_STORE_VM_ID_MAX; 0 = assign on add */
    char pool[VGPU_STORE_POOL_MAX + 1]; /* pool name */
    int priority;                       /* enum vgpu_store_priority */
    char name[VGPU_STORE_NAME_MAX + 1]; /* optional, unique when set */
    uint64_t mem_quota;                 /* bytes of device memory; 0 = no quota */
    int64_t uid;                        /* local transport: uid allowed; -1 = none */
    int64_t created, updated;           /* unix seconds, set by the store */
    uint64_t pinned_limit;              /* bytes of host buffers; 0 = vgpud's default; kept by
                                           vm_update, set by vm_set_pinned_limit */
};

/* One pool and the GPU resources it runs on. */
struct vgpu_store_pool {
    char name[VGPU_STORE_POOL_MAX + 1];
    char gpu[VGPU_STORE_GPU_MAX + 1]; /* GPU index ("0") or UUID; "" = unmapped */
    char mig[VGPU_STORE_GPU_MAX + 1]; /* MIG instance UUID; "" = whole GPU */
    uint32_t job_limit_ms;            /* a job running longer loses its VM's context */
    int64_t created, updated;
};

/* Callbacks for the list functions: return 0 to go on; anything else stops
 * the walk and is returned by the list function. */
typedef int (*vgpu_store_vm_cb)(const struct vgpu_store_vm *vm, void *ctx);
typedef int (*vgpu_store_pool_cb)(const struct vgpu_store_pool *pool, void *ctx);

/* The database path to use: $VGPU_DB if set and non-empty, else the default. */
const char *vgpu_store_default_path(void);

/*
 * Open (and with VGPU_STORE_CREATE create) the store at @path. A writable
 * open brings an older schema up to VGPU_STORE_SCHEMA_VERSION; a read-only
 * open of an older or newer schema fails with -EPROTO. Every connection
 * enforces foreign keys and waits on a busy database (busy timeout).
 * Returns 0 and *out, or -errno (-ENOENT: no file and no CREATE). On failure
 * *out may still hold a store whose errmsg explains; close it in all cases.
 */
int vgpu_store_open(const char *path, int flags, struct vgpu_store **out);

/* Close the store; NULL is allowed. */
void vgpu_store_close(struct vgpu_store *store);

/* The message of the last failed call on @store (SQLite's text included). */
const char *vgpu_store_errmsg(const struct vgpu_store *store);

/* The schema version stored in the file (PRAGMA user_version). */
int vgpu_store_schema_version(struct vgpu_store *store, int *version);

/* VMs. -ENOENT: no such VM. Every write is one transaction. */
int vgpu_store_vm_find(struct vgpu_store *store, const char *uuid_or_name,
                       struct vgpu_store_vm *out);
int vgpu_store_vm_find_by_id(struct vgpu_store *store, uint32_t vm_id, struct vgpu_store_vm *out);
int vgpu_store_vm_list(struct vgpu_store *store, vgpu_store_vm_cb cb, void *ctx);

/*
 * Add @vm. vm_id 0 picks the lowest free id; created/updated are set and
 * written back into @vm. Errors: -EEXIST (UUID, vm_id or name taken),
 * -ENOENT (no such pool), -EINVAL (a value the schema's CHECKs refuse).
 */
int vgpu_store_vm_add(struct vgpu_store *store, struct vgpu_store_vm *vm);

/* Replace every field of the VM with @vm->uuid (created is kept, updated set). */
int vgpu_store_vm_update(struct vgpu_store *store, struct vgpu_store_vm *vm);

int vgpu_store_vm_remove(struct vgpu_store *store, const char *uuid);

/* Set the VM's limit on host buffers (pinned memory), bytes (0 = vgpud's default). */
int vgpu_store_vm_set_pinned_limit(struct vgpu_store *store, const char *uuid, uint64_t bytes);

/* Pools. Pools A and B exist after creation. -EEXIST, -ENOENT as above;
 * -EBUSY: removing a pool that still has VMs. */
int vgpu_store_pool_find(struct vgpu_store *store, const char *name, struct vgpu_store_pool *out);
int vgpu_store_pool_list(struct vgpu_store *store, vgpu_store_pool_cb cb, void *ctx);
int vgpu_store_pool_add(struct vgpu_store *store, const char *name);
int vgpu_store_pool_remove(struct vgpu_store *store, const char *name);

/* Map @name to a GPU (index or UUID; NULL or "" unmaps) and optional MIG UUID. */
int vgpu_store_pool_map(struct vgpu_store *store, const char *name, const char *gpu,
                        const char *mig);

/* Set the pool's hard limit per job, VGPU_STORE_JOB_LIMIT_{MIN,MAX}_MS (-EINVAL otherwise). */
int vgpu_store_pool_set_limit(struct vgpu_store *store, const char *name, uint32_t job_limit_ms);

/* Value checks shared by the CLI and the daemon (no store needed). */
bool vgpu_store_uuid_valid(const char *s);      /* 8-4-4-4-12 hex digits */
bool vgpu_store_pool_name_valid(const char *s); /* 1..31 of [A-Za-z0-9_-] */
bool vgpu_store_vm_name_valid(const char *s);   /* 1..63 printable, not a UUID */

/* "low"|"medium"|"high"|"0"|"1"|"2" (case-insensitive) -> 0..2; -EINVAL otherwise. */
int vgpu_store_priority_parse(const char *s, int *out);
const char *vgpu_store_priority_name(int priority); /* "low", ..., "?" */

#endif /* VGPU_STORE_H */
