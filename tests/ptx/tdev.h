/* tdev.h: a pretend device for the PTX tests: host buffers at device addresses, and launches. */
#ifndef TDEV_H
#define TDEV_H

#include <stddef.h>
#include <stdint.h>
#include "vgpu_ptx.h"

#define TDEV_MAX 16

struct tdev {
    struct vgpu_ptx_region r[TDEV_MAX];
    unsigned n;
    uint64_t next; /* next device address */
    struct vgpu_ptx_module *mod;
    struct vgpu_ptx_fault fault; /* of the last launch */
    const atomic_bool *stop;     /* passed to launches (NULL: none) */
    uint64_t deadline_ns;        /* passed to launches (0: none) */
};

/* Loads path (relative to $VGPU_SRCDIR) into d->mod; fails the test on error. */
void tdev_open(struct tdev *d, const char *path);
/* Loads an image from memory. */
void tdev_open_image(struct tdev *d, const void *img, size_t len);
void tdev_close(struct tdev *d);
/* A zeroed buffer of size bytes; returns its device address, *host its memory. */
uint64_t tdev_alloc(struct tdev *d, size_t size, void *host);
/* Runs kernel name; returns vgpu_ptx_launch's result. */
int tdev_launch(struct tdev *d, const char *name, const uint32_t grid[3], const uint32_t block[3],
                uint32_t shared, const void *params, size_t len);
/* The whole file at $VGPU_SRCDIR/path (NUL-terminated); *len its bytes. Fails the test if absent.
 */
char *tdev_read(const char *path, size_t *len);
/* A deterministic pseudo-random stream (xorshift), seeded per test. */
uint32_t tdev_rand(uint64_t *state);
float tdev_randf(uint64_t *state, float lo, float hi);

#endif /* TDEV_H */
