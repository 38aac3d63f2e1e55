/* abi_check.c: guest-cuda/cu_abi.h's values and layouts against the toolkit's cuda.h
 * (compile-time). */
#include <cuda.h>
#include <stddef.h>

/* Every CUresult and device attribute we declare has the toolkit's value. */
#define X(name, value, msg) _Static_assert(name == value, #name);
#include "cu_results.def"
#undef X
#define X(name, value) _Static_assert(name == value, #name);
#include "cu_attrs.def"
#undef X

_Static_assert(sizeof(CUdeviceptr) == 8, "CUdeviceptr");
_Static_assert(sizeof(CUuuid) == 16, "CUuuid");
_Static_assert(CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES == 8, "func attr");
_Static_assert(CU_LIMIT_MALLOC_HEAP_SIZE == 2 && CU_LIMIT_PERSISTING_L2_CACHE_SIZE == 6, "limits");
_Static_assert(CU_GET_PROC_ADDRESS_VERSION_NOT_SUFFICIENT == 2, "proc status");
_Static_assert(offsetof(CUlaunchConfig, hStream) == 32, "CUlaunchConfig.hStream");
_Static_assert(offsetof(CUlaunchConfig, numAttrs) == 48, "CUlaunchConfig.numAttrs");
_Static_assert(sizeof(CUlaunchConfig) == 56, "CUlaunchConfig");
_Static_assert(CU_LAUNCH_PARAM_BUFFER_POINTER == (void *)0x01, "extra tags");

/*
 * The exported functions' signatures are checked by building guest-cuda
 * once more with -DVCU_USE_TOOLKIT (tests/cuda/meson.build).
 */

int main(void)
{
    return 0;
}
