/* vgpu_internal.h: libvgpu internals exported for benches and tests (not part of the API). */
#ifndef VGPU_INTERNAL_H
#define VGPU_INTERNAL_H

#include <stdint.h>
#include "vgpu.h"

/* Counters of one channel since it was opened. */
struct vgpu__stats {
    uint64_t requests;  /* requests written to the ring (HELLO included) */
    uint64_t responses; /* responses consumed */
    uint64_t jobs;      /* pushes that closed a job */
    uint64_t kicks;     /* notifications sent to the backend */
    uint64_t spins;     /* waits that started by polling the ring */
    uint64_t spin_hits; /* ... and found a response before poll_ns ran out */
    uint64_t spin_ns;   /* time spent polling (CPU time: the thread spins) */
    uint64_t sleeps;    /* times the thread slept on the notification */
};

/* Copy ch's counters into *out. Same threading rule as the channel. */
void vgpu__channel_stats(const vgpu_channel *ch, struct vgpu__stats *out);

/* How ch splits its data area: staging at [0, stage_size), host buffers at [host_off, +host_size).
 */
struct vgpu__layout {
    uint64_t data_size;
    uint64_t stage_size;
    uint64_t host_off;
    uint64_t host_size;
    uint32_t nr_slots;
    uint32_t max_outstanding;
    int64_t poll_ns;
};
void vgpu__channel_layout(const vgpu_channel *ch, struct vgpu__layout *out);

#endif /* VGPU_INTERNAL_H */
