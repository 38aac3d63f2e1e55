/* vgpuctl: the administrator's command-line tool (entry point). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vgpuctl.h"

static const char *current_cmd; /* for messages */

void vgpuctl_err(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, current_cmd ? "vgpuctl: %s: " : "vgpuctl: ", current_cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int vgpuctl_open_store(struct vgpuctl *c, int flags, struct vgpu_store **out)
{
    int rc = vgpu_store_open(c->db_path, flags, out);

    if (!rc)
        return VGPUCTL_OK;
    vgpuctl_err("cannot open the database %s: %s", c->db_path, vgpu_store_errmsg(*out));
    vgpu_store_close(*out);
    *out = NULL;
    return VGPUCTL_ERR;
}

int vgpuctl_store_error(struct vgpu_store *store, int err)
{
    vgpuctl_err("%s", vgpu_store_errmsg(store));
    if (err == -EEXIST || err == -EINVAL || err == -ENOENT)
        return VGPUCTL_USAGE;
    return VGPUCTL_ERR;
}

int main(int argc, char **argv)
{
    struct vgpuctl c;
    int rc = vgpuctl_parse(&c, argc, argv);

    if (rc < 0)
        return VGPUCTL_OK; /* help printed */
    if (rc)
        return rc;
    current_cmd = c.cmd->name;
    rc = c.cmd->run(&c);
    if (fflush(stdout) != 0 && rc == VGPUCTL_OK) {
        vgpuctl_err("writing the output: %s", strerror(errno));
        rc = VGPUCTL_ERR;
    }
    return rc;
}

void vgpuctl_info(const struct vgpuctl *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(c->json ? stderr : stdout, fmt, ap);
    va_end(ap);
}
