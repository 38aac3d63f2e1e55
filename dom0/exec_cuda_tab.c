/* exec_cuda_tab.c: a VM's handles for driver objects: grown on demand, freed slots reused. */
#include <stdlib.h>
#include "exec_cuda.h"

/*
 * A handle is (gen << 32) | (slot + 1): a slot's generation changes when it
 * is freed, so a handle kept after its object went never names the next.
 */
static uint64_t handle(const struct cu_tab *t, uint32_t i)
{
    return (uint64_t)t->v[i].gen << 32 | (i + 1);
}

uint64_t vgpu_cu__tab_put(struct cu_tab *t, void *obj, uint64_t owner)
{
    uint32_t i;

    for (i = 0; i < t->n && t->v[i].obj; i++)
        ;
    if (i == t->n) {
        if (t->n == CU_TAB_MAX)
            return 0;
        if (t->n == t->cap) {
            uint32_t cap = t->cap ? t->cap * 2 : 16;
            struct cu_slot *v = realloc(t->v, sizeof(*v) * cap);
            if (!v)
                return 0;
            t->v = v;
            t->cap = cap;
        }
        t->v[t->n++] = (struct cu_slot){.gen = 1};
    }
    t->v[i].obj = obj;
    t->v[i].owner = owner;
    t->v[i].aux = -1;
    return handle(t, i);
}

struct cu_slot *vgpu_cu__tab_get(struct cu_tab *t, uint64_t h)
{
    uint32_t i = (uint32_t)h;

    if (i == 0 || i > t->n || !t->v[i - 1].obj || t->v[i - 1].gen != (uint32_t)(h >> 32))
        return NULL;
    return &t->v[i - 1];
}

uint64_t vgpu_cu__tab_find(struct cu_tab *t, const void *obj)
{
    for (uint32_t i = 0; i < t->n; i++)
        if (t->v[i].obj == obj)
            return handle(t, i);
    return 0;
}

static void slot_free(struct cu_slot *s)
{
    s->obj = NULL;
    s->owner = 0;
    s->gen = s->gen + 1 ? s->gen + 1 : 1;
}

void vgpu_cu__tab_del(struct cu_tab *t, uint64_t h)
{
    struct cu_slot *s = vgpu_cu__tab_get(t, h);

    if (s)
        slot_free(s);
}

void vgpu_cu__tab_del_owned(struct cu_tab *t, uint64_t owner)
{
    for (uint32_t i = 0; i < t->n; i++)
        if (t->v[i].obj && t->v[i].owner == owner)
            slot_free(&t->v[i]);
}

uint32_t vgpu_cu__tab_live(const struct cu_tab *t)
{
    uint32_t k = 0;

    for (uint32_t i = 0; i < t->n; i++)
        k += t->v[i].obj != NULL;
    return k;
}

void vgpu_cu__tab_free(struct cu_tab *t)
{
    free(t->v);
    t->v = NULL;
    t->n = t->cap = 0;
}
