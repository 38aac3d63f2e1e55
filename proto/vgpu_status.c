/* vgpu_status.c: names and messages of the wire status codes. */
#include "vgpu_status.h"

struct status_text {
    const char *name;
    const char *msg;
};

static const struct status_text status_texts[VGPU_S_COUNT_] = {
    [VGPU_S_OK] = {"OK", "success"},
    [VGPU_S_BAD_OP] = {"BAD_OP", "unknown request op code"},
    [VGPU_S_BAD_FIELD] = {"BAD_FIELD", "a reserved field or flag was set, or a value is invalid"},
    [VGPU_S_BAD_RANGE] = {"BAD_RANGE", "offset or length lies outside the data area"},
    [VGPU_S_BAD_HANDLE] = {"BAD_HANDLE",
                           "device pointer, module or function handle not owned by this VM"},
    [VGPU_S_NO_MEMORY] = {"NO_MEMORY", "out of device memory or beyond this VM's memory quota"},
    [VGPU_S_NOT_FOUND] = {"NOT_FOUND", "no function of that name in the module"},
    [VGPU_S_BAD_NAME] = {"BAD_NAME", "name is empty, too long or not NUL-terminated"},
    [VGPU_S_BAD_LAUNCH] = {"BAD_LAUNCH",
                           "grid, block, shared memory or parameter size out of limits"},
    [VGPU_S_UNSUPPORTED] = {"UNSUPPORTED", "operation not supported by this executor"},
    [VGPU_S_VERSION] = {"VERSION", "no protocol version in common with the host"},
    [VGPU_S_EXEC] = {"EXEC", "the executor reported an error (see detail code)"},
    [VGPU_S_CANCELLED] = {"CANCELLED", "job cancelled: the VM was removed or the channel closed"},
    [VGPU_S_TIMEOUT] = {"TIMEOUT", "job overran its time budget and was stopped"},
    [VGPU_S_SHUTDOWN] = {"SHUTDOWN", "vgpud is shutting down; reconnect when it is back"},
    [VGPU_S_PROTOCOL] = {"PROTOCOL", "protocol violation: the channel was closed"},
    [VGPU_S_BUSY] = {"BUSY", "queue limit reached; retry later"},
    [VGPU_S_NO_DEVICE] = {"NO_DEVICE",
                          "no vgpu transport reachable (is vgpud running? is vgpu.ko loaded?)"},
    [VGPU_S_DENIED] = {"DENIED",
                       "instance not registered, or this user may not act as it (see vgpuctl)"},
    [VGPU_S_BAD_IMAGE] = {"BAD_IMAGE", "module image rejected by the executor"},
    [VGPU_S_INTERNAL] = {"INTERNAL", "internal error in vgpu; please report it"},
    [VGPU_S_CONTEXT_LOST] = {"CONTEXT_LOST",
                             "the VM's GPU context was lost (a job ran over the pool's time "
                             "limit, or its worker crashed): allocate and load again"},
    [VGPU_S_PINNED_LIMIT] = {"PINNED_LIMIT",
                             "host buffer refused: past this VM's pinned-memory limit (bytes or "
                             "buffers; vgpuctl set-pinned-limit raises it); free some first"},
};

static const struct status_text *status_lookup(int status)
{
    if (status < 0 && status > -VGPU_S_COUNT_)
        status = -status;
    if (status < 0 || status >= VGPU_S_COUNT_)
        return NULL;
    return &status_texts[status];
}

const char *vgpu_status_name(int status)
{
    const struct status_text *t = status_lookup(status);

    return t ? t->name : "UNKNOWN";
}

const char *vgpu_strerror(int status)
{
    const struct status_text *t = status_lookup(status);

    return t ? t->msg : "unknown vgpu status code";
}
