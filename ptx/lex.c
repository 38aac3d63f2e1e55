/* lex.c: PTX tokens: identifiers (with their dotted modifiers), numbers, punctuation. */
#include <ctype.h>
#include <string.h>
#include "lex.h"

static bool ident_start(int c)
{
    return isalpha(c) || c == '_' || c == '$' || c == '%' || c == '.';
}

static bool ident_char(int c)
{
    return isalnum(c) || c == '_' || c == '$' || c == '.' || c == '%';
}

/* Skips blanks and comments, counting lines. */
static void skip_space(struct ptx_lex *lx)
{
    while (lx->p < lx->end) {
        if (*lx->p == '\n') {
            lx->line++;
            lx->p++;
        } else if (isspace((unsigned char)*lx->p) || *lx->p == '\0') {
            lx->p++;
        } else if (lx->p + 1 < lx->end && lx->p[0] == '/' && lx->p[1] == '/') {
            while (lx->p < lx->end && *lx->p != '\n')
                lx->p++;
        } else if (lx->p + 1 < lx->end && lx->p[0] == '/' && lx->p[1] == '*') {
            lx->p += 2;
            while (lx->p + 1 < lx->end && !(lx->p[0] == '*' && lx->p[1] == '/'))
                lx->line += *lx->p++ == '\n';
            lx->p = lx->p + 2 <= lx->end ? lx->p + 2 : lx->end;
        } else {
            return;
        }
    }
}

static void lex_ident(struct ptx_lex *lx, struct ptx_tok *t)
{
    t->kind = TK_IDENT;
    lx->p++;
    while (lx->p < lx->end) {
        if (ident_char((unsigned char)*lx->p))
            lx->p++;
        else if (lx->p + 2 < lx->end && lx->p[0] == ':' && lx->p[1] == ':')
            lx->p += 2; /* .L2::cache_hint */
        else
            break;
    }
}

static void lex_number(struct ptx_lex *lx, struct ptx_tok *t)
{
    t->kind = TK_NUM;
    while (lx->p < lx->end && (isalnum((unsigned char)*lx->p) || *lx->p == '.'))
        lx->p++;
}

static void lex_string(struct ptx_lex *lx, struct ptx_tok *t)
{
    t->kind = TK_STRING;
    lx->p++;
    while (lx->p < lx->end && *lx->p != '"' && *lx->p != '\n')
        lx->p++;
    if (lx->p < lx->end && *lx->p == '"')
        lx->p++;
}

void ptx__lex_next(struct ptx_lex *lx, struct ptx_tok *t)
{
    skip_space(lx);
    t->s = lx->p;
    t->line = lx->line;
    if (lx->p >= lx->end) {
        t->kind = TK_EOF;
        t->n = 0;
        return;
    }
    if (ident_start((unsigned char)*lx->p))
        lex_ident(lx, t);
    else if (isdigit((unsigned char)*lx->p))
        lex_number(lx, t);
    else if (*lx->p == '"')
        lex_string(lx, t);
    else {
        t->kind = TK_PUNCT;
        lx->p++;
    }
    t->n = (size_t)(lx->p - t->s);
}

bool ptx__tok_is(const struct ptx_tok *t, const char *s)
{
    return t->n == strlen(s) && memcmp(t->s, s, t->n) == 0;
}
