/* exec.c: choosing an executor by name; the CUDA one is a module loaded only when asked for. */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "exec.h"

#ifndef VGPU_EXEC_MODULE_DIR
#define VGPU_EXEC_MODULE_DIR "/usr/local/lib/vgpu"
#endif
#define CUDA_MODULE "vgpu-exec-cuda.so"

static char load_error[256];

/* dlopen the CUDA executor: $VGPU_CUDA_MODULE, next to vgpud, then the install dir. */
static const struct vgpu_exec_ops *load_cuda(void)
{
    char self[PATH_MAX], path[PATH_MAX + 32];
    const char *env = getenv("VGPU_CUDA_MODULE");
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    const char *candidates[3] = {env, NULL, VGPU_EXEC_MODULE_DIR "/" CUDA_MODULE};
    void *h = NULL;

    if (n > 0) {
        self[n] = '\0';
        snprintf(path, sizeof(path), "%.*s/%s", (int)(strrchr(self, '/') - self), self,
                 CUDA_MODULE);
        candidates[1] = path;
    }
    snprintf(load_error, sizeof(load_error), "module %s not found", CUDA_MODULE);
    for (int i = 0; i < 3 && !h; i++) {
        if (!candidates[i] || access(candidates[i], R_OK) != 0)
            continue;
        h = dlopen(candidates[i], RTLD_NOW | RTLD_LOCAL);
        if (!h) /* typically: libcuda.so.1 missing, no NVIDIA driver */
            snprintf(load_error, sizeof(load_error), "%s", dlerror());
    }
    return h ? dlsym(h, "vgpu_exec_cuda_ops") : NULL;
}

const char *vgpu_exec_load_error(void)
{
    return load_error;
}

const struct vgpu_exec_ops *vgpu_exec_lookup(const char *name)
{
    if (strcmp(name, "cpu") == 0 || strcmp(name, "cpu-reference") == 0)
        return &vgpu_exec_cpu_ops;
    if (strcmp(name, "cuda") == 0)
        return load_cuda();
    return NULL;
}
