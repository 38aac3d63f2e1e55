/* hostbuf_hostile.c: a raw local client that offers vgpud bad host buffers; each MAP must be
 * refused with its documented status (test_hostbuf.sh). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "vgpu_local.h"
#include "vgpu_proto.h"

#define ORDER          0
#define PAGES          4
#define ANSWER_WAIT_NS (10ull * 1000000000ull)

struct raw {
    int sock, kick;
    struct vgpu_front_ring ring;
    uint64_t next_id;
};

static uint64_t now_ns(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void die(const char *what)
{
    fprintf(stderr, "hostbuf_hostile: %s: %s\n", what, strerror(errno));
    exit(2);
}

/* Send fds (n of them) with a message of len bytes on the socket. */
static void send_fds(int sock, const void *m, size_t len, const int *fds, int n)
{
    union {
        char buf[CMSG_SPACE(sizeof(int) * 4)];
        struct cmsghdr align;
    } u;
    struct iovec iov = {.iov_base = (void *)m, .iov_len = len};
    struct msghdr msg = {.msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = u.buf,
                         .msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n)};
    struct cmsghdr *cm;

    memset(u.buf, 0, sizeof(u.buf));
    cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
    memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)n);
    if (sendmsg(sock, &msg, MSG_NOSIGNAL) != (ssize_t)len)
        die("sendmsg");
}

static void connect_raw(struct raw *c, const char *path, const char *inst)
{
    size_t len = vgpu_ring_bytes(ORDER) + PAGES * VGPU_PAGE_SIZE;
    struct vgpu_local_hello h = {.magic = VGPU_LOCAL_MAGIC,
                                 .version = VGPU_LOCAL_VERSION,
                                 .ring_order = ORDER,
                                 .data_pages = PAGES};
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    struct vgpu_local_welcome w;
    int fds[3], memfd = memfd_create("hostile-ring", MFD_ALLOW_SEALING);
    void *m;

    if (memfd < 0 || ftruncate(memfd, (off_t)len) < 0 ||
        fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0)
        die("ring memfd");
    m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    if (m == MAP_FAILED)
        die("mmap");
    vgpu_sring_init(m);
    vgpu_front_init(&c->ring, m, vgpu_ring_slots(ORDER));
    fds[0] = memfd;
    fds[1] = c->kick = eventfd(0, 0);
    fds[2] = eventfd(0, 0);
    snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
    snprintf(h.instance, sizeof(h.instance), "%s", inst);
    c->sock = socket(AF_UNIX, SOCK_STREAM, 0);
    if (c->sock < 0 || connect(c->sock, (struct sockaddr *)&a, sizeof(a)) < 0)
        die("connect");
    send_fds(c->sock, &h, sizeof(h), fds, 3);
    if (recv(c->sock, &w, sizeof(w), MSG_WAITALL) != sizeof(w) || w.status != VGPU_S_OK)
        die("handshake");
}

/* One request as a job of its own; its answer's status, waiting with a deadline. */
static uint32_t call(struct raw *c, struct vgpu_req *r)
{
    uint64_t one = 1, deadline = now_ns() + ANSWER_WAIT_NS;
    struct vgpu_rsp rsp;
    uint32_t ready;

    r->id = ++c->next_id;
    r->flags = VGPU_REQF_END_JOB;
    *vgpu_front_next_req(&c->ring) = *r;
    vgpu_front_push(&c->ring);
    if (write(c->kick, &one, sizeof(one)) != sizeof(one))
        die("kick");
    while (vgpu_front_snapshot(&c->ring, &ready) && ready == 0) {
        if (now_ns() > deadline) {
            fprintf(stderr, "hostbuf_hostile: no answer to %s\n", vgpu_proto_op_name(r->op));
            exit(1);
        }
        usleep(100);
    }
    vgpu_front_take_rsp(&c->ring, &rsp);
    return rsp.status;
}

static int memfd_of(const char *name, uint64_t size, unsigned seals)
{
    int fd = memfd_create(name, MFD_ALLOW_SEALING);

    if (fd < 0 || ftruncate(fd, (off_t)size) < 0 || (seals && fcntl(fd, F_ADD_SEALS, seals) < 0))
        die("memfd");
    return fd;
}

/* Offer buf with fd (closed here), then MAP it with size; the answer's status. */
static uint32_t offer(struct raw *c, uint64_t buf, int fd, uint64_t size)
{
    struct vgpu_local_hostbuf m = {.magic = VGPU_LOCAL_HOSTBUF_MAGIC, .buf = buf};
    struct vgpu_req r = {.op = VGPU_OP_HOSTBUF_MAP};

    if (fd >= 0) {
        send_fds(c->sock, &m, sizeof(m), &fd, 1);
        close(fd);
    }
    r.u.hostbuf_map.buf = buf;
    r.u.hostbuf_map.size = size;
    return call(c, &r);
}

static int expect(const char *what, uint32_t got, uint32_t want)
{
    printf("%s %s: %s\n", got == want ? "ok  " : "FAIL", what, vgpu_status_name((int)got));
    return got == want ? 0 : 1;
}

#define SEALS (F_SEAL_SHRINK | F_SEAL_GROW)
#define PG    VGPU_PAGE_SIZE

/* Each bad buffer refused; then as many good ones as the channel may hold, and one more. */
static int refusals(struct raw *c)
{
    struct vgpu_req hello = {.op = VGPU_OP_HELLO};
    int fails = 0, pipefd[2];
    unsigned i;

    hello.u.hello.version_min = hello.u.hello.version_max = 1;
    hello.u.hello.features = VGPU_FEAT_HOSTBUF;
    if (call(c, &hello) != VGPU_S_OK)
        return 1;
    fails += expect("a memfd not sealed", offer(c, 1, memfd_of("hb-unsealed", 4 * PG, 0), 4 * PG),
                    VGPU_S_BAD_FIELD);
    fails += expect("a memfd sealed against shrinking only",
                    offer(c, 2, memfd_of("hb-growable", 4 * PG, F_SEAL_SHRINK), 4 * PG),
                    VGPU_S_BAD_FIELD);
    fails += expect("a memfd of the wrong size",
                    offer(c, 3, memfd_of("hb-wrongsize", 4 * PG, SEALS), 8 * PG), VGPU_S_BAD_FIELD);
    if (pipe(pipefd) < 0)
        die("pipe");
    close(pipefd[1]);
    fails += expect("a pipe, not a memfd", offer(c, 4, pipefd[0], 4 * PG), VGPU_S_BAD_FIELD);
    fails += expect("a MAP without a descriptor", offer(c, 5, -1, 4 * PG), VGPU_S_BAD_HANDLE);
    for (i = 0; i < 64; i++)
        if (offer(c, 100 + i, memfd_of("hb-good", PG, SEALS), PG) != VGPU_S_OK) {
            printf("FAIL good buffer %u refused\n", i);
            return 1;
        }
    printf("ok   64 good buffers mapped\n");
    fails += expect("a 65th buffer of the VM", offer(c, 200, memfd_of("hb-extra", PG, SEALS), PG),
                    VGPU_S_PINNED_LIMIT);
    fails += expect("a buffer id already in use", offer(c, 100, memfd_of("hb-dup", PG, SEALS), PG),
                    VGPU_S_BAD_FIELD);
    return fails;
}

/* More unclaimed descriptors than vgpud keeps: the channel is closed. */
static int pending_flood(struct raw *c)
{
    struct vgpu_local_hostbuf m = {.magic = VGPU_LOCAL_HOSTBUF_MAGIC};
    char byte;
    unsigned i;

    for (i = 0; i <= VGPU_LOCAL_HOSTBUF_PENDING_MAX; i++) {
        int fd = memfd_of("hb-flood", PG, SEALS);
        m.buf = 1000 + i;
        send_fds(c->sock, &m, sizeof(m), &fd, 1);
        close(fd);
    }
    /* vgpud hangs up: recv returns 0 (the deadline is SO_RCVTIMEO). */
    struct timeval tv = {.tv_sec = 10};
    setsockopt(c->sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return expect("5 descriptors nobody claimed close the channel",
                  recv(c->sock, &byte, 1, 0) == 0 ? VGPU_S_PROTOCOL : VGPU_S_OK, VGPU_S_PROTOCOL);
}

int main(int argc, char **argv)
{
    struct raw c = {0};
    int r;

    if (argc != 4) {
        fprintf(stderr,
                "usage: hostbuf_hostile SOCKET INSTANCE refusals|refusals-hold|pending-flood\n");
        return 2;
    }
    connect_raw(&c, argv[1], argv[2]);
    if (strcmp(argv[3], "pending-flood") == 0)
        return pending_flood(&c) ? 1 : 0;
    r = refusals(&c);
    if (strcmp(argv[3], "refusals-hold") == 0) { /* the test looks at what vgpud holds */
        printf("%s\n", r ? "failed" : "holding");
        fflush(stdout);
        for (;;)
            pause();
    }
    return r ? 1 : 0;
}
