/* vgpu provisioning: a registered VM's vGPU device entries in xenstore (public API). */
#ifndef VGPU_PROVISION_H
#define VGPU_PROVISION_H

#include <stdint.h>
#include <xenstore.h>

#include "vgpu_store.h"

/* XenbusState values written by provisioning. */
#define VGPU_PROVISION_STATE_INITIALISING 1

/* Limits the backend offers the frontend (backend keys of the same name). */
struct vgpu_provision_params {
    unsigned int max_ring_page_order; /* max-ring-page-order, default 2 */
    unsigned int max_data_pages;      /* max-data-pages, default 1024 */
    unsigned int max_channels;        /* max-channels, default 8 */
};

#define VGPU_PROVISION_PARAMS_DEFAULT                                                              \
    {                                                                                              \
        2, 1024, 8                                                                                 \
    }

/* A domain as xenstore lists it under /local/domain. */
struct vgpu_provision_domain {
    unsigned int domid;
    char uuid[VGPU_STORE_UUID_LEN + 1]; /* from /local/domain/N/vm ("/vm/<uuid>"); "" if none */
    char name[64];                      /* /local/domain/N/name; "" if none */
};

typedef int (*vgpu_provision_domain_cb)(const struct vgpu_provision_domain *dom, void *ctx);

/* What vgpu_provision_sync() did to one domain: "provisioned", "updated", "removed". */
typedef void (*vgpu_provision_report_cb)(unsigned int domid, const char *uuid, const char *action,
                                         void *ctx);

/* Open the xenstore connection (socket or /dev/xen). NULL with errno set
 * when no xenstore can be reached. */
struct xs_handle *vgpu_provision_xs_open(void);

/* Walk every guest domain (domid 0 skipped), ordered by domid. The
 * callback's non-zero return stops the walk and is returned. */
int vgpu_provision_domains(struct xs_handle *xs, vgpu_provision_domain_cb cb, void *ctx);

/* Find the running domain of VM @uuid: 0 and *domid, -ENOENT, or -errno. */
int vgpu_provision_find_domain(struct xs_handle *xs, const char *uuid, unsigned int *domid);

/*
 * Write the backend and frontend directories of device 0 of @domid for @vm
 * in one xenstore transaction, both states Initialising, with the split
 * driver permissions (backend: owner dom0, domain may read; frontend: owner
 * the domain, dom0 may read). @params NULL means the defaults.
 */
int vgpu_provision_write(struct xs_handle *xs, unsigned int domid, const struct vgpu_store_vm *vm,
                         const struct vgpu_provision_params *params);

/* Rewrite only pool, priority and vm-id of an existing backend directory
 * (a live change; the handshake state is left alone). -ENOENT if none. */
int vgpu_provision_update(struct xs_handle *xs, unsigned int domid, const struct vgpu_store_vm *vm);

/* Remove both directories of @domid; absent ones are not an error. */
int vgpu_provision_remove(struct xs_handle *xs, unsigned int domid);

/*
 * Make xenstore match the store: provision every running registered VM
 * without a backend directory, update those with one, remove the entries
 * of domains that are gone or no longer registered. @report may be NULL.
 */
int vgpu_provision_sync(struct xs_handle *xs, struct vgpu_store *store,
                        const struct vgpu_provision_params *params, vgpu_provision_report_cb report,
                        void *ctx);

#endif /* VGPU_PROVISION_H */
