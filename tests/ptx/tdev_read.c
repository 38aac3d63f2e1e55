/* tdev_read.c: a test fixture file (relative to $VGPU_SRCDIR) read whole, for both pretend devices.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include "tdev.h"

char *tdev_read(const char *path, size_t *len)
{
    const char *src = getenv("VGPU_SRCDIR");
    char full[4096];
    FILE *f;
    char *buf;
    long n;

    snprintf(full, sizeof(full), "%s/%s", src ? src : ".", path);
    f = fopen(full, "rb");
    if (!f)
        fail_msg("cannot open %s (VGPU_SRCDIR set?)", full);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}
