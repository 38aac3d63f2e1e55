/* xl_parse: parse an xl domain config with libxlutil (xl's own parser), print one list setting. */
#include <errno.h>
#include <libxlutil.h>
#include <stdio.h>
#include <string.h>

/* usage: xl_parse CONFIG KEY -- prints KEY's list items, one per line; exit 1 if unparsable. */
int main(int argc, char **argv)
{
    XLU_ConfigList *list;
    XLU_Config *cfg;
    int n, r;

    if (argc != 3) {
        fprintf(stderr, "usage: xl_parse CONFIG KEY\n");
        return 2;
    }
    cfg = xlu_cfg_init(stderr, argv[1]);
    if (!cfg)
        return 1;
    r = xlu_cfg_readfile(cfg, argv[1]);
    if (r == 0)
        r = xlu_cfg_get_list(cfg, argv[2], &list, &n, 0);
    if (r) {
        fprintf(stderr, "xl_parse: %s: %s: %s\n", argv[1], argv[2], strerror(r));
        xlu_cfg_destroy(cfg);
        return 1;
    }
    for (int i = 0; i < n; i++)
        printf("%s\n", xlu_cfg_get_listitem(list, i));
    xlu_cfg_destroy(cfg);
    return 0;
}
