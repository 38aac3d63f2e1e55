/*
 * LD_PRELOAD shim letting Debian's C xenstored (4.17) run on a host with
 * no Xen: fakes libxenctrl / libxengnttab / libxenevtchn calls and the
 * /proc/xen/xsd_{port,kva} files used by dom0_init().
 * Taken from shared/recipes/xenstored-standalone; test_xenstore.sh builds
 * it with the host compiler (never sanitized: it is loaded into xenstored).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>

static char dummy_xc, dummy_gt, dummy_ev;
static int ev_pipe[2] = {-1, -1};
static int next_port = 1;

xc_interface *xc_interface_open(xentoollog_logger *l, xentoollog_logger *d, unsigned f)
{
    return (xc_interface *)&dummy_xc;
}
int xc_interface_close(xc_interface *x)
{
    return 0;
}
/* Every domid below DOMID_FIRST_RESERVED "exists" and runs, so that nodes
 * owned by a guest (a frontend directory) can be created, as on real Xen. */
int xc_domain_getinfo(xc_interface *x, uint32_t first, unsigned int max, xc_dominfo_t *info)
{
    if (first >= 0x7ff0 || max < 1)
        return 0;
    memset(info, 0, sizeof(*info));
    info->domid = first;
    info->running = 1;
    return 1;
}

xengnttab_handle *xengnttab_open(xentoollog_logger *l, unsigned f)
{
    return (xengnttab_handle *)&dummy_gt;
}
int xengnttab_close(xengnttab_handle *h)
{
    return 0;
}
int xengnttab_set_max_grants(xengnttab_handle *h, uint32_t n)
{
    return 0;
}
void *xengnttab_map_grant_ref(xengnttab_handle *h, uint32_t d, uint32_t r, int p)
{
    errno = ENOSYS;
    return NULL;
}
int xengnttab_unmap(xengnttab_handle *h, void *a, uint32_t c)
{
    return 0;
}

static xenevtchn_handle *ev_open(void)
{
    if (ev_pipe[0] < 0 && pipe(ev_pipe))
        return NULL;
    return (xenevtchn_handle *)&dummy_ev;
}
xenevtchn_handle *xenevtchn_open(xentoollog_logger *l, unsigned f)
{
    return ev_open();
}
xenevtchn_handle *xenevtchn_fdopen(xentoollog_logger *l, int fd, unsigned f)
{
    return ev_open();
}
int xenevtchn_fd(xenevtchn_handle *h)
{
    return ev_pipe[0];
}
xenevtchn_port_or_error_t xenevtchn_bind_virq(xenevtchn_handle *h, unsigned int v)
{
    return next_port++;
}
xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *h, uint32_t d,
                                                     evtchn_port_t p)
{
    return next_port++;
}
int xenevtchn_notify(xenevtchn_handle *h, evtchn_port_t p)
{
    return 0;
}
xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *h)
{
    errno = EAGAIN;
    return -1;
}
int xenevtchn_unmask(xenevtchn_handle *h, evtchn_port_t p)
{
    return 0;
}
int xenevtchn_unbind(xenevtchn_handle *h, evtchn_port_t p)
{
    return 0;
}

/* /proc/xen/xsd_port -> "1"; /proc/xen/xsd_kva -> one zeroed page (memfd) */
int open(const char *path, int flags, ...)
{
    static int (*real_open)(const char *, int, ...);
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    if (!strcmp(path, "/proc/xen/xsd_port")) {
        int fd = memfd_create("xsd_port", 0);
        if (fd >= 0) {
            write(fd, "1", 1);
            lseek(fd, 0, SEEK_SET);
        }
        return fd;
    }
    if (!strcmp(path, "/proc/xen/xsd_kva")) {
        int fd = memfd_create("xsd_kva", 0);
        if (fd >= 0 && ftruncate(fd, getpagesize())) {
            close(fd);
            return -1;
        }
        return fd;
    }
    if (!real_open)
        real_open = dlsym(RTLD_NEXT, "open");
    return real_open(path, flags, mode);
}

/* oxenstored raises RLIMIT_NOFILE to /proc/sys/fs/nr_open; without
 * CAP_SYS_RESOURCE that fails with EPERM -> clamp to the current hard limit. */
#include <sys/resource.h>
int setrlimit(__rlimit_resource_t res, const struct rlimit *rl)
{
    static int (*real)(__rlimit_resource_t, const struct rlimit *);
    if (!real)
        real = dlsym(RTLD_NEXT, "setrlimit");
    int rc = real(res, rl);
    if (rc && errno == EPERM && res == RLIMIT_NOFILE) {
        struct rlimit cur;
        getrlimit(RLIMIT_NOFILE, &cur);
        cur.rlim_cur = cur.rlim_max;
        rc = real(res, &cur);
    }
    return rc;
}
