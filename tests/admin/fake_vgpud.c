/*
 * A stand-in for vgpud's control socket, for vgpuctl's tests: it holds a
 * queue of jobs, ordered by vgpud's own scheduler (sched/: priority, then
 * FIFO) with priorities read from the real store, and re-reads a VM on
 * "vm-update". Usage: fake_vgpud SOCKET DB UUID... (one queued job each).
 * Prints "ready" once listening; exits on SIGTERM.
 */
#include <errno.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vgpu_sched.h"
#include "vgpu_store.h"

#define MAX_JOBS 16

struct job {
    char uuid[VGPU_STORE_UUID_LEN + 1];
    int priority;
    char pool[VGPU_STORE_POOL_MAX + 1];
    int seq;
};

static struct job jobs[MAX_JOBS];
static int njobs;
static const char *db_path;

static int refresh(const char *uuid)
{
    struct vgpu_store *store;
    struct vgpu_store_vm vm;
    int i, rc = vgpu_store_open(db_path, VGPU_STORE_RDONLY, &store);

    for (i = 0; !rc && i < njobs; i++) {
        if (uuid && strcmp(uuid, jobs[i].uuid))
            continue;
        rc = vgpu_store_vm_find(store, jobs[i].uuid, &vm);
        jobs[i].priority = vm.priority;
        snprintf(jobs[i].pool, sizeof(jobs[i].pool), "%s", vm.pool);
    }
    vgpu_store_close(store);
    return rc;
}

/*
 * The queue in the order vgpud's scheduler would dispatch it: a scratch
 * scheduler gets one VM per job at its current priority and the jobs in
 * arrival order, then is drained. order[i] is a job index. 0 or -errno.
 */
static int queue_order(int *order)
{
    struct vgpu_sched_params params = {.no_default_pools = true};
    struct vgpu_sched *s;
    struct vgpu_sched_job j;
    int i, n = 0, r = vgpu_sched_create(&s, &params);

    if (r == 0)
        r = vgpu_sched_pool_add(s, "A", NULL);
    for (i = 0; r == 0 && i < njobs; i++) {
        r = vgpu_sched_vm_add(s, (uint32_t)i + 1, "A", (unsigned)jobs[i].priority, 1);
        if (r == 0)
            r = vgpu_sched_submit(s, (uint32_t)i + 1, &jobs[i], (uint64_t)jobs[i].seq + 1, NULL);
    }
    while (r == 0 && vgpu_sched_dispatch(s, "A", 100, &j) == 0) {
        order[n++] = (int)((struct job *)j.cookie - jobs);
        r = vgpu_sched_complete(s, j.id, 100);
    }
    vgpu_sched_destroy(s);
    return r;
}

static json_object *status(void)
{
    json_object *o = json_object_new_object(), *pools = json_object_new_array();
    json_object *vms = json_object_new_array(), *pa = json_object_new_object();
    json_object *queue = json_object_new_array();
    int i, order[MAX_JOBS];

    if (queue_order(order) < 0) {
        fprintf(stderr, "fake_vgpud: the scheduler refused the queue\n");
        exit(1);
    }
    for (i = 0; i < njobs; i++)
        json_object_array_add(queue, json_object_new_string(jobs[order[i]].uuid));
    for (i = 0; i < njobs; i++) {
        json_object *v = json_object_new_object();

        json_object_object_add(v, "vm_id", json_object_new_int(i + 1));
        json_object_object_add(v, "uuid", json_object_new_string(jobs[i].uuid));
        json_object_object_add(v, "pool", json_object_new_string(jobs[i].pool));
        json_object_object_add(v, "priority", json_object_new_int(jobs[i].priority));
        json_object_object_add(v, "submitted", json_object_new_int(3));
        json_object_object_add(v, "completed", json_object_new_int(2));
        json_object_object_add(v, "failed", json_object_new_int(0));
        json_object_object_add(v, "cancelled", json_object_new_int(0));
        json_object_object_add(v, "wait_p50_ns", json_object_new_int64(1500000));
        json_object_object_add(v, "wait_p99_ns", json_object_new_int64(9000000));
        json_object_array_add(vms, v);
    }
    json_object_object_add(pa, "name", json_object_new_string("A"));
    json_object_object_add(pa, "queued", json_object_new_int(njobs));
    json_object_object_add(pa, "running", NULL);
    json_object_object_add(pa, "busy_ns", json_object_new_int64(42));
    json_object_object_add(pa, "queue", queue); /* test-only: the queue order */
    json_object_array_add(pools, pa);
    json_object_object_add(o, "ok", json_object_new_boolean(1));
    json_object_object_add(o, "executor", json_object_new_string("fake"));
    json_object_object_add(o, "pools", pools);
    json_object_object_add(o, "vms", vms);
    return o;
}

static json_object *answer(const char *line)
{
    json_object *req = json_tokener_parse(line), *cmd, *uuid, *r;
    const char *c =
        req && json_object_object_get_ex(req, "cmd", &cmd) ? json_object_get_string(cmd) : "";

    if (!strcmp(c, "status")) {
        r = status();
    } else if ((!strcmp(c, "vm-update") || !strcmp(c, "vm-remove")) &&
               json_object_object_get_ex(req, "uuid", &uuid)) {
        bool refuse = getenv("FAKE_REFUSE") != NULL;

        r = json_object_new_object();
        if (!refuse && !strcmp(c, "vm-update"))
            refresh(json_object_get_string(uuid));
        json_object_object_add(r, "ok", json_object_new_boolean(!refuse));
        if (refuse)
            json_object_object_add(r, "error", json_object_new_string("refused by test"));
    } else {
        r = json_object_new_object();
        json_object_object_add(r, "ok", json_object_new_boolean(0));
        json_object_object_add(r, "error", json_object_new_string("unknown command"));
    }
    printf("request %s\n", line);
    fflush(stdout);
    json_object_put(req);
    return r;
}

static void serve(int fd)
{
    char buf[4096];
    size_t len = 0;
    ssize_t n;

    while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0) {
        len += (size_t)n;
        if (memchr(buf, '\n', len))
            break;
    }
    buf[len] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    {
        json_object *r = answer(buf);
        const char *s = json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN);

        if (write(fd, s, strlen(s)) < 0 || write(fd, "\n", 1) < 0)
            perror("write");
        json_object_put(r);
    }
    close(fd);
}

int main(int argc, char **argv)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int i, fd;

    if (argc < 3 || argc - 3 > MAX_JOBS) {
        fprintf(stderr, "usage: fake_vgpud SOCKET DB UUID...\n");
        return 2;
    }
    db_path = argv[2];
    for (i = 3; i < argc; i++, njobs++) {
        snprintf(jobs[njobs].uuid, sizeof(jobs[njobs].uuid), "%s", argv[i]);
        jobs[njobs].seq = njobs;
    }
    if (refresh(NULL)) {
        fprintf(stderr, "fake_vgpud: cannot read the VMs from %s\n", db_path);
        return 1;
    }
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
    unlink(argv[1]);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 8)) {
        perror("fake_vgpud: listen");
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    for (;;) {
        int c = accept(fd, NULL, NULL);

        if (c < 0 && errno == EINTR)
            continue;
        if (c < 0)
            return 1;
        serve(c);
    }
}
