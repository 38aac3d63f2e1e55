/* lex.h: the PTX tokenizer the parser reads from. */
#ifndef PTX_LEX_H
#define PTX_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ptx_tok_kind { TK_EOF = 0, TK_IDENT, TK_NUM, TK_STRING, TK_PUNCT };

struct ptx_tok {
    int kind;      /* enum ptx_tok_kind */
    const char *s; /* into the text, not NUL-terminated */
    size_t n;
    uint32_t line;
};

struct ptx_lex {
    const char *p, *end;
    uint32_t line;
};

/* The next token; TK_EOF at the end (and then forever). */
void ptx__lex_next(struct ptx_lex *lx, struct ptx_tok *t);
bool ptx__tok_is(const struct ptx_tok *t, const char *s);

#endif /* PTX_LEX_H */
