/* stub_core.c: a stand-in for the core (clock, loop, logging, quota) around dom0's units. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "stub_core.h"

struct stub_core stub;

void stub_reset(void)
{
    memset(&stub, 0, sizeof(stub));
    stub.added_fd = stub.deleted_fd = -1;
}

uint64_t vgpu_be_now(void)
{
    return stub.now_ns;
}

uint64_t vgpu_be__vm_quota(const struct vgpu_be *be, const struct vgpu_be_vm *vm)
{
    (void)be;
    (void)vm;
    return stub.quota;
}

int vgpu_be_loop_add(struct vgpu_be_loop *l, int fd, uint32_t events, vgpu_be_io_cb cb, void *ctx)
{
    (void)l;
    (void)events;
    stub.added_fd = fd;
    stub.cb = cb;
    stub.cb_ctx = ctx;
    return stub.loop_add_rc;
}

int vgpu_be_loop_del(struct vgpu_be_loop *l, int fd)
{
    (void)l;
    stub.deleted_fd = fd;
    return 0;
}

void vgpu_be_log_ratelimited(int level, const void *key, const char *fmt, ...)
{
    va_list ap;

    stub.nlogs++;
    stub.log_level = level;
    stub.log_key = key;
    va_start(ap, fmt);
    vsnprintf(stub.log, sizeof(stub.log), fmt, ap);
    va_end(ap);
}
