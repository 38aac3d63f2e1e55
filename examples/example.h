/* example.h: what the examples share: opening a channel and loading the example kernels. */
#ifndef VGPU_EXAMPLE_H
#define VGPU_EXAMPLE_H

#include <stdint.h>
#include "vgpu.h"

/*
 * Open a channel with opts (NULL: defaults from the environment), load
 * examples/kernels.ptx (embedded) and look up the function name. On
 * failure prints "prog: what: vgpu_strerror" to stderr, closes what it
 * opened and returns the error.
 */
int example_open(const char *prog, const struct vgpu_open_opts *opts, vgpu_channel **ch,
                 uint64_t *module);
int example_func(const char *prog, vgpu_channel *ch, uint64_t module, const char *name,
                 uint64_t *func);

/* Print "prog: what: vgpu_strerror(err)" and return err. */
int example_fail(const char *prog, const char *what, int err);

/* Blocks of 256 threads covering n elements. */
uint32_t example_blocks(uint64_t n);

#endif /* VGPU_EXAMPLE_H */
