/* vgpuctl internals: parsed command line, command table and shared helpers. */
#ifndef VGPUCTL_H
#define VGPUCTL_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vgpu_ctl.h"
#include "vgpu_store.h"

/* Exit statuses (docs/vgpuctl.md). Command functions return one of these. */
enum vgpuctl_exit {
    VGPUCTL_OK = 0,    /* done */
    VGPUCTL_ERR = 1,   /* runtime error: database, hypervisor, vgpud, declined */
    VGPUCTL_USAGE = 2, /* bad usage or bad value; nothing was changed */
};

/* Options a command may accept (struct vgpuctl_cmd.opts, struct vgpuctl.given). */
enum vgpuctl_opt {
    VGPUCTL_OPT_POOL = 1 << 0,
    VGPUCTL_OPT_PRIORITY = 1 << 1,
    VGPUCTL_OPT_VM_ID = 1 << 2,
    VGPUCTL_OPT_NAME = 1 << 3,
    VGPUCTL_OPT_UID = 1 << 4,
    VGPUCTL_OPT_MEM = 1 << 5,
    VGPUCTL_OPT_MIG = 1 << 6,
    VGPUCTL_OPT_WATCH = 1 << 7,    /* status: refresh; provision: follow events */
    VGPUCTL_OPT_INTERVAL = 1 << 8, /* status --watch period */
    VGPUCTL_OPT_COUNT = 1 << 9,    /* status --watch: stop after N frames */
    VGPUCTL_OPT_ALL = 1 << 10,     /* provision: every running domain */
    VGPUCTL_OPT_REMOVE = 1 << 11,  /* provision: remove entries instead */
};

struct vgpuctl;

struct vgpuctl_cmd {
    const char *name;
    const char *synopsis; /* arguments and options, for usage */
    const char *summary;  /* one line */
    unsigned int opts;    /* enum vgpuctl_opt accepted */
    int min_args, max_args;
    int (*run)(struct vgpuctl *c);
};

/* The parsed command line. */
struct vgpuctl {
    const char *db_path;  /* --db, $VGPU_DB or the default */
    const char *ctl_path; /* --ctl, $VGPU_CTL or the default */
    bool json, yes;
    const struct vgpuctl_cmd *cmd;
    unsigned int given; /* enum vgpuctl_opt seen */
    const char *pool;
    int priority;
    uint32_t vm_id;
    const char *name;
    int64_t uid;        /* -1: none */
    uint64_t mem_quota; /* bytes */
    const char *mig;
    double interval; /* seconds */
    long count;      /* 0: forever */
    int argc;        /* positional arguments after the command */
    char **argv;
};

/* vgpuctl_args.c */
int vgpuctl_parse(struct vgpuctl *c, int argc, char **argv);
void vgpuctl_usage(FILE *out);
void vgpuctl_cmd_help(const struct vgpuctl_cmd *cmd, FILE *out);
extern const struct vgpuctl_cmd vgpuctl_cmds[];

/* vgpuctl_values.c: parse or check one value; on failure print what was
 * wrong and what is allowed, and return VGPUCTL_USAGE. */
int vgpuctl_parse_priority(const char *s, int *out);
int vgpuctl_parse_vm_id(const char *s, uint32_t *out);
int vgpuctl_parse_uid(const char *s, int64_t *out);
int vgpuctl_parse_size(const char *s, uint64_t *out);
int vgpuctl_parse_uuid(const char *s);
int vgpuctl_check_pool(struct vgpu_store *store, const char *pool);
int vgpuctl_check_vm_name(struct vgpu_store *store, const char *name, const char *self_uuid);
int vgpuctl_check_vm_id_free(struct vgpu_store *store, uint32_t vm_id, const char *self_uuid);
int vgpuctl_find_vm(struct vgpu_store *store, const char *arg, struct vgpu_store_vm *vm);

/* Messages: "vgpuctl: <cmd>: ..." on stderr. */
void vgpuctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A line for people: stdout, or stderr under --json (stdout is for JSON). */
void vgpuctl_info(const struct vgpuctl *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Open the store; prints the reason and returns VGPUCTL_ERR on failure. */
int vgpuctl_open_store(struct vgpuctl *c, int flags, struct vgpu_store **out);
/* Map a store error to an exit status, printing the store's message. */
int vgpuctl_store_error(struct vgpu_store *store, int err);

/* vgpuctl_output.c */
json_object *vgpuctl_vm_json(const struct vgpu_store_vm *vm);
json_object *vgpuctl_pool_json(const struct vgpu_store_pool *pool);
void vgpuctl_print_json(json_object *obj); /* prints and releases @obj */
void vgpuctl_print_vm(const struct vgpu_store_vm *vm);
/* The QEMU -device value of the stub device that shows the VM its identity. */
void vgpuctl_stub_device_arg(const struct vgpu_store_vm *vm, char *buf, size_t size);
void vgpuctl_format_time(int64_t t, char *buf, size_t size);
void vgpuctl_format_size(uint64_t bytes, char *buf, size_t size);
void vgpuctl_format_ns(int64_t ns, char *buf, size_t size);

/* vgpuctl_ctl.c: one request to vgpud's control socket. Returns 0 and the
 * reply (caller puts it), -ENOENT or -ECONNREFUSED when vgpud is not
 * running, -EPROTO for a malformed reply, or another -errno. */
int vgpuctl_ctl_request(const char *path, json_object *req, json_object **reply);

/* vgpuctl_live.c: tell vgpud (and xenstore) about a stored change of the
 * VM @uuid; "vm-update" or "vm-remove". Prints what happened. */
int vgpuctl_live_apply(struct vgpuctl *c, const char *cmd, const struct vgpu_store_vm *vm);
/* Tell vgpud that pool @pool changed in the store. */
int vgpuctl_live_pool(struct vgpuctl *c, const char *pool);

/* vgpuctl_xs.c or vgpuctl_noxen.c: the hypervisor side. */
/* 0 and *domid if VM @uuid runs, -ENOENT if not, -EHOSTUNREACH if no
 * hypervisor can be reached, -ENOTSUP without Xen support. */
int vgpuctl_xs_find_domain(const char *uuid, unsigned int *domid);
/* Refresh the backend keys of the VM's running domain; quiet when none. */
int vgpuctl_xs_update(const struct vgpu_store_vm *vm, unsigned int *domid);
int vgpuctl_xs_remove(const char *uuid, unsigned int *domid);

/* vgpuctl_restart.c: restart VM @uuid (domain @domid) via xe or xl. */
int vgpuctl_restart_vm(const char *uuid, unsigned int domid);
/* Ask "@question [y/N]" unless --yes; true when confirmed. */
bool vgpuctl_confirm(struct vgpuctl *c, const char *question);

/* Commands (one group per file). */
int vgpuctl_cmd_init(struct vgpuctl *c);
int vgpuctl_cmd_list_pools(struct vgpuctl *c);
int vgpuctl_cmd_add_pool(struct vgpuctl *c);
int vgpuctl_cmd_map_pool(struct vgpuctl *c);
int vgpuctl_cmd_set_pool_limit(struct vgpuctl *c);
int vgpuctl_cmd_set_pinned_limit(struct vgpuctl *c);
int vgpuctl_cmd_register_vm(struct vgpuctl *c);
int vgpuctl_cmd_list_vms(struct vgpuctl *c);
int vgpuctl_cmd_show_vm(struct vgpuctl *c);
int vgpuctl_cmd_remove_vm(struct vgpuctl *c);
int vgpuctl_cmd_set_pool(struct vgpuctl *c);
int vgpuctl_cmd_set_priority(struct vgpuctl *c);
int vgpuctl_cmd_set_vm_id(struct vgpuctl *c);
int vgpuctl_cmd_update_vm(struct vgpuctl *c);
int vgpuctl_cmd_status(struct vgpuctl *c);
int vgpuctl_cmd_scan_vms(struct vgpuctl *c);
int vgpuctl_cmd_provision(struct vgpuctl *c);
int vgpuctl_cmd_xl_config(struct vgpuctl *c);

#endif /* VGPUCTL_H */
