/*
 * agency.c - who wrote the report: the agency and the region it governs.
 *
 * Candidates come from every body the text names after a place (深圳市应急管理局),
 * from bare city names completed where the text writes them in full, from a
 * place reporting on itself in its opening lines (庆元县2024年度行政执法: its
 * government), and from a notice's addressees (各区应急局: the body a level
 * up). Written forms of one body merge, a body the title names ranks first,
 * and weak bodies (人民政府 named in others' reports) are chosen last. Pinyin
 * readings that converted pages print after a character (環(huán)) are read
 * past, and traditional script is folded first.
 */
#define _GNU_SOURCE /* memmem */
#include "agency.h"
#include "agency_pick.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "byline.h"
#include "gazetteer.h"
#include "pinyin.h"
#include "place.h"
#include "reportflow/buf.h"
#include "wordscan.h"

#define OWN_REPORT_LINES 3   /* a place reporting on itself says so in its opening lines */
#define OWN_REPORT_BYTES 600 /* ... within about 200 characters, however long a line is */
/* 汉源县, 滨海新区: a longer run there is a phrase (推进青阳市) */
#define OWN_REPORT_NAME_CHARS 3
#define OWN_REPORT_TOWN_CHARS 4 /* 天目西路街道 */
/* bare city names (朔州消防支队) completed per document: each looks AGENCY_PLACE_SEARCH_BYTES
 * around */
#define MAX_BARE_CITY_LOOKUPS 64
#define BRANCH_PLACE_CHARS 4 /* 鹿城区 + 分局: the place of a branch */

/*
 * What the agency search works out once per document rather than once per
 * mention: which self-references (全市, 本县) the text uses, and how many bare
 * city names it has completed; repeated per mention, both made a crafted
 * report's search grow with the square of its length.
 */
struct agency_scan {
    const struct wordscan *bodies; /* agency suffixes (BODY_SUFFIXES) and national bodies */
    uint64_t self_refs;            /* bit k: rules->self_references[k] occurs (the first 64) */
    size_t bare_lookups;
};

enum { BODY_SUFFIXES, BODY_NATIONAL }; /* the lists of agency_scan.bodies */

/* Walk back from @p at over Han characters that can belong to a place name. */
static size_t place_run_start(const struct text *t, const struct rules *rules, size_t at)
{
    size_t c = text_char_at(t, at);
    size_t taken = 0;
    while (c > 0 && taken < 16) {
        size_t n;
        uint32_t cp = text_codepoint(t->norm, t->norm_off[c - 1], &n);
        if (!docscan_is_han(cp) || place_stop_char(rules, cp)) {
            break;
        }
        c--;
        taken++;
    }
    return t->norm_off[c];
}

/* True when the character before norm byte @p at is a Han character. */
static bool starts_in_han(const struct text *t, size_t at)
{
    size_t c = text_char_at(t, at);
    size_t n;
    return c > 0 && docscan_is_han(text_codepoint(t->norm, t->norm_off[c - 1], &n));
}

/* A named place in norm bytes [@p s, @p at) followed by the body word: fills @p c. */
static bool named_agency(const struct text *t, const struct rules *rules, size_t s, size_t at,
                         const char *canonical, struct agency_candidate *c)
{
    struct place p;
    if (!place_parse(rules, t->norm + s, at - s, &p) ||
        !(p.last_chars >= 2 || strcmp(p.level, "county") == 0)) {
        return false;
    }
    /* with a gazetteer, a place is a place only if it is one: 依法治市 is no city; it lists
       no towns, so a town (新城镇) is judged by the places before it, if any */
    size_t known = strcmp(p.level, "town") == 0 ? p.last_start : at - s;
    if (rules->gazetteer && known > 0 &&
        !gazetteer_is_region(rules->gazetteer, t->norm + s, known)) {
        return false;
    }
    snprintf(c->region, sizeof(c->region), "%.*s", (int)(at - s), t->norm + s);
    /* as written: agency_pick_merge() keeps the shortest form the text uses */
    snprintf(c->name, sizeof(c->name), "%.*s%s", (int)(at - s), t->norm + s, canonical);
    c->level = p.level;
    return true;
}

/* The self-references (全市, 本县) @p t uses, one bit each (the first 64), found by @p selfs. */
static uint64_t self_references_used(const struct text *t, const struct rules *rules,
                                     const struct wordscan *selfs)
{
    uint64_t used = 0;
    struct wordscan_cursor c = wordscan_from(0);
    size_t at;
    for (const struct wordscan_word *w;
         (w = wordscan_next(selfs, t->norm, t->norm_len, &c, &at));) {
        size_t k = (size_t)(w->pair - rules->self_references);
        used |= k < 64 ? (uint64_t)1 << k : 0;
    }
    return used;
}

/*
 * The suffix that completes a bare name of the text's own place (朔州 in a
 * report on 全市: 市), from the self-references of the vocabulary.
 */
static bool self_completion(const struct rules *rules, const struct agency_scan *scan,
                            const char *own, char *out, size_t out_size)
{
    for (size_t k = 0; k < rules->self_reference_cnt && k < 64; k++) {
        const char *word = rules->self_references[k].word;
        size_t wl = strlen(word);
        /* the word is a prefix character and a suffix: 全 + 市 */
        if (wl > 3 && wl - 3 < out_size && place_completes(rules, own, word + 3, wl - 3) &&
            (scan->self_refs >> k & 1)) {
            memcpy(out, word + 3, wl - 3);
            out[wl - 3] = '\0';
            return true;
        }
    }
    return false;
}

/*
 * 朔州消防支队: a city named without its 市, whose name ends like a suffix
 * (朔 + 州 is no place: one character is too short a name). It is the city
 * when the text writes 朔州市 or calls its own place a 市 (全市); otherwise
 * no candidate, rather than the cut 州消防支队.
 */
static bool bare_city_agency(const struct text *t, const struct rules *rules,
                             struct agency_scan *scan, size_t run, size_t at, const char *canonical,
                             struct agency_candidate *c)
{
    const char *level = NULL;
    if (at - run != 6 || place_suffix_at(rules, t->norm + run + 3, 3, &level) != 3 ||
        scan->bare_lookups >= MAX_BARE_CITY_LOOKUPS) {
        return false;
    }
    scan->bare_lookups++;
    char own[4], completion[16];
    memcpy(own, t->norm + run + 3, 3);
    own[3] = '\0';
    size_t from = run > AGENCY_PLACE_SEARCH_BYTES ? run - AGENCY_PLACE_SEARCH_BYTES : 0;
    if (!place_completion_in(rules, t, from, at + AGENCY_PLACE_SEARCH_BYTES, t->norm + run, 6,
                             completion, sizeof(completion)) &&
        !self_completion(rules, scan, own, completion, sizeof(completion))) {
        return false;
    }
    snprintf(c->region, sizeof(c->region), "%.*s%s", 6, t->norm + run, completion);
    snprintf(c->name, sizeof(c->name), "%s%s", c->region, canonical);
    place_suffix_at(rules, completion, strlen(completion), &c->level);
    return true;
}

/*
 * The agency whose body word ends at @p at: the longest run of named places
 * before it (深圳市福田区 + 应急管理局), or, when only an admin suffix stands
 * there (市应急管理局), an unnamed candidate to expand later.
 */
static bool agency_at(const struct text *t, const struct rules *rules, struct agency_scan *scan,
                      size_t at, const char *canonical, struct agency_candidate *c)
{
    size_t run = place_run_start(t, rules, at);
    memset(c, 0, sizeof(*c));
    c->first = at;
    for (size_t s = run; s < at; s += 3) {
        if (named_agency(t, rules, s, at, canonical, c)) {
            return true;
        }
    }
    /* a place may start with a character that usually stops one (和平区): one back, when
       that character starts the run of Han characters (发布者:和平区生态环境局) */
    if (run >= 3 && run + 6 <= at && ((unsigned char)t->norm[run - 3] & 0xf0) == 0xe0 &&
        !starts_in_han(t, run - 3) && named_agency(t, rules, run - 3, at, canonical, c)) {
        return true;
    }
    if (bare_city_agency(t, rules, scan, run, at, canonical, c)) {
        return true;
    }
    /* only a suffix that is the whole run: in 朔州消防支队 the 州 ends a name, not abbreviates;
       with a gazetteer, also a suffix after words that name no place (依法治市应急管理局) */
    const char *level = NULL;
    size_t from = run;
    if (rules->gazetteer && at - run >= 9 &&
        !gazetteer_is_region(rules->gazetteer, t->norm + run, at - run)) {
        /* three characters or more: a phrase, not a bare name (蒲州); the longest suffix
           that ends the run stands alone (依法治市: 市; 自治区 is one suffix, not 区) */
        from = at - 3;
        for (size_t k = at - run; k > 3; k -= 3) {
            const char *lv = NULL;
            if (place_suffix_at(rules, t->norm + at - k, k, &lv) == k) {
                from = at - k;
                break;
            }
        }
    }
    size_t sl = place_suffix_at(rules, t->norm + from, at - from, &level);
    /* 各区应急局, 各设区市应急管理局: the bureaus below the author, not the author */
    bool others = run >= 3 && memcmp(t->norm + run - 3, "各", 3) == 0;
    if (sl == 0 || sl != at - from || others) {
        return false;
    }
    snprintf(c->name, sizeof(c->name), "%.*s%s", (int)sl, t->norm + from, canonical);
    c->level = level;
    c->unnamed = true;
    return true;
}

/*
 * The agency that a publisher span names (see byline.h): the first body word in it, or for a
 * byline one that ends the span, with its place starting it. @returns false for none.
 */
static bool span_agency(const struct text *t, const struct rules *rules, struct agency_scan *scan,
                        const struct byline_span *sp, struct agency_candidate *c)
{
    struct wordscan_cursor cur = wordscan_from(sp->start);
    size_t at;
    /* the text ends at the span's end: a body word must lie inside it */
    for (const struct wordscan_word *w;
         (w = wordscan_next(scan->bodies, t->norm, sp->end, &cur, &at));) {
        const struct name_pair *suf = w->pair;
        if (w->list != BODY_SUFFIXES ||
            (sp->alone &&
             (at + suf->len != sp->end || place_run_start(t, rules, at) != sp->start))) {
            continue;
        }
        if (agency_at(t, rules, scan, at, suf->label, c)) {
            return true;
        }
    }
    return false;
}

/*
 * The body a page head says published it (发布机构: 县应急管理局; 清水县人民政府
 * 2024年01月08日) ranks below one the title names and above all others: a city's report
 * may give its drafting bureau as its source (来源: 市司法局).
 */
static void add_publishers(const struct text *t, const struct rules *rules,
                           const struct docscan_lines *ls, struct agency_scan *scan,
                           struct agency_candidate *cands, size_t *cnt)
{
    struct byline_span spans[BYLINE_MAX_SPANS];
    size_t n = byline_find(t, rules, ls, spans);
    for (size_t i = 0; i < n; i++) {
        struct agency_candidate c;
        if (!span_agency(t, rules, scan, &spans[i], &c)) {
            continue;
        }
        c.published = true;
        agency_pick_add(cands, cnt, &c);
    }
}

/*
 * A branch named right after the body that ends at norm byte @p end (温州市公安局 +
 * 鹿城区分局, 十堰市生态环境局 + 郧阳分局): its length in bytes, or 0.
 */
static size_t branch_after(const struct text *t, const struct rules *rules, size_t end)
{
    size_t at = end;
    for (size_t chars = 0; chars <= BRANCH_PLACE_CHARS && at + 3 <= t->norm_len; chars++) {
        for (size_t k = 0; chars >= 2 && k < rules->branch_word_cnt; k++) {
            const struct name_pair *w = &rules->branch_words[k];
            if (at + w->len <= t->norm_len && memcmp(t->norm + at, w->word, w->len) == 0) {
                return at + w->len - end;
            }
        }
        size_t n;
        uint32_t cp = text_codepoint(t->norm, at, &n);
        if (!docscan_is_han(cp) || place_stop_char(rules, cp)) {
            return 0;
        }
        at += n;
    }
    return 0;
}

/* The agency a body word at norm byte @p at names, if any, into the list. */
static void agency_candidate_at(const struct text *t, const struct rules *rules,
                                struct agency_scan *scan, const struct wordscan_word *w, size_t at,
                                struct agency_candidate *cands, size_t *cnt)
{
    struct agency_candidate c;
    size_t end = at + w->pair->len;
    if (w->list == BODY_NATIONAL) {
        /* 各级应急管理部门: departments of any level, not the ministry */
        if (end + 3 <= t->norm_len && memcmp(t->norm + end, "门", 3) == 0) {
            return;
        }
        memset(&c, 0, sizeof(c));
        snprintf(c.name, sizeof(c.name), "%s", w->pair->label);
        c.first = at;
        agency_pick_add(cands, cnt, &c);
        return;
    }
    if (!agency_at(t, rules, scan, at, w->pair->label, &c)) {
        return;
    }
    size_t bl = branch_after(t, rules, end);
    size_t nl = strlen(c.name);
    if (bl > 0 && nl + bl < sizeof(c.name)) {
        memcpy(c.name + nl, t->norm + end, bl);
        c.name[nl + bl] = '\0';
    }
    agency_pick_add(cands, cnt, &c);
}

/* Every agency mention, in text order, while @p budget lasts (a spent one leaves the list short).
 */
static void collect_agencies(const struct text *t, const struct rules *rules, struct budget *budget,
                             struct agency_scan *scan, struct agency_candidate *cands, size_t *cnt)
{
    struct wordscan_cursor c = wordscan_from(0);
    size_t at;
    for (const struct wordscan_word *w;
         !budget_spent(budget) &&
         (w = wordscan_next(scan->bodies, t->norm, t->norm_len, &c, &at));) {
        agency_candidate_at(t, rules, scan, w, at, cands, cnt);
    }
}

/* At norm byte @p at: a year (2024年度) or an own-report word (行政执法). */
static bool own_report_word_at(const struct text *t, const struct rules *rules, size_t at)
{
    const char *s = t->norm + at;
    size_t rest = t->norm_len - at;
    if (rest >= 4 && docscan_year_at(s, 0, 0)) {
        return true;
    }
    for (size_t k = 0; k < rules->own_report_word_cnt; k++) {
        const struct name_pair *w = &rules->own_report_words[k];
        if (w->len <= rest && memcmp(s, w->word, w->len) == 0) {
            return true;
        }
    }
    return false;
}

/*
 * A named place that opens a clause and is followed by a year or an
 * own-report word at @p at (2019年,汉源县法治政府建设工作...; 庆元县2024年度
 * 行政执法数据表): the place reports on itself, so its government is the
 * author. Fills @p c with that government, or @returns false.
 */
static bool own_report_at(const struct text *t, const struct rules *rules, size_t at,
                          struct agency_candidate *c)
{
    if (!own_report_word_at(t, rules, at) || !starts_in_han(t, at)) {
        return false;
    }
    size_t run = place_run_start(t, rules, at);
    /* 落实深圳市法治政府建设: a place inside a clause is the object, not the subject */
    if (run == at || starts_in_han(t, run)) {
        return false;
    }
    memset(c, 0, sizeof(*c));
    c->first = run;
    /* the run must be the place and nothing else: 推进青阳市 is no four-character name, but
       a subdistrict may be named after a road (天目西路街道) */
    struct place p;
    if (!place_parse(rules, t->norm + run, at - run, &p) ||
        p.last_chars >
            (strcmp(p.level, "town") == 0 ? OWN_REPORT_TOWN_CHARS : OWN_REPORT_NAME_CHARS)) {
        return false;
    }
    /* a subdistrict's office reports for it (街道 -> 办事处), a government for the others */
    const char *body = rules->own_report_body;
    for (size_t k = 0; k < rules->own_report_office_cnt; k++) {
        const struct name_pair *o = &rules->own_report_offices[k];
        if (at - run > o->len && memcmp(t->norm + at - o->len, o->word, o->len) == 0) {
            body = o->label;
        }
    }
    return named_agency(t, rules, run, at, body, c);
}

/*
 * The government of a place that reports on itself in the first lines (the
 * title and the opening): a candidate that ranks like one the title names.
 * Bounded: the first OWN_REPORT_LINES lines and OWN_REPORT_BYTES, each position looked
 * at once.
 */
static void add_own_report(const struct text *t, const struct rules *rules,
                           const struct docscan_lines *ls, struct agency_candidate *cands,
                           size_t *cnt)
{
    if (!rules->own_report_body) {
        return;
    }
    size_t first = ls->cnt ? ls->items[0].start : 0;
    for (size_t i = 0; i < ls->cnt && i < OWN_REPORT_LINES; i++) {
        int cited = 0; /* inside 《》: a cited title's place is not the author */
        for (size_t at = ls->items[i].start; at < ls->items[i].end; at++) {
            if (at - first >= OWN_REPORT_BYTES) {
                return; /* a long first line is a paragraph: its later places are others */
            }
            struct agency_candidate c;
            bool three = at + 3 <= ls->items[i].end;
            if (three && memcmp(t->norm + at, "《", 3) == 0) {
                cited++;
            } else if (three && memcmp(t->norm + at, "》", 3) == 0 && cited > 0) {
                cited--;
            }
            if (cited > 0 || ((unsigned char)t->norm[at] & 0xc0) == 0x80 ||
                !own_report_at(t, rules, at, &c)) {
                continue;
            }
            c.titled = true; /* the place's own report ranks like one its title names */
            agency_pick_add(cands, cnt, &c);
            return;
        }
    }
}

/*
 * 各区应急局: at the line [@p a, @p b): the bodies a notice is addressed to.
 * The writer is the same body a level up (市应急管理局), an unnamed candidate
 * filled in @p c. @returns false for any other line.
 */
static bool addressee_line(const struct text *t, const struct rules *rules, size_t a, size_t b,
                           struct agency_candidate *c)
{
    const char *s = t->norm;
    /* skip what comes before the first Han character (U+4E00 starts with e4): spaces,
       bullets, brackets */
    while (a < b && (unsigned char)s[a] < 0xe4) {
        a += ((unsigned char)s[a] & 0xe0) == 0xe0 ? 3 : 1;
    }
    if (b - a < 6 || b - a > 60 || s[b - 1] != ':' || memcmp(s + a, "各", 3) != 0) {
        return false;
    }
    for (size_t k = 0; k < rules->addressee_parent_cnt; k++) {
        const struct name_pair *pp = &rules->addressee_parents[k];
        if (b - a <= 3 + pp->len || memcmp(s + a + 3, pp->word, pp->len) != 0) {
            continue;
        }
        size_t body = a + 3 + pp->len;
        for (size_t j = 0; j < rules->agency_suffix_cnt; j++) {
            const struct name_pair *suf = &rules->agency_suffixes[j];
            if (body + suf->len + 1 == b && memcmp(s + body, suf->word, suf->len) == 0) {
                memset(c, 0, sizeof(*c));
                snprintf(c->name, sizeof(c->name), "%s%s", pp->label, suf->label);
                place_suffix_at(rules, pp->label, strlen(pp->label), &c->level);
                c->unnamed = c->level != NULL;
                c->first = a;
                return c->unnamed;
            }
        }
    }
    return false;
}

/* A notice's addressees in its head name its writer: see addressee_line(). */
static void add_addressee_writer(const struct text *t, const struct rules *rules,
                                 const struct docscan_lines *ls, struct agency_candidate *cands,
                                 size_t *cnt)
{
    for (size_t i = 0; i < ls->cnt && i < DOCSCAN_HEAD_LINES; i++) {
        struct agency_candidate c;
        if (addressee_line(t, rules, ls->items[i].start, ls->items[i].end, &c)) {
            agency_pick_add(cands, cnt, &c);
            return;
        }
    }
}

/*
 * The division code of @p a's region, from the rule set's gazetteer: a namesake (朝阳区) is
 * told apart by the places the top of the text names.
 */
static void resolve_region_code(const struct text *t, const struct rules *rules,
                                struct agency_result *a)
{
    if (!rules->gazetteer || !a->region) {
        return;
    }
    size_t to = t->norm_len < AGENCY_PLACE_SEARCH_BYTES ? t->norm_len : AGENCY_PLACE_SEARCH_BYTES;
    const struct gazetteer_place *p =
        gazetteer_resolve(rules->gazetteer, a->region, strlen(a->region), t, 0, to);
    if (p) {
        memcpy(a->region_code, p->code, sizeof(a->region_code));
    }
}

/* The agency of @p t whose title is @p title (may be NULL), with @p scan's words. @returns 0, or
   -1 on ENOMEM. */
static int choose_agency(const struct text *t, const struct rules *rules,
                         const struct docscan_lines *ls, const char *title, struct budget *budget,
                         struct agency_scan *scan, struct agency_result *out)
{
    struct agency_candidate cands[AGENCY_PICK_MAX];
    size_t cnt = 0;
    collect_agencies(t, rules, budget, scan, cands, &cnt);
    for (size_t i = 0; i < cnt; i++) {
        cands[i].titled = title && strstr(title, cands[i].name);
    }
    add_publishers(t, rules, ls, scan, cands, &cnt);
    add_own_report(t, rules, ls, cands, &cnt);
    add_addressee_writer(t, rules, ls, cands, &cnt);
    agency_pick_merge(rules, cands, &cnt);
    const struct agency_candidate *chosen = agency_pick_best(rules, cands, cnt);
    if (!chosen) {
        return 0;
    }
    struct agency_candidate best = *chosen;
    if (best.unnamed) {
        agency_pick_complete(t, rules, ls, cands, cnt, &best);
    }
    out->level = best.level;
    if (!(out->agency = strdup(best.name))) {
        return -1;
    }
    if (best.unnamed || !best.region[0]) {
        return 0;
    }
    /* the fullest region that ends with the agency's own place (深圳市福田区) */
    const char *region = best.region;
    for (size_t i = 0; i < cnt; i++) {
        size_t rl = strlen(cands[i].region), bl = strlen(best.region);
        if (rl > strlen(region) && rl >= bl &&
            memcmp(cands[i].region + rl - bl, best.region, bl) == 0) {
            region = cands[i].region;
        }
    }
    out->region = strdup(region);
    if (!out->region) {
        return -1;
    }
    resolve_region_code(t, rules, out);
    return 0;
}

/* choose_agency() with the rule set's words, indexed when the rules were loaded. */
static int find_agency(const struct text *t, const struct rules *rules,
                       const struct docscan_lines *ls, const char *title, struct budget *budget,
                       struct agency_result *out)
{
    struct agency_scan scan = {rules->agency_bodies,
                               self_references_used(t, rules, rules->agency_selfs), 0};
    return choose_agency(t, rules, ls, title, budget, &scan, out);
}

/* find_agency() on @p t, or on a copy of it without readings when it has some. */
static int find_agency_read(const struct text *t, const struct rules *rules,
                            const struct docscan_lines *ls, const char *title,
                            struct budget *budget, struct agency_result *out)
{
    size_t clean_len = 0;
    bool nomem = false;
    char *clean = pinyin_strip_readings(t->norm, t->norm_len, &clean_len, &nomem);
    if (!clean) {
        return nomem ? -1 : find_agency(t, rules, ls, title, budget, out);
    }
    struct text ct;
    struct docscan_lines cls = {NULL, 0};
    int rc = text_init(&ct, clean, clean_len);
    if (rc == 0) {
        fold_apply(&rules->fold, ct.norm, ct.norm_len);
        rc = docscan_lines_split(&ct, &cls);
        if (rc == 0) {
            rc = find_agency(&ct, rules, &cls, title, budget, out);
        }
        docscan_lines_release(&cls);
        text_release(&ct);
    }
    free(clean);
    return rc == 0 ? 0 : -1;
}

int agency_find(const struct text *t, const struct rules *rules, const struct docscan_lines *ls,
                const char *title, struct budget *budget, struct agency_result *out)
{
    *out = (struct agency_result){NULL, NULL, NULL, ""};
    /* the norm text is folded already (extractor_run); the title is original text */
    char *folded = title ? strdup(title) : NULL;
    if (title && !folded) {
        return -1;
    }
    if (folded) {
        fold_apply(&rules->fold, folded, strlen(folded));
        size_t clean_len;
        bool nomem = false;
        char *clean = pinyin_strip_readings(folded, strlen(folded), &clean_len, &nomem);
        if (clean) {
            free(folded);
            folded = clean;
        } else if (nomem) {
            free(folded);
            return -1;
        }
    }
    int rc = find_agency_read(t, rules, ls, folded, budget, out);
    free(folded);
    if (rc != 0) {
        agency_release(out);
    }
    return rc;
}

/* Two one-pass scans, the same for every document: made once (bitmaps of 8 KiB, on the heap;
   made per document they were 2% of an extraction). */
int agency_words_index(struct rules *r, const char *path, char *errstr, size_t errstr_size)
{
    const struct name_pair *const body_lists[] = {r->agency_suffixes, r->national_bodies};
    const size_t body_counts[] = {r->agency_suffix_cnt, r->national_body_cnt};
    const struct name_pair *const self_list[] = {r->self_references};
    const size_t self_count[] = {r->self_reference_cnt};
    r->agency_bodies = wordscan_new(body_lists, body_counts, 2);
    r->agency_selfs = wordscan_new(self_list, self_count, 1);
    if (!r->agency_bodies || !r->agency_selfs) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
        return -1;
    }
    return 0;
}

void agency_words_release(struct rules *r)
{
    wordscan_free(r->agency_bodies);
    wordscan_free(r->agency_selfs);
    r->agency_bodies = r->agency_selfs = NULL;
}

void agency_release(struct agency_result *a)
{
    free(a->agency);
    free(a->region);
    *a = (struct agency_result){NULL, NULL, NULL, ""};
}
