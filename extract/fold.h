/*
 * fold.h - script folding: traditional characters to their simplified forms
 * (宣州區應急管理局 -> 宣州区应急管理局), so rules written in one script match
 * reports written in the other. The pairs come from a table file (the rule
 * set's "script_fold_table", built from OpenCC by tools/fold/build.py) and from
 * the rule set's own "script_fold" string, which wins where both list a
 * character. Both forms are three bytes, so folding in place keeps every offset.
 */
#ifndef RF_FOLD_H
#define RF_FOLD_H

#include <stddef.h>
#include <stdint.h>

#include "reportflow/sha256.h"

struct script_fold {
    uint32_t *from; /* traditional code points, sorted, each once */
    uint32_t *to;   /* ... and their simplified forms */
    size_t cnt;
    uint8_t *bits;                            /* one bit per BMP code point: listed in from */
    char table_sha256[RF_SHA256_HEX_LEN + 1]; /* of the table file read ("": none) */
};

/**
 * Read the table file @p table_path (may be NULL: lines "繁<TAB>简", '#' starts a
 * comment line) and then @p pairs (may be NULL: a string of pairs of
 * three-byte characters, traditional then simplified: 區区縣县) into @p f
 * (zeroed). @p rule_path names the rule file in errors about @p pairs.
 * @returns 0, or -1 with the file, line or pair at fault in @p errstr;
 * fold_release() frees @p f either way.
 */
int fold_load(struct script_fold *f, const char *table_path, const char *pairs,
              const char *rule_path, char *errstr, size_t errstr_size);
void fold_release(struct script_fold *f);

/** Fold the listed characters of valid UTF-8 @p s (@p len bytes) in place. */
void fold_apply(const struct script_fold *f, char *s, size_t len);

#endif
