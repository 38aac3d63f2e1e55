/* metrics_off.c: --metrics where vgpud was built without libmicrohttpd: refused with the reason. */
#include <errno.h>
#include <stdio.h>
#include "vgpud.h"

int vgpu_be__metrics_parse(const char *arg, struct sockaddr_storage *ss, char *err, size_t errlen)
{
    (void)arg;
    (void)ss;
    snprintf(err, errlen,
             "vgpud was built without libmicrohttpd (libmicrohttpd-dev): "
             "no metrics endpoint");
    return -ENOTSUP;
}

int vgpu_be__metrics_start(struct vgpu_be *be)
{
    (void)be;
    return 0;
}

void vgpu_be__metrics_stop(struct vgpu_be *be)
{
    (void)be;
}
