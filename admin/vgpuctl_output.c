/* vgpuctl: text and JSON formatting of store records. */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "vgpuctl.h"

/* The device-model argument that shows the VM its identity (qemu-vgpu/, docs/qemu-vgpu.md). */
void vgpuctl_stub_device_arg(const struct vgpu_store_vm *vm, char *buf, size_t size)
{
    snprintf(buf, size, "vgpu-stub,vm-id=%" PRIu32 ",pool=%s,priority=%d", vm->vm_id, vm->pool,
             vm->priority);
}

json_object *vgpuctl_vm_json(const struct vgpu_store_vm *vm)
{
    json_object *o = json_object_new_object();
    char dev[96];

    json_object_object_add(o, "uuid", json_object_new_string(vm->uuid));
    json_object_object_add(o, "vm_id", json_object_new_int64(vm->vm_id));
    json_object_object_add(o, "pool", json_object_new_string(vm->pool));
    json_object_object_add(o, "priority", json_object_new_int(vm->priority));
    json_object_object_add(o, "priority_name",
                           json_object_new_string(vgpu_store_priority_name(vm->priority)));
    json_object_object_add(o, "name", vm->name[0] ? json_object_new_string(vm->name) : NULL);
    json_object_object_add(o, "mem_quota", json_object_new_int64((int64_t)vm->mem_quota));
    json_object_object_add(o, "pinned_limit", json_object_new_int64((int64_t)vm->pinned_limit));
    json_object_object_add(o, "uid", vm->uid >= 0 ? json_object_new_int64(vm->uid) : NULL);
    json_object_object_add(o, "created", json_object_new_int64(vm->created));
    json_object_object_add(o, "updated", json_object_new_int64(vm->updated));
    vgpuctl_stub_device_arg(vm, dev, sizeof(dev));
    json_object_object_add(o, "qemu_device", json_object_new_string(dev));
    return o;
}

json_object *vgpuctl_pool_json(const struct vgpu_store_pool *pool)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "name", json_object_new_string(pool->name));
    json_object_object_add(o, "gpu", pool->gpu[0] ? json_object_new_string(pool->gpu) : NULL);
    json_object_object_add(o, "mig", pool->mig[0] ? json_object_new_string(pool->mig) : NULL);
    json_object_object_add(o, "job_limit_ms", json_object_new_int64(pool->job_limit_ms));
    json_object_object_add(o, "created", json_object_new_int64(pool->created));
    json_object_object_add(o, "updated", json_object_new_int64(pool->updated));
    return o;
}

void vgpuctl_print_json(json_object *obj)
{
    puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(obj);
}

void vgpuctl_format_time(int64_t t, char *buf, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (!gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%SZ", &tm))
        snprintf(buf, size, "%" PRId64, t);
}

void vgpuctl_format_size(uint64_t bytes, char *buf, size_t size)
{
    static const char units[] = "KMGT";
    int i = -1;

    if (bytes == 0) {
        snprintf(buf, size, "none");
        return;
    }
    while (i < 3 && bytes % 1024 == 0) {
        bytes /= 1024;
        i++;
    }
    if (i < 0)
        snprintf(buf, size, "%" PRIu64, bytes);
    else
        snprintf(buf, size, "%" PRIu64 "%c", bytes, units[i]);
}

void vgpuctl_format_ns(int64_t ns, char *buf, size_t size)
{
    if (ns < 0)
        snprintf(buf, size, "-");
    else if (ns < 1000)
        snprintf(buf, size, "%" PRId64 "ns", ns);
    else if (ns < 1000000)
        snprintf(buf, size, "%.1fus", (double)ns / 1e3);
    else if (ns < 1000000000)
        snprintf(buf, size, "%.1fms", (double)ns / 1e6);
    else
        snprintf(buf, size, "%.2fs", (double)ns / 1e9);
}

void vgpuctl_print_vm(const struct vgpu_store_vm *vm)
{
    char created[32], updated[32], quota[32], pinned[32], dev[96];

    vgpuctl_format_time(vm->created, created, sizeof(created));
    vgpuctl_format_time(vm->updated, updated, sizeof(updated));
    vgpuctl_format_size(vm->mem_quota, quota, sizeof(quota));
    printf("uuid:      %s\n", vm->uuid);
    printf("name:      %s\n", vm->name[0] ? vm->name : "-");
    printf("vm_id:     %" PRIu32 "\n", vm->vm_id);
    printf("pool:      %s\n", vm->pool);
    printf("priority:  %s (%d)\n", vgpu_store_priority_name(vm->priority), vm->priority);
    printf("mem quota: %s\n", quota);
    if (vm->pinned_limit)
        vgpuctl_format_size(vm->pinned_limit, pinned, sizeof(pinned));
    else
        snprintf(pinned, sizeof(pinned), "vgpud's default");
    printf("pinned:    %s (host buffers)\n", pinned);
    if (vm->uid >= 0)
        printf("uid:       %" PRId64 "\n", vm->uid);
    else
        printf("uid:       none\n");
    printf("created:   %s\n", created);
    printf("updated:   %s\n", updated);
    vgpuctl_stub_device_arg(vm, dev, sizeof(dev));
    printf("stub dev:  -device %s\n", dev);
}
