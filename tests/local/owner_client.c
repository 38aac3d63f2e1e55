/*
 * owner_client.c: what one channel made, another channel of the same VM
 * cannot touch (memory, function handles), a function handle dies with its
 * module, and tiny allocations are charged their real cost (test_owner.sh).
 * usage: owner_client INSTANCE channels MODULE_FILE | INSTANCE tiny QUOTA_BYTES
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vgpu.h"

static int expect_refused(const char *what, vgpu_channel *ch, int r)
{
    if (r == 0)
        r = vgpu_sync(ch); /* queued requests report at the sync */
    if (r == -VGPU_S_BAD_HANDLE) {
        printf("refused as BAD_HANDLE: %s\n", what);
        return 0;
    }
    fprintf(stderr, "owner_client: %s: %s, expected BAD_HANDLE\n", what, vgpu_status_name(r));
    return 1;
}

static int load(vgpu_channel *ch, const char *path, uint64_t *module)
{
    static char image[1 << 20];
    FILE *f = fopen(path, "rb");
    size_t n;

    if (!f)
        return -VGPU_S_BAD_FIELD;
    n = fread(image, 1, sizeof(image) - 1, f);
    fclose(f);
    image[n] = '\0';
    return vgpu_module_load(ch, image, n + 1, module);
}

static int channels(const char *inst, const char *module_file)
{
    struct vgpu_open_opts o = {.poll_ns = -1, .instance = inst};
    static const uint32_t one[3] = {1, 1, 1};
    uint8_t params[64] = {0}, buf[64] = {0};
    vgpu_channel *a, *b;
    uint64_t mem, module, func;
    int bad = 0;

    if (vgpu_open(&o, &a) || vgpu_open(&o, &b) || vgpu_mem_alloc(a, 4096, &mem)) {
        fprintf(stderr, "owner_client: set-up failed\n");
        return 2;
    }
    bad |= expect_refused("memset of another channel's memory", b, vgpu_memset(b, mem, 1, 64));
    bad |= expect_refused("copy into another channel's memory", b, vgpu_copy_htod(b, mem, buf, 64));
    bad |= expect_refused("free of another channel's memory", b, vgpu_mem_free(b, mem));
    if (load(a, module_file, &module) || vgpu_func_get(a, module, "saxpy", &func)) {
        fprintf(stderr, "owner_client: module set-up failed\n");
        return 2;
    }
    bad |= expect_refused("launch of another channel's function", b,
                          vgpu_launch(b, func, one, one, 0, params, sizeof(params)));
    if (vgpu_module_unload(a, module) || load(a, module_file, &module)) {
        fprintf(stderr, "owner_client: module reload failed\n");
        return 2;
    }
    bad |= expect_refused("launch of a function whose module was unloaded", a,
                          vgpu_launch(a, func, one, one, 0, params, sizeof(params)));
    if (vgpu_memset(a, mem, 7, 64) || vgpu_sync(a)) {
        fprintf(stderr, "owner_client: the owner lost its own memory\n");
        return 1;
    }
    vgpu_close(b);
    vgpu_close(a);
    return bad;
}

static int tiny(const char *inst, uint64_t quota)
{
    struct vgpu_open_opts o = {.poll_ns = -1, .instance = inst};
    vgpu_channel *ch;
    uint64_t dptr, n = 0;
    int r;

    if (vgpu_open(&o, &ch))
        return 2;
    while ((r = vgpu_mem_alloc(ch, 1, &dptr)) == 0 && n <= quota)
        n++;
    printf("%llu one-byte allocations fit a quota of %llu bytes, then %s\n", (unsigned long long)n,
           (unsigned long long)quota, vgpu_status_name(r));
    vgpu_close(ch);
    /* Each costs at least 256 bytes of the quota: far fewer than quota of them. */
    return r == -VGPU_S_NO_MEMORY && n > 0 && n <= quota / 256 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[2], "channels") == 0)
        return channels(argv[1], argv[3]);
    if (argc == 4 && strcmp(argv[2], "tiny") == 0)
        return tiny(argv[1], strtoull(argv[3], NULL, 0));
    fprintf(stderr, "usage: owner_client INSTANCE channels MODULE_FILE | INSTANCE tiny QUOTA\n");
    return 2;
}
