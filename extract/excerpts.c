/* excerpts.c - the wording of quantities and facts, each excerpt stored once. */
#include "excerpts.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonout.h"
#include "reportflow/vec.h"

void excerpts_init(struct excerpts *x, size_t max_chars)
{
    memset(x, 0, sizeof(*x));
    x->max_chars = max_chars;
}

void excerpts_release(struct excerpts *x)
{
    free(x->items);
    free(x->slots);
    memset(x, 0, sizeof(*x));
}

static size_t slot_of(const struct excerpts *x, const struct excerpt *e)
{
    uint64_t h = (uint64_t)e->from * 0x9e3779b97f4a7c15u ^ (uint64_t)e->to * 0xc2b2ae3d27d4eb4fu;
    h ^= h >> 29;
    return (size_t)h & (x->nslots - 1);
}

static bool same(const struct excerpt *a, const struct excerpt *b)
{
    return a->from == b->from && a->to == b->to && a->lead == b->lead && a->trail == b->trail;
}

/* Twice the slots, every excerpt placed again. @returns -1 on ENOMEM or overflow. */
static int grow_slots(struct excerpts *x)
{
    size_t n = x->nslots ? x->nslots * 2 : 64;
    if (n < x->nslots || n > SIZE_MAX / sizeof(*x->slots)) {
        return -1;
    }
    size_t *slots = calloc(n, sizeof(*slots));
    if (!slots) {
        return -1;
    }
    free(x->slots);
    x->slots = slots;
    x->nslots = n;
    for (size_t i = 0; i < x->cnt; i++) {
        size_t s = slot_of(x, &x->items[i]);
        while (x->slots[s]) {
            s = (s + 1) & (n - 1);
        }
        x->slots[s] = i + 1;
    }
    return 0;
}

/* The characters shown for mention [mf, mt) of clause [cf, ct); see excerpts.h. */
static struct excerpt choose(size_t max, size_t cf, size_t ct, size_t mf, size_t mt)
{
    struct excerpt e = {cf, ct, false, false};
    if (ct <= cf) {
        e.to = cf;
        return e;
    }
    if (ct - cf > max) {
        mf = mf < cf ? cf : mf > ct ? ct : mf;
        mt = mt < mf ? mf : mt > ct ? ct : mt;
        size_t stride = max / 2, before = max / 4, off = mf - cf;
        size_t k = off > before ? (off - before) / stride : 0;
        e.from = cf + k * stride;
        e.to = ct - e.from > max ? e.from + max : ct;
        if (mt > e.to) {
            text_excerpt_range(cf, ct, mf, mt, max, &e.from, &e.to);
        }
    }
    e.lead = e.from > cf;
    e.trail = e.to < ct;
    return e;
}

int excerpts_add(struct excerpts *x, const struct text *t, size_t clause_from, size_t clause_to,
                 size_t m_from, size_t m_to, size_t *index)
{
    struct excerpt e =
        choose(x->max_chars, text_char_at(t, clause_from), text_char_at(t, clause_to),
               text_char_at(t, m_from), text_char_at(t, m_to));
    if ((x->cnt + 1) * 2 > x->nslots && grow_slots(x) != 0) {
        return -1;
    }
    size_t s = slot_of(x, &e);
    for (; x->slots[s]; s = (s + 1) & (x->nslots - 1)) {
        if (same(&x->items[x->slots[s] - 1], &e)) {
            *index = x->slots[s] - 1;
            return 0;
        }
    }
    struct excerpt *grown = rf_vec_reserve(x->items, &x->cap, x->cnt, 1, sizeof(*grown));
    if (!grown) {
        return -1;
    }
    x->items = grown;
    x->items[x->cnt] = e;
    x->slots[s] = x->cnt + 1;
    *index = x->cnt++;
    return 0;
}

int excerpts_write(const struct excerpts *x, const struct text *t, struct jsonout *out,
                   const char *key, struct budget *budget)
{
    jsonout_array(out, key);
    for (size_t i = 0; i < x->cnt && !jsonout_failed(out); i++) {
        const struct excerpt *e = &x->items[i];
        char *text = text_orig_marked(t, e->from, e->to, e->lead, e->trail);
        if (!text) {
            return -1;
        }
        jsonout_object(out, NULL);
        jsonout_str(out, "text", text);
        jsonout_int(out, "start", (long long)e->from);
        jsonout_int(out, "end", (long long)e->to);
        jsonout_bool(out, "cut", e->lead || e->trail);
        jsonout_close_object(out);
        free(text);
        if (budget_output(budget, jsonout_len(out))) {
            return -1;
        }
    }
    jsonout_close_array(out);
    return jsonout_failed(out) ? -1 : 0;
}
