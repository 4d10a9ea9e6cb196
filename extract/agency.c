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

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazetteer.h"
#include "pinyin.h"
#include "place.h"
#include "reportflow/buf.h"

#define MAX_AGENCIES 32
#define PLACE_SEARCH_BYTES 6000 /* an abbreviated agency's place is named near the top */
#define OWN_REPORT_LINES 3      /* a place reporting on itself says so in its opening lines */
#define OWN_REPORT_BYTES 600    /* ... within about 200 characters, however long a line is */
/* 汉源县, 滨海新区: a longer run there is a phrase (推进青阳市) */
#define OWN_REPORT_NAME_CHARS 3
/* bare city names (朔州消防支队) completed per document: each looks PLACE_SEARCH_BYTES around */
#define MAX_BARE_CITY_LOOKUPS 64

/*
 * What the agency search works out once per document rather than once per
 * mention: which self-references (全市, 本县) the text uses, and how many bare
 * city names it has completed; repeated per mention, both made a crafted
 * report's search grow with the square of its length.
 */
struct agency_scan {
    uint64_t self_refs; /* bit k: rules->self_references[k] occurs (the first 64) */
    size_t bare_lookups;
};

struct agency_candidate {
    char name[128];    /* 福田区应急管理局 */
    char region[96];   /* 深圳市福田区 */
    const char *level; /* district */
    bool unnamed;      /* 市应急管理局: the place is named elsewhere */
    bool titled;       /* the title names it (or a form merged into it) */
    int count;         /* occurrences */
    size_t first;      /* first norm offset */
};

static void add_candidate(struct agency_candidate *cands, size_t *cnt,
                          const struct agency_candidate *c)
{
    for (size_t i = 0; i < *cnt; i++) {
        if (strcmp(cands[i].name, c->name) == 0) {
            cands[i].count++;
            if (strlen(c->region) > strlen(cands[i].region)) {
                snprintf(cands[i].region, sizeof(cands[i].region), "%s", c->region);
            }
            return;
        }
    }
    if (*cnt < MAX_AGENCIES) {
        cands[*cnt] = *c;
        cands[*cnt].count = 1;
        (*cnt)++;
    }
}

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
    /* as written: merge_written_forms() keeps the shortest form the text uses */
    snprintf(c->name, sizeof(c->name), "%.*s%s", (int)(at - s), t->norm + s, canonical);
    c->level = p.level;
    return true;
}

/*
 * 深圳市罗湖区应急管理局 and 罗湖区应急管理局 are one agency: the shortest full
 * name the text uses stands for both and counts the mentions of both.
 */
static void merge_written_forms(struct agency_candidate *cands, size_t *cnt)
{
    for (size_t i = 0; i < *cnt; i++) {
        size_t il = strlen(cands[i].name);
        for (size_t j = 0; j < *cnt; j++) {
            size_t jl = strlen(cands[j].name);
            if (i == j || cands[j].unnamed || jl <= il ||
                strcmp(cands[j].name + jl - il, cands[i].name) != 0 || cands[i].unnamed) {
                continue;
            }
            cands[i].count += cands[j].count;
            cands[i].titled |= cands[j].titled;
            if (strlen(cands[j].region) > strlen(cands[i].region)) {
                memcpy(cands[i].region, cands[j].region, sizeof(cands[i].region));
            }
            cands[j] = cands[--(*cnt)];
            if (i == *cnt) {
                i = j; /* the shorter one moved into j's place */
            }
            j = (size_t)-1; /* start over: the list changed */
            il = strlen(cands[i].name);
        }
    }
}

/* The self-references (全市, 本县) @p t uses, one bit each: one scan per word per document. */
static uint64_t self_references_used(const struct text *t, const struct rules *rules)
{
    uint64_t used = 0;
    for (size_t k = 0; k < rules->self_reference_cnt && k < 64; k++) {
        if (docscan_contains(t->norm, t->norm_len, rules->self_references[k].word)) {
            used |= (uint64_t)1 << k;
        }
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
    size_t from = run > PLACE_SEARCH_BYTES ? run - PLACE_SEARCH_BYTES : 0;
    if (!place_completion_in(rules, t, from, at + PLACE_SEARCH_BYTES, t->norm + run, 6, completion,
                             sizeof(completion)) &&
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

/* Every agency mention, while @p budget lasts (a spent one leaves the list short). */
static void collect_agencies(const struct text *t, const struct rules *rules, struct budget *budget,
                             struct agency_candidate *cands, size_t *cnt)
{
    struct agency_scan scan = {self_references_used(t, rules), 0};
    for (size_t k = 0; k < rules->agency_suffix_cnt; k++) {
        const char *suffix = rules->agency_suffixes[k].word;
        const char *canonical = rules->agency_suffixes[k].label;
        const char *p = t->norm;
        while ((p = strstr(p, suffix)) != NULL) {
            if (budget_spent(budget)) {
                return;
            }
            size_t at = (size_t)(p - t->norm);
            struct agency_candidate c;
            if (agency_at(t, rules, &scan, at, canonical, &c)) {
                add_candidate(cands, cnt, &c);
            }
            p += strlen(suffix);
        }
    }
    for (size_t k = 0; k < rules->national_body_cnt; k++) {
        const char *p = t->norm;
        const char *word = rules->national_bodies[k].word;
        while ((p = strstr(p, word)) != NULL) {
            /* 各级应急管理部门: departments of any level, not the ministry */
            if (strncmp(p + strlen(word), "门", strlen("门")) == 0) {
                p += strlen(word);
                continue;
            }
            struct agency_candidate c;
            memset(&c, 0, sizeof(c));
            snprintf(c.name, sizeof(c.name), "%s", rules->national_bodies[k].label);
            c.first = (size_t)(p - t->norm);
            add_candidate(cands, cnt, &c);
            p += strlen(word);
        }
    }
}

static bool is_weak_body(const struct rules *rules, const char *name)
{
    for (size_t k = 0; k < rules->weak_body_cnt; k++) {
        if (docscan_ends_with(name, strlen(name), rules->weak_bodies[k].word)) {
            return true;
        }
    }
    return false;
}

/*
 * A name in the title wins; then a local body over a national one and a
 * bureau over a government that only oversees it (weak_bodies); then the most
 * frequent; then one named with its place; then the shortest.
 */
static int agency_rank(const struct rules *rules, const struct agency_candidate *c)
{
    return (c->titled ? 4 : 0) + (c->level ? 2 : 0) + (is_weak_body(rules, c->name) ? 0 : 1);
}

static const struct agency_candidate *best_agency(const struct rules *rules,
                                                  const struct agency_candidate *cands, size_t cnt)
{
    const struct agency_candidate *best = NULL;
    int best_rank = -1;
    for (size_t i = 0; i < cnt; i++) {
        const struct agency_candidate *c = &cands[i];
        int rank = agency_rank(rules, c);
        /* between equals, a body the text names in full (江门市应急管理局) before one it
           names without its place (省应急管理厅, often the body above), then the shorter */
        bool named_first = !c->unnamed && best && best->unnamed;
        bool unnamed_after = c->unnamed && best && !best->unnamed;
        if (!best || rank > best_rank ||
            (rank == best_rank &&
             (c->count > best->count ||
              (c->count == best->count &&
               (named_first || (!unnamed_after && strlen(c->name) < strlen(best->name))))))) {
            best = c;
            best_rank = rank;
        }
    }
    return best;
}

/* 市应急管理局 in a report whose title or first paragraph names 深圳市: 深圳市应急管理局. */
static void expand_unnamed(const struct text *t, const struct rules *rules,
                           struct agency_candidate *c)
{
    char place[64];
    size_t to = t->norm_len < PLACE_SEARCH_BYTES ? t->norm_len : PLACE_SEARCH_BYTES;
    const char *level = NULL;
    size_t sl = place_suffix_at(rules, c->name, strlen(c->name), &level);
    if (!c->level) {
        return;
    }
    if (!place_find_named(rules, t, 0, to, c->level, place, sizeof(place))) {
        /* else the place the text names most by any form (四川 for 省…: 四川省) */
        const struct gazetteer_place *known =
            rules->gazetteer
                ? gazetteer_most_named(rules->gazetteer, t, 0, to, c->level, c->name, sl)
                : NULL;
        if (!known) {
            return;
        }
        snprintf(place, sizeof(place), "%s", known->name);
    }
    char name[128];
    snprintf(name, sizeof(name), "%s%s", place, c->name + sl);
    snprintf(c->name, sizeof(c->name), "%s", name);
    snprintf(c->region, sizeof(c->region), "%s", place);
    c->unnamed = false;
}

/* 区生态环境局 in the title and 和平区生态环境局 in the page's byline: the named one. */
static const struct agency_candidate *named_twin(const struct agency_candidate *cands, size_t cnt,
                                                 const struct agency_candidate *unnamed,
                                                 const struct rules *rules)
{
    const char *level = NULL;
    size_t sl = place_suffix_at(rules, unnamed->name, strlen(unnamed->name), &level);
    const char *body = unnamed->name + sl;
    const struct agency_candidate *best = NULL;
    for (size_t i = 0; i < cnt; i++) {
        const struct agency_candidate *c = &cands[i];
        size_t nl = strlen(c->name), bl = strlen(body);
        if (!c->unnamed && c->level == unnamed->level && nl > bl &&
            strcmp(c->name + nl - bl, body) == 0 && (!best || c->count > best->count)) {
            best = c;
        }
    }
    return best;
}

/*
 * 州应急管理局 twice and 楚雄州应急管理局 once are one agency mentioned three
 * times: an abbreviation counts for the named form of the same body and level,
 * which is then named from its own place.
 */
static void merge_unnamed_into_twins(const struct rules *rules, struct agency_candidate *cands,
                                     size_t *cnt)
{
    for (size_t i = 0; i < *cnt;) {
        struct agency_candidate *twin =
            cands[i].unnamed ? (struct agency_candidate *)named_twin(cands, *cnt, &cands[i], rules)
                             : NULL;
        if (!twin) {
            i++;
            continue;
        }
        twin->count += cands[i].count;
        twin->titled |= cands[i].titled;
        place_own_name(rules, twin->region, twin->name);
        cands[i] = cands[--(*cnt)];
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
    /* the run must be the place and nothing else: 推进青阳市 is no four-character name */
    struct place p;
    return place_parse(rules, t->norm + run, at - run, &p) &&
           p.last_chars <= OWN_REPORT_NAME_CHARS &&
           named_agency(t, rules, run, at, rules->own_report_body, c);
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
            add_candidate(cands, cnt, &c);
            for (size_t k = 0; k < *cnt; k++) {
                cands[k].titled |= strcmp(cands[k].name, c.name) == 0;
            }
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
            add_candidate(cands, cnt, &c);
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
    size_t to = t->norm_len < PLACE_SEARCH_BYTES ? t->norm_len : PLACE_SEARCH_BYTES;
    const struct gazetteer_place *p =
        gazetteer_resolve(rules->gazetteer, a->region, strlen(a->region), t, 0, to);
    if (p) {
        memcpy(a->region_code, p->code, sizeof(a->region_code));
    }
}

/* The agency of @p t whose title is @p title (may be NULL). @returns 0, or -1 on ENOMEM. */
static int find_agency(const struct text *t, const struct rules *rules,
                       const struct docscan_lines *ls, const char *title, struct budget *budget,
                       struct agency_result *out)
{
    struct agency_candidate cands[MAX_AGENCIES];
    size_t cnt = 0;
    collect_agencies(t, rules, budget, cands, &cnt);
    for (size_t i = 0; i < cnt; i++) {
        cands[i].titled = title && strstr(title, cands[i].name);
    }
    add_own_report(t, rules, ls, cands, &cnt);
    add_addressee_writer(t, rules, ls, cands, &cnt);
    merge_written_forms(cands, &cnt);
    merge_unnamed_into_twins(rules, cands, &cnt);
    const struct agency_candidate *chosen = best_agency(rules, cands, cnt);
    if (!chosen) {
        return 0;
    }
    struct agency_candidate best = *chosen;
    if (best.unnamed) {
        const struct agency_candidate *named = named_twin(cands, cnt, &best, rules);
        if (named) {
            best = *named;
        } else {
            expand_unnamed(t, rules, &best);
        }
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

void agency_release(struct agency_result *a)
{
    free(a->agency);
    free(a->region);
    *a = (struct agency_result){NULL, NULL, NULL, ""};
}
