/* vgpuctl: client of vgpud's control socket (one JSON line each way). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vgpuctl.h"

#define CTL_TIMEOUT_MS 5000       /* per read or write */
#define CTL_REPLY_MAX  (1u << 20) /* a reply past this is refused */

static int ctl_connect(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        int err = -errno;

        close(fd);
        return err;
    }
    return fd;
}

static int wait_fd(int fd, short events)
{
    struct pollfd p = {.fd = fd, .events = events};
    int n;

    do {
        n = poll(&p, 1, CTL_TIMEOUT_MS);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    return n == 0 ? -ETIMEDOUT : 0;
}

static int send_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n;
        int rc = wait_fd(fd, POLLOUT);

        if (rc)
            return rc;
        n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Read one line (or up to EOF) into a fresh NUL-terminated buffer. */
static int recv_line(int fd, char **out)
{
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);

    if (!buf)
        return -ENOMEM;
    for (;;) {
        ssize_t n;
        int rc = wait_fd(fd, POLLIN);

        if (rc) {
            free(buf);
            return rc;
        }
        n = recv(fd, buf + len, cap - len - 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            free(buf);
            return -errno;
        }
        len += (size_t)n;
        buf[len] = '\0';
        if (n == 0 || memchr(buf + len - (size_t)n, '\n', (size_t)n))
            break;
        if (len + 1 == cap) {
            char *more = cap >= CTL_REPLY_MAX ? NULL : realloc(buf, cap * 2);

            if (!more) {
                free(buf);
                return cap >= CTL_REPLY_MAX ? -EMSGSIZE : -ENOMEM;
            }
            buf = more;
            cap *= 2;
        }
    }
    *out = buf;
    return 0;
}

int vgpuctl_ctl_request(const char *path, json_object *req, json_object **reply)
{
    const char *text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
    char *line = NULL;
    int rc, fd = ctl_connect(path);

    *reply = NULL;
    if (fd < 0)
        return fd;
    rc = send_all(fd, text, strlen(text));
    if (!rc)
        rc = send_all(fd, "\n", 1);
    if (!rc)
        rc = recv_line(fd, &line);
    close(fd);
    if (rc)
        return rc;
    *reply = json_tokener_parse(line);
    free(line);
    if (!*reply || !json_object_is_type(*reply, json_type_object)) {
        json_object_put(*reply);
        *reply = NULL;
        return -EPROTO;
    }
    return 0;
}
