/* layout32.c: compiled for 32-bit targets; the _Static_asserts in proto/ check one layout
 * everywhere. */
#include "vgpu_proto.h"

VGPU_STATIC_ASSERT(sizeof(struct vgpu_sring) == 64, "ring header");
VGPU_STATIC_ASSERT(offsetof(struct vgpu_req_memset, value) == 16, "memset.value at 16");
VGPU_STATIC_ASSERT(offsetof(struct vgpu_rsp_hello, features) == 8, "hello.features at 8");
VGPU_STATIC_ASSERT(offsetof(struct vgpu_device_info, total_mem) == 96, "info.total_mem at 96");
VGPU_STATIC_ASSERT(offsetof(struct vgpu_data_dir, gref) == 8, "dir.gref at 8");
#include "vgpu_local.h"
