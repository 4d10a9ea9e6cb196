/*
 * metrics.c - taxonomy facts from quantities and rules.
 * Long because: one document's matching (pattern rules, table rules, the keyer's say, the
 * merge and the period limits) shares one scan state, which splitting would expose.
 */
#define _GNU_SOURCE /* memmem */
#include "metrics.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "citations.h"
#include "keyer.h"
#include "zeroscan.h"
#include "reportflow/utf8.h"
#include "reportflow/vec.h"

struct candidate {
    const struct rule *rule; /* NULL: no rule named this quantity */
    size_t match_start;      /* where the rule's wording starts */
};

/* The period-limit markers (截至...) of the rule set in the text, found once per document. */
struct as_of_mark {
    uint32_t end; /* norm byte just past the marker */
    uint8_t len;  /* its length in bytes */
};
struct as_of_marks {
    struct as_of_mark *items; /* ascending by end */
    size_t cnt, cap;
};

static int push_mark(struct as_of_marks *out, size_t end, size_t len)
{
    struct as_of_mark *grown = rf_vec_reserve(out->items, &out->cap, out->cnt, 1, sizeof(*grown));
    if (!grown) {
        return -1;
    }
    out->items = grown;
    out->items[out->cnt++] = (struct as_of_mark){(uint32_t)end, (uint8_t)len};
    return 0;
}

static int cmp_mark(const void *a, const void *b)
{
    const struct as_of_mark *x = a, *y = b;
    return x->end != y->end ? (x->end < y->end ? -1 : 1) : (x->len > y->len) - (x->len < y->len);
}

/* Every occurrence of each of the rule set's as_of_markers: one memmem pass per marker.
 * @returns 0 or -1 on ENOMEM. */
static int as_of_marks_find(const struct rules *rules, const struct text *t,
                            struct as_of_marks *out)
{
    memset(out, 0, sizeof(*out));
    const char *s = t->norm;
    size_t len = t->norm_len;
    for (size_t k = 0; k < rules->as_of_marker_cnt; k++) {
        const struct name_pair *m = &rules->as_of_markers[k];
        if (m->len == 0 || m->len > UINT8_MAX) {
            continue;
        }
        for (const char *p = memmem(s, len, m->word, m->len); p;
             p = memmem(p + 1, len - (size_t)(p + 1 - s), m->word, m->len)) {
            if (push_mark(out, (size_t)(p - s) + m->len, m->len) != 0) {
                return -1;
            }
        }
    }
    if (out->cnt > 1) {
        qsort(out->items, out->cnt, sizeof(*out->items), cmp_mark);
    }
    return 0;
}

static void as_of_marks_release(struct as_of_marks *m)
{
    free(m->items);
    memset(m, 0, sizeof(*m));
}

#define AS_OF_MAX_BYTES 40

/*
 * "截至11月底": a period limit earlier in the same sentence, up to the next
 * clause break and at most AS_OF_MAX_BYTES, cut between characters.
 */
static void find_as_of(const struct text *t, const struct as_of_marks *marks, size_t at, char *out,
                       size_t out_size)
{
    const char *s = t->norm;
    size_t from = text_sentence_start(t, at);
    out[0] = '\0';
    /* the last marker ending at or before @p at */
    size_t lo = 0, hi = marks->cnt;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (marks->items[mid].end <= at) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == 0) {
        return;
    }
    size_t i = marks->items[lo - 1].end;
    if (i < from + marks->items[lo - 1].len) {
        return; /* it starts in an earlier sentence */
    }
    size_t e = i, w;
    while (e < at && e - i <= AS_OF_MAX_BYTES && !text_clause_break(s, e, t->norm_len, &w)) {
        e++;
    }
    size_t n = rf_utf8_cut(s + i, e - i, AS_OF_MAX_BYTES);
    rf_utf8_copy(out, out_size, s + i, n);
}

/* "下降9.2%" at norm byte @p p: one of @p verbs, then a percentage, signed by @p sign. */
static bool yoy_change_at(const struct text *t, size_t p, const struct name_pair *verbs,
                          size_t verb_cnt, int sign, double *pct)
{
    const char *s = t->norm;
    for (size_t k = 0; k < verb_cnt; k++) {
        size_t vl = verbs[k].len;
        if (p + vl <= t->norm_len && memcmp(s + p, verbs[k].word, vl) == 0) {
            /* a plain decimal: strtod would take 1e999 and nan, and no JSON holds them */
            double v = 0;
            size_t at = p + vl;
            size_t n = quantity_parse_decimal(s + at, t->norm_len - at, &v);
            if (n > 0 && at + n < t->norm_len && s[at + n] == '%') {
                *pct = sign * v;
                return true;
            }
        }
    }
    return false;
}

/* "同比下降9.2%" after the quantity, in the same sentence (marker and verbs: the rule set's). */
static bool find_yoy(const struct rules *rules, const struct text *t, size_t from, double *pct)
{
    const char *s = t->norm;
    size_t limit = from + 60 < t->norm_len ? from + 60 : t->norm_len;
    for (size_t i = from; i + 6 <= limit; i++) {
        if (memcmp(s + i, "。", 3) == 0 || s[i] == '\n') {
            return false;
        }
        const struct name_pair *marker = NULL;
        for (size_t k = 0; k < rules->yoy_marker_cnt && !marker; k++) {
            const struct name_pair *m = &rules->yoy_markers[k];
            if (i + m->len <= limit && memcmp(s + i, m->word, m->len) == 0) {
                marker = m;
            }
        }
        if (!marker) {
            continue;
        }
        size_t p = i + marker->len;
        return yoy_change_at(t, p, rules->yoy_up, rules->yoy_up_cnt, 1, pct) ||
               yoy_change_at(t, p, rules->yoy_down, rules->yoy_down_cnt, -1, pct);
    }
    return false;
}

/* The norm byte @p reach bytes before @p at (not before @p floor), between characters. */
static size_t reach_back(const struct text *t, size_t at, size_t floor, size_t reach)
{
    if (at <= floor || at - floor <= reach) {
        return floor;
    }
    size_t a = at - reach;
    while (a < at && ((unsigned char)t->norm[a] & 0xc0) == 0x80) {
        a++;
    }
    return a;
}

/* The norm byte @p reach bytes after @p at (not after @p ceiling), between characters. */
static size_t reach_forward(const struct text *t, size_t at, size_t ceiling, size_t reach)
{
    /* a number may run past its clause's end: "1,234" holds a clause break */
    if (at >= ceiling || ceiling - at <= reach) {
        return ceiling;
    }
    return at + rf_utf8_cut(t->norm + at, ceiling - at, reach);
}

/* The wording before a number, at most METRICS_REACH_BYTES of its clause: bounded work. */
static bool clause_prefix_matches(pcre2_code *re, struct rules_matcher *m, const struct text *t,
                                  size_t clause_start, size_t at)
{
    if (!re) {
        return false;
    }
    size_t from = reach_back(t, at, clause_start, METRICS_REACH_BYTES);
    if (from > at) {
        return false;
    }
    int rc =
        pcre2_match(re, (PCRE2_SPTR)t->norm + from, at - from, 0, PCRE2_NO_UTF_CHECK, m->md, NULL);
    return rc > 0;
}

/*
 * Planned numbers are not metrics: 计划检查1297家, 将陆续开展4场; nor is a change or a
 * floor written right before a number (同比增长2件, 不少于1次: "not_count_before"), nor
 * what the quantity finder knows is no count (a duration, a rate, a value before a change).
 * A clause that
 * only breaks a planned number down (其中重点检查企业为777家) inherits its veto
 * until the sentence ends or a clause says the work was done (实际, 已).
 */
static bool *planned_flags(const struct rules *rules, struct rules_matcher *m, const struct text *t,
                           const struct quantity_list *qs, struct budget *budget)
{
    bool *flags = calloc(qs->cnt + 1, sizeof(bool));
    if (!flags) {
        return NULL;
    }
    size_t planned_sentence = (size_t)-1; /* sentence start of the last planned quantity */
    for (size_t i = 0; i < qs->cnt; i++) {
        const struct quantity *q = &qs->items[i];
        if (budget_spent(budget)) {
            free(flags);
            return NULL;
        }
        if (q->role != ROLE_COUNT ||
            clause_prefix_matches(rules->not_count, m, t, q->clause_start, q->start)) {
            flags[i] = true; /* a change or a floor, not a count; the sentence goes on as it was */
            continue;
        }
        size_t sentence = text_sentence_start(t, q->start);
        if (clause_prefix_matches(rules->veto, m, t, q->clause_start, q->start)) {
            flags[i] = true;
        } else if (sentence == planned_sentence &&
                   !clause_prefix_matches(rules->realised, m, t, q->clause_start, q->start)) {
            flags[i] = true;
        }
        if (flags[i]) {
            planned_sentence = sentence;
        }
    }
    return flags;
}

/* A table cell is accepted only by a rule that lists the pseudo measure word "|". */
static bool unit_accepted(const struct rule *rule, const struct quantity *q)
{
    const char *unit = q->cell ? RULES_TABLE_CELL : q->unit;
    if (!(rule->unit_bits >> rules_unit_bit(unit) & 1)) {
        return false;
    }
    for (size_t i = 0; i < rule->unit_cnt; i++) {
        /* the second byte tells most Chinese measure words apart: no call for them */
        const char *u = rule->units[i];
        if (u[0] == unit[0] && (!u[0] || (u[1] == unit[1] && strcmp(u, unit) == 0))) {
            return true;
        }
    }
    return false;
}

static int push_fact(struct fact_list *l, size_t *cap, const struct fact *f)
{
    struct fact *grown = rf_vec_reserve(l->items, cap, l->cnt, 1, sizeof(*grown));
    if (!grown) {
        return -1;
    }
    l->items = grown;
    l->items[l->cnt++] = *f;
    return 0;
}

static void complete_fact(const struct text *t, struct fact *f)
{
    text_clause(t, f->start, &f->clause_start, &f->clause_end);
}

/* Offer @p rule for the quantity at @p q_idx; keep it if it beats the current one. */
static void offer(struct candidate *best, size_t q_idx, const struct rule *rule, size_t match_start)
{
    struct candidate *c = &best[q_idx];
    if (!c->rule || rule->priority > c->rule->priority ||
        (rule->priority == c->rule->priority && match_start < c->match_start)) {
        c->rule = rule;
        c->match_start = match_start;
    }
}

static int zero_fact(const struct text *t, const struct rule *rule, size_t a, size_t b,
                     struct fact_list *zeros, size_t *cap)
{
    struct fact f;
    memset(&f, 0, sizeof(f));
    f.rule = rule;
    f.confidence = -1; /* merge_facts() sets it from the model's calibration */
    f.quantity = METRICS_NO_QUANTITY;
    f.start = a;
    f.end = b;
    complete_fact(t, &f);
    return push_fact(zeros, cap, &f);
}

struct range {
    size_t start, end; /* norm bytes */
};

/* One document's matching: what every rule's patterns read and fill. */
struct scan {
    struct rules_matcher *m;
    const struct text *t;
    const struct quantity_list *qs;
    const bool *planned;  /* per quantity: no metric (planned, a change, a floor) */
    struct range *titles; /* cited titles (inside 《》), in text order */
    size_t title_cnt;
    struct candidate *best; /* per quantity: the rule that names it */
    struct fact_list zeros;
    size_t zero_cap;
    struct budget *budget;
    size_t *zero_at; /* where the first character of a stated zero's words stands (zeroscan.h) */
    size_t zero_at_cnt;
    bool zero_at_known; /* zero_at was found: anchored zero patterns try only there */
};

/* The cited titles of @p t, found as citations.c finds them. NULL on ENOMEM. */
static struct range *find_titles(const struct text *t, size_t *cnt)
{
    size_t cap = 0, from = 0, start, end;
    struct range *titles = rf_vec_reserve(NULL, &cap, 0, 1, sizeof(*titles));
    *cnt = 0;
    while (titles && citations_next(t, from, &start, &end)) {
        struct range *grown = rf_vec_reserve(titles, &cap, *cnt, 1, sizeof(*grown));
        if (!grown) {
            free(titles);
            return NULL;
        }
        titles = grown;
        titles[(*cnt)++] = (struct range){start, end};
        from = end + 3; /* past the 》 */
    }
    return titles;
}

/*
 * True when norm byte @p at is inside a cited title: 《生产安全事故罚款处罚规定》
 * names a rule, not a penalty, whatever number follows the title.
 */
static bool inside_title(const struct scan *s, size_t at)
{
    size_t lo = 0, hi = s->title_cnt;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->titles[mid].end <= at) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < s->title_cnt && s->titles[lo].start <= at;
}

/* The first of @p at[0..cnt) (ascending) at or after @p pos. */
static size_t first_at_or_after(const size_t *at, size_t cnt, size_t pos)
{
    size_t lo = 0, hi = cnt;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (at[mid] < pos) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/*
 * The first match of @p rp in the text up to @p to starting at or after @p pos
 * (pcre2_match()'s result; one starting at @p start_limit or later may be
 * reported, or not). A stated zero whose words are known is tried, anchored,
 * only where one of their first characters stands: the same first match.
 */
static int first_match(struct scan *s, const struct rule_pattern *rp, size_t pos,
                       size_t start_limit, size_t to)
{
    const struct text *t = s->t;
    if (!rp->anchored || !s->zero_at_known) {
        return pcre2_match(rp->code, (PCRE2_SPTR)t->norm, to, pos, PCRE2_NO_UTF_CHECK, s->m->md,
                           NULL);
    }
    for (size_t i = first_at_or_after(s->zero_at, s->zero_at_cnt, pos);
         i < s->zero_at_cnt && s->zero_at[i] < start_limit; i++) {
        if (budget_spent(s->budget)) {
            return PCRE2_ERROR_NOMATCH; /* the caller sees the budget spent */
        }
        size_t at = s->zero_at[i];
        if (!zeroscan_starts_with(t->norm, to, at, rp->firsts, rp->first_cnt)) {
            continue;
        }
        int rc = pcre2_match(rp->anchored, (PCRE2_SPTR)t->norm, to, at, PCRE2_NO_UTF_CHECK,
                             s->m->md, NULL);
        if (rc != PCRE2_ERROR_NOMATCH) {
            return rc;
        }
    }
    return PCRE2_ERROR_NOMATCH;
}

/*
 * Match @p rp in the text up to @p to, for matches starting in [@p from,
 * @p start_limit); lookbehinds may still see before @p from. A match whose
 * wording starts inside a cited title counts for nothing.
 */
static int run_pattern(struct scan *s, const struct rule *rule, const struct rule_pattern *rp,
                       size_t from, size_t start_limit, size_t to)
{
    const struct text *t = s->t;
    size_t pos = from;
    while (pos < start_limit) {
        if (budget_spent(s->budget)) {
            return -1;
        }
        int rc = first_match(s, rp, pos, start_limit, to);
        if (rc == PCRE2_ERROR_NOMATCH) {
            return 0;
        }
        if (rc < 0) {
            PCRE2_UCHAR msg[120];
            if (pcre2_get_error_message(rc, msg, sizeof(msg)) < 0) {
                snprintf((char *)msg, sizeof(msg), "unknown error");
            }
            budget_fault(s->budget, "rule '%s': PCRE2 match error %d (%s) at byte %zu", rule->id,
                         rc, (const char *)msg, pos);
            return -1;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->m->md);
        size_t match_start = ov[0], match_end = ov[1];
        if (match_start >= start_limit) {
            return 0; /* the next chunk's */
        }
        size_t next = match_end > match_start ? match_end : match_start + 1;
        bool cited = inside_title(s, match_start);
        if (rp->q_group > 0 && ov[2 * rp->q_group] != PCRE2_UNSET) {
            const struct quantity *q = quantity_at(s->qs, ov[2 * rp->q_group]);
            if (q && !cited && !s->planned[q - s->qs->items] && unit_accepted(rule, q)) {
                offer(s->best, (size_t)(q - s->qs->items), rule, match_start);
            }
            /* go on after the number, so wording after it can serve the next quantity */
            next = ov[2 * rp->q_group + 1];
        } else if (rp->zero_group > 0 && ov[2 * rp->zero_group] != PCRE2_UNSET && !cited) {
            if (zero_fact(t, rule, match_start, match_end, &s->zeros, &s->zero_cap) != 0) {
                return -1;
            }
        }
        while (next < to && ((unsigned char)t->norm[next] & 0xc0) == 0x80) {
            next++;
        }
        pos = next;
    }
    return 0;
}

struct span {
    size_t start, end;     /* norm bytes */
    size_t q_first, q_end; /* the quantities it was made for: items[q_first .. q_end) */
    uint64_t unit_bits;    /* rules_unit_bit() of the units of those that may be named */
};

/* True when the window holds a quantity the rule could name: most rules count in words
   few clauses use (元, 人次, a table cell), and each pattern costs a regex run per window. */
static bool window_fits_rule(const struct span *w, const struct rule *rule,
                             const struct quantity_list *qs, const bool *planned)
{
    if (!(rule->unit_bits & w->unit_bits)) { /* one test rules out most pairs */
        return false;
    }
    for (size_t i = w->q_first; i < w->q_end; i++) {
        if (!planned[i] && unit_accepted(rule, &qs->items[i])) {
            return true;
        }
    }
    return false;
}

/*
 * Where quantity rules need to look: the text within METRICS_REACH_BYTES of
 * each quantity, inside its clause, merged where they overlap. A metric's
 * wording never crosses a clause break ({G} excludes them) and stays near its
 * number, so most of a report is never scanned, and a long run of digits or
 * numerals next to a number costs the regex engine a window, not the clause.
 */
static struct span *quantity_windows(const struct text *t, const struct quantity_list *qs,
                                     const bool *planned, size_t *cnt)
{
    struct span *spans = malloc((qs->cnt + 1) * sizeof(*spans));
    *cnt = 0;
    for (size_t i = 0; spans && i < qs->cnt; i++) {
        const struct quantity *q = &qs->items[i];
        struct span s = {reach_back(t, q->start, q->clause_start, METRICS_REACH_BYTES),
                         reach_forward(t, q->end, q->clause_end, METRICS_REACH_BYTES), i, i + 1, 0};
        /* merged up to a chunk's size: see METRICS_SCAN_CHUNK_BYTES */
        if (*cnt > 0 && s.start <= spans[*cnt - 1].end &&
            s.end - spans[*cnt - 1].start <= METRICS_SCAN_CHUNK_BYTES) {
            if (s.end > spans[*cnt - 1].end) {
                spans[*cnt - 1].end = s.end;
            }
            spans[*cnt - 1].q_end = i + 1;
        } else {
            spans[(*cnt)++] = s;
        }
        if (!planned[i]) {
            const char *unit = q->cell ? RULES_TABLE_CELL : q->unit;
            spans[*cnt - 1].unit_bits |= 1ull << rules_unit_bit(unit);
        }
    }
    return spans;
}

static int run_rule(struct scan *s, const struct rule *rule, const struct span *clauses,
                    size_t clause_cnt)
{
    for (size_t p = 0; p < rule->pattern_cnt; p++) {
        const struct rule_pattern *rp = &rule->patterns[p];
        if (rp->q_group < 0) {
            /* an explicit none (无行政诉讼案件) has no quantity: scan everything, by chunks */
            size_t len = s->t->norm_len;
            for (size_t from = 0, limit; from < len; from = limit) {
                limit = reach_forward(s->t, from, len, METRICS_SCAN_CHUNK_BYTES);
                size_t to = reach_forward(s->t, limit, len, METRICS_REACH_BYTES);
                if (run_pattern(s, rule, rp, from, limit, to) != 0) {
                    return -1;
                }
            }
            continue;
        }
        for (size_t c = 0; c < clause_cnt; c++) {
            if (!window_fits_rule(&clauses[c], rule, s->qs, s->planned)) {
                continue;
            }
            if (run_pattern(s, rule, rp, clauses[c].start, clauses[c].end, clauses[c].end) != 0) {
                return -1;
            }
        }
    }
    return 0;
}

static int merge_facts(const struct rules *rules, const struct text *t,
                       const struct quantity_list *qs, const bool *planned,
                       const struct candidate *best, struct fact_list *zeros, struct fact_list *out,
                       struct budget *budget)
{
    size_t cap = 0, z = 0;
    for (size_t i = 0; i <= qs->cnt; i++) {
        if (budget_spent(budget)) {
            return -1;
        }
        size_t at = i < qs->cnt ? qs->items[i].start : (size_t)-1;
        while (z < zeros->cnt && zeros->items[z].start <= at) {
            struct fact zero = zeros->items[z++];
            zero.confidence = zero.rule->table ? zero.rule->table->confidence
                                               : keyer_zero_confidence(rules->keyer);
            if (push_fact(out, &cap, &zero) != 0) {
                return -1;
            }
        }
        if (i == qs->cnt) {
            continue;
        }
        const struct quantity *q = &qs->items[i];
        double confidence = -1;
        const struct rule *rule = best[i].rule;
        if (rule && rule->table) {
            confidence = rule->table->confidence; /* a cell by its row and column: no guess */
        } else if (rules->keyer && !planned[i]) {
            rule = keyer_decide(rules, t, q, rule, &confidence);
        }
        if (!rule) {
            continue;
        }
        struct fact f;
        memset(&f, 0, sizeof(f));
        f.rule = rule;
        f.confidence = confidence;
        f.value = rule->table ? q->value * rule->table->scale : q->value;
        f.approx = q->approx;
        rf_utf8_copy(f.unit, sizeof(f.unit), q->unit, strlen(q->unit));
        f.start = q->start;
        f.end = q->end;
        f.quantity = i;
        complete_fact(t, &f);
        if (push_fact(out, &cap, &f) != 0) {
            return -1;
        }
    }
    return 0;
}

/* What a table rule's cells add up to while tablegrid_match() finds them. */
struct table_pick {
    struct scan *s;
    const struct rule *rule;
    double sum;
    size_t cells;
    size_t start, end; /* the first cell's norm bytes */
};

/* The quantity whose number fills @p cell, or SIZE_MAX (qs are sorted by num_start). */
static size_t quantity_in(const struct quantity_list *qs, const struct tablegrid_cell *cell)
{
    size_t lo = 0, hi = qs->cnt;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (qs->items[mid].num_start < cell->start) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < qs->cnt && qs->items[lo].num_start < cell->end && qs->items[lo].cell ? lo
                                                                                     : SIZE_MAX;
}

/* A table rule's fact of @p value (times the rule's scale) that no one quantity holds: a sum, or
   a number split from digits run together; placed at norm bytes [a, b), merged as a stated
   zero is. @returns 0, or -1 on ENOMEM. */
static int derived_fact(struct scan *s, const struct rule *rule, size_t a, size_t b, double value)
{
    if (zero_fact(s->t, rule, a, b, &s->zeros, &s->zero_cap) != 0) {
        return -1;
    }
    s->zeros.items[s->zeros.cnt - 1].value = value * rule->table->scale;
    return 0;
}

static int table_cell_found(void *ctx, const struct tablegrid_cell *cell)
{
    struct table_pick *p = ctx;
    size_t q = cell->derived ? SIZE_MAX : quantity_in(p->s->qs, cell);
    if (q == SIZE_MAX && !cell->derived) {
        return 0;
    }
    if (!p->rule->table->sum && !cell->derived) {
        offer(p->s->best, q, p->rule, cell->start);
        return 0;
    }
    if (!p->rule->table->sum) {
        /* a number split from digits run together: a fact of its own, as a sum is */
        return derived_fact(p->s, p->rule, cell->start, cell->end, cell->value);
    }
    if (p->cells++ == 0) {
        p->start = cell->start;
        p->end = cell->end;
    }
    p->sum += cell->derived ? cell->value : p->s->qs->items[q].value;
    return 0;
}

/* Every rule that reads a table cell by its row and column (tablegrid.h): a cell is offered
   like a pattern's quantity; a sum becomes a fact of its own, where its first cell is. */
static int run_table_rules(struct scan *s, const struct rules *rules)
{
    struct tablegrid grid;
    if (tablegrid_build(&grid, s->t, rules->runs, rules->run_cnt, s->m->md) != 0) {
        return -1;
    }
    int rc = 0;
    for (size_t r = 0; r < rules->cnt && rc == 0; r++) {
        const struct rule *rule = &rules->items[r];
        if (!rule->table || budget_spent(s->budget)) {
            rc = budget_spent(s->budget) ? -1 : 0;
            continue;
        }
        struct table_pick pick = {s, rule, 0, 0, 0, 0};
        rc = tablegrid_match(&grid, rule->table, s->t, s->m->md, table_cell_found, &pick);
        if (rc == 0 && pick.cells > 0) {
            rc = derived_fact(s, rule, pick.start, pick.end, pick.sum);
        }
    }
    tablegrid_release(&grid);
    return rc;
}

/* With "tables_decide": a key some table rule gave is dropped from the facts of sentences, whose
   figures for it are partial or of another scope (答复申请805件 against the table's total). */
static int let_tables_decide(const struct rules *rules, struct fact_list *facts)
{
    /* the keys table rules gave: no more than the rule set has rules, so the check is linear */
    const char **given = malloc((rules->cnt + 1) * sizeof(*given));
    if (!given) {
        return -1;
    }
    size_t given_cnt = 0;
    for (size_t i = 0; i < facts->cnt; i++) {
        const struct rule *r = facts->items[i].rule;
        bool seen = !r->table;
        for (size_t k = 0; !seen && k < given_cnt; k++) {
            seen = strcmp(given[k], r->key) == 0;
        }
        if (!seen) {
            given[given_cnt++] = r->key;
        }
    }
    size_t kept = 0;
    for (size_t i = 0; i < facts->cnt; i++) {
        const struct fact *f = &facts->items[i];
        bool drop = false;
        for (size_t k = 0; !f->rule->table && !drop && k < given_cnt; k++) {
            drop = strcmp(given[k], f->rule->key) == 0;
        }
        if (!drop) {
            facts->items[kept++] = *f;
        }
    }
    facts->cnt = kept;
    free(given);
    return 0;
}

static int cmp_fact_start(const void *a, const void *b)
{
    const struct fact *fa = a, *fb = b;
    return fa->start < fb->start ? -1 : fa->start > fb->start;
}

/* Period limit and year-on-year change of every fact, with the rule set's markers (the
 * period-limit ones found once). @returns 0 or -1 on ENOMEM. */
static int fill_as_of(const struct rules *rules, const struct text *t, struct fact_list *facts)
{
    struct as_of_marks marks;
    if (as_of_marks_find(rules, t, &marks) != 0) {
        as_of_marks_release(&marks);
        return -1;
    }
    for (size_t i = 0; i < facts->cnt; i++) {
        struct fact *f = &facts->items[i];
        find_as_of(t, &marks, f->start, f->as_of, sizeof(f->as_of));
        f->has_yoy = find_yoy(rules, t, f->end, &f->yoy_pct);
    }
    as_of_marks_release(&marks);
    return 0;
}

int metrics_extract(const struct rules *rules, struct rules_matcher *m, const struct text *t,
                    const struct quantity_list *qs, struct budget *budget, struct fact_list *out)
{
    memset(out, 0, sizeof(*out));
    struct scan s = {m, t, qs, NULL, NULL, 0, NULL, {NULL, 0}, 0, budget, NULL, 0, false};
    bool *planned = planned_flags(rules, m, t, qs, budget);
    s.planned = planned;
    s.best = calloc(qs->cnt + 1, sizeof(*s.best));
    s.titles = find_titles(t, &s.title_cnt);
    s.zero_at_known =
        rules->zero_firsts_known && zeroscan_positions(t->norm, t->norm_len, rules->zero_firsts,
                                                       &s.zero_at, &s.zero_at_cnt) == 0;
    size_t window_cnt = 0;
    struct span *windows = planned ? quantity_windows(t, qs, planned, &window_cnt) : NULL;
    int rc = planned && s.best && s.titles && windows ? 0 : -1;
    for (size_t r = 0; r < rules->cnt && rc == 0; r++) {
        rc = run_rule(&s, &rules->items[r], windows, window_cnt);
    }
    free(windows);
    free(s.titles);
    if (rc == 0 && rules->reads_tables) {
        rc = run_table_rules(&s, rules);
    }
    if (rc == 0) {
        if (s.zeros.cnt > 1) {
            qsort(s.zeros.items, s.zeros.cnt, sizeof(*s.zeros.items), cmp_fact_start);
        }
        rc = merge_facts(rules, t, qs, planned, s.best, &s.zeros, out, budget);
    }
    if (rc == 0 && rules->tables_decide) {
        rc = let_tables_decide(rules, out);
    }
    if (rc == 0) {
        rc = fill_as_of(rules, t, out);
    }
    free(s.best);
    free(planned);
    free(s.zeros.items);
    free(s.zero_at);
    if (rc != 0) {
        metrics_facts_release(out);
    }
    return rc;
}

void metrics_facts_release(struct fact_list *l)
{
    free(l->items);
    l->items = NULL;
    l->cnt = 0;
}
