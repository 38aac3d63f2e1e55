/* latency.c: NOP and worker-job round trips through vgpud beside three two-process baselines.
 */
#include <getopt.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "vgpu.h"
#include "vgpu_internal.h"

struct row {
    const char *name;
    double p50_us, p99_us;
    double spin_us; /* client polling time per round trip; < 0: not measured */
};

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* Sort lat[n] and fill r's percentiles. */
static void summarize(struct row *r, uint64_t *lat, size_t n)
{
    qsort(lat, n, sizeof(*lat), cmp_u64);
    r->p50_us = (double)lat[n / 2] / 1000.0;
    r->p99_us = (double)lat[(n * 99) / 100] / 1000.0;
}

/* NOP round trips on a channel opened with poll_ns. 0 or the error. */
static int bench_vgpud(struct row *r, const struct vgpu_open_opts *base, int64_t poll_ns,
                       uint64_t *lat, size_t n)
{
    struct vgpu_open_opts o = *base;
    struct vgpu__stats s0, s1;
    vgpu_channel *ch;
    size_t i;
    int err;

    o.poll_ns = poll_ns;
    err = vgpu_open(&o, &ch);
    if (err < 0)
        return err;
    for (i = 0; i < n / 10 && err == 0; i++) /* warm-up */
        err = vgpu_nop(ch);
    vgpu__channel_stats(ch, &s0);
    for (i = 0; i < n && err == 0; i++) {
        uint64_t t0 = now_ns();
        err = vgpu_nop(ch);
        lat[i] = now_ns() - t0;
    }
    vgpu__channel_stats(ch, &s1);
    vgpu_close(ch);
    if (err == 0) {
        summarize(r, lat, n);
        r->spin_us = (double)(s1.spin_ns - s0.spin_ns) / 1000.0 / (double)n;
    }
    return err;
}

/*
 * A 4-byte MEMSET + SYNC round trip: through the scheduler, a pool thread
 * and the VM's worker process, against the NOP answered on the loop thread.
 */
static int bench_job(struct row *r, const struct vgpu_open_opts *base, uint64_t *lat, size_t n)
{
    struct vgpu_open_opts o = *base;
    struct vgpu__stats s0, s1;
    vgpu_channel *ch;
    uint64_t d;
    size_t i;
    int err;

    o.poll_ns = -1;
    err = vgpu_open(&o, &ch);
    if (err < 0)
        return err;
    err = vgpu_mem_alloc(ch, 4, &d);
    for (i = 0; i < n / 10 && err == 0; i++) /* warm-up: the worker is started */
        err = vgpu_memset(ch, d, (uint8_t)i, 4) ?: vgpu_sync(ch);
    vgpu__channel_stats(ch, &s0);
    for (i = 0; i < n && err == 0; i++) {
        uint64_t t0 = now_ns();
        err = vgpu_memset(ch, d, (uint8_t)i, 4) ?: vgpu_sync(ch);
        lat[i] = now_ns() - t0;
    }
    vgpu__channel_stats(ch, &s1);
    vgpu_close(ch);
    if (err == 0) {
        summarize(r, lat, n);
        r->spin_us = (double)(s1.spin_ns - s0.spin_ns) / 1000.0 / (double)n;
    }
    return err;
}

/* Shared between the two processes of a baseline. */
struct shm {
    _Atomic uint64_t ping, pong;
};

enum base { BASE_SPIN, BASE_EVENTFD, BASE_SOCKET };

/* The child's side: answer n pings. */
static void child_loop(enum base b, struct shm *m, int fd_a, int fd_b, int sock, size_t n)
{
    uint64_t v;
    size_t i;

    for (i = 1; i <= n; i++) {
        if (b == BASE_SPIN) {
            while (atomic_load_explicit(&m->ping, memory_order_acquire) != i)
                ;
            atomic_store_explicit(&m->pong, i, memory_order_release);
        } else if (b == BASE_EVENTFD) {
            if (read(fd_a, &v, 8) != 8)
                _exit(1);
            atomic_store_explicit(&m->pong, atomic_load(&m->ping), memory_order_release);
            v = 1;
            if (write(fd_b, &v, 8) != 8)
                _exit(1);
        } else {
            if (read(sock, &v, 8) != 8 || write(sock, &v, 8) != 8)
                _exit(1);
        }
    }
    _exit(0);
}

/* The parent's side of one round trip i. */
static void ping_once(enum base b, struct shm *m, int fd_a, int fd_b, int sock, uint64_t i)
{
    uint64_t v = 1;

    if (b == BASE_SPIN) {
        atomic_store_explicit(&m->ping, i, memory_order_release);
        while (atomic_load_explicit(&m->pong, memory_order_acquire) != i)
            ;
    } else if (b == BASE_EVENTFD) {
        atomic_store_explicit(&m->ping, i, memory_order_release);
        if (write(fd_a, &v, 8) != 8 || read(fd_b, &v, 8) != 8)
            exit(1);
    } else {
        if (write(sock, &i, 8) != 8 || read(sock, &v, 8) != 8)
            exit(1);
    }
}

static int bench_baseline(struct row *r, enum base b, uint64_t *lat, size_t n)
{
    struct shm *m =
        mmap(NULL, sizeof(*m), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int fd_a = eventfd(0, 0), fd_b = eventfd(0, 0), sv[2];
    size_t i;
    pid_t pid;

    if (m == MAP_FAILED || fd_a < 0 || fd_b < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        return -1;
    pid = fork();
    if (pid == 0) {
        close(sv[0]);
        child_loop(b, m, fd_a, fd_b, sv[1], n);
    }
    close(sv[1]);
    for (i = 0; i < n; i++) {
        uint64_t t0 = now_ns();
        ping_once(b, m, fd_a, fd_b, sv[0], i + 1);
        lat[i] = now_ns() - t0;
    }
    waitpid(pid, NULL, 0);
    close(sv[0]);
    close(fd_a);
    close(fd_b);
    munmap(m, sizeof(*m));
    summarize(r, lat, n);
    r->spin_us = -1;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"socket", 1, NULL, 's'},
                                             {"instance", 1, NULL, 'i'},
                                             {"iters", 1, NULL, 'n'},
                                             {"help", 0, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    struct vgpu_open_opts o = {.transport = VGPU_TRANSPORT_AUTO, .poll_ns = -1};
    struct row rows[6] = {{"vgpud NOP, polling (poll_ns default)", 0, 0, 0},
                          {"vgpud NOP, no polling (poll_ns 0)", 0, 0, 0},
                          {"shm, both sides spinning", 0, 0, 0},
                          {"shm + eventfd ping-pong", 0, 0, 0},
                          {"unix socket ping-pong", 0, 0, 0},
                          {"vgpud 4-byte MEMSET+SYNC via worker, polling", 0, 0, 0}};
    size_t n = 20000, i;
    uint64_t *lat;
    int opt, err;

    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (opt == 's')
            o.socket_path = optarg;
        else if (opt == 'i')
            o.instance = optarg;
        else if (opt == 'n' && atol(optarg) >= 100)
            n = (size_t)atol(optarg);
        else {
            fprintf(opt == 'h' ? stdout : stderr,
                    "usage: latency [--socket PATH] [--instance NAME] [--iters N (>= 100)]\n");
            return opt == 'h' ? 0 : 2;
        }
    }
    lat = calloc(n, sizeof(*lat));
    if (!lat)
        return 1;
    err = bench_vgpud(&rows[0], &o, -1, lat, n);
    if (err == 0)
        err = bench_vgpud(&rows[1], &o, 0, lat, n);
    if (err == 0)
        err = bench_job(&rows[5], &o, lat, n);
    if (err < 0) {
        fprintf(stderr, "latency: cannot measure through vgpud: %s; skipping\n",
                vgpu_strerror(err));
        free(lat);
        return 77;
    }
    for (i = 0; i < 3; i++) {
        if (bench_baseline(&rows[2 + i], (enum base)i, lat, n) < 0) {
            fprintf(stderr, "latency: baseline '%s' could not be set up\n", rows[2 + i].name);
            free(lat);
            return 1;
        }
    }
    printf("round trip latency, %zu iterations\n", n);
    printf("%-40s %10s %10s %14s\n", "path", "p50 (us)", "p99 (us)", "spin/op (us)");
    for (i = 0; i < 6; i++) {
        printf("%-40s %10.2f %10.2f ", rows[i].name, rows[i].p50_us, rows[i].p99_us);
        if (rows[i].spin_us >= 0)
            printf("%14.2f\n", rows[i].spin_us);
        else
            printf("%14s\n", "-");
    }
    printf("worker hop (MEMSET+SYNC through scheduler and worker - NOP, polling): %+.2f us at "
           "p50\n",
           rows[5].p50_us - rows[0].p50_us);
    free(lat);
    return 0;
}
