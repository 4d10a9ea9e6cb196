/*
 * rules.h - the extraction rule set, loaded from JSON (config/rules/): measure
 * words, metric rules (PCRE2 patterns with {Q} for the quantity), the veto on
 * planned numbers, citation kinds, section categories and agency suffixes.
 * Compiled once, JIT'd when possible, read-only afterwards, so any number of
 * threads may share one set; match state lives in struct rules_matcher.
 */
#ifndef RF_RULES_H
#define RF_RULES_H

#define PCRE2_CODE_UNIT_WIDTH 8

/* The pseudo measure word of a bare number in a table cell (quantity.cell). */
#define RULES_TABLE_CELL "|"
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>

#include "fold.h"
#include "lexicon.h"
#include "quantity.h"
#include "rulefile.h"
#include "family.h"
#include "tablegrid.h"
#include "wordscan.h"
#include "zeroscan.h"

struct keyer_model;
struct gazetteer;

#define RULES_HASH_LEN 16

struct rule_pattern {
    pcre2_code *code; /* compiled, JIT'd when available */
    int q_group;      /* capture number of the quantity, or -1 */
    int zero_group;   /* capture number of an explicit "none" (无), or -1 */
    /* a stated zero whose words are known (zeroscan.h): the pattern compiled anchored, tried
       only where one of their first characters stands; NULL: the text is scanned */
    pcre2_code *anchored;
    uint32_t firsts[ZEROSCAN_FIRSTS];
    size_t first_cnt;
};

/* One of 64 bits for a measure word: a rule's units as a set that may err only by excess. */
static inline unsigned rules_unit_bit(const char *unit)
{
    unsigned h = 2166136261u;
    for (; *unit; unit++) {
        h = (h ^ (unsigned char)*unit) * 16777619u;
    }
    return h & 63u;
}

struct rule {
    char *id;     /* unique, for errors and the envelope */
    char *key;    /* taxonomy key, e.g. hazards.found */
    int priority; /* the more specific rule wins a mention */
    char **units; /* measure words it accepts ("" = a bare 万/亿 count, "|" = a table cell) */
    size_t unit_cnt;
    uint64_t unit_bits; /* rules_unit_bit() of each: most units are ruled out by one test */
    struct rule_pattern *patterns; /* at least one, unless the rule reads a table */
    size_t pattern_cnt;
    struct table_spec *table; /* "table": the cell it reads by row and column, or NULL */
};

struct rules {
    char *name;    /* rule set name, travels in every envelope */
    char *version; /* rule set version */
    /* the first RULES_HASH_LEN hex digits of the SHA-256 of the rule file and its model:
       with name and version, what identifies an extraction (sql/012); an edited file that
       kept its version number still gets a hash of its own */
    char hash[RULES_HASH_LEN + 1];
    char **measure_words; /* longest first */
    /* the first characters of every rule's stated-zero words (zeroscan.h), found once per
       text */
    uint8_t zero_firsts[ZEROSCAN_SET_BYTES];
    bool zero_firsts_known; /* some pattern tries only where they stand */
    size_t measure_cnt;
    struct quantity_vocab numbers;    /* what quantity.c reads: points into the lists below */
    struct quantity_word *qualifiers; /* vocabulary "number_words": "before" words, then "after" */
    char **more_words;                /* ... "more" (余, 多), longest first */
    size_t more_cnt;
    char **word_starts; /* ... "word_starts" (统, 进) */
    size_t word_start_cnt;
    char **round_openers; /* ... "round_openers" (近, 约, 上) */
    size_t round_opener_cnt;
    char **durations; /* ... "durations" (天, 工作日) */
    size_t duration_cnt;
    char **rates; /* ... "rates" (每, 人均) */
    size_t rate_cnt;
    char **totals; /* ... "totals" (共, 累计) */
    size_t total_cnt;
    char **change_from; /* ... "change_from" (由原来的, 从) */
    size_t change_from_cnt;
    char **inventories; /* ... "inventories" (清单, 名单) */
    size_t inventory_cnt;
    char *qualifier_re;   /* {Q}'s qualifier before the number, from the "before" words */
    char *more_re;        /* {Q}'s "more" word after a number or its 万 */
    pcre2_code *veto;     /* matched against the clause before a quantity, or NULL */
    pcre2_code *realised; /* a clause that says a number happened (实际, 已): no inherited veto */
    pcre2_code *not_count; /* right before a number, makes it no count (同比增长2件, 不少于1次) */
    struct rule *items; /* metric rules: a base's (extends) first, then the file's own */
    size_t cnt;
    bool reads_tables;           /* some rule has a "table" */
    bool tables_decide;          /* "tables_decide": a key a table gave is taken from no sentence */
    struct table_run_spec *runs; /* "run_together": tables whose cells lost their borders */
    size_t run_cnt;
    struct family family;             /* which documents it is for ("family"; none: any) */
    struct name_pair *citation_kinds; /* title ending -> kind, in order */
    size_t citation_kind_cnt;
    struct name_pair *section_categories; /* heading keyword -> category */
    size_t section_category_cnt;
    struct name_pair *agency_suffixes; /* body after a place -> full form (应急局 -> 应急管理局) */
    size_t agency_suffix_cnt;
    struct name_pair *national_bodies; /* a body with no place (应急管理部) -> its full name */
    size_t national_body_cnt;
    struct lexicon keyer_actions;  /* "keyer_lexicon": action -> concept (检查 -> inspect) */
    struct lexicon keyer_objects;  /* object word -> concept (企业 -> enterprise) */
    struct name_pair *weak_bodies; /* bodies named in others' reports (人民政府): chosen last */
    size_t weak_body_cnt;
    struct name_pair *admin_levels; /* region suffix -> level (市 -> city) */
    size_t admin_level_cnt;
    /* report-family vocabulary (the "vocabulary" object of the file) */
    struct name_pair *title_labels; /* "标题:" before a title line */
    size_t title_label_cnt;
    struct name_pair *title_endings; /* a title line ends with one ("报告") */
    size_t title_ending_cnt;
    struct name_pair *title_words; /* ... and holds one ("法治") */
    size_t title_word_cnt;
    struct name_pair *date_labels; /* "发布时间" before the publication date */
    size_t date_label_cnt;
    struct name_pair *doc_number_labels; /* "文号" before the document number */
    size_t doc_number_label_cnt;
    struct name_pair *as_of_markers; /* "截至": a period limit (metrics.c) */
    size_t as_of_marker_cnt;
    /* the head lines' date and document-number labels, indexed once when the rules are
       loaded (docfields.c); NULL when not loaded */
    struct head_label_index *head_labels;
    struct name_pair *yoy_markers; /* "同比": a year-on-year change (metrics.c) */
    size_t yoy_marker_cnt;
    struct name_pair *yoy_up; /* ... up after the marker (增长, 上升) */
    size_t yoy_up_cnt;
    struct name_pair *yoy_down; /* ... or down (下降, 减少) */
    size_t yoy_down_cnt;
    struct name_pair *own_report_words; /* 庆元县2024年度行政执法: a place reporting on */
    size_t own_report_word_cnt; /* itself as a whole ("行政执法", "法治政府建设") */
    char *own_report_body;      /* ... whose body is its government ("人民政府") */
    struct name_pair *own_report_offices; /* ... or for these places, another (街道: 办事处) */
    size_t own_report_office_cnt;
    struct name_pair *branch_words; /* 温州市公安局鹿城区分局: a bureau's branch ("分局") */
    size_t branch_word_cnt;
    struct name_pair *publisher_labels; /* "发布机构" before the body that published the page */
    size_t publisher_label_cnt;
    struct name_pair *addressee_parents; /* 各区应急局: -> 市, the level that writes to 区 */
    size_t addressee_parent_cnt;
    struct name_pair *self_references; /* 全市, 本市: the report's own place is a city */
    size_t self_reference_cnt;
    /* the agency finder's words, indexed once when the rules are loaded (agency.c): bodies
       (agency_suffixes, then national_bodies) and self_references; NULL when not loaded */
    struct wordscan *agency_bodies, *agency_selfs;
    char *citation_prefix; /* dropped when normalising a title (中华人民共和国) */
    /* "citation_other_after" (栏目, 节目): right after a title, or a run of titles, it
       names a column, a programme or a book, not a document: kind other */
    struct name_pair *citation_other_after;
    size_t citation_other_after_cnt;
    int min_report_han;      /* fewer Han characters: not a report (default 20) */
    char *place_stop_chars;  /* characters that end a place name (的在和...) */
    struct script_fold fold; /* "script_fold": traditional -> simplified (fold.h) */
    char **core_keys;        /* "core_keys": the keys scored apart and summarised per
                                report (sql view report_summary), in order */
    char *summary_view;      /* "summary_view": the view of those columns (report_summary) */
    size_t core_key_cnt;
    size_t max_captures;         /* for sizing match data */
    struct keyer_model *keyer;   /* learned key assignment ("model" in the file), or NULL */
    struct gazetteer *gazetteer; /* China's divisions ("gazetteer" in the file), or NULL */
};

/**
 * Load and compile the rule set in @p path. @returns a new set (free with
 * rules_free()), or NULL with a message in @p errstr naming the file, the
 * rule and, for a bad pattern, PCRE2's error and offset.
 */
struct rules *rules_load(const char *path, char *errstr, size_t errstr_size);
void rules_free(struct rules *r);

/** Per-thread match state. */
struct rules_matcher {
    pcre2_match_data *md;
};

int rules_matcher_init(struct rules_matcher *m, const struct rules *r);
void rules_matcher_release(struct rules_matcher *m);

#endif
