/* quota_client.c: allocations within and beyond the VM's quota (test_quota.sh). */
#include <stdio.h>
#include <stdlib.h>
#include "vgpu.h"

int main(int argc, char **argv)
{
    struct vgpu_open_opts o = {.poll_ns = -1};
    uint64_t quota, a = 0, b = 0;
    vgpu_channel *ch;
    int r;

    if (argc != 3) {
        fprintf(stderr, "usage: quota_client INSTANCE QUOTA_BYTES\n");
        return 2;
    }
    o.instance = argv[1];
    quota = strtoull(argv[2], NULL, 0);
    if ((r = vgpu_open(&o, &ch)) != 0) {
        fprintf(stderr, "open: %s\n", vgpu_strerror(r));
        return 1;
    }
    r = vgpu_mem_alloc(ch, quota / 2, &a);
    printf("alloc %llu (half the quota): %s\n", (unsigned long long)quota / 2, vgpu_strerror(r));
    if (r)
        return 1;
    r = vgpu_mem_alloc(ch, quota, &b);
    printf("alloc %llu (over the quota): %s (%s)\n", (unsigned long long)quota, vgpu_status_name(r),
           vgpu_strerror(r));
    if (r != -VGPU_S_NO_MEMORY)
        return 1;
    r = vgpu_mem_free(ch, a);
    /* Nearly the whole quota fits once the first is freed (an allocation also
     * costs some bookkeeping: docs/architecture.md, quotas). */
    if (r == 0)
        r = vgpu_mem_alloc(ch, quota - 4096, &b);
    printf("alloc %llu after free: %s\n", (unsigned long long)quota - 4096, vgpu_strerror(r));
    vgpu_close(ch);
    return r ? 1 : 0;
}
