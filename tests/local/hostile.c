/* hostile.c: a client that breaks the protocol on purpose; exits 0 once vgpud closed its channel.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "vgpu_local.h"
#include "vgpu_proto.h"

#define ORDER 0
#define PAGES 4

static int connect_to(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        perror("connect");
        exit(2);
    }
    return fd;
}

static void send_hello(int sock, const char *inst, int fds[3])
{
    struct vgpu_local_hello h = {.magic = VGPU_LOCAL_MAGIC,
                                 .version = VGPU_LOCAL_VERSION,
                                 .ring_order = ORDER,
                                 .data_pages = PAGES};
    char cbuf[CMSG_SPACE(sizeof(int) * 3)];
    struct iovec iov = {.iov_base = &h, .iov_len = sizeof(h)};
    struct msghdr m = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
    struct vgpu_local_welcome w;

    snprintf(h.instance, sizeof(h.instance), "%s", inst);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int) * 3);
    memcpy(CMSG_DATA(cm), fds, sizeof(int) * 3);
    if (sendmsg(sock, &m, 0) != sizeof(h) || recv(sock, &w, sizeof(w), MSG_WAITALL) != sizeof(w) ||
        w.status != VGPU_S_OK) {
        fprintf(stderr, "hostile: handshake failed\n");
        exit(2);
    }
}

static void put(struct vgpu_sring *s, uint32_t slot, const struct vgpu_req *r)
{
    memcpy(&s->ring[slot & (vgpu_ring_slots(ORDER) - 1)].req, r, sizeof(*r));
}

/* Write the attack into the ring; returns after kicking vgpud. */
static void attack(const char *mode, struct vgpu_sring *s, int kick)
{
    struct vgpu_req r;
    uint64_t one = 1;
    uint32_t i;

    memset(&r, 0, sizeof(r));
    r.op = VGPU_OP_HELLO;
    r.u.hello.version_min = r.u.hello.version_max = 1;
    put(s, 0, &r);
    if (strcmp(mode, "far-ahead") == 0) {
        s->req_prod = 1000000; /* far more than a ring ahead */
    } else if (strcmp(mode, "random") == 0) {
        srand(42);
        for (i = 1; i < vgpu_ring_slots(ORDER); i++) {
            uint8_t *p = (uint8_t *)&s->ring[i];
            for (size_t k = 0; k < sizeof(s->ring[i]); k++)
                p[k] = (uint8_t)rand();
        }
        s->req_prod = vgpu_ring_slots(ORDER);
    } else if (strcmp(mode, "before-hello") == 0) {
        memset(&r, 0, sizeof(r));
        r.op = VGPU_OP_NOP;
        put(s, 0, &r);
        s->req_prod = 1;
    } else { /* bad-range: valid header, offsets past the data area, then garbage op */
        memset(&r, 0, sizeof(r));
        r.op = VGPU_OP_COPY_HTOD;
        r.u.copy.data_off = 0xfffffffffffff000ull;
        r.u.copy.len = 0x2000;
        put(s, 1, &r);
        memset(&r, 0, sizeof(r));
        r.op = 0x7777;
        put(s, 2, &r);
        s->req_prod = 3;
    }
    if (write(kick, &one, sizeof(one)) < 0)
        perror("kick");
}

/*
 * Kick a storm, then check the channel still answers: a HELLO must come back
 * within 5 s. At least 300000 kicks; with HOSTILE_STOP=PATH, on until that
 * file exists (at most 20 s): vgpud may be too slow to see the first ones
 * as a storm, the kernel coalescing what it has not taken yet.
 */
static int storm(struct vgpu_sring *s, int kick)
{
    const char *stop = getenv("HOSTILE_STOP");
    struct vgpu_req r;
    uint64_t one = 1;
    struct timespec ts = {0, 1000000};
    time_t end = time(NULL) + 20;
    long i;

    for (i = 0; i < 300000 || (stop && access(stop, F_OK) != 0 && time(NULL) < end); i++)
        if (write(kick, &one, sizeof(one)) < 0)
            return 2;
    memset(&r, 0, sizeof(r));
    r.op = VGPU_OP_HELLO;
    r.flags = VGPU_REQF_END_JOB;
    r.u.hello.version_min = r.u.hello.version_max = 1;
    put(s, 0, &r);
    __atomic_store_n(&s->req_prod, 1, __ATOMIC_RELEASE);
    if (write(kick, &one, sizeof(one)) < 0)
        return 2;
    for (int t = 0; t < 5000; t++) {
        if (__atomic_load_n(&s->rsp_prod, __ATOMIC_ACQUIRE) == 1) {
            printf("hostile storm: channel still served after %ld kicks: %s\n", i,
                   vgpu_status_name((int)s->ring[0].rsp.status));
            return s->ring[0].rsp.status == VGPU_S_OK ? 0 : 1;
        }
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "hostile storm: no answer within 5 s\n");
    return 1;
}

/*
 * Keep the ring full of NOPs for `seconds`, kicking once: every answer is
 * replaced by a new request at once, without regard for the responses, so
 * vgpud always finds work on this ring. Exits 0 if the channel was served.
 */
static int flood(struct vgpu_sring *s, int kick, int seconds)
{
    uint32_t n = vgpu_ring_slots(ORDER), prod = 1, served;
    struct vgpu_req r;
    uint64_t one = 1;
    time_t end = time(NULL) + seconds;

    memset(&r, 0, sizeof(r));
    r.op = VGPU_OP_HELLO;
    r.flags = VGPU_REQF_END_JOB;
    r.u.hello.version_min = r.u.hello.version_max = 1;
    put(s, 0, &r);
    memset(&r, 0, sizeof(r));
    r.op = VGPU_OP_NOP;
    r.flags = VGPU_REQF_END_JOB;
    __atomic_store_n(&s->req_prod, prod, __ATOMIC_RELEASE);
    if (write(kick, &one, sizeof(one)) < 0)
        return 2;
    while (time(NULL) < end) {
        uint32_t rsp = __atomic_load_n(&s->rsp_prod, __ATOMIC_ACQUIRE);
        while (prod - rsp < n) { /* published one by one: the ring is never seen empty */
            r.id = prod;
            put(s, prod++, &r);
            __atomic_store_n(&s->req_prod, prod, __ATOMIC_RELEASE);
        }
    }
    served = __atomic_load_n(&s->rsp_prod, __ATOMIC_ACQUIRE);
    printf("hostile flood: %u requests answered in %d s\n", served, seconds);
    return served > 1 ? 0 : 1;
}

int main(int argc, char **argv)
{
    size_t len = vgpu_ring_bytes(ORDER) + PAGES * VGPU_PAGE_SIZE;
    int memfd, fds[3], sock, timeout_ms = 10000;
    struct vgpu_sring *s;
    struct pollfd p;

    if (argc != 4) {
        fprintf(
            stderr,
            "usage: hostile SOCKET INSTANCE far-ahead|random|before-hello|bad-range|storm|flood\n");
        return 2;
    }
    memfd = memfd_create("hostile", MFD_ALLOW_SEALING);
    if (memfd < 0 || ftruncate(memfd, (off_t)len) < 0 ||
        fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) < 0)
        return 2;
    s = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    if (s == MAP_FAILED)
        return 2;
    vgpu_sring_init(s);
    fds[0] = memfd;
    fds[1] = eventfd(0, 0);
    fds[2] = eventfd(0, 0);
    sock = connect_to(argv[1]);
    send_hello(sock, argv[2], fds);
    if (strcmp(argv[3], "storm") == 0)
        return storm(s, fds[1]);
    if (strcmp(argv[3], "flood") == 0)
        return flood(s, fds[1], 8);
    attack(argv[3], s, fds[1]);
    /* vgpud must close the channel: the socket hangs up. */
    p.fd = sock;
    p.events = POLLIN | POLLRDHUP;
    if (poll(&p, 1, timeout_ms) == 1 && (p.revents & (POLLHUP | POLLRDHUP | POLLIN))) {
        char c;
        if (recv(sock, &c, 1, MSG_DONTWAIT) == 0) {
            printf("hostile %s: channel closed by vgpud\n", argv[3]);
            return 0;
        }
    }
    if (strcmp(argv[3], "bad-range") == 0 && s->rsp_prod >= 2)
        printf("hostile bad-range: first answers: %s\n",
               vgpu_status_name((int)s->ring[1].rsp.status));
    fprintf(stderr, "hostile %s: channel still open after %d ms\n", argv[3], timeout_ms);
    return 1;
}
