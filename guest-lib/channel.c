/* channel.c: opening and closing a channel: transport choice, port, HELLO, data-area layout. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "channel_int.h"

/* What we ask HELLO for. */
#define GUEST_FEATURES                                                                             \
    (VGPU_FEAT_EVENT_IDX | VGPU_FEAT_FUNC_PARAMS | VGPU_FEAT_MODULE_CHUNKS | VGPU_FEAT_GLOBALS |   \
     VGPU_FEAT_HOSTBUF | VGPU_FEAT_STREAMS)
#include "vgpu_local.h"

#define DEFAULT_RING_ORDER 2u
#define DEFAULT_DATA_PAGES 1022u /* ~4 MiB: one directory page's worth (VGPU_DATA_DIR_SLOTS) */
#define DEFAULT_POLL_NS    50000
#define KMOD_DEVICE        "/dev/vgpu"

/* The port for opts->transport, or AUTO resolved from $VGPU_TRANSPORT and /dev/vgpu. */
static int pick_port(const struct vgpu_open_opts *o, const struct vgpu_port_ops **ops)
{
    int t = o->transport;
    const char *env = getenv("VGPU_TRANSPORT");

    if (t == VGPU_TRANSPORT_AUTO && env && *env) {
        if (strcmp(env, "local") == 0)
            t = VGPU_TRANSPORT_LOCAL;
        else if (strcmp(env, "xen") == 0)
            t = VGPU_TRANSPORT_XEN;
        else
            return -VGPU_S_BAD_FIELD;
    }
    if (t == VGPU_TRANSPORT_AUTO)
        t = access(KMOD_DEVICE, F_OK) == 0 ? VGPU_TRANSPORT_XEN : VGPU_TRANSPORT_LOCAL;
    if (t == VGPU_TRANSPORT_LOCAL)
        *ops = &vgpu__port_local;
    else if (t == VGPU_TRANSPORT_XEN)
        *ops = &vgpu__port_kmod;
    else
        return -VGPU_S_BAD_FIELD;
    return 0;
}

static int64_t pick_poll_ns(int64_t want)
{
    const char *env = getenv("VGPU_POLL_NS");
    char *end;
    long long v;

    if (want >= 0)
        return want;
    if (env && *env) {
        v = strtoll(env, &end, 10);
        if (*end == '\0' && v >= 0)
            return v;
    }
    return DEFAULT_POLL_NS;
}

/* VGPU_STAGING_BUFFER=0: large copies go through the data area only (benchmarks, old hosts). */
static bool staging_off(void)
{
    const char *env = getenv("VGPU_STAGING_BUFFER");

    return env && strcmp(env, "0") == 0;
}

/* Resolve every default of opts into a port configuration. */
static void fill_cfg(const struct vgpu_open_opts *o, struct vgpu_port_cfg *cfg)
{
    const char *env;

    cfg->socket_path = o->socket_path;
    if (!cfg->socket_path) {
        env = getenv(VGPU_LOCAL_SOCKET_ENV);
        cfg->socket_path = (env && *env) ? env : VGPU_LOCAL_SOCKET_DEFAULT;
    }
    cfg->instance = o->instance;
    if (!cfg->instance) {
        env = getenv(VGPU_LOCAL_INSTANCE_ENV);
        cfg->instance = env ? env : "";
    }
    cfg->ring_order = o->ring_order ? o->ring_order : DEFAULT_RING_ORDER;
    cfg->data_pages = o->data_pages ? o->data_pages : DEFAULT_DATA_PAGES;
}

/* The HELLO exchange: version 1, event indices; adopt the host's limits. */
static int hello(vgpu_channel *ch)
{
    struct vgpu_req req = {.op = VGPU_OP_HELLO};
    struct vgpu_rsp rsp;
    const struct vgpu_rsp_hello *h = &rsp.u.hello;
    int r;

    req.u.hello.version_min = VGPU_PROTO_VERSION_MIN;
    req.u.hello.version_max = VGPU_PROTO_VERSION;
    req.u.hello.features = GUEST_FEATURES;
    r = vgpu__call(ch, &req, &rsp, NULL);
    if (r < 0)
        return r;
    if (h->version < VGPU_PROTO_VERSION_MIN || h->version > VGPU_PROTO_VERSION ||
        (h->features & ~GUEST_FEATURES) || h->nr_slots != ch->ring.nr_slots || h->data_size == 0 ||
        h->data_size > ch->port.data_size)
        return -VGPU_S_PROTOCOL;
    ch->features = h->features;
    ch->always_kick = !(h->features & VGPU_FEAT_EVENT_IDX);
    if (h->max_inflight && h->max_inflight < ch->max_out)
        ch->max_out = h->max_inflight;
    vgpu__data_layout(ch, h->data_size);
    return 0;
}

/* Free everything ch holds; tolerates a half-built channel. */
static void channel_destroy(vgpu_channel *ch)
{
    if (ch->port.ops)
        ch->port.ops->close(&ch->port);
    vgpu__host_free_all(ch);
    vgpu__shm_free_all(ch); /* vgpud lets go of them with the channel */
    free(ch->pend);
    free(ch);
}

int vgpu_open(const struct vgpu_open_opts *opts, vgpu_channel **out)
{
    static const struct vgpu_open_opts defaults = {.poll_ns = -1};
    struct vgpu_port_cfg cfg;
    vgpu_channel *ch;
    int r;

    *out = NULL;
    if (!opts)
        opts = &defaults;
    ch = calloc(1, sizeof(*ch));
    if (!ch)
        return -VGPU_S_NO_MEMORY;
    r = pick_port(opts, &ch->port.ops);
    if (r < 0)
        goto out_destroy;
    fill_cfg(opts, &cfg);
    r = ch->port.ops->open(&ch->port, &cfg);
    if (r < 0) {
        ch->port.ops = NULL; /* nothing left open */
        goto out_destroy;
    }
    r = -VGPU_S_NO_MEMORY;
    ch->pend = calloc(ch->port.nr_slots, sizeof(*ch->pend));
    if (!ch->pend)
        goto out_destroy;
    vgpu_front_init(&ch->ring, ch->port.sring, ch->port.nr_slots);
    ch->pushed = 0;
    ch->max_out = ch->port.nr_slots;
    ch->poll_ns = pick_poll_ns(opts->poll_ns);
    ch->big.off = staging_off();
    ch->always_kick = true; /* until HELLO agreed on event indices */
    vgpu__data_layout(ch, ch->port.data_size);
    r = hello(ch);
    if (r < 0)
        goto out_destroy;
    *out = ch;
    return 0;

out_destroy:
    channel_destroy(ch);
    return r;
}

void vgpu_close(vgpu_channel *ch)
{
    if (!ch)
        return;
    if (!ch->broken)
        (void)vgpu__drain(ch); /* errors of work nobody synced are dropped with it */
    channel_destroy(ch);
}

void vgpu__channel_stats(const vgpu_channel *ch, struct vgpu__stats *out)
{
    *out = ch->stats;
}

void vgpu__channel_layout(const vgpu_channel *ch, struct vgpu__layout *out)
{
    out->data_size = ch->port.data_size;
    out->stage_size = ch->stage.size;
    out->host_off = ch->host_off;
    out->host_size = ch->host_size;
    out->nr_slots = ch->ring.nr_slots;
    out->max_outstanding = ch->max_out;
    out->poll_ns = ch->poll_ns;
}
