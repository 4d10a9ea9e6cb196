/*
 * fold.h - script folding: traditional characters to their simplified forms
 * (宣州區應急管理局 -> 宣州区应急管理局), from the rule set's "script_fold", so
 * rules written in one script match reports written in the other. Both forms
 * are three bytes, so folding in place keeps every offset.
 */
#ifndef RF_FOLD_H
#define RF_FOLD_H

#include <stddef.h>
#include <stdint.h>

struct script_fold {
    uint32_t *from; /* traditional code points, sorted */
    uint32_t *to;   /* ... and their simplified forms */
    size_t cnt;
    uint8_t *bits; /* one bit per BMP code point: listed in from */
};

/**
 * Read @p pairs (a string of pairs of three-byte characters, traditional then
 * simplified: 區区縣县) into @p f (zeroed). @p path names the rule file in
 * errors. @returns 0, or -1 with the reason in @p errstr; fold_release() frees
 * @p f either way.
 */
int fold_load(struct script_fold *f, const char *pairs, const char *path, char *errstr,
              size_t errstr_size);
void fold_release(struct script_fold *f);

/** Fold the listed characters of valid UTF-8 @p s (@p len bytes) in place. */
void fold_apply(const struct script_fold *f, char *s, size_t len);

#endif
