/* vgpu_proto_types.h: what proto/ needs from its environment, kernel or userspace. */
#ifndef VGPU_PROTO_TYPES_H
#define VGPU_PROTO_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <asm/barrier.h>

#define VGPU_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
/* Barriers between two domains (or processes) sharing memory. */
#define vgpu_mb()                  virt_mb()
#define vgpu_rmb()                 virt_rmb()
#define vgpu_wmb()                 virt_wmb()
#define vgpu_proto_memcpy(d, s, n) memcpy(d, s, n)
#define vgpu_proto_memset(d, c, n) memset(d, c, n)
#define vgpu_compiler_barrier()    barrier()
#define VGPU_READ_ONCE(x)          READ_ONCE(x)
#define VGPU_WRITE_ONCE(x, v)      WRITE_ONCE(x, v)
#else
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define VGPU_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#define vgpu_mb()                     __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define vgpu_rmb()                    __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define vgpu_wmb()                    __atomic_thread_fence(__ATOMIC_RELEASE)
#define vgpu_proto_memcpy(d, s, n)    __builtin_memcpy(d, s, n)
#define vgpu_proto_memset(d, c, n)    __builtin_memset(d, c, n)
#define vgpu_compiler_barrier()       __asm__ __volatile__("" ::: "memory")
#define VGPU_READ_ONCE(x)             (*(const volatile __typeof__(x) *)&(x))
#define VGPU_WRITE_ONCE(x, v)         (*(volatile __typeof__(x) *)&(x) = (v))
#endif

/*
 * Copy out of memory another domain or process can write, exactly once: the
 * barrier after the copy makes the compiler assume the source changed, so it
 * can never drop the private copy and read the shared bytes again later
 * (the double fetch of XSA-155; Xen's RING_COPY_REQUEST does the same with a
 * volatile read).
 */
#define vgpu_proto_copy_shared(d, s, n)                                                            \
    do {                                                                                           \
        vgpu_proto_memcpy(d, s, n);                                                                \
        vgpu_compiler_barrier();                                                                   \
    } while (0)

#endif /* VGPU_PROTO_TYPES_H */
