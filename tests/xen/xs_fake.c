/*
 * xs_fake.c: the environment of vgpud's Xen transport, faked in memory so
 * that the real dom0/transport/xen_*.c run in unit tests and the fuzz target: the
 * libxenstore calls it makes (a flat list of paths), libxengnttab (maps
 * are fresh zeroed pages, or what fake_gref_page gave; refs >= FAKE_BAD_REF
 * do not map; the data directory page says fake_dir_pages), gntdev (a memfd
 * per share), libxenevtchn, the event loop and the core.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "xs_fake.h"

#define FAKE_NODES_MAX 4096
#define FAKE_GREFS_MAX 64

struct fake_node {
    char *path;
    char *value;
    unsigned int len;
};

static struct fake_node nodes[FAKE_NODES_MAX];
static unsigned int nr_nodes;
static bool introduced[VGPU_XEN_DOMID_MAX + 1];
static int next_port = 1;
static int fake_handle; /* the handles point here */

static struct {
    uint32_t ref;
    uint8_t *page;
} grefs[FAKE_GREFS_MAX];
static unsigned int nr_grefs;

struct fake_core fake_core;
unsigned int fake_gntdev_shares;
uint32_t fake_gntdev_last_pages;
unsigned int fake_dir_pages = 4;
const char *fake_read_prefix;
unsigned int fake_prefix_reads;

/* ---- the store ---- */

static int find(const char *path)
{
    unsigned int i;

    for (i = 0; i < nr_nodes; i++) {
        if (strcmp(nodes[i].path, path) == 0)
            return (int)i;
    }
    return -1;
}

void fake_write_raw(const char *path, const void *value, unsigned int len)
{
    int i = find(path);

    if (i < 0) {
        if (nr_nodes == FAKE_NODES_MAX)
            return;
        i = (int)nr_nodes++;
        nodes[i].path = strdup(path);
    } else {
        free(nodes[i].value);
    }
    nodes[i].value = malloc(len + 1u);
    memcpy(nodes[i].value, value, len);
    nodes[i].value[len] = '\0';
    nodes[i].len = len;
}

void fake_write(const char *path, const char *value)
{
    fake_write_raw(path, value, (unsigned int)strlen(value));
}

static bool under(const char *path, const char *dir)
{
    size_t n = strlen(dir);

    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

void fake_rm(const char *path)
{
    unsigned int i = 0;

    while (i < nr_nodes) {
        if (under(nodes[i].path, path)) {
            free(nodes[i].path);
            free(nodes[i].value);
            nodes[i] = nodes[--nr_nodes];
        } else {
            i++;
        }
    }
}

const char *fake_read(const char *path)
{
    int i = find(path);

    return i < 0 ? NULL : nodes[i].value;
}

void fake_introduce(unsigned int domid, bool yes)
{
    if (domid <= VGPU_XEN_DOMID_MAX)
        introduced[domid] = yes;
}

void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len)
{
    int i = find(path);
    char *v;

    if (fake_read_prefix && under(path, fake_read_prefix))
        fake_prefix_reads++;
    if (i < 0) {
        errno = ENOENT;
        return NULL;
    }
    v = malloc(nodes[i].len + 1u);
    memcpy(v, nodes[i].value, nodes[i].len + 1u);
    if (len)
        *len = nodes[i].len;
    return v;
}

bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data,
              unsigned int len)
{
    fake_write_raw(path, data, len);
    return true;
}

bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
    fake_rm(path);
    return true;
}

/* Children of path, in one allocation as libxenstore returns them. */
char **xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *num)
{
    const char *names[FAKE_NODES_MAX];
    size_t plen = strlen(path), bytes = 0;
    unsigned int i, j, n = 0;
    char **vec, *p;

    for (i = 0; i < nr_nodes; i++) {
        const char *rest = nodes[i].path + plen;
        size_t len;

        if (strncmp(nodes[i].path, path, plen) != 0 || rest[0] != '/' || rest[1] == '\0')
            continue;
        rest++;
        len = strcspn(rest, "/");
        for (j = 0; j < n; j++) {
            if (strncmp(names[j], rest, len) == 0 && strcspn(names[j], "/") == len)
                break;
        }
        if (j == n) {
            names[n++] = rest;
            bytes += len + 1;
        }
    }
    if (n == 0 && find(path) < 0) {
        errno = ENOENT;
        return NULL;
    }
    vec = malloc(n * sizeof(*vec) + bytes + 1);
    p = (char *)(vec + n);
    for (j = 0; j < n; j++) {
        size_t len = strcspn(names[j], "/");

        memcpy(p, names[j], len);
        p[len] = '\0';
        vec[j] = p;
        p += len + 1;
    }
    *num = n;
    return vec;
}

bool xs_watch(struct xs_handle *h, const char *path, const char *token)
{
    return true;
}
bool xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
    return true;
}
int xs_fileno(struct xs_handle *h)
{
    return -1;
}
struct xs_handle *xs_open(unsigned long flags)
{
    return (struct xs_handle *)&fake_handle;
}
void xs_close(struct xs_handle *h)
{
}

char **xs_check_watch(struct xs_handle *h)
{
    errno = EAGAIN;
    return NULL;
}

bool xs_is_domain_introduced(struct xs_handle *h, unsigned int domid)
{
    return domid <= VGPU_XEN_DOMID_MAX && introduced[domid];
}

/* ---- grants and event channels ---- */

xengnttab_handle *xengnttab_open(struct xentoollog_logger *l, unsigned int flags)
{
    return (xengnttab_handle *)&fake_handle;
}
int xengnttab_close(xengnttab_handle *g)
{
    return 0;
}
int xengnttab_set_max_grants(xengnttab_handle *g, uint32_t n)
{
    return 0;
}

void fake_gref_page(uint32_t ref, const void *page)
{
    if (nr_grefs == FAKE_GREFS_MAX)
        return;
    grefs[nr_grefs].ref = ref;
    grefs[nr_grefs].page = malloc(VGPU_PAGE_SIZE);
    memcpy(grefs[nr_grefs].page, page, VGPU_PAGE_SIZE);
    nr_grefs++;
}

static const uint8_t *gref_page(uint32_t ref)
{
    for (unsigned int i = 0; i < nr_grefs; i++)
        if (grefs[i].ref == ref)
            return grefs[i].page;
    return NULL;
}

void *xengnttab_map_domain_grant_refs(xengnttab_handle *g, uint32_t count, uint32_t domid,
                                      uint32_t *refs, int prot)
{
    uint32_t i;
    uint8_t *p;

    for (i = 0; i < count; i++) {
        if (refs[i] >= FAKE_BAD_REF)
            return NULL;
    }
    p = mmap(NULL, (size_t)count * VGPU_PAGE_SIZE, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    for (i = 0; i < count; i++) {
        if (gref_page(refs[i]))
            memcpy(p + (size_t)i * VGPU_PAGE_SIZE, gref_page(refs[i]), VGPU_PAGE_SIZE);
    }
    return p;
}

void *xengnttab_map_grant_ref(xengnttab_handle *g, uint32_t domid, uint32_t ref, int prot)
{
    struct vgpu_data_dir *dir = xengnttab_map_domain_grant_refs(g, 1, domid, &ref, prot);
    uint32_t i;

    if (!dir || gref_page(ref))
        return dir;
    dir->magic = VGPU_DATA_DIR_MAGIC;
    dir->nr_pages = fake_dir_pages;
    for (i = 0; i < VGPU_DATA_DIR_SLOTS; i++)
        dir->gref[i] = 10 + i;
    return dir;
}

int xengnttab_unmap(xengnttab_handle *g, void *start, uint32_t count)
{
    return munmap(start, (size_t)count * VGPU_PAGE_SIZE);
}

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *l, unsigned int flags)
{
    return (xenevtchn_handle *)&fake_handle;
}
int xenevtchn_close(xenevtchn_handle *e)
{
    return 0;
}
int xenevtchn_fd(xenevtchn_handle *e)
{
    return -1;
}
xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *e)
{
    return -1;
}
int xenevtchn_unmask(xenevtchn_handle *e, evtchn_port_t p)
{
    return 0;
}
int xenevtchn_notify(xenevtchn_handle *e, evtchn_port_t p)
{
    return 0;
}
int xenevtchn_unbind(xenevtchn_handle *e, evtchn_port_t p)
{
    return 0;
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *e, uint32_t domid,
                                                     evtchn_port_t remote)
{
    return remote >= FAKE_BAD_REF ? -1 : next_port++;
}

/* ---- the daemon's side ---- */

struct vgpu_be {
    struct vgpu_be_limits limits;
};

struct vgpu_be_chan {
    void *tctx;
    const struct vgpu_be_chan_ops *ops;
};

static struct vgpu_be fake_be;

void vgpu_be_log(int level, const char *fmt, ...)
{
    va_list ap;

    if (!getenv("FAKE_XEN_LOG"))
        return;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void vgpu_be_log_ratelimited(int level, const void *key, const char *fmt, ...)
{
    va_list ap;

    if (!getenv("FAKE_XEN_LOG"))
        return;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

struct vgpu_be_loop *vgpu_be_get_loop(struct vgpu_be *be)
{
    return NULL;
}
int vgpu_be_loop_add(struct vgpu_be_loop *l, int fd, uint32_t ev, vgpu_be_io_cb cb, void *ctx)
{
    return 0;
}
int vgpu_be_loop_del(struct vgpu_be_loop *l, int fd)
{
    return 0;
}
const struct vgpu_be_limits *vgpu_be_get_limits(struct vgpu_be *be)
{
    return &be->limits;
}

int vgpu_be_chan_attach(struct vgpu_be *be, const struct vgpu_be_chan_desc *d,
                        struct vgpu_be_chan **out)
{
    struct vgpu_be_chan *c = calloc(1, sizeof(*c));

    if (!c)
        return -ENOMEM;
    /* The core reads the ring header: it must be mapped and writable. */
    fake_core.reads += ((volatile struct vgpu_sring *)d->sring)->req_prod;
    c->tctx = d->tctx;
    c->ops = d->ops;
    fake_core.last = *d;
    fake_core.attached++;
    *out = c;
    return 0;
}

void vgpu_be_chan_kick(struct vgpu_be_chan *c)
{
}

void vgpu_be_chan_throttled(struct vgpu_be_chan *c)
{
}

void vgpu_be_chan_detach(struct vgpu_be_chan *c)
{
    fake_core.detached++;
    if (fake_core.defer_release && fake_core.nr_deferred < FAKE_CHANS_MAX) {
        fake_core.deferred[fake_core.nr_deferred++] = c; /* a job still runs */
        return;
    }
    fake_core.released++;
    c->ops->release(c->tctx);
    free(c);
}

void fake_run_deferred(void)
{
    while (fake_core.nr_deferred) {
        struct vgpu_be_chan *c = fake_core.deferred[--fake_core.nr_deferred];

        fake_core.released++;
        c->ops->release(c->tctx);
        free(c);
    }
}

/* Like gntdev, refs are not looked at until someone maps them: a memfd of their size. */
int vgpu_xen__gntdev_share(uint32_t domid, const uint32_t *refs, uint32_t n, int *fd, uint64_t *off)
{
    *fd = -1;
    if (n == 0)
        return -EINVAL;
    *fd = memfd_create("fake-gntdev", MFD_CLOEXEC);
    if (*fd < 0 || ftruncate(*fd, (off_t)n * VGPU_PAGE_SIZE) < 0) {
        int err = -errno;

        if (*fd >= 0)
            close(*fd);
        *fd = -1;
        return err;
    }
    *off = 0;
    fake_gntdev_shares++;
    fake_gntdev_last_pages = n;
    return 0;
}

/* ---- set-up ---- */

struct vgpu_xen *fake_xen_new(uint32_t max_grants, uint32_t max_grants_per_domain)
{
    struct vgpu_xen *x = calloc(1, sizeof(*x));

    fake_be.limits = (struct vgpu_be_limits){
        .max_ring_order = 2,
        .max_data_pages = 1024,
        .max_channels_per_vm = 8,
        .kick_budget = 2000,
        .kick_window_ms = 10,
        .xen_max_grants = max_grants ? max_grants : VGPU_XEN_MAX_GRANTS_DEFAULT,
        .xen_max_grants_per_domain =
            max_grants_per_domain ? max_grants_per_domain : VGPU_XEN_MAX_GRANTS_PER_DOMAIN_DEFAULT,
    };
    x->be = &fake_be;
    x->limits = fake_be.limits;
    x->refs = 1;
    x->xs_fd = x->evtchn_fd = x->timer_fd = -1;
    x->xs = xs_open(0);
    x->xgt = xengnttab_open(NULL, 0);
    x->xce = xenevtchn_open(NULL, 0);
    return x;
}

void fake_xen_free(struct vgpu_xen *x)
{
    x->stopping = true;
    vgpu_xen__dev_drop_all(x);
    fake_core.defer_release = false;
    fake_run_deferred();
    vgpu_xen__put(x);
    while (nr_nodes) {
        nr_nodes--;
        free(nodes[nr_nodes].path);
        free(nodes[nr_nodes].value);
    }
    memset(introduced, 0, sizeof(introduced));
    memset(&fake_core, 0, sizeof(fake_core));
    fake_dir_pages = 4;
    while (nr_grefs)
        free(grefs[--nr_grefs].page);
    fake_gntdev_shares = 0;
    fake_gntdev_last_pages = 0;
    fake_read_prefix = NULL;
    fake_prefix_reads = 0;
}

void fake_domain(unsigned int domid, uint32_t vm_id, const char *uuid)
{
    char path[160], val[96];

    fake_introduce(domid, true);
    snprintf(path, sizeof(path), "/local/domain/%u/vm", domid);
    snprintf(val, sizeof(val), "/vm/%s", uuid);
    fake_write(path, val);
    snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
    snprintf(val, sizeof(val), "dom%u-name", domid);
    fake_write(path, val);
#define BE(key, ...)                                                                               \
    (snprintf(path, sizeof(path), "%s/%u/0/" key, VGPU_XEN_BACKEND_ROOT, domid),                   \
     snprintf(val, sizeof(val), __VA_ARGS__), fake_write(path, val))
    BE("frontend", "/local/domain/%u/device/vgpu/0", domid);
    BE("frontend-id", "%u", domid);
    BE("state", "1");
    BE("pool", "A");
    BE("priority", "1");
    BE("vm-id", "%u", vm_id);
    BE("vm-uuid", "%s", uuid);
#undef BE
    snprintf(path, sizeof(path), "/local/domain/%u/device/vgpu/0/state", domid);
    fake_write(path, "1");
}

void fake_fe_state(unsigned int domid, unsigned int state)
{
    char path[96], val[16];

    snprintf(path, sizeof(path), "/local/domain/%u/device/vgpu/0/state", domid);
    snprintf(val, sizeof(val), "%u", state);
    fake_write(path, val);
}

void fake_channel(unsigned int domid, const char *name, unsigned int state)
{
    static const char *const keys[][2] = {
        {"ring-page-order", "0"},
        {"ring-ref-0", "1"},
        {"data-dir-ref", "2"},
        {"event-channel", "3"},
    };
    char path[160], val[16];
    unsigned int i;

    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        snprintf(path, sizeof(path), "/local/domain/%u/device/vgpu/0/%s/%s", domid, name,
                 keys[i][0]);
        fake_write(path, keys[i][1]);
    }
    snprintf(path, sizeof(path), "/local/domain/%u/device/vgpu/0/%s/state", domid, name);
    snprintf(val, sizeof(val), "%u", state);
    fake_write(path, val);
}
