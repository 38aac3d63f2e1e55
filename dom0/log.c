/* log.c: vgpud's log, to stderr or syslog, with levels and rate limiting. */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>
#include "vgpud.h"

static int log_level = LOG_INFO;
static bool log_syslog;

void vgpu_be__log_setup(int level, bool use_syslog)
{
    log_level = level;
    log_syslog = use_syslog;
    if (use_syslog)
        openlog("vgpud", LOG_PID, LOG_DAEMON);
}

static const char *level_name(int level)
{
    static const char *const names[] = {"emerg",   "alert",  "crit", "error",
                                        "warning", "notice", "info", "debug"};
    return level >= 0 && level <= LOG_DEBUG ? names[level] : "?";
}

static void vlog(int level, const char *fmt, va_list ap)
{
    if (level > log_level)
        return;
    if (log_syslog) {
        vsyslog(level, fmt, ap);
        return;
    }
    fprintf(stderr, "vgpud: %s: ", level_name(level));
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void vgpu_be_log(int level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlog(level, fmt, ap);
    va_end(ap);
}

/*
 * One slot per key and message (its format), hashed; a collision only
 * shares a rate limit. The format is part of the key: one object's
 * different messages never hold each other back, nor does a freed key's
 * address, reused by a new object, hold back that object's first message
 * of another kind.
 */
#define RL_SLOTS 64
static struct {
    const void *key;
    const char *fmt;
    time_t sec;
    unsigned suppressed;
} rl[RL_SLOTS];
static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;

void vgpu_be_log_ratelimited(int level, const void *key, const char *fmt, ...)
{
    size_t slot = (((uintptr_t)key >> 4) ^ ((uintptr_t)fmt >> 3)) % RL_SLOTS;
    time_t now = time(NULL);
    unsigned suppressed = 0;
    bool emit;
    va_list ap;

    pthread_mutex_lock(&rl_lock);
    emit = rl[slot].key != key || rl[slot].fmt != fmt || rl[slot].sec != now;
    if (emit) {
        suppressed = rl[slot].suppressed;
        rl[slot].key = key;
        rl[slot].fmt = fmt;
        rl[slot].sec = now;
        rl[slot].suppressed = 0;
    } else {
        rl[slot].suppressed++;
    }
    pthread_mutex_unlock(&rl_lock);
    if (!emit)
        return;
    va_start(ap, fmt);
    vlog(level, fmt, ap);
    va_end(ap);
    if (suppressed)
        vgpu_be_log(level, "(%u similar messages suppressed)", suppressed);
}
