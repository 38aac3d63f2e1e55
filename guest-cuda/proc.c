/* proc.c: cuGetProcAddress over the export table; cuGetExportTable (not supported). */
#include <stdio.h>
#include <stdlib.h>
#include "cuda_int.h"

/* VGPU_CUDA_TRACE=1: one line on stderr per lookup, to see what a runtime asks for. */
static bool tracing(void)
{
    static int on = -1;

    if (on < 0)
        on = getenv("VGPU_CUDA_TRACE") && *getenv("VGPU_CUDA_TRACE") == '1';
    return on;
}

int vcu__proc_lookup(const char *name, void **pfn, int version, int *status);

/* The newest export of that name the version allows; the stream flags select the same functions. */
VCU_API CUresult cuGetProcAddress_v2(const char *symbol, void **pfn, int version, cuuint64_t flags,
                                     CUdriverProcAddressQueryResult *status)
{
    int st;
    CUresult r;

    if (!symbol || !pfn || flags > 3)
        return CUDA_ERROR_INVALID_VALUE;
    r = (CUresult)vcu__proc_lookup(symbol, pfn, version, &st);
    if (tracing())
        fprintf(stderr, "vgpu libcuda: cuGetProcAddress %s version %d flags %llu: %s\n", symbol,
                version, (unsigned long long)flags, r == CUDA_SUCCESS ? "found" : "not found");
    if (status)
        *status = (CUdriverProcAddressQueryResult)st;
    return r;
}

VCU_API CUresult cuGetProcAddress(const char *symbol, void **pfn, int version, cuuint64_t flags)
{
    return cuGetProcAddress_v2(symbol, pfn, version, flags, NULL);
}

/* The runtime's private tables are NVIDIA's own: none is offered. */
VCU_API CUresult cuGetExportTable(const void **table, const CUuuid *id)
{
    if (table)
        *table = NULL;
    if (tracing() && id) {
        const unsigned char *b = (const unsigned char *)id->bytes;

        fprintf(stderr,
                "vgpu libcuda: cuGetExportTable %02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                "%02x%02x%02x%02x%02x%02x: not supported\n",
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
                b[13], b[14], b[15]);
    }
    return CUDA_ERROR_NOT_SUPPORTED;
}

/* Per-thread default stream variants (VCU_ALIAS). */
VCU_ALIAS(cuGetProcAddress_v2_ptsz, cuGetProcAddress_v2);
