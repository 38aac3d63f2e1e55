/* vgpuctl: provision, writing the vGPU xenstore entries of running domains. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgpu_provision.h"
#include "vgpuctl.h"

static volatile sig_atomic_t stop_watch;

static void on_signal(int sig)
{
    stop_watch = 1;
}

static void report(unsigned int domid, const char *uuid, const char *action, void *ctx)
{
    printf("domain %u (%s): %s\n", domid, uuid[0] ? uuid : "no VM UUID", action);
    fflush(stdout);
}

static int provision_one(struct vgpuctl *c, struct xs_handle *xs, struct vgpu_store *store,
                         const char *arg)
{
    struct vgpu_provision_domain d = {0};
    struct vgpu_store_vm vm;
    char path[64], *v, *end;
    unsigned long domid = strtoul(arg, &end, 10);
    unsigned int len;
    int rc;

    if (*end || end == arg || domid == 0 || domid >= 0x7ff0) {
        vgpuctl_err("bad domain id '%s': use a guest domid (1-32751)", arg);
        return VGPUCTL_USAGE;
    }
    if (c->given & VGPUCTL_OPT_REMOVE) {
        rc = vgpu_provision_remove(xs, (unsigned int)domid);
        if (!rc)
            report((unsigned int)domid, "", "removed", NULL);
        return rc ? (vgpuctl_err("xenstore: %s", strerror(-rc)), VGPUCTL_ERR) : VGPUCTL_OK;
    }
    snprintf(path, sizeof(path), "/local/domain/%lu/vm", domid);
    v = xs_read(xs, XBT_NULL, path, &len);
    if (!v) {
        vgpuctl_err("domain %lu has no %s: is it running?", domid, path);
        return VGPUCTL_ERR;
    }
    snprintf(d.uuid, sizeof(d.uuid), "%s", strrchr(v, '/') ? strrchr(v, '/') + 1 : v);
    free(v);
    if (vgpu_store_vm_find(store, d.uuid, &vm) != 0) {
        vgpuctl_err("domain %lu runs VM %s, which is not registered: "
                    "register it with 'vgpuctl register-vm %s'",
                    domid, d.uuid, d.uuid);
        return VGPUCTL_ERR;
    }
    rc = vgpu_provision_write(xs, (unsigned int)domid, &vm, NULL);
    if (rc) {
        vgpuctl_err("xenstore: writing domain %lu: %s", domid, strerror(-rc));
        return VGPUCTL_ERR;
    }
    report((unsigned int)domid, vm.uuid, "provisioned", NULL);
    return VGPUCTL_OK;
}

static int sync_once(struct xs_handle *xs, struct vgpu_store *store)
{
    int rc = vgpu_provision_sync(xs, store, NULL, report, NULL);

    if (rc)
        vgpuctl_err("xenstore: %s", strerror(-rc));
    return rc ? VGPUCTL_ERR : VGPUCTL_OK;
}

/* Follow @introduceDomain / @releaseDomain until SIGINT or SIGTERM. */
static int watch_loop(struct xs_handle *xs, struct vgpu_store *store)
{
    struct sigaction sa = {.sa_handler = on_signal};
    struct pollfd p = {.fd = xs_fileno(xs), .events = POLLIN};
    int rc = VGPUCTL_OK;

    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (!xs_watch(xs, "@introduceDomain", "intro") || !xs_watch(xs, "@releaseDomain", "rel")) {
        vgpuctl_err("xenstore: cannot watch domain events: %s", strerror(errno));
        return VGPUCTL_ERR;
    }
    printf("watching @introduceDomain and @releaseDomain\n");
    fflush(stdout);
    while (!stop_watch && rc == VGPUCTL_OK) {
        unsigned int num;
        char **ev;

        if (poll(&p, 1, -1) <= 0)
            continue; /* EINTR: check stop_watch */
        ev = xs_read_watch(xs, &num);
        if (!ev)
            break;
        free(ev);
        rc = sync_once(xs, store);
    }
    return rc;
}

int vgpuctl_cmd_provision(struct vgpuctl *c)
{
    struct vgpu_store *store;
    struct xs_handle *xs;
    int rc,
        modes = (c->argc > 0) + !!(c->given & VGPUCTL_OPT_ALL) + !!(c->given & VGPUCTL_OPT_WATCH);

    if (modes != 1 || ((c->given & VGPUCTL_OPT_REMOVE) && c->argc == 0)) {
        vgpuctl_err("give one of DOMID, --all or --watch (--remove only with DOMID)");
        return VGPUCTL_USAGE;
    }
    xs = vgpu_provision_xs_open();
    if (!xs) {
        vgpuctl_err("no hypervisor reachable: cannot open xenstore (%s)", strerror(errno));
        return VGPUCTL_ERR;
    }
    rc = vgpuctl_open_store(c, VGPU_STORE_RDONLY, &store);
    if (!rc && c->argc > 0)
        rc = provision_one(c, xs, store, c->argv[0]);
    else if (!rc && (c->given & VGPUCTL_OPT_ALL))
        rc = sync_once(xs, store);
    else if (!rc)
        rc = watch_loop(xs, store);
    vgpu_store_close(store);
    xs_close(xs);
    return rc;
}
