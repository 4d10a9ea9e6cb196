/*
 * rulefile.h - reading a rule set's JSON files: the file itself and the lists
 * it is made of (strings, words, [word, label] pairs), each read by one array
 * loader, with errors that name the file, the field and the item.
 */
#ifndef RF_RULEFILE_H
#define RF_RULEFILE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <stdint.h>

#include "reportflow/sha256.h"

struct name_pair {
    char *word;  /* suffix or keyword to look for */
    char *label; /* what it means: a citation kind, a section category, a level */
    size_t len;  /* strlen(word), for matchers that try every position */
};

/**
 * Parse the JSON file @p path, named @p what in errors ("rule file", "keyer
 * model"), and write the SHA-256 of the bytes parsed into @p sha256 (64 hex
 * digits and NUL; NULL: not wanted), so what names a rule set's version is what
 * was loaded. @returns its root (the caller decrefs it), or NULL with @p errstr
 * naming the file, line and column.
 */
json_t *rulefile_load_json(const char *path, const char *what, char *sha256, char *errstr,
                           size_t errstr_size);

/** A copy of string field @p name of @p obj (the caller frees it), or NULL when absent. */
char *rulefile_string(json_t *obj, const char *name);

/**
 * Reads item @p index of an array into @p elem (zeroed), @p what naming the
 * array in errors. @returns 0, or -1 with the reason in @p errstr.
 */
typedef int (*rulefile_item_fn)(json_t *item, size_t index, void *elem, void *ctx, const char *what,
                                char *errstr, size_t errstr_size);

/**
 * The one array loader. JSON array @p arr (@p what names it in errors, @p shape
 * says what it must be: "an array of strings") becomes a new zeroed array of
 * its size plus one elements of @p elem_size bytes in *@p out, each item read
 * by @p load_item with @p ctx. *@p cnt counts the items handed to @p load_item,
 * so the caller frees as far as it got, after an error too. A missing array
 * is an error when @p required, else an empty one.
 * @returns 0, or -1 with the reason in @p errstr.
 */
int rulefile_array(json_t *arr, bool required, const char *what, const char *shape,
                   size_t elem_size, void **out, size_t *cnt, rulefile_item_fn load_item, void *ctx,
                   char *errstr, size_t errstr_size);

/**
 * Copies of the strings in optional JSON array @p arr into a new
 * NULL-terminated *@p out, counted in *@p cnt; the caller frees them with
 * rulefile_free_strings(), after an error too. With @p nonempty an empty string
 * is an error.
 */
int rulefile_strings(json_t *arr, bool nonempty, const char *what, char ***out, size_t *cnt,
                     char *errstr, size_t errstr_size);
void rulefile_free_strings(char **strings, size_t cnt);

/** Sort @p cnt strings longest first, so a matcher trying them in order takes the longest. */
void rulefile_sort_longest_first(char **strings, size_t cnt);

/** Required array @p field of @p obj, of [word, label] pairs. Free with rulefile_free_pairs(). */
int rulefile_pairs(json_t *obj, const char *field, struct name_pair **out, size_t *cnt,
                   const char *path, char *errstr, size_t errstr_size);

/**
 * Optional array of strings @p field of @p obj (@p where names the object in
 * errors: "vocabulary " or ""), kept as pairs whose label is the word itself.
 */
int rulefile_words(json_t *obj, const char *where, const char *field, struct name_pair **out,
                   size_t *cnt, const char *path, char *errstr, size_t errstr_size);
void rulefile_free_pairs(struct name_pair *pairs, size_t cnt);

/**
 * Compile @p pattern (UTF-8, PCRE2 @p options) and JIT it when PCRE2 can.
 * @returns the code (free with pcre2_code_free()), or NULL with @p errstr naming
 * @p what, PCRE2's error, its offset and the pattern.
 */
pcre2_code *rulefile_regex(const char *pattern, uint32_t options, const char *what, char *errstr,
                           size_t errstr_size);
/** @p name relative to the folder of rule file @p path (the caller frees it), or NULL on ENOMEM. */
char *rulefile_beside(const char *path, const char *name);

/**
 * "extends" of rule file @p root (read from @p path): the name of a base rule file in the
 * same folder, whose fields @p root takes unless it has its own (but name, version,
 * description, family, core_keys), whose vocabulary and macro words it takes where it has
 * none, and whose rules come before its own (one of the same id is replaced). @p file_sha
 * becomes the hash of both files. @returns 0 (also with no "extends"), or -1 with @p errstr.
 */
int rulefile_extend(json_t *root, const char *path, char file_sha[RF_SHA256_HEX_LEN + 1],
                    char *errstr, size_t errstr_size);
#endif
