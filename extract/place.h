/*
 * place.h - Chinese place names: split a run of characters that ends with an
 * administrative suffix (省, 市, 区, 县 ...) into its components (深圳市|福田区),
 * and find the named place of a given level elsewhere in a text, to expand an
 * abbreviated agency (市应急管理局 -> 深圳市应急管理局). Suffixes and levels
 * come from the rule set's "admin_levels".
 */
#ifndef RF_PLACE_H
#define RF_PLACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules.h"
#include "text.h"

struct place {
    size_t last_start; /* byte offset in the run of the last named component */
    size_t end;        /* byte offset just past its suffix */
    size_t last_chars; /* characters of the last component's name, suffix excluded */
    const char *level; /* its level (borrowed from the rule set) */
};

/**
 * True for a character that cannot be part of a place name (的, 和, 全, 本 ...:
 * the rule set's "place_stop_chars").
 */
bool place_stop_char(const struct rules *rules, uint32_t cp);

/**
 * Match an admin suffix at @p s. @returns its length in bytes (0: none) and
 * stores its level in *@p level.
 */
size_t place_suffix_at(const struct rules *rules, const char *s, size_t len, const char **level);

/**
 * Parse @p run (UTF-8 Han characters, @p len bytes) as a sequence of named
 * places ending exactly at its end. A name has two characters or more (常州市
 * is one component, not 常州 + 市), except a last one-character county (沛县).
 * @returns false when the run does not end with a named place.
 */
bool place_parse(const struct rules *rules, const char *run, size_t len, struct place *out);

/**
 * The named place of @p level ("city") that occurs most often in the norm text
 * [@p from, @p to) of @p t, copied into @p out ("深圳市"). Bounded: each
 * suffix occurrence looks back at most a few characters.
 * @returns false when there is none.
 */
bool place_find_named(const struct rules *rules, const struct text *t, size_t from, size_t to,
                      const char *level, char *out, size_t out_size);

/**
 * The suffix that completes @p name (@p name_len bytes), a one-character name
 * with a suffix of its own (朔州: 朔 + 州), where the norm text of @p t writes
 * it out with another suffix of the same level (朔州市): the suffix is copied
 * into @p out. Looks in norm bytes [@p from, @p to) only, so that the
 * caller bounds the work per mention.
 * @returns false when the text does not there.
 */
bool place_completion_in(const struct rules *rules, const struct text *t, size_t from, size_t to,
                         const char *name, size_t name_len, char *out, size_t out_size);

/**
 * True when @p suffix (朔州's 州) and @p other (市) are different suffixes of
 * one level, so that @p other can complete a name ending in @p suffix.
 */
bool place_completes(const struct rules *rules, const char *suffix, const char *other,
                     size_t other_len);

/**
 * @p name, a body named after @p region (铜川市耀州区应急管理局 in 铜川市耀州区),
 * named from its own place instead, in place: 耀州区应急管理局. Left as it is
 * when @p region has one place or does not start @p name.
 */
void place_own_name(const struct rules *rules, const char *region, char *name);

#endif
