/* example.c: channel setup and error reporting shared by the examples and vgpu-loadgen. */
#include <stdio.h>
#include "example.h"
#include "kernels_ptx.h"

int example_fail(const char *prog, const char *what, int err)
{
    fprintf(stderr, "%s: %s: %s (%s)\n", prog, what, vgpu_strerror(err), vgpu_status_name(-err));
    return err;
}

int example_open(const char *prog, const struct vgpu_open_opts *opts, vgpu_channel **ch,
                 uint64_t *module)
{
    int r = vgpu_open(opts, ch);

    if (r < 0)
        return example_fail(prog, "cannot open a vgpu channel", r);
    r = vgpu_module_load(*ch, vgpu_kernels_ptx, vgpu_kernels_ptx_len, module);
    if (r < 0) {
        example_fail(prog, "cannot load kernels.ptx", r);
        vgpu_close(*ch);
        *ch = NULL;
    }
    return r;
}

int example_func(const char *prog, vgpu_channel *ch, uint64_t module, const char *name,
                 uint64_t *func)
{
    char what[160];
    int r = vgpu_func_get(ch, module, name, func);

    if (r < 0) {
        snprintf(what, sizeof(what), "no kernel '%s'", name);
        example_fail(prog, what, r);
    }
    return r;
}

uint32_t example_blocks(uint64_t n)
{
    return (uint32_t)((n + 255) / 256);
}
