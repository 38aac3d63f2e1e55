/* loadgen.h: vgpu-loadgen's pieces: options, one channel's state, the jobs it runs. */
#ifndef VGPU_LOADGEN_H
#define VGPU_LOADGEN_H

#include <stdbool.h>
#include <stdint.h>
#include "vgpu.h"

enum lg_kernel { LG_VECTOR_ADD, LG_SAXPY, LG_MATMUL, LG_BUSY, LG_NKERNELS, LG_MIX = LG_NKERNELS };

#define LG_MIX_MATMUL_N 32u /* matmul size in --kernel mix */

struct lg_opts {
    const char *instance;
    const char *socket; /* NULL: libvgpu's default */
    int kernel;         /* enum lg_kernel or LG_MIX */
    uint32_t jobs;      /* per channel */
    uint64_t size;      /* elements; matmul: n */
    uint64_t busy_ns;
    uint64_t start_at_ns; /* CLOCK_MONOTONIC; 0: start at once */
    uint32_t channels;
    const char *log; /* NULL: no log */
    uint32_t seed;
};

/* One channel, driven by one thread. */
struct lg_chan {
    const struct lg_opts *o;
    uint32_t index;
    vgpu_channel *ch;
    uint64_t func[LG_NKERNELS];
    uint64_t elems;   /* vector_add, saxpy */
    uint64_t mat_n;   /* matmul */
    uint64_t dbuf[3]; /* device buffers of cap floats each */
    float *hbuf[4];   /* inputs, result, expected: cap floats each */
    uint64_t cap;
    unsigned rng;
    int err; /* first error (negated vgpu_status), 0 if none */
};

/* Open the channel, load kernels, allocate buffers. 0 or the error (printed). */
int lg_chan_setup(struct lg_chan *c);
/* Free device and host buffers and close the channel. */
void lg_chan_teardown(struct lg_chan *c);
/* Kernel of job i (fixed, or drawn for mix). */
enum lg_kernel lg_pick(struct lg_chan *c);
/* Run one job of kernel k: copies in, launch, SYNC, copy back; *correct if the check passed. */
int lg_job(struct lg_chan *c, enum lg_kernel k, uint32_t job, bool *correct);

extern const char *const lg_kernel_names[LG_NKERNELS];

#endif /* VGPU_LOADGEN_H */
