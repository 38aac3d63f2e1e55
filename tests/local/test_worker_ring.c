/* test_worker_ring.c: vgpud-worker against a hand-driven job ring: malformed jobs end it cleanly.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "worker_proto.h"

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: %s: ", __func__, __LINE__, #cond);                        \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

struct peer {
    pid_t pid;
    int ctl, kick, notify;
    struct vgpu_sring *s;
    struct vgpu_front_ring ring;
};

static void start(struct peer *p, const char *bin)
{
    size_t len = vgpu_ring_bytes(VGPU_WORKER_RING_ORDER);
    int sv[2], memfd = memfd_create("ring", 0);
    struct vgpu_worker_msg m;
    struct pollfd pf;

    CHECK(memfd >= 0 && ftruncate(memfd, (off_t)len) == 0, "memfd: %s", strerror(errno));
    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0, "socketpair: %s", strerror(errno));
    p->s = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    CHECK(p->s != MAP_FAILED, "mmap: %s", strerror(errno));
    vgpu_sring_init(p->s);
    vgpu_front_init(&p->ring, p->s, vgpu_ring_slots(VGPU_WORKER_RING_ORDER));
    p->kick = eventfd(0, 0);
    p->notify = eventfd(0, 0);
    p->pid = fork();
    if (p->pid == 0) {
        int fds[4] = {sv[1], memfd, p->kick, p->notify}, tmp[4];
        for (int i = 0; i < 4; i++)
            tmp[i] = fcntl(fds[i], F_DUPFD, 10);
        for (int i = 0; i < 4; i++)
            dup2(tmp[i], VGPU_WORKER_FD_CTL + i);
        if (getenv("ASAN_OPTIONS")) { /* as vgpud does: LeakSanitizer's ptrace is filtered */
            char opts[512];
            snprintf(opts, sizeof(opts), "%s:detect_leaks=0", getenv("ASAN_OPTIONS"));
            setenv("ASAN_OPTIONS", opts, 1);
        }
        execl(bin, "vgpud-worker", "--vm", "1", "--executor", "cpu", "--poll-ns", "0",
              (char *)NULL);
        _exit(127);
    }
    close(sv[1]);
    close(memfd);
    p->ctl = sv[0];
    pf = (struct pollfd){.fd = p->ctl, .events = POLLIN};
    CHECK(poll(&pf, 1, 10000) == 1, "no READY within 10 s");
    CHECK(recv(p->ctl, &m, sizeof(m), 0) == sizeof(m), "READY: short");
    CHECK(m.type == VGPU_WMSG_READY && m.status == 0, "READY: type %u status %u", m.type, m.status);
}

static void push(struct peer *p, const struct vgpu_req *r, unsigned n)
{
    uint64_t one = 1;

    for (unsigned i = 0; i < n; i++)
        *vgpu_front_next_req(&p->ring) = r[i];
    vgpu_front_push(&p->ring);
    CHECK(write(p->kick, &one, sizeof(one)) == sizeof(one), "kick");
}

/* The worker must end by itself, with status 1 (not a signal), within 5 s. */
static void expect_exit(struct peer *p, const char *what)
{
    int status = 0;

    for (int i = 0; i < 500 && waitpid(p->pid, &status, WNOHANG) == 0; i++)
        usleep(10000);
    if (!WIFEXITED(status) && !WIFSIGNALED(status)) {
        kill(p->pid, SIGKILL);
        waitpid(p->pid, &status, 0);
        CHECK(0, "%s: the worker is still running after 5 s", what);
    }
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1, "%s: wait status 0x%x, expected exit 1",
          what, (unsigned)status);
    printf("ok   %s: the worker stopped (exit 1)\n", what);
}

static struct vgpu_req header(uint32_t n)
{
    struct vgpu_worker_job j = {.chan = 1, .n = n};
    struct vgpu_req r;

    memset(&r, 0, sizeof(r));
    r.op = VGPU_WOP_JOB;
    memcpy(r.u.raw, &j, sizeof(j));
    return r;
}

/* A job of no requests is answered: one slot, the header's, with mem_used 0. */
static void test_empty_job(const char *bin)
{
    struct vgpu_req h = header(0);
    struct vgpu_rsp rsp;
    struct pollfd pf;
    struct peer p;
    uint32_t ready = 0;

    start(&p, bin);
    push(&p, &h, 1);
    pf = (struct pollfd){.fd = p.notify, .events = POLLIN};
    for (int i = 0; i < 500 && ready == 0; i++) {
        CHECK(vgpu_front_snapshot(&p.ring, &ready), "answers beyond what was asked");
        if (!ready)
            poll(&pf, 1, 10);
    }
    CHECK(ready == 1, "answers: %u, expected 1", ready);
    vgpu_front_take_rsp(&p.ring, &rsp);
    CHECK(rsp.op == VGPU_WOP_JOB, "answer op 0x%x, expected 0x%x", rsp.op, VGPU_WOP_JOB);
    printf("ok   empty job answered\n");
    close(p.ctl); /* the normal end: exit 0 */
    int status;
    waitpid(p.pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "wait status 0x%x", (unsigned)status);
    printf("ok   control socket closed: the worker exits 0\n");
}

static void test_bad(const char *bin, const char *what, struct vgpu_req r)
{
    struct peer p;

    start(&p, bin);
    push(&p, &r, 1);
    expect_exit(&p, what);
    close(p.ctl);
}

int main(int argc, char **argv)
{
    const char *b = getenv("VGPU_BUILDDIR");
    char bin[4096];
    struct vgpu_req r;

    snprintf(bin, sizeof(bin), "%s/dom0/vgpud-worker", argc > 1 ? argv[1] : b ? b : ".");
    signal(SIGPIPE, SIG_IGN);
    test_empty_job(bin);
    test_bad(bin, "a count that would wrap (0xffffffff)", header(0xffffffffu));
    test_bad(bin, "a count beyond what was pushed", header(3));
    memset(&r, 0, sizeof(r));
    r.op = VGPU_OP_NOP;
    test_bad(bin, "a guest request where a job header belongs", r);
    r = header(0);
    r.u.raw[20] = 1; /* rsvd0 */
    test_bad(bin, "reserved bytes set in the header", r);
    return 0;
}
