/* metrics.c - taxonomy facts from quantities and rules. */
#include "metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyer.h"

struct candidate {
    const struct rule *rule; /* NULL: no rule named this quantity */
    size_t match_start;      /* where the rule's wording starts */
};

/* Sentence start (previous 。 or line break) before @p at. */
static size_t sentence_start(const struct text *t, size_t at)
{
    const char *s = t->norm;
    for (size_t i = at; i > 0; i--) {
        if (s[i - 1] == '\n' || (i >= 3 && memcmp(s + i - 3, "。", 3) == 0)) {
            return i;
        }
    }
    return 0;
}

/* "截至11月底": a period limit earlier in the same sentence. */
static void find_as_of(const struct text *t, size_t at, char *out, size_t out_size)
{
    static const char *const markers[] = {"截止至", "截止到", "截至", "截止"};
    const char *s = t->norm;
    size_t from = sentence_start(t, at);
    out[0] = '\0';
    for (size_t i = at; i > from; i--) {
        for (size_t k = 0; k < sizeof(markers) / sizeof(markers[0]); k++) {
            size_t ml = strlen(markers[k]);
            if (i - from >= ml && memcmp(s + i - ml, markers[k], ml) == 0) {
                size_t e = i, w;
                while (e < at && e - i < 40 && !text_clause_break(s, e, t->norm_len, &w)) {
                    e++;
                }
                snprintf(out, out_size, "%.*s", (int)(e - i), s + i);
                return;
            }
        }
    }
}

/* "同比下降9.2%" after the quantity, in the same sentence. */
static bool find_yoy(const struct text *t, size_t from, double *pct)
{
    static const struct {
        const char *verb;
        int sign;
    } verbs[] = {{"上升", 1}, {"增长", 1}, {"增加", 1}, {"提高", 1},
                 {"下降", -1}, {"减少", -1}, {"降低", -1}};
    const char *s = t->norm;
    size_t limit = from + 60 < t->norm_len ? from + 60 : t->norm_len;
    for (size_t i = from; i + 6 <= limit; i++) {
        if (memcmp(s + i, "。", 3) == 0 || s[i] == '\n') {
            return false;
        }
        if (memcmp(s + i, "同比", 6) != 0) {
            continue;
        }
        size_t p = i + 6;
        for (size_t k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++) {
            size_t vl = strlen(verbs[k].verb);
            if (p + vl <= t->norm_len && memcmp(s + p, verbs[k].verb, vl) == 0) {
                char *end = NULL;
                double v = strtod(s + p + vl, &end);
                if (end && end != s + p + vl && *end == '%') {
                    *pct = verbs[k].sign * v;
                    return true;
                }
            }
        }
        return false;
    }
    return false;
}

static bool clause_prefix_matches(pcre2_code *re, struct rules_matcher *m, const struct text *t,
                                  size_t clause_start, size_t at)
{
    if (!re) {
        return false;
    }
    int rc = pcre2_match(re, (PCRE2_SPTR)t->norm + clause_start, at - clause_start, 0,
                         PCRE2_NO_UTF_CHECK, m->md, NULL);
    return rc > 0;
}

/*
 * Planned numbers are not metrics: 计划检查1297家, 将陆续开展4场. A clause that
 * only breaks a planned number down (其中重点检查企业为777家) inherits its veto
 * until the sentence ends or a clause says the work was done (实际, 已).
 */
static bool *planned_flags(const struct rules *rules, struct rules_matcher *m,
                           const struct text *t, const struct quantity_list *qs)
{
    bool *flags = calloc(qs->cnt + 1, sizeof(bool));
    if (!flags) {
        return NULL;
    }
    size_t planned_sentence = (size_t)-1; /* sentence start of the last planned quantity */
    for (size_t i = 0; i < qs->cnt; i++) {
        const struct quantity *q = &qs->items[i];
        size_t sentence = sentence_start(t, q->start);
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

static bool unit_accepted(const struct rule *rule, const char *unit)
{
    for (size_t i = 0; i < rule->unit_cnt; i++) {
        if (strcmp(rule->units[i], unit) == 0) {
            return true;
        }
    }
    return false;
}

static int push_fact(struct fact_list *l, size_t *cap, const struct fact *f)
{
    if (l->cnt == *cap) {
        size_t ncap = *cap ? *cap * 2 : 32;
        struct fact *grown = realloc(l->items, ncap * sizeof(*grown));
        if (!grown) {
            return -1;
        }
        l->items = grown;
        *cap = ncap;
    }
    l->items[l->cnt++] = *f;
    return 0;
}

static void complete_fact(const struct text *t, struct fact *f)
{
    text_clause(t, f->start, &f->clause_start, &f->clause_end);
    find_as_of(t, f->start, f->as_of, sizeof(f->as_of));
    f->has_yoy = find_yoy(t, f->end, &f->yoy_pct);
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
    f.confidence = -1;
    f.start = a;
    f.end = b;
    complete_fact(t, &f);
    return push_fact(zeros, cap, &f);
}

/* Match @p rp within [@p from, @p to) of the text; lookbehinds may still see before @p from. */
static int run_pattern(struct rules_matcher *m, const struct text *t,
                       const struct quantity_list *qs, const bool *planned, const struct rule *rule,
                       const struct rule_pattern *rp, size_t from, size_t to,
                       struct candidate *best, struct fact_list *zeros, size_t *zero_cap)
{
    size_t pos = from;
    while (pos < to) {
        int rc = pcre2_match(rp->code, (PCRE2_SPTR)t->norm, to, pos, PCRE2_NO_UTF_CHECK, m->md,
                             NULL);
        if (rc == PCRE2_ERROR_NOMATCH) {
            return 0;
        }
        if (rc < 0) {
            return -1;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
        size_t match_start = ov[0], match_end = ov[1];
        size_t next = match_end > match_start ? match_end : match_start + 1;
        if (rp->q_group > 0 && ov[2 * rp->q_group] != PCRE2_UNSET) {
            size_t q_start = ov[2 * rp->q_group];
            const struct quantity *q = quantity_at(qs, q_start);
            if (q && !planned[q - qs->items] && unit_accepted(rule, q->unit)) {
                offer(best, (size_t)(q - qs->items), rule, match_start);
            }
            /* go on after the number, so wording after it can serve the next quantity */
            next = ov[2 * rp->q_group + 1];
        } else if (rp->zero_group > 0 && ov[2 * rp->zero_group] != PCRE2_UNSET) {
            if (zero_fact(t, rule, match_start, match_end, zeros, zero_cap) != 0) {
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
    size_t start, end; /* norm bytes */
};

/*
 * The clauses that hold a quantity, in order, without repeats. A metric's
 * wording never crosses a clause break ({G} excludes them), so quantity rules
 * need to look only here: most of a report's text is never scanned.
 */
static struct span *quantity_clauses(const struct quantity_list *qs, size_t *cnt)
{
    struct span *spans = malloc((qs->cnt + 1) * sizeof(*spans));
    *cnt = 0;
    for (size_t i = 0; spans && i < qs->cnt; i++) {
        struct span s = {qs->items[i].clause_start, qs->items[i].clause_end};
        if (*cnt == 0 || spans[*cnt - 1].start != s.start) {
            spans[(*cnt)++] = s;
        }
    }
    return spans;
}

static int run_rule(struct rules_matcher *m, const struct text *t, const struct quantity_list *qs,
                    const bool *planned, const struct rule *rule, const struct span *clauses,
                    size_t clause_cnt, struct candidate *best, struct fact_list *zeros,
                    size_t *zero_cap)
{
    for (size_t p = 0; p < rule->pattern_cnt; p++) {
        const struct rule_pattern *rp = &rule->patterns[p];
        if (rp->q_group < 0) {
            /* an explicit none (无行政诉讼案件) has no quantity: scan everything */
            if (run_pattern(m, t, qs, planned, rule, rp, 0, t->norm_len, best, zeros,
                            zero_cap) != 0) {
                return -1;
            }
            continue;
        }
        for (size_t c = 0; c < clause_cnt; c++) {
            if (run_pattern(m, t, qs, planned, rule, rp, clauses[c].start, clauses[c].end, best,
                            zeros, zero_cap) != 0) {
                return -1;
            }
        }
    }
    return 0;
}

static int merge_facts(const struct rules *rules, const struct text *t,
                       const struct quantity_list *qs, const bool *planned,
                       const struct candidate *best, struct fact_list *zeros,
                       struct fact_list *out)
{
    size_t cap = 0, z = 0;
    for (size_t i = 0; i <= qs->cnt; i++) {
        size_t at = i < qs->cnt ? qs->items[i].start : (size_t)-1;
        while (z < zeros->cnt && zeros->items[z].start <= at) {
            if (push_fact(out, &cap, &zeros->items[z++]) != 0) {
                return -1;
            }
        }
        if (i == qs->cnt) {
            continue;
        }
        const struct quantity *q = &qs->items[i];
        double confidence = -1;
        const struct rule *rule = best[i].rule;
        if (rules->keyer && !planned[i]) {
            rule = keyer_decide(rules, t, q, rule, &confidence);
        }
        if (!rule) {
            continue;
        }
        struct fact f;
        memset(&f, 0, sizeof(f));
        f.rule = rule;
        f.confidence = confidence;
        f.value = q->value;
        f.approx = q->approx;
        snprintf(f.unit, sizeof(f.unit), "%s", q->unit);
        f.start = q->start;
        f.end = q->end;
        complete_fact(t, &f);
        if (push_fact(out, &cap, &f) != 0) {
            return -1;
        }
    }
    return 0;
}

static int cmp_fact_start(const void *a, const void *b)
{
    const struct fact *fa = a, *fb = b;
    return fa->start < fb->start ? -1 : fa->start > fb->start;
}

int metrics_extract(const struct rules *rules, struct rules_matcher *m, const struct text *t,
                    const struct quantity_list *qs, struct fact_list *out)
{
    memset(out, 0, sizeof(*out));
    struct fact_list zeros = {NULL, 0};
    size_t zero_cap = 0;
    struct candidate *best = calloc(qs->cnt + 1, sizeof(*best));
    bool *planned = planned_flags(rules, m, t, qs);
    if (!best || !planned) {
        free(best);
        free(planned);
        return -1;
    }
    size_t clause_cnt = 0;
    struct span *clauses = quantity_clauses(qs, &clause_cnt);
    int rc = clauses ? 0 : -1;
    for (size_t r = 0; r < rules->cnt && rc == 0; r++) {
        rc = run_rule(m, t, qs, planned, &rules->items[r], clauses, clause_cnt, best, &zeros,
                      &zero_cap);
    }
    free(clauses);
    if (rc == 0) {
        if (zeros.cnt > 1) {
            qsort(zeros.items, zeros.cnt, sizeof(*zeros.items), cmp_fact_start);
        }
        rc = merge_facts(rules, t, qs, planned, best, &zeros, out);
    }
    free(best);
    free(planned);
    free(zeros.items);
    if (rc != 0) {
        fact_list_release(out);
    }
    return rc;
}

void fact_list_release(struct fact_list *l)
{
    free(l->items);
    l->items = NULL;
    l->cnt = 0;
}
