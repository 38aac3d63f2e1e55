/* test_libvgpu.c: libvgpu against an in-process fake vgpud (real local port, real ring helpers). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>
#include "vgpu.h"
#include "vgpu_internal.h"
#include "vgpu_kernels.h"
#include "vgpu_local.h"
#include "vgpu_proto.h"

#define DEV_BASE  0x100000000ull
#define DEV_SIZE  (1u << 20)
#define LOG_MAX   4096
#define FUNC_VADD 0x77
#define NEW_FEATURES                                                                               \
    (VGPU_FEAT_FUNC_PARAMS | VGPU_FEAT_MODULE_CHUNKS | VGPU_FEAT_GLOBALS |                         \
     VGPU_FEAT_STREAMS)      /* what old_host lacks */
#define MARK_NS 123456789ull /* the fake's host time for the n-th mark: MARK_NS + n */

/* The fake vgpud: one client, jobs answered only once closed, as the real host does. */
struct fake {
    char dir[64], path[128];
    int lsock, sock, kick_fd, notify_fd;
    pthread_t thr;
    bool joined;
    /* behaviour, set before start */
    uint32_t welcome_status;
    bool poll_mode;        /* poll the ring instead of sleeping on kicks */
    uint16_t die_on_op;    /* close the socket when this op arrives */
    uint16_t bad_id_on_op; /* answer this op with a wrong id */
    uint32_t max_inflight;
    bool old_host; /* does not offer VGPU_FEAT_FUNC_PARAMS */
    /* what it saw */
    struct vgpu_local_hello hello;
    uint32_t seals;
    struct vgpu_req log[LOG_MAX];
    uint32_t nlog;
    uint32_t njobs;
    uint32_t max_outstanding;
    uint32_t kicks_read;
    /* channel state */
    struct vgpu_back_ring ring;
    uint8_t *data;
    uint64_t data_size;
    struct vgpu_limits lim;
    struct vgpu_req job[LOG_MAX];
    uint32_t njob;
    uint64_t dev_top;
    uint32_t nmarks;
    uint8_t dev[DEV_SIZE];
};

static bool dev_range(struct fake *f, uint64_t p, uint64_t len)
{
    return p >= DEV_BASE && vgpu_proto_range_ok(p - DEV_BASE, len, f->dev_top);
}

static uint8_t *dev_at(struct fake *f, uint64_t p)
{
    return f->dev + (p - DEV_BASE);
}

static uint32_t fake_launch(struct fake *f, const struct vgpu_req_launch *l)
{
    struct vgpu_k_vector_add k;
    uint32_t i;

    if (l->func != FUNC_VADD || l->params_len != sizeof(k))
        return VGPU_S_BAD_HANDLE;
    if (vgpu_proto_copy_in(f->data, f->data_size, l->params_off, sizeof(k), &k))
        return VGPU_S_BAD_RANGE;
    if (!dev_range(f, k.a, 4ull * k.n) || !dev_range(f, k.b, 4ull * k.n) ||
        !dev_range(f, k.c, 4ull * k.n))
        return VGPU_S_BAD_HANDLE;
    for (i = 0; i < k.n; i++) {
        float a, b, c;
        memcpy(&a, dev_at(f, k.a) + 4 * i, 4);
        memcpy(&b, dev_at(f, k.b) + 4 * i, 4);
        c = a + b;
        memcpy(dev_at(f, k.c) + 4 * i, &c, 4);
    }
    return VGPU_S_OK;
}

/* vector_add's layout: three pointers and a u32. */
static uint32_t fake_func_params(struct fake *f, const struct vgpu_req_func_params *q,
                                 struct vgpu_rsp *rsp)
{
    static const struct vgpu_param_info vadd[] = {{0, 8}, {8, 8}, {16, 8}, {24, 4}};
    uint32_t n = 4;

    if (q->func != FUNC_VADD)
        return VGPU_S_BAD_HANDLE;
    memcpy(f->data + q->data_off, vadd, (q->max < n ? q->max : n) * sizeof(vadd[0]));
    rsp->u.handle = n;
    return VGPU_S_OK;
}

/* Execute one copied, validated request into rsp. */
static uint32_t fake_exec(struct fake *f, const struct vgpu_req *q, struct vgpu_rsp *rsp)
{
    const struct vgpu_req_copy *c = &q->u.copy;
    struct vgpu_device_info info = {0};
    uint16_t ver;
    char name[VGPU_NAME_MAX];

    switch (q->op) {
    case VGPU_OP_HELLO:
        if (vgpu_proto_negotiate(&q->u.hello,
                                 VGPU_FEAT_EVENT_IDX | (f->old_host ? 0 : NEW_FEATURES), &ver,
                                 &rsp->u.hello.features))
            return VGPU_S_VERSION;
        f->lim.features = rsp->u.hello.features; /* stream ids pass from now on */
        rsp->u.hello.version = ver;
        rsp->u.hello.nr_slots = f->ring.nr_slots;
        rsp->u.hello.data_size = f->data_size;
        rsp->u.hello.max_inflight = f->max_inflight;
        return VGPU_S_OK;
    case VGPU_OP_DEVICE_INFO:
        strcpy(info.name, "fake");
        info.executor = VGPU_EXECUTOR_CPU_REF;
        memcpy(f->data + q->u.info.data_off, &info, sizeof(info));
        return VGPU_S_OK;
    case VGPU_OP_MEM_ALLOC:
        if (q->u.alloc.size > DEV_SIZE - f->dev_top)
            return VGPU_S_NO_MEMORY;
        rsp->u.handle = DEV_BASE + f->dev_top;
        f->dev_top += (q->u.alloc.size + 255) & ~255ull;
        return VGPU_S_OK;
    case VGPU_OP_MEMSET:
        if (!dev_range(f, q->u.memset.dptr, q->u.memset.len))
            return VGPU_S_BAD_HANDLE;
        memset(dev_at(f, q->u.memset.dptr), (int)q->u.memset.value, q->u.memset.len);
        return VGPU_S_OK;
    case VGPU_OP_COPY_HTOD:
    case VGPU_OP_COPY_DTOH:
        if (!dev_range(f, c->dptr, c->len))
            return VGPU_S_BAD_HANDLE;
        if (q->op == VGPU_OP_COPY_HTOD)
            memcpy(dev_at(f, c->dptr), f->data + c->data_off, c->len);
        else
            memcpy(f->data + c->data_off, dev_at(f, c->dptr), c->len);
        return VGPU_S_OK;
    case VGPU_OP_FUNC_GET:
        if (vgpu_proto_copy_name(f->data, f->data_size, &q->u.func, name))
            return VGPU_S_BAD_NAME;
        if (strcmp(name, VGPU_K_VECTOR_ADD) != 0)
            return VGPU_S_NOT_FOUND;
        rsp->u.handle = FUNC_VADD;
        return VGPU_S_OK;
    case VGPU_OP_MODULE_LOAD:
        rsp->u.handle = 0x5000;
        return VGPU_S_OK;
    case VGPU_OP_FUNC_PARAMS:
        return fake_func_params(f, &q->u.func_params, rsp);
    case VGPU_OP_GLOBAL_GET:
        if (vgpu_proto_copy_name(f->data, f->data_size, &q->u.func, name))
            return VGPU_S_BAD_NAME;
        if (strcmp(name, "counter") != 0)
            return VGPU_S_NOT_FOUND;
        rsp->u.global.dptr = DEV_BASE + 0x400;
        rsp->u.global.size = 12;
        return VGPU_S_OK;
    case VGPU_OP_MODULE_CHUNK:
        rsp->u.handle = q->u.chunk.flags & VGPU_CHUNKF_LAST ? 0x5000 : 0;
        return VGPU_S_OK;
    case VGPU_OP_LAUNCH:
        return fake_launch(f, &q->u.launch);
    case VGPU_OP_EVENT_MARK:
        rsp->u.handle = MARK_NS + f->nmarks++;
        return VGPU_S_OK;
    default:
        return VGPU_S_OK;
    }
}

/* Run the closed job and answer each of its requests in order. */
static void fake_run_job(struct fake *f)
{
    uint32_t i;

    for (i = 0; i < f->njob; i++) {
        struct vgpu_rsp rsp = {0};
        int st = vgpu_proto_check_req(&f->job[i], &f->lim);

        rsp.id = f->job[i].id + (f->job[i].op == f->bad_id_on_op ? 1000 : 0);
        rsp.op = f->job[i].op;
        rsp.status = st ? (uint32_t)st : fake_exec(f, &f->job[i], &rsp);
        vgpu_back_put_rsp(&f->ring, &rsp);
    }
    f->njob = 0;
    f->njobs++;
    if (vgpu_back_push(&f->ring)) {
        uint64_t one = 1;
        assert_int_equal(write(f->notify_fd, &one, 8), 8);
    }
}

/* Take every ready request; false when the client must be dropped. */
static bool fake_take(struct fake *f, uint32_t *got)
{
    uint32_t ready, i, out;

    if (!vgpu_back_snapshot(&f->ring, &ready))
        return false;
    out = VGPU_READ_ONCE(f->ring.sring->req_prod) - f->ring.rsp_prod_pvt;
    if (out > f->max_outstanding)
        f->max_outstanding = out;
    for (i = 0; i < ready; i++) {
        struct vgpu_req *q = &f->job[f->njob++];

        vgpu_back_take_req(&f->ring, q);
        if (f->nlog < LOG_MAX)
            f->log[f->nlog++] = *q;
        if (q->op == f->die_on_op)
            return false;
        if ((q->flags & VGPU_REQF_END_JOB) || q->op == VGPU_OP_SYNC || q->op == VGPU_OP_BATCH_END)
            fake_run_job(f);
    }
    *got = ready;
    return true;
}

/* Wait for a kick (or, polling, just yield); false once the client hung up. */
static bool fake_idle(struct fake *f)
{
    struct pollfd pfd[2] = {{.fd = f->kick_fd, .events = POLLIN},
                            {.fd = f->sock, .events = POLLIN}};
    uint64_t cnt;

    if (f->poll_mode) {
        vgpu_back_disarm(&f->ring);
        if (poll(&pfd[1], 1, 0) > 0)
            return false;
        sched_yield();
        return true;
    }
    if (vgpu_back_arm(&f->ring))
        return true;
    if (poll(pfd, 2, 5000) <= 0 || pfd[1].revents)
        return false;
    if (read(f->kick_fd, &cnt, 8) == 8)
        f->kicks_read++;
    return true;
}

/* Receive the hello and its three descriptors, map the memfd, send the welcome. */
static bool fake_handshake(struct fake *f)
{
    int fds[3];
    union {
        char buf[CMSG_SPACE(sizeof(fds))];
        struct cmsghdr align;
    } u;
    struct iovec iov = {.iov_base = &f->hello, .iov_len = sizeof(f->hello)};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
    struct vgpu_local_welcome w = {.magic = VGPU_LOCAL_MAGIC};
    struct stat st;
    size_t ring;
    void *m;

    f->sock = accept(f->lsock, NULL, NULL);
    if (f->sock < 0 || recvmsg(f->sock, &msg, 0) != sizeof(f->hello))
        return false;
    memcpy(fds, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(fds));
    f->kick_fd = fds[1];
    f->notify_fd = fds[2];
    f->seals = (uint32_t)fcntl(fds[0], F_GET_SEALS);
    w.status = f->welcome_status;
    strcpy(w.message, "fake says so");
    if (write(f->sock, &w, sizeof(w)) != sizeof(w) || w.status != VGPU_S_OK) {
        close(fds[0]);
        return false;
    }
    ring = vgpu_ring_bytes(f->hello.ring_order);
    fstat(fds[0], &st);
    m = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fds[0], 0);
    close(fds[0]);
    assert_true(m != MAP_FAILED);
    f->data = (uint8_t *)m + ring;
    f->data_size = (uint64_t)f->hello.data_pages * VGPU_PAGE_SIZE;
    assert_int_equal((uint64_t)st.st_size, ring + f->data_size);
    vgpu_proto_limits_default(&f->lim, f->data_size);
    vgpu_back_init(&f->ring, m, vgpu_ring_slots(f->hello.ring_order));
    return true;
}

static void *fake_main(void *arg)
{
    struct fake *f = arg;
    uint32_t got;

    if (fake_handshake(f)) {
        for (;;) {
            if (!fake_take(f, &got))
                break;
            if (got == 0 && !fake_idle(f))
                break;
        }
        munmap(f->ring.sring, vgpu_ring_bytes(f->hello.ring_order) + f->data_size);
    }
    if (f->sock >= 0)
        close(f->sock);
    if (f->kick_fd >= 0)
        close(f->kick_fd);
    if (f->notify_fd >= 0)
        close(f->notify_fd);
    f->sock = f->kick_fd = f->notify_fd = -1;
    return NULL;
}

static struct fake *fake_new(void)
{
    struct fake *f = calloc(1, sizeof(*f));
    struct sockaddr_un sa = {.sun_family = AF_UNIX};

    assert_non_null(f);
    strcpy(f->dir, "/tmp/vgpu-libtest-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/vgpud.sock", f->dir);
    strcpy(sa.sun_path, f->path);
    f->lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_int_equal(bind(f->lsock, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(f->lsock, 1), 0);
    f->sock = f->kick_fd = f->notify_fd = -1;
    return f;
}

static void fake_start(struct fake *f)
{
    assert_int_equal(pthread_create(&f->thr, NULL, fake_main, f), 0);
}

static void fake_free(struct fake *f)
{
    if (!f->joined)
        pthread_join(f->thr, NULL);
    close(f->lsock);
    unlink(f->path);
    rmdir(f->dir);
    free(f);
}

/* A started fake and a channel open on it. */
static vgpu_channel *open_on(struct fake *f, uint32_t ring_order, uint32_t data_pages,
                             int64_t poll_ns)
{
    struct vgpu_open_opts o = {.transport = VGPU_TRANSPORT_LOCAL,
                               .socket_path = f->path,
                               .instance = "vm-test",
                               .ring_order = ring_order,
                               .data_pages = data_pages,
                               .poll_ns = poll_ns};
    vgpu_channel *ch = NULL;

    fake_start(f);
    assert_int_equal(vgpu_open(&o, &ch), 0);
    return ch;
}

static void test_open_no_socket(void **state)
{
    struct vgpu_open_opts o = {
        .transport = VGPU_TRANSPORT_LOCAL, .socket_path = "/nonexistent/vgpud.sock", .poll_ns = -1};
    vgpu_channel *ch = (vgpu_channel *)&o;

    assert_int_equal(vgpu_open(&o, &ch), -VGPU_S_NO_DEVICE);
    assert_null(ch);
}

static void test_open_denied(void **state)
{
    struct fake *f = fake_new();
    struct vgpu_open_opts o = {.transport = VGPU_TRANSPORT_LOCAL,
                               .socket_path = f->path,
                               .instance = "stranger",
                               .poll_ns = -1};
    vgpu_channel *ch = NULL;

    f->welcome_status = VGPU_S_DENIED;
    fake_start(f);
    assert_int_equal(vgpu_open(&o, &ch), -VGPU_S_DENIED);
    assert_null(ch);
    fake_free(f);
}

static void test_open_env_and_bad_transport(void **state)
{
    struct fake *f = fake_new();
    vgpu_channel *ch = NULL;

    setenv("VGPU_TRANSPORT", "carrier-pigeon", 1);
    assert_int_equal(vgpu_open(NULL, &ch), -VGPU_S_BAD_FIELD);
    setenv("VGPU_TRANSPORT", "local", 1);
    setenv("VGPU_SOCKET", f->path, 1);
    setenv("VGPU_INSTANCE", "from-env", 1);
    setenv("VGPU_POLL_NS", "1234", 1);
    fake_start(f);
    assert_int_equal(vgpu_open(NULL, &ch), 0);
    {
        struct vgpu__layout l;
        vgpu__channel_layout(ch, &l);
        assert_int_equal(l.poll_ns, 1234);
        assert_int_equal(l.data_size, 1022 * VGPU_PAGE_SIZE);
        assert_int_equal(l.nr_slots, vgpu_ring_slots(2));
    }
    vgpu_close(ch);
    fake_free(f);
    unsetenv("VGPU_TRANSPORT");
    unsetenv("VGPU_SOCKET");
    unsetenv("VGPU_INSTANCE");
    unsetenv("VGPU_POLL_NS");
}

static void test_hello_and_handshake(void **state)
{
    struct fake *f = fake_new();
    vgpu_channel *ch = open_on(f, 1, 8, -1);
    struct vgpu_device_info info;

    assert_int_equal(vgpu_device_info(ch, &info), 0);
    assert_string_equal(info.name, "fake");
    assert_string_equal(vgpu_executor_name(info.executor), "cpu-reference");
    vgpu_close(ch);
    fake_free(f);
}

static void test_hello_fields(void **state)
{
    struct fake *f = fake_new();
    vgpu_channel *ch = open_on(f, 1, 8, -1);
    struct vgpu_req h;

    vgpu_close(ch);
    pthread_join(f->thr, NULL); /* the fake ends when the channel hangs up */
    assert_int_equal(f->hello.magic, VGPU_LOCAL_MAGIC);
    assert_int_equal(f->hello.version, VGPU_LOCAL_VERSION);
    assert_int_equal(f->hello.ring_order, 1);
    assert_int_equal(f->hello.data_pages, 8);
    assert_string_equal(f->hello.instance, "vm-test");
    assert_true(f->seals & F_SEAL_SHRINK);
    assert_true(f->seals & F_SEAL_GROW);
    assert_true(f->nlog >= 1);
    h = f->log[0];
    assert_int_equal(h.op, VGPU_OP_HELLO);
    assert_int_equal(h.flags, VGPU_REQF_END_JOB);
    assert_int_equal(h.u.hello.version_min, 1);
    assert_int_equal(h.u.hello.version_max, 1);
    assert_int_equal(h.u.hello.features, VGPU_FEAT_EVENT_IDX | NEW_FEATURES | VGPU_FEAT_HOSTBUF);
    f->joined = true;
    fake_free(f);
}

/* How many requests with op f saw. */
static uint32_t count_op(const struct fake *f, uint16_t op)
{
    uint32_t i, n = 0;

    for (i = 0; i < f->nlog; i++)
        n += f->log[i].op == op;
    return n;
}

static void test_one_job_per_launch(void **state)
{
    struct fake *f = fake_new();
    vgpu_channel *ch = open_on(f, 2, 64, -1);
    float a[256], b[256], c[256];
    uint64_t da, db, dc, fn, mod;
    struct vgpu_k_vector_add k;
    uint32_t grid[3] = {1, 1, 1}, block[3] = {256, 1, 1}, i, first, jobs;

    for (i = 0; i < 256; i++) {
        a[i] = (float)i;
        b[i] = 2.0f * (float)i;
    }
    assert_int_equal(vgpu_module_load(ch, "ptx", 3, &mod), 0);
    assert_int_equal(vgpu_func_get(ch, mod, VGPU_K_VECTOR_ADD, &fn), 0);
    assert_int_equal(vgpu_mem_alloc(ch, sizeof(a), &da), 0);
    assert_int_equal(vgpu_mem_alloc(ch, sizeof(b), &db), 0);
    assert_int_equal(vgpu_mem_alloc(ch, sizeof(c), &dc), 0);
    first = f->nlog;
    jobs = f->njobs;
    k = (struct vgpu_k_vector_add){.a = da, .b = db, .c = dc, .n = 256};
    assert_int_equal(vgpu_copy_htod(ch, da, a, sizeof(a)), 0);
    assert_int_equal(vgpu_copy_htod(ch, db, b, sizeof(b)), 0);
    assert_int_equal(vgpu_launch(ch, fn, grid, block, 0, &k, sizeof(k)), 0);
    assert_int_equal(vgpu_sync(ch), 0);
    /* copies + launch + SYNC reached the host as one job, closed by SYNC alone */
    assert_int_equal(f->njobs, jobs + 1);
    assert_int_equal(f->nlog - first, 4);
    assert_int_equal(f->log[first].op, VGPU_OP_COPY_HTOD);
    assert_int_equal(f->log[first + 2].op, VGPU_OP_LAUNCH);
    assert_int_equal(f->log[first + 3].op, VGPU_OP_SYNC);
    for (i = 0; i < 4; i++)
        assert_int_equal(f->log[first + i].flags, 0);
    assert_int_equal(vgpu_copy_dtoh(ch, c, dc, sizeof(c)), 0);
    for (i = 0; i < 256; i++)
        assert_true(c[i] == 3.0f * (float)i);
    vgpu_close(ch);
    fake_free(f);
}

static void test_copy_chunked_pipelined(void **state)
{
    struct fake *f = fake_new();
    vgpu_channel *ch = open_on(f, 0, 4, -1); /* 16 KiB: 8 KiB staging, 4 KiB chunks */
    size_t len = 100 * 1024 + 13, i;
    uint8_t *in = malloc(len), *out = malloc(len);
    uint64_t d, next, total = 0;
    struct vgpu__layout l;
    uint32_t first, jobs;

    vgpu__channel_layout(ch, &l);
    assert_int_equal(l.stage_size, 8192);
    for (i = 0; i < len; i++)
        in[i] = (uint8_t)(i * 7 + 3);
    assert_int_equal(vgpu_mem_alloc(ch, len, &d), 0);
    first = f->nlog;
    jobs = f->njobs;
    assert_int_equal(vgpu_copy_htod(ch, d, in, len), 0);
    assert_int_equal(vgpu_sync(ch), 0);
    next = d;
    for (i = first; i < f->nlog && f->log[i].op == VGPU_OP_COPY_HTOD; i++) {
        const struct vgpu_req_copy *c = &f->log[i].u.copy;
        assert_int_equal(c->dptr, next);
        assert_true(c->len <= 4096);
        assert_true(c->data_off + c->len <= l.stage_size);
        next += c->len;
        total += c->len;
    }
    assert_int_equal(total, len);
    assert_int_equal(i - first, (len + 4095) / 4096);
    /* each chunk is its own job, so the host copies it while the next one is filled */
    assert_int_equal(f->njobs - jobs, (len + 4095) / 4096 + 1);
    memset(out, 0, len);
    assert_int_equal(vgpu_copy_dtoh(ch, out, d, len), 0);
    assert_memory_equal(in, out, len);
    assert_int_equal(count_op(f, VGPU_OP_COPY_DTOH), (len + 4095) / 4096);
    vgpu_close(ch);
    fake_free(f);
    free(in);
    free(out);
}

static void test_async_error_reported_by_sync(void **state)
{
    struct fake *f = fake_new();
    vgpu_channel *ch = open_on(f, 2, 16, -1);

    struct vgpu_error e;

    vgpu_last_error(ch, &e);
    assert_int_equal(e.op, 0);
    assert_int_equal(vgpu_memset(ch, 0xdead0000ull, 1, 16), 0);
    assert_int_equal(vgpu_sync(ch), -VGPU_S_BAD_HANDLE);
    vgpu_last_error(ch, &e);
    assert_int_equal(e.op, VGPU_OP_MEMSET);
    assert_int_equal(e.status, VGPU_S_BAD_HANDLE);
    assert_int_equal(vgpu_sync(ch), 0);
    assert_int_equal(vgpu_mem_alloc(ch, 0, NULL), -VGPU_S_BAD_FIELD);
    assert_int_equal(vgpu_mem_alloc(ch, 2 * DEV_SIZE, &(uint64_t){0}), -VGPU_S_NO_MEMORY);
    vgpu_last_error(ch, &e);
    assert_int_equal(e.op, VGPU_OP_MEM_ALLOC);
    assert_int_equal(e.status, VGPU_S_NO_MEMORY);
    vgpu_close(ch);
    fake_free(f);
}

static void test_ring_full_submits(void **state)
{
    struct fake *f = fake_new();
    vgpu_channel *ch = open_on(f, 1, 16, -1); /* 64 slots (order 0 means the default) */
    uint64_t d;
    uint8_t buf[200];
    int i;

    assert_int_equal(vgpu_mem_alloc(ch, 200, &d), 0);
    for (i = 0; i < 200; i++)
        assert_int_equal(vgpu_memset(ch, d + (uint64_t)i, (uint8_t)i, 1), 0);
    assert_int_equal(vgpu_copy_dtoh(ch, buf, d, sizeof(buf)), 0);
    for (i = 0; i < 200; i++)
        assert_int_equal(buf[i], (uint8_t)i);
    assert_in_range(f->max_outstanding, 1, 64);
    assert_int_equal(count_op(f, VGPU_OP_MEMSET), 200);
    vgpu_close(ch);
    fake_free(f);
}

static void test_max_inflight_honoured(void **state)
{
    struct fake *f = fake_new();
    vgpu_channel *ch;
    uint64_t d;
    int i;

    f->max_inflight = 4;
    ch = open_on(f, 2, 16, -1);
    assert_int_equal(vgpu_mem_alloc(ch, 64, &d), 0);
    for (i = 0; i < 50; i++)
        assert_int_equal(vgpu_memset(ch, d, 0, 64), 0);
    assert_int_equal(vgpu_sync(ch), 0);
    assert_true(f->max_outstanding <= 4);
    vgpu_close(ch);
    fake_free(f);
}

static void test_polling_needs_no_kicks(void **state)
{
    struct fake *f = fake_new();
    vgpu_channel *ch;
    struct vgpu__stats s0, s1;
    int i;

    f->poll_mode = true;
    ch = open_on(f, 2, 16, 2000000000); /* spin up to 2 s: always long enough */
    vgpu__channel_stats(ch, &s0);
    for (i = 0; i < 200; i++)
        assert_int_equal(vgpu_nop(ch), 0);
    vgpu__channel_stats(ch, &s1);
    assert_int_equal(s1.kicks - s0.kicks, 0);   /* the host polls: never signalled */
    assert_int_equal(s1.sleeps - s0.sleeps, 0); /* we polled: never slept */
    assert_int_equal(s1.spin_hits - s0.spin_hits, s1.spins - s0.spins);
    assert_int_equal(s1.responses - s0.responses, 200);
    vgpu_close(ch);
    fake_free(f);
}

static void test_sleeping_kicks_and_sleeps(void **state)
{
    struct fake *f = fake_new();
    vgpu_channel *ch = open_on(f, 2, 16, 0); /* never spin */
    struct vgpu__stats s0, s1;
    int i;

    vgpu__channel_stats(ch, &s0);
    for (i = 0; i < 50; i++)
        assert_int_equal(vgpu_nop(ch), 0);
    vgpu__channel_stats(ch, &s1);
    assert_int_equal(s1.spins, 0);
    assert_int_equal(s1.spin_ns, 0);
    assert_true(s1.kicks - s0.kicks >= 1);
    assert_true(s1.sleeps - s0.sleeps >= 1);
    assert_int_equal(s1.jobs - s0.jobs, 50);
    vgpu_close(ch);
    fake_free(f);
}

static void test_backend_dies_mid_request(void **state)
{
    struct fake *f = fake_new();
    vgpu_channel *ch;
    uint64_t d;

    f->die_on_op = VGPU_OP_NOP;
    ch = open_on(f, 2, 16, 1000);
    assert_int_equal(vgpu_nop(ch), -VGPU_S_NO_DEVICE);
    assert_int_equal(vgpu_mem_alloc(ch, 64, &d), -VGPU_S_NO_DEVICE);
    assert_int_equal(vgpu_sync(ch), -VGPU_S_NO_DEVICE);
    vgpu_close(ch);
    fake_free(f);
}

static void test_response_with_wrong_id(void **state)
{
    struct fake *f = fake_new();
    vgpu_channel *ch;

    f->bad_id_on_op = VGPU_OP_NOP;
    ch = open_on(f, 2, 16, -1);
    assert_int_equal(vgpu_nop(ch), -VGPU_S_PROTOCOL);
    assert_int_equal(vgpu_nop(ch), -VGPU_S_PROTOCOL);
    vgpu_close(ch);
    fake_free(f);
}

static void test_host_buffers(void **state)
{
    struct fake *f = fake_new();
    vgpu_channel *ch = open_on(f, 2, 16, -1); /* 64 KiB: 32 KiB host buffers */
    uint8_t *a, *b, *c, local[16];
    struct vgpu_error e;
    uint64_t d;
    int i;

    a = vgpu_host_alloc(ch, 10000);
    b = vgpu_host_alloc(ch, 10000);
    assert_non_null(a);
    assert_non_null(b);
    assert_null(vgpu_host_alloc(ch, 20000)); /* full */
    vgpu_last_error(ch, &e); /* a host without buffers of their own: UNSUPPORTED says so */
    assert_int_equal(e.op, VGPU_OP_HOSTBUF_MAP);
    assert_int_equal(e.status, VGPU_S_UNSUPPORTED);
    assert_null(vgpu_host_alloc(ch, 0));
    vgpu_last_error(ch, &e);
    assert_int_equal(e.status, VGPU_S_BAD_FIELD);
    for (i = 0; i < 10000; i++)
        a[i] = (uint8_t)(i ^ 0x5a);
    assert_int_equal(vgpu_mem_alloc(ch, 10000, &d), 0);
    assert_int_equal(vgpu_copy_htod_async(ch, d, a, 10000), 0);
    assert_int_equal(vgpu_copy_dtoh_async(ch, b, d, 10000), 0);
    assert_int_equal(vgpu_sync(ch), 0);
    assert_memory_equal(a, b, 10000);
    assert_int_equal(vgpu_copy_htod_async(ch, d, local, sizeof(local)), -VGPU_S_BAD_RANGE);
    vgpu_host_free(ch, a);
    c = vgpu_host_alloc(ch, 8000); /* reuses the first gap */
    assert_ptr_equal(c, a);
    vgpu_host_free(ch, b);
    vgpu_host_free(ch, c);
    vgpu_close(ch);
    fake_free(f);
}

static void test_func_params(void **state)
{
    struct fake *f = fake_new();
    vgpu_channel *ch = open_on(f, 2, 16, -1);
    struct vgpu_param_info p[8];
    uint32_t n = 0;

    assert_int_equal(vgpu_func_params(ch, FUNC_VADD, p, 8, &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(p[3].offset, 24);
    assert_int_equal(p[3].size, 4);
    memset(p, 0, sizeof(p));
    assert_int_equal(vgpu_func_params(ch, FUNC_VADD, p, 2, &n), 0); /* room for two of four */
    assert_int_equal(n, 4);
    assert_int_equal(p[1].offset, 8);
    assert_int_equal(p[2].size, 0);
    assert_int_equal(vgpu_func_params(ch, FUNC_VADD + 1, p, 8, &n), -VGPU_S_BAD_HANDLE);
    assert_int_equal(vgpu_func_params(ch, FUNC_VADD, p, 0, &n), -VGPU_S_BAD_FIELD);
    vgpu_close(ch);
    fake_free(f);
}

/* GLOBAL_GET sends the module and name and gives back the host's address and size. */
static void test_global_get(void **state)
{
    struct fake *f = fake_new();
    vgpu_channel *ch = open_on(f, 2, 16, -1);
    uint64_t dptr = 0, size = 0;

    assert_int_equal(vgpu_global_get(ch, 0x5000, "counter", &dptr, &size), 0);
    assert_int_equal(dptr, DEV_BASE + 0x400);
    assert_int_equal(size, 12);
    assert_int_equal(f->log[f->nlog - 1].u.func.module, 0x5000);
    assert_int_equal(vgpu_global_get(ch, 0x5000, "other", &dptr, &size), -VGPU_S_NOT_FOUND);
    assert_int_equal(vgpu_global_get(ch, 0x5000, "", &dptr, &size), -VGPU_S_BAD_NAME);
    vgpu_close(ch);
    fake_free(f);
}

/* An image beyond half of staging goes in ordered chunks; only the last answers the module. */
static void test_module_chunks(void **state)
{
    struct fake *f = fake_new();
    vgpu_channel *ch = open_on(f, 2, 16, -1); /* 64 KiB: 32 KiB staging, 16 KiB chunks */
    size_t len = 40 * 1024 + 3, i, n = 0, at = 0;
    char *image = malloc(len);
    uint64_t mod = 0;

    memset(image, 'p', len);
    assert_int_equal(vgpu_module_load(ch, image, len, &mod), 0);
    assert_int_equal(mod, 0x5000);
    for (i = 0; i < f->nlog; i++) {
        const struct vgpu_req_module_chunk *k = &f->log[i].u.chunk;
        if (f->log[i].op != VGPU_OP_MODULE_CHUNK)
            continue;
        assert_int_equal(k->total, len);
        assert_int_equal(k->offset, at);
        at += k->len;
        n++;
        assert_int_equal(!!(k->flags & VGPU_CHUNKF_LAST), at == len);
    }
    assert_int_equal(n, 3);
    assert_int_equal(at, len);
    assert_int_equal(count_op(f, VGPU_OP_MODULE_LOAD), 0);
    vgpu_close(ch);
    fake_free(f);
    free(image);
}

/* The request of op last logged by the fake. */
static const struct vgpu_req *last_op(const struct fake *f, uint16_t op)
{
    uint32_t i = f->nlog;

    while (i-- > 0)
        if (f->log[i].op == op)
            return &f->log[i];
    fail_msg("op %u never reached the fake", op);
    return NULL;
}

/* Stream ids ride in rsvd0 of the ops that carry one; a mark ends its job and gets the time. */
static void test_streams_on_the_wire(void **state)
{
    struct fake *f = fake_new();
    vgpu_channel *ch = open_on(f, 2, 16, -1);
    struct vgpu_mark m, m2;
    uint64_t d;
    int idle = 0, r;

    assert_int_equal(vgpu_mem_alloc(ch, 4096, &d), 0);
    assert_int_equal(vgpu_set_stream(ch, 5), 0);
    assert_int_equal(vgpu_memset(ch, d, 1, 4096), 0);
    assert_int_equal(vgpu_mark(ch, &m), 0);
    assert_int_equal(vgpu_mark_wait(ch, &m), 0);
    assert_int_equal(m.done, 1);
    assert_int_equal(m.host_ns, MARK_NS);
    assert_int_equal(last_op(f, VGPU_OP_MEMSET)->rsvd0, 5);
    assert_int_equal(last_op(f, VGPU_OP_EVENT_MARK)->rsvd0, 5);
    assert_int_equal(last_op(f, VGPU_OP_EVENT_MARK)->flags, VGPU_REQF_END_JOB);
    assert_int_equal(vgpu_mem_free(ch, d), 0); /* carries no stream */
    assert_int_equal(last_op(f, VGPU_OP_MEM_FREE)->rsvd0, 0);
    assert_int_equal(vgpu_set_stream(ch, 0), 0);
    assert_int_equal(vgpu_mark(ch, &m2), 0);
    while (!m2.done) /* the fake answers on its own thread; poll never waits */
        assert_int_equal(vgpu_poll(ch, &idle), 0);
    assert_int_equal(vgpu_poll(ch, &idle), 0);
    assert_int_equal(idle, 1);
    assert_int_equal(m2.host_ns, MARK_NS + 1);
    assert_int_equal(last_op(f, VGPU_OP_EVENT_MARK)->rsvd0, 0);
    assert_int_equal(vgpu_mark_wait(ch, &m2), 0); /* answered already: at once */
    /* An error of queued work comes back from the poll that finds the channel idle, once. */
    assert_int_equal(vgpu_memset(ch, DEV_BASE + DEV_SIZE, 1, 16), 0);
    do
        r = vgpu_poll(ch, &idle);
    while (r == 0 && !idle);
    assert_int_equal(r, -VGPU_S_BAD_HANDLE);
    assert_int_equal(idle, 1);
    assert_int_equal(vgpu_poll(ch, &idle), 0);
    vgpu_close(ch);
    fake_free(f);
}

/* A host without the new features is never sent their ops (it would close the channel). */
static void test_func_params_old_host(void **state)
{
    struct fake *f = fake_new();
    vgpu_channel *ch;
    struct vgpu_param_info p[8];
    uint32_t n = 0, before;
    static char big[40 * 1024];
    uint64_t mod;

    f->old_host = true;
    ch = open_on(f, 2, 16, -1);
    before = f->nlog;
    assert_int_equal(vgpu_func_params(ch, FUNC_VADD, p, 8, &n), -VGPU_S_UNSUPPORTED);
    assert_int_equal(f->nlog, before);
    /* Nor MODULE_CHUNK: an image beyond staging fails here as before. */
    assert_int_equal(vgpu_module_load(ch, big, sizeof(big), &mod), -VGPU_S_NO_MEMORY);
    assert_int_equal(count_op(f, VGPU_OP_MODULE_CHUNK), 0);
    /* Nor GLOBAL_GET. */
    assert_int_equal(vgpu_global_get(ch, 0x5000, "counter", &mod, &mod), -VGPU_S_UNSUPPORTED);
    assert_int_equal(count_op(f, VGPU_OP_GLOBAL_GET), 0);
    /* Nor a stream id or EVENT_MARK. */
    assert_int_equal(vgpu_set_stream(ch, 3), -VGPU_S_UNSUPPORTED);
    assert_int_equal(vgpu_mark(ch, (struct vgpu_mark[1]){{0}}), -VGPU_S_UNSUPPORTED);
    assert_int_equal(vgpu_mem_alloc(ch, 256, &mod), 0);
    assert_int_equal(vgpu_memset(ch, mod, 1, 256), 0);
    assert_int_equal(vgpu_sync(ch), 0);
    assert_int_equal(last_op(f, VGPU_OP_MEMSET)->rsvd0, 0);
    assert_int_equal(count_op(f, VGPU_OP_EVENT_MARK), 0);
    assert_int_equal(vgpu_nop(ch), 0);
    vgpu_close(ch);
    fake_free(f);
}

static void test_func_names(void **state)
{
    struct fake *f = fake_new();
    vgpu_channel *ch = open_on(f, 2, 16, -1);
    char longname[200];
    uint64_t fn;
    uint32_t n;

    memset(longname, 'x', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    n = f->nlog;
    assert_int_equal(vgpu_func_get(ch, 1, longname, &fn), -VGPU_S_BAD_NAME);
    assert_int_equal(vgpu_func_get(ch, 1, "", &fn), -VGPU_S_BAD_NAME);
    assert_int_equal(f->nlog, n); /* rejected before reaching the host */
    assert_int_equal(vgpu_func_get(ch, 1, "nope", &fn), -VGPU_S_NOT_FOUND);
    assert_int_equal(vgpu_launch(ch, 1, (uint32_t[3]){1, 1, 1}, (uint32_t[3]){1, 1, 1}, 0, longname,
                                 VGPU_PARAMS_MAX + 1),
                     -VGPU_S_BAD_LAUNCH);
    vgpu_close(ch);
    fake_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_no_socket),
        cmocka_unit_test(test_open_denied),
        cmocka_unit_test(test_open_env_and_bad_transport),
        cmocka_unit_test(test_hello_and_handshake),
        cmocka_unit_test(test_hello_fields),
        cmocka_unit_test(test_one_job_per_launch),
        cmocka_unit_test(test_copy_chunked_pipelined),
        cmocka_unit_test(test_async_error_reported_by_sync),
        cmocka_unit_test(test_ring_full_submits),
        cmocka_unit_test(test_max_inflight_honoured),
        cmocka_unit_test(test_polling_needs_no_kicks),
        cmocka_unit_test(test_sleeping_kicks_and_sleeps),
        cmocka_unit_test(test_backend_dies_mid_request),
        cmocka_unit_test(test_response_with_wrong_id),
        cmocka_unit_test(test_host_buffers),
        cmocka_unit_test(test_func_names),
        cmocka_unit_test(test_streams_on_the_wire),
        cmocka_unit_test(test_func_params),
        cmocka_unit_test(test_func_params_old_host),
        cmocka_unit_test(test_global_get),
        cmocka_unit_test(test_module_chunks),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
