/* proc_table.c: the table of exports (cu_exports.def) that cuGetProcAddress looks in. */
#include <string.h>
#include "cu_abi.h"

int vcu__proc_lookup(const char *name, void **pfn, int version, int *status);

#ifndef VCU_USE_TOOLKIT
/* Every exported function, declared by type-erased name for the table only (cuda.h declares them).
 */
#define X(name, since, sym) extern char sym[];
#include "cu_exports.def"
#undef X
#endif

static const struct {
    const char *name;
    int since;
    void *fn;
} exports[] = {
#define X(name, since, sym) {#name, since, (void *)sym},
#include "cu_exports.def"
#undef X
};

/*
 * The newest entry for name that version allows. *status tells apart a
 * name we do not export from one that needs a newer version. flags
 * (legacy or per-thread default stream) select nothing: our default
 * stream is one ordered queue per context either way.
 */
int vcu__proc_lookup(const char *name, void **pfn, int version, int *status)
{
    size_t i;
    int best = -1;

    *status = CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;
    for (i = 0; i < sizeof(exports) / sizeof(exports[0]); i++) {
        if (strcmp(exports[i].name, name) != 0)
            continue;
        *status = CU_GET_PROC_ADDRESS_VERSION_NOT_SUFFICIENT;
        if (exports[i].since <= version && (best < 0 || exports[i].since > exports[best].since))
            best = (int)i;
    }
    *pfn = best >= 0 ? exports[best].fn : NULL;
    if (best < 0)
        return CUDA_ERROR_NOT_FOUND;
    *status = CU_GET_PROC_ADDRESS_SUCCESS;
    return CUDA_SUCCESS;
}
