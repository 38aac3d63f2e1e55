/* proc.c: cuGetProcAddress over the export table; cuGetExportTable (not supported). */
#include "cuda_int.h"

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
    return CUDA_ERROR_NOT_SUPPORTED;
}

/* Per-thread default stream variants (VCU_ALIAS). */
VCU_ALIAS(cuGetProcAddress_v2_ptsz, cuGetProcAddress_v2);
