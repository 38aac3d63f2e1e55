/*
 * vgpu_xen_client.c: domU test program for the Xen end-to-end run. Opens
 * /dev/vgpu (vgpu.ko), maps the ring and data area and talks the wire
 * protocol directly (proto/ helpers). Statically linked.
 *   vgpu_xen_client ok N       HELLO + N NOPs, checks every response
 *   vgpu_xen_client loop       NOPs until killed (the domain is destroyed)
 *   vgpu_xen_client hostile    garbage in the ring, req_prod far ahead:
 *                              expects the backend to close the channel (POLLERR)
 *   vgpu_xen_client storm N    N kicks without requests, then HELLO + NOPs
 *   vgpu_xen_client perm       /dev/vgpu is 0660: a user outside its group is
 *                              refused, a member of it (as udev's rule makes it) may open
 *   vgpu_xen_client watchquota fills the domain's xenstore watch quota, then
 *                              open must fail alone: the device stays up and
 *                              works once the watches are gone
 *   vgpu_xen_client hbhostile  HOSTBUF_MAPs naming grant directories built by hand
 *                              (/dev/xen/gntalloc): unmappable, malformed, data refs
 *                              not granted, past the grant budget: each refused
 *                              with its status, the channel still works
 * Every open also checks that a MAP_PRIVATE mapping is refused (EINVAL).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <grp.h>
#include <xen/sys/gntalloc.h>
#include "vgpu_proto.h"
#include "vgpu_ioctl.h"

#define MIB_1 (1ull << 20)

struct client {
    int fd;
    struct vgpu_ioc_info info;
    struct vgpu_sring *sring;
    uint8_t *data;
    struct vgpu_front_ring f;
    uint64_t next_id;
};

static uint64_t hello_features = VGPU_FEAT_EVENT_IDX;

static int fail(const char *what)
{
    printf("VGPU-CLIENT-FAIL %s: %s\n", what, strerror(errno));
    return 1;
}

static int client_open(struct client *c)
{
    memset(c, 0, sizeof(*c));
    c->fd = open("/dev/vgpu", O_RDWR | O_CLOEXEC);
    if (c->fd < 0)
        return fail("open /dev/vgpu");
    if (ioctl(c->fd, VGPU_IOC_INFO, &c->info))
        return fail("VGPU_IOC_INFO");
    c->sring = mmap(NULL, VGPU_PAGE_SIZE << c->info.ring_order, PROT_READ | PROT_WRITE, MAP_SHARED,
                    c->fd, VGPU_MMAP_RING_OFF);
    if (c->sring == MAP_FAILED)
        return fail("mmap ring");
    if (mmap(NULL, VGPU_PAGE_SIZE << c->info.ring_order, PROT_READ | PROT_WRITE, MAP_PRIVATE, c->fd,
             VGPU_MMAP_RING_OFF) != MAP_FAILED ||
        errno != EINVAL) {
        errno = EINVAL;
        return fail("MAP_PRIVATE of the ring was not refused with");
    }
    c->data = mmap(NULL, c->info.data_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd,
                   VGPU_MMAP_DATA_OFF);
    if (c->data == MAP_FAILED)
        return fail("mmap data");
    memset(c->data, 0xa5, c->info.data_bytes);
    vgpu_front_init(&c->f, c->sring, c->info.nr_slots);
    printf("VGPU-CLIENT-OPEN order=%u slots=%u data=%llu vm-id=%u pool=%s priority=%u state=%u\n",
           c->info.ring_order, c->info.nr_slots, (unsigned long long)c->info.data_bytes,
           c->info.vm_id, c->info.pool, c->info.priority, c->info.state);
    return 0;
}

static int client_push(struct client *c)
{
    if (vgpu_front_push(&c->f) && ioctl(c->fd, VGPU_IOC_KICK))
        return fail("VGPU_IOC_KICK");
    return 0;
}

/* Queue one request; end_job closes the job (vgpud answers a job once it is closed). */
static void client_req(struct client *c, uint16_t op, int end_job)
{
    struct vgpu_req *r = vgpu_front_next_req(&c->f);

    memset(r, 0, sizeof(*r));
    r->id = ++c->next_id;
    r->op = op;
    r->flags = end_job ? VGPU_REQF_END_JOB : 0;
    if (op == VGPU_OP_HELLO) {
        r->u.hello.version_min = VGPU_PROTO_VERSION_MIN;
        r->u.hello.version_max = VGPU_PROTO_VERSION;
        r->u.hello.features = hello_features;
    }
}

/* Wait for one response. Returns 0, or 1 after printing why. */
static int client_rsp(struct client *c, struct vgpu_rsp *rsp)
{
    struct pollfd p = {.fd = c->fd, .events = POLLIN};
    uint32_t ready;

    for (;;) {
        if (!vgpu_front_snapshot(&c->f, &ready)) {
            printf("VGPU-CLIENT-FAIL backend broke the protocol\n");
            return 1;
        }
        if (ready) {
            vgpu_front_take_rsp(&c->f, rsp);
            return 0;
        }
        if (vgpu_front_arm(&c->f))
            continue;
        if (poll(&p, 1, 10000) <= 0) {
            printf("VGPU-CLIENT-FAIL no response within 10 s\n");
            return 1;
        }
        if (p.revents & POLLERR) {
            printf("VGPU-CLIENT-FAIL channel closed by the backend (POLLERR)\n");
            return 1;
        }
    }
}

static int run_ok(struct client *c, long n, int forever)
{
    struct vgpu_rsp rsp;
    struct timespec t0, t1;
    long done = 0, sent, batch;
    uint64_t expect;

    client_req(c, VGPU_OP_HELLO, 1);
    if (client_push(c) || client_rsp(c, &rsp))
        return 1;
    if (rsp.status != VGPU_S_OK || rsp.u.hello.version != VGPU_PROTO_VERSION ||
        rsp.u.hello.nr_slots != c->info.nr_slots || rsp.u.hello.data_size != c->info.data_bytes) {
        printf("VGPU-CLIENT-FAIL HELLO status %u version %u slots %u data %llu\n", rsp.status,
               rsp.u.hello.version, rsp.u.hello.nr_slots,
               (unsigned long long)rsp.u.hello.data_size);
        return 1;
    }
    printf("VGPU-CLIENT-HELLO version=%u features=%llu\n", rsp.u.hello.version,
           (unsigned long long)rsp.u.hello.features);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (forever || done < n) {
        batch = forever ? 8 : (n - done < 8 ? n - done : 8);
        expect = c->next_id + 1;
        for (sent = 0; sent < batch; sent++)
            client_req(c, VGPU_OP_NOP, sent == batch - 1);
        if (client_push(c))
            return 1;
        for (sent = 0; sent < batch; sent++, expect++) {
            if (client_rsp(c, &rsp))
                return 1;
            if (rsp.id != expect || rsp.op != VGPU_OP_NOP || rsp.status != VGPU_S_OK) {
                printf("VGPU-CLIENT-FAIL NOP id %llu (expected %llu) op %u status %u\n",
                       (unsigned long long)rsp.id, (unsigned long long)expect, rsp.op, rsp.status);
                return 1;
            }
        }
        done += batch;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("VGPU-CLIENT-OK nops=%ld us_per_nop=%.1f\n", done,
           ((t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec) / 1e3) / (double)done);
    return 0;
}

static int run_hostile(struct client *c)
{
    struct pollfd p = {.fd = c->fd, .events = POLLIN};
    unsigned int i;

    /* Garbage in every slot, then a producer index far ahead of the ring. */
    for (i = 0; i < c->info.nr_slots; i++)
        memset(&c->sring->ring[i], 0xff, sizeof(c->sring->ring[i]));
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    c->sring->req_prod = 0x7fff0000u;
    if (ioctl(c->fd, VGPU_IOC_KICK))
        return fail("VGPU_IOC_KICK");
    if (poll(&p, 1, 15000) <= 0 || !(p.revents & POLLERR)) {
        printf("VGPU-CLIENT-FAIL hostile: the backend did not close the channel\n");
        return 1;
    }
    if (ioctl(c->fd, VGPU_IOC_KICK) == 0 || errno != EIO) {
        printf("VGPU-CLIENT-FAIL hostile: kick on a closed channel did not fail with EIO\n");
        return 1;
    }
    printf("VGPU-CLIENT-HOSTILE-OK channel closed by the backend, kick -> EIO\n");
    return 0;
}

/* n pages granted to dom0 from userspace, mapped at *pages, their refs in refs[]. */
static int gnt_alloc(uint32_t n, uint8_t **pages, uint32_t *refs)
{
    size_t len = sizeof(struct ioctl_gntalloc_alloc_gref) + n * sizeof(uint32_t);
    struct ioctl_gntalloc_alloc_gref *a = calloc(1, len);
    int fd = open("/dev/xen/gntalloc", O_RDWR);

    if (!a || fd < 0)
        return fail("open /dev/xen/gntalloc");
    a->domid = 0;
    a->flags = GNTALLOC_FLAG_WRITABLE;
    a->count = n;
    if (ioctl(fd, IOCTL_GNTALLOC_ALLOC_GREF, a))
        return fail("IOCTL_GNTALLOC_ALLOC_GREF");
    *pages =
        mmap(NULL, n * VGPU_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)a->index);
    if (*pages == MAP_FAILED)
        return fail("mmap gntalloc");
    memcpy(refs, a->gref_ids, n * sizeof(uint32_t));
    free(a); /* fd stays open: the grants live until we exit */
    return 0;
}

/* One HOSTBUF_MAP; 0 if it was answered want, else 1 after saying so. */
static int map_expect(struct client *c, const char *what, uint64_t size, uint32_t grant_dir,
                      uint32_t want)
{
    struct vgpu_req *r = vgpu_front_next_req(&c->f);
    struct vgpu_rsp rsp;

    memset(r, 0, sizeof(*r));
    r->id = ++c->next_id;
    r->op = VGPU_OP_HOSTBUF_MAP;
    r->flags = VGPU_REQF_END_JOB;
    r->u.hostbuf_map.buf = c->next_id;
    r->u.hostbuf_map.size = size;
    r->u.hostbuf_map.grant_dir = grant_dir;
    if (client_push(c) || client_rsp(c, &rsp))
        return 1;
    if (rsp.status != want) {
        printf("VGPU-CLIENT-FAIL hbhostile %s: status %u, expected %u\n", what, rsp.status, want);
        return 1;
    }
    printf("VGPU-CLIENT-HBHOSTILE %s: refused (status %u)\n", what, rsp.status);
    return 0;
}

static int run_hbhostile(struct client *c)
{
    struct vgpu_data_dir *top, *dir;
    uint32_t refs[2], i;
    uint8_t *pages;

    hello_features |= VGPU_FEAT_HOSTBUF;
    if (run_ok(c, 8, false) || gnt_alloc(2, &pages, refs))
        return 1;
    top = (struct vgpu_data_dir *)pages;
    dir = (struct vgpu_data_dir *)(pages + VGPU_PAGE_SIZE);
    if (map_expect(c, "unmappable grant_dir", MIB_1, 77777, VGPU_S_BAD_FIELD))
        return 1;
    top->magic = 0x12345678u;
    top->nr_pages = 1;
    top->gref[0] = refs[1];
    if (map_expect(c, "bad top magic", MIB_1, refs[0], VGPU_S_BAD_FIELD))
        return 1;
    top->magic = VGPU_HOSTBUF_TOP_MAGIC;
    dir->magic = VGPU_DATA_DIR_MAGIC;
    dir->nr_pages = 100; /* 1 MiB is 256 pages */
    if (map_expect(c, "short directory", MIB_1, refs[0], VGPU_S_BAD_FIELD))
        return 1;
    dir->nr_pages = 256;
    for (i = 0; i < 256; i++)
        dir->gref[i] = 0xeeeeee00u + i; /* never granted: the worker's map fails */
    if (map_expect(c, "data refs not granted", MIB_1, refs[0], VGPU_S_BAD_FIELD))
        return 1;
    /* 400 MiB, 102400 pages: past the domain's grant budget (81920), within vgpud's (131072) */
    top->nr_pages = 101;
    if (map_expect(c, "past the grant budget", 400 * MIB_1, refs[0], VGPU_S_PINNED_LIMIT))
        return 1;
    if (run_ok(c, 8, false))
        return 1;
    printf("VGPU-CLIENT-HBHOSTILE-OK unmappable, malformed, not granted, over budget: "
           "each refused, the channel works on\n");
    return 0;
}

/* In a child: become uid/gid 4321 with the supplementary group sup (0: none), open /dev/vgpu. */
static int open_as_user(gid_t sup)
{
    pid_t pid = fork();
    int status;

    if (pid == 0) {
        if (setgroups(sup ? 1 : 0, &sup) || setgid(4321) || setuid(4321))
            _exit(3);
        int fd = open("/dev/vgpu", O_RDWR | O_CLOEXEC);
        _exit(fd >= 0 ? 0 : errno == EACCES ? 2 : 4);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

static int run_perm(void)
{
    struct stat st;
    int outsider, member;

    if (stat("/dev/vgpu", &st))
        return fail("stat /dev/vgpu");
    if ((st.st_mode & 07777) != 0660) {
        printf("VGPU-CLIENT-FAIL /dev/vgpu has mode %o, expected 660\n", st.st_mode & 07777);
        return 1;
    }
    outsider = open_as_user(0);
    /* What guest-kmod/60-vgpu.rules makes of it: group vgpu (here gid 4242). */
    if (chown("/dev/vgpu", 0, 4242))
        return fail("chown /dev/vgpu");
    member = open_as_user(4242);
    chown("/dev/vgpu", 0, 0);
    if (outsider != 2 || member != 0) {
        printf("VGPU-CLIENT-FAIL open as uid 4321: outside the group %d (expected 2 = EACCES), "
               "in it %d (expected 0)\n",
               outsider, member);
        return 1;
    }
    printf("VGPU-CLIENT-PERM-OK mode 660: outsider EACCES, group member opens\n");
    return 0;
}

/* One XS_WATCH on /dev/xen/xenbus. Returns 0 or the errno of the write. */
static int xenbus_watch(int fd, unsigned int n)
{
    struct {
        uint32_t type, req_id, tx_id, len;
        char body[64];
    } msg = {.type = 4 /* XS_WATCH */, .req_id = n};
    int len = snprintf(msg.body, sizeof(msg.body), "data/wq%c%u", 0, n);

    msg.len = (uint32_t)len + 1;
    return write(fd, &msg, 16 + msg.len) < 0 ? errno : 0;
}

static int run_watchquota(void)
{
    struct client c;
    unsigned int n;
    int xfd, vfd, err = 0, open_err;

    xfd = open("/dev/xen/xenbus", O_RDWR | O_CLOEXEC);
    if (xfd < 0)
        return fail("open /dev/xen/xenbus");
    for (n = 0; n < 2048 && (err = xenbus_watch(xfd, n)) == 0; n++)
        ;
    if (!err) {
        printf("VGPU-CLIENT-WATCHQUOTA-SKIP no watch quota after %u watches\n", n);
        close(xfd);
        return 0;
    }
    vfd = open("/dev/vgpu", O_RDWR | O_CLOEXEC);
    open_err = errno;
    if (vfd >= 0) {
        close(xfd);
        printf("VGPU-CLIENT-FAIL open succeeded with the watch quota spent (%u watches)\n", n);
        return 1;
    }
    close(xfd); /* the watches go with the file */
    if (client_open(&c) || run_ok(&c, 20, false))
        return 1;
    printf("VGPU-CLIENT-WATCHQUOTA-OK quota hit after %u watches (%s); open failed alone (%s), "
           "the device works afterwards\n",
           n, strerror(err), strerror(open_err));
    return 0;
}

int main(int argc, char **argv)
{
    struct client c;
    const char *mode = argc > 1 ? argv[1] : "ok";
    long n = argc > 2 ? atol(argv[2]) : 1000, i;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!strcmp(mode, "perm"))
        return run_perm();
    if (!strcmp(mode, "watchquota"))
        return run_watchquota();
    if (client_open(&c))
        return 1;
    if (!strcmp(mode, "hostile"))
        return run_hostile(&c);
    if (!strcmp(mode, "hbhostile"))
        return run_hbhostile(&c);
    if (!strcmp(mode, "storm")) {
        for (i = 0; i < n; i++) {
            if (ioctl(c.fd, VGPU_IOC_KICK))
                return fail("VGPU_IOC_KICK");
        }
        printf("VGPU-CLIENT-STORM kicks=%ld\n", n);
        n = 200;
    }
    return run_ok(&c, n, !strcmp(mode, "loop"));
}
