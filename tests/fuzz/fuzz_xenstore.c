/*
 * fuzz_xenstore.c: libFuzzer target over vgpud's Xen transport as a guest
 * and a confused toolstack see it: the real dom0/transport/xen_*.c over the faked
 * xenstore of tests/xen/xs_fake.c, driven by writes, removals and watch
 * events. Checks: no crash, no leak, budgets hold, attach/release balance.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xs_fake.h"

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len);

#define UUID1 "6b1e0a4c-5f3d-4c2a-9e71-000000000001"
#define UUID2 "6b1e0a4c-5f3d-4c2a-9e71-000000000002"
#define BE    VGPU_XEN_BACKEND_ROOT "/1/0"
#define FE    "/local/domain/1/device/vgpu/0"

static const char *const paths[] = {
    BE "/state",
    BE "/vm-id",
    BE "/vm-uuid",
    BE "/mem-quota",
    BE "/frontend",
    BE "/pool",
    BE "/priority",
    BE "/max-channels",
    BE "/max-ring-page-order",
    BE "/max-data-pages",
    "/local/domain/1/vm",
    "/local/domain/1/name",
    FE "/state",
    FE "/channel-0/state",
    FE "/channel-0/ring-page-order",
    FE "/channel-0/ring-ref-0",
    FE "/channel-0/ring-ref-1",
    FE "/channel-0/data-dir-ref",
    FE "/channel-0/event-channel",
    FE "/channel-1/state",
    FE "/channel-1/ring-page-order",
    FE "/channel-1/ring-ref-0",
    FE "/channel-1/data-dir-ref",
    FE "/channel-1/event-channel",
    BE "/channel-0/state",
    FE "/channel-0",
    FE "/channel-1",
    BE,
    VGPU_XEN_BACKEND_ROOT "/1",
    VGPU_XEN_BACKEND_ROOT "/2/0/state",
    FE,
};
#define NPATHS (sizeof(paths) / sizeof(paths[0]))

static const char *const words[] = {
    "0",          "1",          "2",   "3",
    "4",          "5",          "6",   "101",
    "102",        "100000",     UUID1, UUID2,
    "/vm/" UUID1, "/vm/" UUID2, FE,    "/local/domain/2/device/vgpu/0",
    "4294967296", "+4",         "04",  "A",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

static const char *const tokens[] = {"vgpu-fe-1-0", "vgpu-be", "vgpu-release", "vgpu-fe-2-0"};

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
    struct vgpu_xen *x;
    size_t i = 0;

    if (len < 3)
        return 0;
    x = fake_xen_new(1u + buf[0] * 8u, 1u + buf[1] * 4u);
    fake_dir_pages = buf[2] * 5u;
    i = 3;
    fake_domain(1, 101, UUID1);
    fake_domain(2, 102, UUID2);
    while (i + 2 <= len) {
        uint8_t op = buf[i] & 15, arg = buf[i + 1];
        const char *path = paths[arg % NPATHS];
        char name[80], value[40];
        size_t n;

        i += 2;
        switch (op) {
        case 0:
        case 1:
        case 2:
        case 3: /* a well-known value */
            fake_write(path, words[(arg >> 3) % NWORDS]);
            break;
        case 4: /* raw bytes, NULs included */
            n = i < len ? buf[i++] % 24u : 0;
            if (n > len - i)
                n = len - i;
            fake_write_raw(path, buf + i, (unsigned int)n);
            i += n;
            break;
        case 5: /* a channel under any name */
            n = i < len ? buf[i++] % 16u : 0;
            if (n > len - i)
                n = len - i;
            memcpy(value, buf + i, n);
            value[n] = '\0';
            i += n;
            if (strchr(value, '/') || !value[0])
                break;
            snprintf(name, sizeof(name), "%s/%s/state", FE, value);
            fake_write(name, "4");
            break;
        case 6:
            fake_rm(path);
            break;
        case 7:
        case 8:
        case 9:
            vgpu_xen__note_watch(x, path, tokens[(arg >> 5) % 4]);
            break;
        case 10:
        case 11:
            vgpu_xen__sync_noted(x);
            break;
        case 12:
            vgpu_xen__scan(x);
            break;
        case 13:
            fake_introduce(1 + (arg & 1), arg & 2);
            break;
        case 14:
            fake_core.defer_release = arg & 1;
            if (!fake_core.defer_release)
                fake_run_deferred();
            break;
        default:
            fake_channel(1 + (arg & 1), (arg & 2) ? "channel-1" : "channel-0", (arg & 4) ? 5 : 4);
            break;
        }
        if (x->grants > x->limits.xen_max_grants)
            abort();
    }
    vgpu_xen__sync_noted(x);
    fake_core.defer_release = false;
    fake_run_deferred();
    if (fake_core.released > fake_core.attached)
        abort();
    fake_xen_free(x);
    return 0;
}
