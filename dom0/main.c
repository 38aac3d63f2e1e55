/* main.c: vgpud's command line, start-up and shutdown. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <syslog.h>
#include <unistd.h>
#include "vgpu_local.h"
#include "vgpu_ctl.h"
#include "vgpud.h"

static const char usage[] =
    "usage: vgpud [OPTIONS]\n"
    "The vgpu Dom0 daemon: serves guests' GPU requests from their rings, schedules\n"
    "them per pool and priority, and runs them on the executor.\n"
    "\n"
    "  -f, --foreground        stay in the foreground (vgpud never forks; kept for scripts)\n"
    "      --db PATH           config store (default $VGPU_DB, else " VGPU_STORE_DEFAULT_PATH ")\n"
    "      --socket PATH       local transport socket (default $VGPU_SOCKET, else\n"
    "                          " VGPU_LOCAL_SOCKET_DEFAULT ")\n"
    "      --ctl PATH          control socket for vgpuctl (default $VGPU_CTL, else\n"
    "                          " VGPU_CTL_SOCKET_DEFAULT ")\n"
    "      --ctl-group GROUP   group allowed on the control socket (default: root only)\n"
    "      --transport LIST    transports to start: local, xen, or local,xen (default local,xen;\n"
    "                          xen is skipped with a message where Xen is absent)\n"
    "      --executor NAME     auto, cpu or cuda (default auto: cuda if a GPU answers, else the\n"
    "                          CPU reference executor, a test aid, not a GPU, with an error\n"
    "                          line saying so; cpu chooses it on purpose; cuda: a GPU or exit)\n"
    "      --device ID         the CUDA executor's device for unmapped pools: GPU index,\n"
    "                          GPU-<uuid> or MIG-<uuid> (default 0; see vgpuctl map-pool)\n"
    "      --cpu-mem MIB       memory of the CPU reference executor (default 1024)\n"
    "      --default-mem-quota SIZE|N%  device memory a VM may hold when its store entry\n"
    "                          sets no quota (vgpuctl sets one per VM): bytes with K, M, G or T,\n"
    "                          or a share of the device's memory (default 25%; 0: no limit)\n"
    "      --default-pinned-limit SIZE  host buffers (pinned memory in Dom0) a VM may hold\n"
    "                          when its store entry sets no limit (vgpuctl set-pinned-limit):\n"
    "                          bytes with K, M, G or T (default 256M)\n"
    "      --exec-log PATH     write the execution log (CSV, one line per job) to PATH\n"
    "      --policy POOL:K=V[,K=V]  scheduling policy of a pool (repeatable): aging-ms=N (a job\n"
    "                          queued longer is served first), fair=none|rr|weighted (share among\n"
    "                          the VMs of one priority), budget-ms=N (jobs running longer are\n"
    "                          logged and counted as overruns); default: strict priority, FIFO\n"
    "      --poll-us N         spin on the rings this long after activity before sleeping\n"
    "                          (default 50; 0 = always sleep on events)\n"
    "      --max-ring-order N  largest ring a guest may use (0..4, default 4)\n"
    "      --max-data-pages N  largest data area, 4 KiB pages (default 1022)\n"
    "      --max-channels N    channels one VM may have open (default 64)\n"
    "      --kick-limit N/MS   event storms: more than N kicks on one channel within MS ms\n"
    "                          and its kicks are ignored until the window ends, then its\n"
    "                          ring is read once (default 2000/10)\n"
    "      --xen-max-grants N  Xen: guest pages all channels together may keep mapped\n"
    "                          (default 131072 = 512 MiB)\n"
    "      --xen-max-grants-per-domain N  Xen: the same for one domain (default 81920)\n"
    "      --metrics [ADDR:]PORT  serve Prometheus metrics at http://ADDR:PORT/metrics (default\n"
    "                          off; ADDR defaults to 127.0.0.1; [::1]:PORT for IPv6; port 0\n"
    "                          picks a free one, logged at start; see vgpud(8))\n"
    "      --log-level LEVEL   error, warning, notice, info or debug (default info)\n"
    "      --syslog            log to syslog instead of stderr\n"
    "  -h, --help              this text\n"
    "\n"
    "Signals: SIGTERM/SIGINT stop: running jobs finish, queued work is answered with\n"
    "SHUTDOWN, clients see their channel close.\n";

const struct vgpu_be_limits *vgpu_be_get_limits(struct vgpu_be *be)
{
    return &be->cfg.limits;
}

const char *vgpu_be_get_socket_path(struct vgpu_be *be)
{
    return be->cfg.socket_path;
}

struct vgpu_store *vgpu_be_get_store(struct vgpu_be *be)
{
    return be->store;
}

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);

    return v && *v ? v : dflt;
}

static int parse_level(const char *s)
{
    static const char *const names[] = {"error", "warning", "notice", "info", "debug"};
    static const int levels[] = {LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG};

    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
        if (strcmp(s, names[i]) == 0)
            return levels[i];
    return -1;
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s || *end || v > max || s[0] == '-')
        return false;
    *out = v;
    return true;
}

/* Bytes with an optional K, M, G or T. */
static bool parse_size(const char *s, uint64_t *out)
{
    static const char units[] = "KMGT";
    char num[24], *u;
    size_t len = strlen(s);
    uint64_t v, shift = 0;

    if (len == 0 || len >= sizeof(num))
        return false;
    memcpy(num, s, len + 1);
    if ((u = strchr(units, num[len - 1])) && num[len - 1]) {
        shift = 10 * (uint64_t)(u - units + 1);
        num[len - 1] = '\0';
    }
    if (!parse_u64(num, UINT64_MAX >> shift, &v))
        return false;
    *out = v << shift;
    return true;
}

/* "25%" (of the device's memory) or a size: bytes with an optional K, M, G or T. */
static bool parse_quota(const char *s, struct vgpu_be_config *cfg)
{
    char num[24];
    size_t len = strlen(s);
    uint64_t v;

    if (len == 0 || len >= sizeof(num))
        return false;
    memcpy(num, s, len + 1);
    if (num[len - 1] == '%') {
        num[len - 1] = '\0';
        if (!parse_u64(num, 100, &v))
            return false;
        cfg->default_quota_pct = (uint32_t)v;
        cfg->default_quota = 0;
        return true;
    }
    if (!parse_size(num, &v))
        return false;
    cfg->default_quota = v;
    cfg->default_quota_pct = 0;
    return true;
}

/* "N/MS": N kicks (1..10^7) per MS ms (1..10,000). */
static bool parse_kick_limit(const char *s, struct vgpu_be_limits *lim)
{
    char n[24];
    const char *slash = strchr(s, '/');
    uint64_t budget, ms;

    if (!slash || (size_t)(slash - s) >= sizeof(n))
        return false;
    memcpy(n, s, (size_t)(slash - s));
    n[slash - s] = '\0';
    if (!parse_u64(n, 10000000, &budget) || !budget || !parse_u64(slash + 1, 10000, &ms) || !ms)
        return false;
    lim->kick_budget = (uint32_t)budget;
    lim->kick_window_ms = (uint32_t)ms;
    return true;
}

enum {
    OPT_DB = 256,
    OPT_SOCKET,
    OPT_CTL,
    OPT_CTL_GROUP,
    OPT_TRANSPORT,
    OPT_EXECUTOR,
    OPT_DEVICE,
    OPT_CPU_MEM,
    OPT_QUOTA,
    OPT_PINNED,
    OPT_EXEC_LOG,
    OPT_POLL,
    OPT_RING,
    OPT_DATA,
    OPT_CHANS,
    OPT_KICKS,
    OPT_XEN_GRANTS,
    OPT_XEN_DOM_GRANTS,
    OPT_POLICY,
    OPT_LEVEL,
    OPT_SYSLOG,
    OPT_METRICS,
};

static const struct option options[] = {
    {"foreground", no_argument, NULL, 'f'},
    {"db", required_argument, NULL, OPT_DB},
    {"socket", required_argument, NULL, OPT_SOCKET},
    {"ctl", required_argument, NULL, OPT_CTL},
    {"ctl-group", required_argument, NULL, OPT_CTL_GROUP},
    {"transport", required_argument, NULL, OPT_TRANSPORT},
    {"executor", required_argument, NULL, OPT_EXECUTOR},
    {"device", required_argument, NULL, OPT_DEVICE},
    {"cpu-mem", required_argument, NULL, OPT_CPU_MEM},
    {"default-mem-quota", required_argument, NULL, OPT_QUOTA},
    {"default-pinned-limit", required_argument, NULL, OPT_PINNED},
    {"exec-log", required_argument, NULL, OPT_EXEC_LOG},
    {"poll-us", required_argument, NULL, OPT_POLL},
    {"max-ring-order", required_argument, NULL, OPT_RING},
    {"max-data-pages", required_argument, NULL, OPT_DATA},
    {"max-channels", required_argument, NULL, OPT_CHANS},
    {"kick-limit", required_argument, NULL, OPT_KICKS},
    {"xen-max-grants", required_argument, NULL, OPT_XEN_GRANTS},
    {"xen-max-grants-per-domain", required_argument, NULL, OPT_XEN_DOM_GRANTS},
    {"policy", required_argument, NULL, OPT_POLICY},
    {"log-level", required_argument, NULL, OPT_LEVEL},
    {"syslog", no_argument, NULL, OPT_SYSLOG},
    {"metrics", required_argument, NULL, OPT_METRICS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int bad_usage(const char *what, const char *value)
{
    fprintf(stderr, "vgpud: invalid %s '%s' (see vgpud --help)\n", what, value);
    return 2;
}

/* Returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct vgpu_be_config *cfg, int *level, bool *slog)
{
    uint64_t v;
    int c;

    while ((c = getopt_long(argc, argv, "fh", options, NULL)) != -1) {
        switch (c) {
        case 'f':
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        case OPT_DB:
            cfg->db_path = optarg;
            break;
        case OPT_SOCKET:
            cfg->socket_path = optarg;
            break;
        case OPT_CTL:
            cfg->ctl_path = optarg;
            break;
        case OPT_CTL_GROUP:
            cfg->ctl_group = optarg;
            break;
        case OPT_TRANSPORT:
            cfg->transports = optarg;
            break;
        case OPT_EXECUTOR:
            cfg->executor = optarg;
            break;
        case OPT_DEVICE:
            cfg->device = optarg;
            break;
        case OPT_EXEC_LOG:
            cfg->exec_log = optarg;
            break;
        case OPT_SYSLOG:
            *slog = true;
            break;
        case OPT_QUOTA:
            if (!parse_quota(optarg, cfg))
                return bad_usage("--default-mem-quota", optarg);
            break;
        case OPT_PINNED:
            if (!parse_size(optarg, &cfg->default_pinned_limit))
                return bad_usage("--default-pinned-limit", optarg);
            break;
        case OPT_CPU_MEM:
            if (!parse_u64(optarg, 1u << 20, &v) || !v)
                return bad_usage("--cpu-mem", optarg);
            cfg->cpu_mem_bytes = v << 20;
            break;
        case OPT_POLL:
            if (!parse_u64(optarg, 1000000, &v))
                return bad_usage("--poll-us", optarg);
            cfg->poll_ns = v * 1000;
            break;
        case OPT_RING:
            if (!parse_u64(optarg, VGPU_RING_ORDER_MAX, &v))
                return bad_usage("--max-ring-order", optarg);
            cfg->limits.max_ring_order = (uint32_t)v;
            break;
        case OPT_DATA:
            if (!parse_u64(optarg, VGPU_DATA_DIR_SLOTS, &v) || !v)
                return bad_usage("--max-data-pages", optarg);
            cfg->limits.max_data_pages = (uint32_t)v;
            break;
        case OPT_CHANS:
            if (!parse_u64(optarg, 4096, &v) || !v)
                return bad_usage("--max-channels", optarg);
            cfg->limits.max_channels_per_vm = (uint32_t)v;
            break;
        case OPT_KICKS:
            if (!parse_kick_limit(optarg, &cfg->limits))
                return bad_usage("--kick-limit", optarg);
            break;
        case OPT_XEN_GRANTS:
            if (!parse_u64(optarg, UINT32_MAX, &v) || !v)
                return bad_usage("--xen-max-grants", optarg);
            cfg->limits.xen_max_grants = (uint32_t)v;
            break;
        case OPT_XEN_DOM_GRANTS:
            if (!parse_u64(optarg, UINT32_MAX, &v) || !v)
                return bad_usage("--xen-max-grants-per-domain", optarg);
            cfg->limits.xen_max_grants_per_domain = (uint32_t)v;
            break;
        case OPT_POLICY: {
            char err[160];
            if (vgpu_be__policy_parse(cfg, optarg, err, sizeof(err)) < 0) {
                fprintf(stderr, "vgpud: --policy '%s': %s\n", optarg, err);
                return 2;
            }
            break;
        }
        case OPT_METRICS: {
            struct sockaddr_storage ss;
            char err[160];
            if (vgpu_be__metrics_parse(optarg, &ss, err, sizeof(err)) < 0) {
                fprintf(stderr, "vgpud: --metrics '%s': %s\n", optarg, err);
                return 2;
            }
            cfg->metrics_addr = optarg;
            break;
        }
        case OPT_LEVEL:
            if ((*level = parse_level(optarg)) < 0)
                return bad_usage("--log-level", optarg);
            break;
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    if (optind < argc)
        return bad_usage("argument", argv[optind]);
    return -1;
}

static void config_defaults(struct vgpu_be_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->db_path = vgpu_store_default_path();
    cfg->socket_path = env_or(VGPU_LOCAL_SOCKET_ENV, VGPU_LOCAL_SOCKET_DEFAULT);
    cfg->ctl_path = env_or(VGPU_CTL_SOCKET_ENV, VGPU_CTL_SOCKET_DEFAULT);
    cfg->executor = "auto";
    cfg->transports = "local,xen";
    cfg->device = "";
    cfg->poll_ns = 50000;
    cfg->limits.max_ring_order = VGPU_RING_ORDER_MAX;
    cfg->limits.max_data_pages = VGPU_DATA_DIR_SLOTS;
    cfg->limits.max_channels_per_vm = 64;
    cfg->default_quota_pct = 25;
    cfg->default_pinned_limit = VGPUD_PINNED_LIMIT_DEFAULT;
    cfg->limits.kick_budget = 2000;
    cfg->limits.kick_window_ms = 10;
    cfg->limits.xen_max_grants = VGPU_XEN_MAX_GRANTS_DEFAULT;
    cfg->limits.xen_max_grants_per_domain = VGPU_XEN_MAX_GRANTS_PER_DOMAIN_DEFAULT;
}

int main(int argc, char **argv)
{
    struct vgpu_be be;
    int level = LOG_INFO, rc;
    bool slog = false;

    memset(&be, 0, sizeof(be));
    config_defaults(&be.cfg);
    rc = parse_args(argc, argv, &be.cfg, &level, &slog);
    if (rc >= 0)
        return rc;
    vgpu_be__log_setup(level, slog);
    return vgpu_be__daemon_run(&be) < 0 ? 1 : 0;
}
