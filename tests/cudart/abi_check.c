/* abi_check.c: guest-cudart/cudart_abi.h's values and layouts against the toolkit's runtime
 * headers (compile-time). */
#include <cuda_runtime_api.h>
#include <stddef.h>

/* Every cudaError_t we declare has the toolkit's value. */
#define X(name, value, msg) _Static_assert(name == value, #name);
#include "cudart_errors.def"
#undef X

/* The structs of cudart_structs.def, laid out as our header lays them out ... */
#define X(s, type, name, array)                      VRT_MEMBER_##s(type, name, array)
#define VRT_MEMBER_cudaDeviceProp(type, name, array) type name array;
#define VRT_MEMBER_cudaFuncAttributes(type, name, array)
struct ours_cudaDeviceProp {
#include "cudart_structs.def"
};
#undef VRT_MEMBER_cudaDeviceProp
#undef VRT_MEMBER_cudaFuncAttributes
#define VRT_MEMBER_cudaDeviceProp(type, name, array)
#define VRT_MEMBER_cudaFuncAttributes(type, name, array) type name array;
struct ours_cudaFuncAttributes {
#include "cudart_structs.def"
};
#undef X

/* ... have every member where the toolkit's have it, and the same size. */
#define X(s, type, name, array)                                                                    \
    _Static_assert(offsetof(struct s, name) == offsetof(struct ours_##s, name), #s "." #name);
#include "cudart_structs.def"
#undef X
_Static_assert(sizeof(struct cudaDeviceProp) == sizeof(struct ours_cudaDeviceProp), "props");
_Static_assert(sizeof(struct cudaFuncAttributes) == sizeof(struct ours_cudaFuncAttributes),
               "function attributes");
_Static_assert(sizeof(dim3) == 12 && sizeof(uint3) == 12, "dim3");
_Static_assert(cudaMemcpyDefault == 4 && cudaFuncAttributeMaxDynamicSharedMemorySize == 8, "enums");
_Static_assert(CUDART_VERSION == 13000, "the runtime version libcudart.so.13 answers");

/*
 * The exported functions' signatures are checked by building guest-cudart
 * once more with -DVRT_USE_TOOLKIT (tests/cudart/meson.build).
 */

int main(void)
{
    return 0;
}
