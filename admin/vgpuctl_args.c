/* vgpuctl: the command table and command-line parsing. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgpuctl.h"

#define VM_OPTS                                                                                    \
    (VGPUCTL_OPT_POOL | VGPUCTL_OPT_PRIORITY | VGPUCTL_OPT_VM_ID | VGPUCTL_OPT_NAME |              \
     VGPUCTL_OPT_UID | VGPUCTL_OPT_MEM)

const struct vgpuctl_cmd vgpuctl_cmds[] = {
    {"init", "", "create the database (pools A and B) or migrate it", 0, 0, 0, vgpuctl_cmd_init},
    {"register-vm",
     "VM_UUID [--vm-id N] [--pool POOL] [--priority PRIO] [--name NAME] [--uid UID] "
     "[--mem-quota SIZE]",
     "register a VM (defaults: pool A, priority medium, lowest free vm_id)", VM_OPTS, 1, 1,
     vgpuctl_cmd_register_vm},
    {"scan-vms", "", "list the hypervisor's VMs by pool, registered or not", 0, 0, 0,
     vgpuctl_cmd_scan_vms},
    {"list-vms", "[--pool POOL]", "list registered VMs", VGPUCTL_OPT_POOL, 0, 0,
     vgpuctl_cmd_list_vms},
    {"show-vm", "VM", "show one registered VM", 0, 1, 1, vgpuctl_cmd_show_vm},
    {"set-pool", "VM POOL", "move a VM to another pool (applies live)", 0, 2, 2,
     vgpuctl_cmd_set_pool},
    {"set-priority", "VM PRIO", "change a VM's priority (applies live)", 0, 2, 2,
     vgpuctl_cmd_set_priority},
    {"set-vm-id", "VM N", "change a VM's vm_id (needs a VM restart; asks first)", 0, 2, 2,
     vgpuctl_cmd_set_vm_id},
    {"update-vm",
     "VM [--pool POOL] [--priority PRIO] [--vm-id N] [--name NAME] [--uid UID|none] "
     "[--mem-quota SIZE]",
     "change several fields of a VM at once", VM_OPTS, 1, 1, vgpuctl_cmd_update_vm},
    {"set-pinned-limit", "VM SIZE",
     "host buffers (pinned memory in Dom0) the VM may hold, bytes with K, M, G or T; 0: "
     "vgpud's default (--default-pinned-limit, 256M); applies live to new buffers",
     0, 2, 2, vgpuctl_cmd_set_pinned_limit},
    {"remove-vm", "VM", "unregister a VM", 0, 1, 1, vgpuctl_cmd_remove_vm},
    {"xl-config", "VM", "print the xl config line that adds the VM's stub device (plain Xen)", 0, 1,
     1, vgpuctl_cmd_xl_config},
    {"status", "[--watch] [--interval SECONDS] [--count N]",
     "pools, VMs and live figures from vgpud",
     VGPUCTL_OPT_WATCH | VGPUCTL_OPT_INTERVAL | VGPUCTL_OPT_COUNT, 0, 0, vgpuctl_cmd_status},
    {"list-pools", "", "list pools and their GPU mapping", 0, 0, 0, vgpuctl_cmd_list_pools},
    {"add-pool", "POOL", "add a pool", 0, 1, 1, vgpuctl_cmd_add_pool},
    {"map-pool", "POOL GPU|none [--mig MIG_UUID]",
     "run a pool on a GPU (index or UUID), optionally one MIG instance", VGPUCTL_OPT_MIG, 2, 2,
     vgpuctl_cmd_map_pool},
    {"set-pool-limit", "POOL MS",
     "hard time limit per job in a pool (ms): a job running longer has its VM's worker killed "
     "and its context lost; applied live",
     0, 2, 2, vgpuctl_cmd_set_pool_limit},
    {"provision", "DOMID | --all | --watch [--remove]",
     "write (or remove) the vGPU xenstore entries of running domains",
     VGPUCTL_OPT_ALL | VGPUCTL_OPT_WATCH | VGPUCTL_OPT_REMOVE, 0, 1, vgpuctl_cmd_provision},
    {NULL, NULL, NULL, 0, 0, 0, NULL},
};

enum { O_DB = 256, O_CTL, O_JSON, O_FIRST_CMD_OPT };

/* Command options, in enum vgpuctl_opt order (bit n = getopt value O_FIRST_CMD_OPT + n). */
static const char *const cmd_opt_names[] = {
    "pool", "priority", "vm-id",    "name",  "uid", "mem-quota",
    "mig",  "watch",    "interval", "count", "all", "remove",
};
#define N_CMD_OPTS ((int)(sizeof(cmd_opt_names) / sizeof(cmd_opt_names[0])))

void vgpuctl_usage(FILE *out)
{
    const struct vgpuctl_cmd *cmd;

    fprintf(out, "usage: vgpuctl [--db PATH] [--ctl PATH] [--json] [--yes] COMMAND [ARGS]\n\n"
                 "commands:\n");
    for (cmd = vgpuctl_cmds; cmd->name; cmd++)
        fprintf(out, "  %-13s %s\n", cmd->name, cmd->summary);
    fprintf(out, "\nVM is a VM UUID or a registered name; PRIO is low|medium|high or 0|1|2;\n"
                 "POOL is a pool name (A and B exist after init).\n"
                 "'vgpuctl COMMAND --help' describes one command. Exit status: 0 ok,\n"
                 "1 runtime error, 2 bad usage or bad value (nothing changed).\n");
}

void vgpuctl_cmd_help(const struct vgpuctl_cmd *cmd, FILE *out)
{
    fprintf(out, "usage: vgpuctl [--db PATH] [--ctl PATH] [--json] [--yes] %s %s\n\n%s.\n",
            cmd->name, cmd->synopsis, cmd->summary);
    fprintf(out,
            "\n  --db PATH   database (default $%s or %s)\n"
            "  --ctl PATH  vgpud control socket (default $%s or %s)\n"
            "  --json      machine-readable output\n"
            "  --yes       answer yes to confirmations\n",
            VGPU_STORE_ENV, VGPU_STORE_DEFAULT_PATH, VGPU_CTL_SOCKET_ENV, VGPU_CTL_SOCKET_DEFAULT);
}

static const struct vgpuctl_cmd *find_cmd(const char *name)
{
    const struct vgpuctl_cmd *cmd;

    for (cmd = vgpuctl_cmds; cmd->name; cmd++)
        if (!strcmp(cmd->name, name))
            return cmd;
    return NULL;
}

static const struct option long_opts[] = {
    {"db", required_argument, NULL, O_DB},
    {"ctl", required_argument, NULL, O_CTL},
    {"json", no_argument, NULL, O_JSON},
    {"yes", no_argument, NULL, 'y'},
    {"help", no_argument, NULL, 'h'},
    {"pool", required_argument, NULL, O_FIRST_CMD_OPT + 0},
    {"priority", required_argument, NULL, O_FIRST_CMD_OPT + 1},
    {"vm-id", required_argument, NULL, O_FIRST_CMD_OPT + 2},
    {"name", required_argument, NULL, O_FIRST_CMD_OPT + 3},
    {"uid", required_argument, NULL, O_FIRST_CMD_OPT + 4},
    {"mem-quota", required_argument, NULL, O_FIRST_CMD_OPT + 5},
    {"mig", required_argument, NULL, O_FIRST_CMD_OPT + 6},
    {"watch", no_argument, NULL, O_FIRST_CMD_OPT + 7},
    {"interval", required_argument, NULL, O_FIRST_CMD_OPT + 8},
    {"count", required_argument, NULL, O_FIRST_CMD_OPT + 9},
    {"all", no_argument, NULL, O_FIRST_CMD_OPT + 10},
    {"remove", no_argument, NULL, O_FIRST_CMD_OPT + 11},
    {NULL, 0, NULL, 0},
};

static int parse_number(const char *what, const char *s, double min, double max, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || v < min || v > max) {
        vgpuctl_err("bad %s '%s': expected a number from %g to %g", what, s, min, max);
        return VGPUCTL_USAGE;
    }
    *out = v;
    return VGPUCTL_OK;
}

/* Turn the raw value of command option @bit into its field of @c. */
static int apply_cmd_opt(struct vgpuctl *c, unsigned int bit, const char *v)
{
    double d;
    int rc = VGPUCTL_OK;

    switch (1u << bit) {
    case VGPUCTL_OPT_POOL:
        c->pool = v;
        break;
    case VGPUCTL_OPT_PRIORITY:
        return vgpuctl_parse_priority(v, &c->priority);
    case VGPUCTL_OPT_VM_ID:
        return vgpuctl_parse_vm_id(v, &c->vm_id);
    case VGPUCTL_OPT_NAME:
        c->name = v;
        break;
    case VGPUCTL_OPT_UID:
        return vgpuctl_parse_uid(v, &c->uid);
    case VGPUCTL_OPT_MEM:
        return vgpuctl_parse_size(v, &c->mem_quota);
    case VGPUCTL_OPT_MIG:
        c->mig = v;
        break;
    case VGPUCTL_OPT_INTERVAL:
        rc = parse_number("interval", v, 0.05, 3600, &c->interval);
        break;
    case VGPUCTL_OPT_COUNT:
        rc = parse_number("count", v, 1, 1e9, &d);
        c->count = (long)d;
        break;
    }
    return rc;
}

/* Check and convert the command options once the command is known. */
static int apply_cmd_opts(struct vgpuctl *c, const char *const raw[])
{
    int bit, rc;

    for (bit = 0; bit < N_CMD_OPTS; bit++) {
        if (!(c->given & (1u << bit)))
            continue;
        if (!(c->cmd->opts & (1u << bit))) {
            vgpuctl_err("%s does not take --%s; usage: vgpuctl %s %s", c->cmd->name,
                        cmd_opt_names[bit], c->cmd->name, c->cmd->synopsis);
            return VGPUCTL_USAGE;
        }
        rc = apply_cmd_opt(c, (unsigned int)bit, raw[bit]);
        if (rc)
            return rc;
    }
    return VGPUCTL_OK;
}

static void set_defaults(struct vgpuctl *c)
{
    const char *ctl = getenv(VGPU_CTL_SOCKET_ENV);

    memset(c, 0, sizeof(*c));
    c->db_path = vgpu_store_default_path();
    c->ctl_path = ctl && *ctl ? ctl : VGPU_CTL_SOCKET_DEFAULT;
    c->uid = -1;
    c->interval = 1.0;
}

/*
 * Fill @c from the command line. Returns VGPUCTL_OK to run c->cmd, -1 when
 * help was printed (exit 0), or VGPUCTL_USAGE after printing why.
 */
int vgpuctl_parse(struct vgpuctl *c, int argc, char **argv)
{
    const char *raw[N_CMD_OPTS] = {0};
    bool help = false;
    int opt, rc;

    set_defaults(c);
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":hy", long_opts, NULL)) != -1) {
        if (opt == O_DB) {
            c->db_path = optarg;
        } else if (opt == O_CTL) {
            c->ctl_path = optarg;
        } else if (opt == O_JSON) {
            c->json = true;
        } else if (opt == 'y') {
            c->yes = true;
        } else if (opt == 'h') {
            help = true;
        } else if (opt >= O_FIRST_CMD_OPT && opt < O_FIRST_CMD_OPT + N_CMD_OPTS) {
            c->given |= 1u << (opt - O_FIRST_CMD_OPT);
            raw[opt - O_FIRST_CMD_OPT] = optarg;
        } else {
            vgpuctl_err("%s '%s'; see 'vgpuctl --help'",
                        opt == ':' ? "missing value for option" : "unknown option",
                        argv[optind - 1]);
            return VGPUCTL_USAGE;
        }
    }
    if (optind < argc && !strcmp(argv[optind], "help")) {
        help = true;
        optind++;
    }
    if (optind >= argc) {
        vgpuctl_usage(help ? stdout : stderr);
        return help ? -1 : VGPUCTL_USAGE;
    }
    c->cmd = find_cmd(argv[optind]);
    if (!c->cmd) {
        vgpuctl_err("unknown command '%s'; see 'vgpuctl --help'", argv[optind]);
        return VGPUCTL_USAGE;
    }
    if (help) {
        vgpuctl_cmd_help(c->cmd, stdout);
        return -1;
    }
    c->argc = argc - optind - 1;
    c->argv = argv + optind + 1;
    if (c->argc < c->cmd->min_args || c->argc > c->cmd->max_args) {
        vgpuctl_err("%s takes %s; usage: vgpuctl %s %s", c->cmd->name,
                    c->argc < c->cmd->min_args ? "more arguments" : "fewer arguments", c->cmd->name,
                    c->cmd->synopsis);
        return VGPUCTL_USAGE;
    }
    rc = apply_cmd_opts(c, raw);
    return rc;
}
