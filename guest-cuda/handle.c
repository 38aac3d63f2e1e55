/* handle.c: the registry of live handles, so a stale or forged one is refused, not followed. */
#include <stdlib.h>
#include <time.h>
#include "cuda_int.h"

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vcu_obj *live; /* every handle not yet destroyed */

void vcu__obj_add(struct vcu_obj *o, enum vcu_kind kind)
{
    o->kind = kind;
    pthread_mutex_lock(&reg_lock);
    o->next = live;
    live = o;
    pthread_mutex_unlock(&reg_lock);
}

void vcu__obj_del(struct vcu_obj *o)
{
    struct vcu_obj **pp;

    pthread_mutex_lock(&reg_lock);
    for (pp = &live; *pp; pp = &(*pp)->next)
        if (*pp == o) {
            *pp = o->next;
            break;
        }
    pthread_mutex_unlock(&reg_lock);
    o->kind = 0;
}

void vcu__obj_free_owned(struct CUctx_st *c)
{
    struct vcu_obj **pp = &live, *o, *gone = NULL;

    pthread_mutex_lock(&reg_lock);
    while ((o = *pp) != NULL) {
        if (o->owner == c) {
            *pp = o->next;
            o->next = gone;
            gone = o;
        } else {
            pp = &o->next;
        }
    }
    pthread_mutex_unlock(&reg_lock);
    while ((o = gone) != NULL) {
        gone = o->next;
        free(o);
    }
}

bool vcu__obj_ok(const void *h, enum vcu_kind kind)
{
    const struct vcu_obj *o;
    bool ok = false;

    if (!h)
        return false;
    pthread_mutex_lock(&reg_lock);
    for (o = live; o && !ok; o = o->next)
        ok = o == h && o->kind == kind;
    pthread_mutex_unlock(&reg_lock);
    return ok;
}

uint64_t vcu__now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
