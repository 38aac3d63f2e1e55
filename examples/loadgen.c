/* loadgen.c: vgpu-loadgen: run checked jobs on one or more channels and log each one. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "loadgen.h"

#define MAX_CHANNELS 256u

static const char usage[] =
    "usage: vgpu-loadgen --instance NAME [options]\n"
    "Runs jobs on vgpud and checks every result on the CPU. Each job: copies in,\n"
    "one kernel launch, SYNC, result copied back and compared.\n"
    "  --instance NAME     VM UUID or name to act as (required; or $VGPU_INSTANCE)\n"
    "  --socket PATH       vgpud socket (default $VGPU_SOCKET, else /run/vgpu/vgpud.sock)\n"
    "  --kernel K          vector_add | saxpy | matmul | busy | mix (default vector_add)\n"
    "  --jobs N            jobs per channel (default 10)\n"
    "  --size N            elements per vector (default 4096); matmul: n of n x n\n"
    "                      (default 64); mix always uses n = 32 for matmul\n"
    "  --busy-us N         busy kernel spin time, microseconds (default 1000)\n"
    "  --start-at-ns T     sleep until CLOCK_MONOTONIC time T before the first job\n"
    "  --channels N        channels, one thread each (default 1, at most 256)\n"
    "  --log PATH          append one JSON object per job to PATH\n"
    "  --seed S            seed of inputs and of the mix (default 1)\n"
    "  --help              this text\n"
    "Exit status: 0 all jobs correct, 1 a job failed or was wrong, 2 bad usage.\n";

struct lg_shared {
    FILE *log;
    pthread_mutex_t lock;
    uint32_t ok, wrong, failed;
    uint64_t *lat_ns; /* channels * jobs */
    uint32_t nlat;
};

struct lg_thread {
    struct lg_chan c;
    struct lg_shared *s;
    pthread_t tid;
};

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t t)
{
    struct timespec ts = {.tv_sec = (time_t)(t / 1000000000ull),
                          .tv_nsec = (long)(t % 1000000000ull)};

    while (t && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

/* The instance name as a JSON string body (quotes and backslashes escaped, controls dropped). */
static void json_str(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        if ((unsigned char)*s >= 0x20)
            fputc(*s, f);
    }
}

static void record(struct lg_thread *t, uint32_t job, enum lg_kernel k, uint64_t t0, uint64_t t1,
                   int r, bool correct)
{
    struct lg_shared *s = t->s;

    pthread_mutex_lock(&s->lock);
    if (correct)
        s->ok++;
    else if (r == 0)
        s->wrong++;
    else
        s->failed++;
    s->lat_ns[s->nlat++] = t1 - t0;
    if (s->log) {
        fputs("{\"instance\":\"", s->log);
        json_str(s->log, t->c.o->instance);
        fprintf(s->log,
                "\",\"channel\":%u,\"job\":%u,\"kernel\":\"%s\",\"submit_ns\":%llu,"
                "\"done_ns\":%llu,\"status\":%d,\"correct\":%s}\n",
                t->c.index, job, lg_kernel_names[k], (unsigned long long)t0, (unsigned long long)t1,
                -r, correct ? "true" : "false");
        fflush(s->log);
    }
    pthread_mutex_unlock(&s->lock);
}

static void *channel_main(void *arg)
{
    struct lg_thread *t = arg;
    struct lg_chan *c = &t->c;
    uint32_t i;

    if (lg_chan_setup(c) == 0) {
        sleep_until(c->o->start_at_ns);
        for (i = 0; i < c->o->jobs; i++) {
            enum lg_kernel k = lg_pick(c);
            uint64_t t0 = now_ns();
            bool correct;
            int r = lg_job(c, k, i, &correct);

            record(t, i, k, t0, now_ns(), r, correct);
            if (r < 0 && !c->err) {
                c->err = r;
                fprintf(stderr, "vgpu-loadgen: channel %u job %u (%s): %s (%s)\n", c->index, i,
                        lg_kernel_names[k], vgpu_strerror(r), vgpu_status_name(-r));
            }
        }
    }
    lg_chan_teardown(c);
    return NULL;
}

static bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s || *end || *s == '-' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static int parse_kernel(const char *s)
{
    int k;

    for (k = 0; k < LG_NKERNELS; k++) {
        if (strcmp(s, lg_kernel_names[k]) == 0)
            return k;
    }
    return strcmp(s, "mix") == 0 ? LG_MIX : -1;
}

/* Fill o from argv. 0, 1 (--help printed) or 2 (bad usage, said why). */
static int parse_args(int argc, char **argv, struct lg_opts *o)
{
    static const struct option longopts[] = {
        {"instance", 1, NULL, 'i'},    {"socket", 1, NULL, 's'},   {"kernel", 1, NULL, 'k'},
        {"jobs", 1, NULL, 'j'},        {"size", 1, NULL, 'n'},     {"busy-us", 1, NULL, 'b'},
        {"start-at-ns", 1, NULL, 't'}, {"channels", 1, NULL, 'c'}, {"log", 1, NULL, 'l'},
        {"seed", 1, NULL, 'S'},        {"help", 0, NULL, 'h'},     {NULL, 0, NULL, 0}};
    uint64_t v, size = 0;
    int opt;
    bool ok = true;

    *o = (struct lg_opts){.instance = getenv("VGPU_INSTANCE"),
                          .kernel = LG_VECTOR_ADD,
                          .jobs = 10,
                          .busy_ns = 1000000,
                          .channels = 1,
                          .seed = 1};
    while (ok && (opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'i':
            o->instance = optarg;
            break;
        case 's':
            o->socket = optarg;
            break;
        case 'k':
            o->kernel = parse_kernel(optarg);
            ok = o->kernel >= 0;
            break;
        case 'j':
            ok = parse_u64(optarg, 1, 10000000, &v);
            o->jobs = (uint32_t)v;
            break;
        case 'n':
            ok = parse_u64(optarg, 1, 1u << 28, &size);
            break;
        case 'b':
            ok = parse_u64(optarg, 0, 60000000, &v);
            o->busy_ns = v * 1000;
            break;
        case 't':
            ok = parse_u64(optarg, 0, UINT64_MAX, &o->start_at_ns);
            break;
        case 'c':
            ok = parse_u64(optarg, 1, MAX_CHANNELS, &v);
            o->channels = (uint32_t)v;
            break;
        case 'l':
            o->log = optarg;
            break;
        case 'S':
            ok = parse_u64(optarg, 0, UINT32_MAX, &v);
            o->seed = (uint32_t)v;
            break;
        case 'h':
            fputs(usage, stdout);
            return 1;
        default:
            ok = false;
        }
        if (!ok && opt != '?')
            fprintf(stderr, "vgpu-loadgen: bad value '%s'\n", optarg);
    }
    if (ok && optind < argc) {
        fprintf(stderr, "vgpu-loadgen: unexpected argument '%s'\n", argv[optind]);
        ok = false;
    }
    if (ok && (!o->instance || !*o->instance)) {
        fprintf(stderr, "vgpu-loadgen: --instance is required (or set VGPU_INSTANCE)\n");
        ok = false;
    }
    o->size = size ? size : (o->kernel == LG_MATMUL ? 64 : 4096);
    if (ok && o->kernel == LG_MATMUL && o->size > 4096) {
        fprintf(stderr, "vgpu-loadgen: matmul --size is n of n x n, at most 4096\n");
        ok = false;
    }
    if (!ok)
        fputs(usage, stderr);
    return ok ? 0 : 2;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static double pct_us(const struct lg_shared *s, double p)
{
    if (s->nlat == 0)
        return 0;
    return (double)s->lat_ns[(size_t)(p * (s->nlat - 1) + 0.5)] / 1000.0;
}

int main(int argc, char **argv)
{
    struct lg_opts o;
    struct lg_shared s = {.lock = PTHREAD_MUTEX_INITIALIZER};
    struct lg_thread *t;
    uint64_t t0, total;
    uint32_t i, opened = 0;
    int r = parse_args(argc, argv, &o);

    if (r)
        return r == 1 ? 0 : 2;
    total = (uint64_t)o.channels * o.jobs;
    t = calloc(o.channels, sizeof(*t));
    s.lat_ns = calloc(total, sizeof(*s.lat_ns));
    if (!t || !s.lat_ns) {
        fprintf(stderr, "vgpu-loadgen: out of memory\n");
        return 1;
    }
    if (o.log && !(s.log = fopen(o.log, "a"))) {
        fprintf(stderr, "vgpu-loadgen: cannot open log %s: %s\n", o.log, strerror(errno));
        return 2;
    }
    t0 = now_ns();
    for (i = 0; i < o.channels; i++) {
        t[i].c.o = &o;
        t[i].c.index = i;
        t[i].s = &s;
        if (pthread_create(&t[i].tid, NULL, channel_main, &t[i]) != 0) {
            fprintf(stderr, "vgpu-loadgen: cannot start thread %u\n", i);
            break;
        }
        opened++;
    }
    for (i = 0; i < opened; i++)
        pthread_join(t[i].tid, NULL);
    qsort(s.lat_ns, s.nlat, sizeof(*s.lat_ns), cmp_u64);
    printf("vgpu-loadgen: instance %s, %u channel(s) x %u job(s) of %s: %u correct, %u wrong, "
           "%llu failed; latency p50 %.1f us, p99 %.1f us; %.3f s\n",
           o.instance, o.channels, o.jobs, o.kernel == LG_MIX ? "mix" : lg_kernel_names[o.kernel],
           s.ok, s.wrong, (unsigned long long)(total - s.ok - s.wrong), pct_us(&s, 0.5),
           pct_us(&s, 0.99), (double)(now_ns() - t0) / 1e9);
    if (s.log)
        fclose(s.log);
    free(t);
    free(s.lat_ns);
    return s.ok == total ? 0 : 1;
}
