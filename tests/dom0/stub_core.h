/* stub_core.h: the core functions dom0's units call, stood in for by tests/dom0 (one per test). */
#ifndef VGPU_TEST_STUB_CORE_H
#define VGPU_TEST_STUB_CORE_H

#include <stdint.h>

#include "vgpud.h"

/* What the stubs saw and answer; reset by stub_reset(). */
struct stub_core {
    uint64_t now_ns;          /* vgpu_be_now() */
    uint64_t quota;           /* vgpu_be__vm_quota() */
    int loop_add_rc;          /* vgpu_be_loop_add()'s result */
    int added_fd, deleted_fd; /* last fd given to loop_add / loop_del, -1 for none */
    vgpu_be_io_cb cb;         /* the callback loop_add was given */
    void *cb_ctx;
    unsigned nlogs; /* vgpu_be_log_ratelimited() calls */
    int log_level;
    const void *log_key;
    char log[512]; /* the last message */
};

extern struct stub_core stub;

void stub_reset(void);

#endif /* VGPU_TEST_STUB_CORE_H */
