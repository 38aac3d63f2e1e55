/* stage.c: the data area's layout and its staging FIFO (copies, names, parameters, images). */
#include <string.h>
#include "channel_int.h"

static uint64_t align_up(uint64_t v)
{
    return (v + VGPU_STAGE_ALIGN - 1) & ~(uint64_t)(VGPU_STAGE_ALIGN - 1);
}

void vgpu__data_layout(vgpu_channel *ch, uint64_t data_size)
{
    /* Half for staging (whole pages), half for host buffers. */
    uint64_t stage = (data_size / 2) & ~(uint64_t)(VGPU_PAGE_SIZE - 1);

    if (stage == 0)
        stage = data_size;
    ch->stage.size = stage;
    ch->stage.head = ch->stage.tail = 0;
    ch->host_off = stage;
    ch->host_size = data_size - stage;
}

/* Position of a len-byte allocation at head, or false if it does not fit now. */
static bool stage_fits(const struct vgpu__stage *s, uint64_t len, uint64_t *pos, uint64_t *skip)
{
    uint64_t used = s->head - s->tail;
    uint64_t at = s->head % s->size;

    *skip = (at + len > s->size) ? s->size - at : 0;
    *pos = *skip ? 0 : at;
    return used + *skip + len <= s->size;
}

int vgpu__stage_alloc(vgpu_channel *ch, uint64_t len, uint64_t *off)
{
    uint64_t pos, skip;
    int r;

    len = align_up(len ? len : 1);
    if (len > ch->stage.size)
        return -VGPU_S_NO_MEMORY;
    for (;;) {
        if (ch->broken)
            return ch->broken;
        if (vgpu__outstanding(ch) == 0) /* all released: start again at 0 */
            ch->stage.head = ch->stage.tail = 0;
        if (stage_fits(&ch->stage, len, &pos, &skip))
            break;
        /* Full: let the queued work run and wait until some of it is answered. */
        r = vgpu__submit(ch);
        if (r == 0)
            r = vgpu__wait_one(ch);
        if (r < 0)
            return r;
    }
    ch->stage.head += skip + len;
    *off = pos;
    return 0;
}

int vgpu__stage_put(vgpu_channel *ch, const void *src, uint64_t len, uint64_t *off)
{
    int r = vgpu__stage_alloc(ch, len, off);

    if (r == 0)
        memcpy((char *)ch->port.data + *off, src, len);
    return r;
}
