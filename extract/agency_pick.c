/* agency_pick.c - merging, ranking and completing agency candidates: see agency_pick.h. */
#include "agency_pick.h"

#include <stdio.h>
#include <string.h>

#include "gazetteer.h"
#include "orgcode.h"
#include "place.h"

/* @p from's mentions (@p count of them), marks and fuller region counted for @p into. */
static void absorb(struct agency_candidate *into, const struct agency_candidate *from, int count)
{
    into->count += count;
    into->titled |= from->titled;
    into->published |= from->published;
    if (strlen(from->region) > strlen(into->region)) {
        memcpy(into->region, from->region, sizeof(into->region));
    }
}

void agency_pick_add(struct agency_candidate *cands, size_t *cnt, const struct agency_candidate *c)
{
    for (size_t i = 0; i < *cnt; i++) {
        if (strcmp(cands[i].name, c->name) == 0) {
            absorb(&cands[i], c, 1);
            return;
        }
    }
    if (*cnt < AGENCY_PICK_MAX) {
        cands[*cnt] = *c;
        cands[*cnt].count = 1;
        (*cnt)++;
    }
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
            absorb(&cands[i], &cands[j], cands[j].count);
            cands[j] = cands[--(*cnt)];
            if (i == *cnt) {
                i = j; /* the shorter one moved into j's place */
            }
            j = (size_t)-1; /* start over: the list changed */
            il = strlen(cands[i].name);
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
 * A name in the title wins; then one the page head gives as the publisher; then a local
 * body over a national one and a bureau over a government that only oversees it
 * (weak_bodies); then the most frequent; then one named with its place; then the shortest.
 */
static int agency_rank(const struct rules *rules, const struct agency_candidate *c)
{
    return (c->titled ? 8 : 0) + (c->published ? 4 : 0) + (c->level ? 2 : 0) +
           (is_weak_body(rules, c->name) ? 0 : 1);
}

const struct agency_candidate *agency_pick_best(const struct rules *rules,
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

/*
 * The place of the credit code's division @p division (仙居县), or the first one above it,
 * whose full name ends with @p suffix (@p sl bytes: 县): the place of a body that
 * published its own page.
 */
static const struct gazetteer_place *division_place(const struct rules *rules, const char *division,
                                                    const char *suffix, size_t sl)
{
    const struct gazetteer_place *p =
        rules->gazetteer && division[0] ? gazetteer_by_code(rules->gazetteer, division) : NULL;
    for (; p; p = p->parent) {
        size_t nl = strlen(p->name);
        if (nl > sl && memcmp(p->name + nl - sl, suffix, sl) == 0) {
            return p;
        }
    }
    return NULL;
}

/*
 * 市应急管理局 in a report whose title or first paragraph names 深圳市: 深圳市应急管理局.
 * Else the place of the page's credit code (@p division, "" for none), else the place the
 * text names most.
 */
static void expand_unnamed(const struct text *t, const struct rules *rules, const char *division,
                           struct agency_candidate *c)
{
    char place[64];
    size_t to = t->norm_len < AGENCY_PLACE_SEARCH_BYTES ? t->norm_len : AGENCY_PLACE_SEARCH_BYTES;
    const char *level = NULL;
    size_t sl = place_suffix_at(rules, c->name, strlen(c->name), &level);
    if (!c->level) {
        return;
    }
    if (!place_find_named(rules, t, 0, to, c->level, place, sizeof(place))) {
        /* else the place the text names most by any form (四川 for 省…: 四川省) */
        const struct gazetteer_place *known = division_place(rules, division, c->name, sl);
        if (!known && rules->gazetteer) {
            known = gazetteer_most_named(rules->gazetteer, t, 0, to, c->level, c->name, sl);
        }
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
        absorb(twin, &cands[i], cands[i].count); /* an unnamed body has no region to give */
        place_own_name(rules, twin->region, twin->name);
        cands[i] = cands[--(*cnt)];
    }
}

void agency_pick_merge(const struct rules *rules, struct agency_candidate *cands, size_t *cnt)
{
    merge_written_forms(cands, cnt);
    merge_unnamed_into_twins(rules, cands, cnt);
}

void agency_pick_complete(const struct text *t, const struct rules *rules,
                          const struct docscan_lines *ls, const struct agency_candidate *cands,
                          size_t cnt, struct agency_candidate *best)
{
    const struct agency_candidate *named = named_twin(cands, cnt, best, rules);
    if (named) {
        *best = *named;
        return;
    }
    char division[ORGCODE_DIVISION_LEN + 1] = "";
    orgcode_find_division(t, ls, division);
    expand_unnamed(t, rules, division, best);
}
