/*
 * gazetteer.h - the administrative divisions of China (province, prefecture and
 * county level, with short forms and former names), read from a data file
 * (config/divisions/cn.tsv), so that a place is a place only if it is one and
 * an agency's region resolves to a division code.
 */
#ifndef RF_GAZETTEER_H
#define RF_GAZETTEER_H

#include <stdbool.h>
#include <stddef.h>

#include "text.h"

#define GAZETTEER_CODE_LEN 6

struct gazetteer;

struct gazetteer_place {
    char code[GAZETTEER_CODE_LEN + 1]; /* 440304 */
    const char *name;                  /* 福田区 */
    const char *short_name;            /* its first short form (福田), or NULL */
    const char *level;                 /* "province", "city" or "county" */
    const struct gazetteer_place *parent;
    bool former; /* a name no longer in use (襄樊市): its code is where it went */
};

/**
 * Read the gazetteer at @p path (tab-separated: code, level, name, parent,
 * short forms, status). @returns it, or NULL with the file, line and field
 * at fault in @p errstr. Free with gazetteer_free().
 */
struct gazetteer *gazetteer_load(const char *path, char *errstr, size_t errstr_size);
void gazetteer_free(struct gazetteer *g);

/** SHA-256 (hex) of the file read: part of the rule set's hash. */
const char *gazetteer_sha256(const struct gazetteer *g);

/** Number of divisions read (former names included). */
size_t gazetteer_count(const struct gazetteer *g);

/**
 * Places named exactly @p name (@p len bytes; a full name or a short form):
 * up to @p max of them into @p out. @returns how many there are in all.
 */
size_t gazetteer_find(const struct gazetteer *g, const char *name, size_t len,
                      const struct gazetteer_place **out, size_t max);

/** The current division whose code is @p code (six digits), or NULL. */
const struct gazetteer_place *gazetteer_by_code(const struct gazetteer *g, const char *code);

/**
 * The names that start with a Chinese numeral (七台河市, 七台河, 三门县): a
 * numeral there is part of a name, not a count. Short forms of counties of two
 * characters (三门, 五台) are left out: 三台 is as often three machines.
 * Sorted by bytes; borrowed, valid while @p g lives.
 */
const char *const *gazetteer_numeral_names(const struct gazetteer *g, size_t *cnt);

/**
 * True when @p region (@p len bytes, as written: 深圳市福田区, 北京市, 六安) is
 * a sequence of known places, each inside the one before it.
 */
bool gazetteer_is_region(const struct gazetteer *g, const char *region, size_t len);

/**
 * The division @p region names (its last place), told apart from its
 * namesakes by the places before it in @p region or, failing that, by which
 * of their parents the norm text of @p t names in bytes [@p from, @p to)
 * (朝阳区 in a text that names 北京: 110105). @returns NULL when @p region is
 * no known place or stays ambiguous.
 */
const struct gazetteer_place *gazetteer_resolve(const struct gazetteer *g, const char *region,
                                                size_t len, const struct text *t, size_t from,
                                                size_t to);

/**
 * The place named most often in the norm text of @p t, bytes [@p from,
 * @p to), by its full name or a short form (四川 for 四川省), among the
 * places of level @p level (a rule set's: province, city, district or
 * county; districts and counties are both the gazetteer's county level, and
 * a city is any place whose name ends with @p suffix: 北京市, 临湘市)
 * whose full name ends with @p suffix (@p suffix_len bytes: 省, 市, 区, 县):
 * to complete an agency the text writes without its place (省应急管理厅). A
 * form several places share counts for none.
 * @returns NULL when the text names none, or two equally often.
 */
const struct gazetteer_place *gazetteer_most_named(const struct gazetteer *g, const struct text *t,
                                                   size_t from, size_t to, const char *level,
                                                   const char *suffix, size_t suffix_len);

#endif
