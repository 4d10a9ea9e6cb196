/*
 * gazetteer.c - the administrative divisions of China, from a data file.
 *
 * The file is read once per rule set into one buffer that the places and
 * their forms point into; forms (full names and short forms) are kept sorted,
 * so a lookup is a binary search and a region as written (深圳市福田区) is
 * split greedily from the left into the longest known forms.
 */
#define _GNU_SOURCE /* memmem */
#include "gazetteer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reportflow/fs.h"
#include "reportflow/sha256.h"
#include "reportflow/vec.h"

#define GAZETTEER_MAX_BYTES (16u << 20)
#define FIELDS 6
/* 新疆维吾尔自治区伊犁哈萨克自治州: the longest form tried as one place */
#define LONGEST_FORM_BYTES 60
#define MAX_COMPONENTS 4 /* 广东省深圳市福田区 has three */
#define MAX_NAMESAKES 16 /* 朝阳区, 鼓楼区: a name shared by at most this many places */

struct form {
    const char *text; /* NUL-terminated, inside the file's buffer */
    size_t len;
    size_t place; /* index into places */
};

struct gazetteer {
    char *data; /* the file, its separators turned into NULs */
    struct gazetteer_place *places;
    size_t place_cnt;
    struct form *forms; /* sorted by bytes */
    size_t form_cnt;
    const struct gazetteer_place **by_code; /* the current places, sorted by code */
    size_t by_code_cnt;
    const char **numeral_names;
    size_t numeral_cnt;
    char sha256[RF_SHA256_HEX_LEN + 1];
};

static const char *level_named(const char *s)
{
    static const char *const levels[] = {"province", "city", "county"};
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
        if (strcmp(s, levels[i]) == 0) {
            return levels[i];
        }
    }
    return NULL;
}

static bool is_code(const char *s)
{
    size_t n = 0;
    while (s[n] >= '0' && s[n] <= '9') {
        n++;
    }
    return n == GAZETTEER_CODE_LEN && s[n] == '\0';
}

/* Split @p line at tabs into @p fields. @returns the number of fields. */
static size_t split_fields(char *line, char **fields, size_t max)
{
    size_t n = 0;
    fields[n++] = line;
    for (char *p = line; *p; p++) {
        if (*p == '\t') {
            *p = '\0';
            if (n == max) {
                return max + 1;
            }
            fields[n++] = p + 1;
        }
    }
    return n;
}

static int add_form(struct gazetteer *g, size_t *cap, const char *text, size_t place)
{
    struct form *grown = rf_vec_reserve(g->forms, cap, g->form_cnt, 1, sizeof(*grown));
    if (!grown) {
        return -1;
    }
    g->forms = grown;
    g->forms[g->form_cnt++] = (struct form){text, strlen(text), place};
    return 0;
}

/* One data line into a place and its forms. @returns 0, or -1 with the reason in @p why. */
static int read_line(struct gazetteer *g, size_t *place_cap, size_t *form_cap, char *line,
                     const char **why)
{
    char *f[FIELDS + 1];
    if (split_fields(line, f, FIELDS) != FIELDS) {
        *why = "expected 6 tab-separated fields (code, level, name, parent, short, status)";
        return -1;
    }
    const char *level = level_named(f[1]);
    bool former = strcmp(f[5], "former") == 0;
    if (!is_code(f[0])) {
        *why = "the code is not 6 digits";
    } else if (!level) {
        *why = "the level is not province, city or county";
    } else if (!f[2][0]) {
        *why = "the name is empty";
    } else if (f[3][0] ? !is_code(f[3]) : strcmp(level, "province") != 0) {
        *why = "the parent is not 6 digits (only a province has none)";
    } else if (!former && strcmp(f[5], "current") != 0) {
        *why = "the status is not current or former";
    } else {
        *why = NULL;
    }
    if (*why) {
        return -1;
    }
    struct gazetteer_place *grown =
        rf_vec_reserve(g->places, place_cap, g->place_cnt, 1, sizeof(*grown));
    if (!grown) {
        *why = "out of memory";
        return -1;
    }
    g->places = grown;
    struct gazetteer_place *p = &g->places[g->place_cnt];
    memset(p, 0, sizeof(*p));
    memcpy(p->code, f[0], GAZETTEER_CODE_LEN);
    p->name = f[2];
    p->level = level;
    p->former = former;
    /* the parent's code waits in the pointer until every place is read */
    p->parent = f[3][0] ? (const struct gazetteer_place *)f[3] : NULL;
    size_t idx = g->place_cnt++;
    if (add_form(g, form_cap, f[2], idx) != 0) {
        *why = "out of memory";
        return -1;
    }
    for (char *s = f[4], *comma; *s; s = comma + 1) {
        comma = strchr(s, ',');
        if (comma) {
            *comma = '\0';
        }
        if (*s && add_form(g, form_cap, s, idx) != 0) {
            *why = "out of memory";
            return -1;
        }
        if (*s && !g->places[idx].short_name) {
            g->places[idx].short_name = s;
        }
        if (!comma) {
            break;
        }
    }
    return 0;
}

static int cmp_form(const void *a, const void *b)
{
    return strcmp(((const struct form *)a)->text, ((const struct form *)b)->text);
}

static int cmp_place_code(const void *a, const void *b)
{
    const struct gazetteer_place *pa = *(const struct gazetteer_place *const *)a;
    const struct gazetteer_place *pb = *(const struct gazetteer_place *const *)b;
    return memcmp(pa->code, pb->code, GAZETTEER_CODE_LEN);
}

/* bsearch()'s order: a parent's code (the key) against a current place. */
static int cmp_code_place(const void *code, const void *place)
{
    return memcmp(code, (*(const struct gazetteer_place *const *)place)->code, GAZETTEER_CODE_LEN);
}

/*
 * Parent codes into pointers, each found by a binary search over the current places sorted
 * by code (kept: gazetteer_by_code()). @returns the index of a place whose parent is unknown,
 * -1 when all are known, or -2 on ENOMEM.
 */
static long link_parents(struct gazetteer *g)
{
    const struct gazetteer_place **current = malloc((g->place_cnt + 1) * sizeof(*current));
    if (!current) {
        return -2;
    }
    size_t n = 0;
    for (size_t i = 0; i < g->place_cnt; i++) {
        if (!g->places[i].former) {
            current[n++] = &g->places[i];
        }
    }
    qsort(current, n, sizeof(*current), cmp_place_code);
    g->by_code = current;
    g->by_code_cnt = n;
    for (size_t i = 0; i < g->place_cnt; i++) {
        const char *code = (const char *)g->places[i].parent;
        if (!code) {
            continue;
        }
        const struct gazetteer_place *const *parent =
            bsearch(code, current, n, sizeof(*current), cmp_code_place);
        g->places[i].parent = parent ? *parent : NULL;
        if (!parent) {
            return (long)i;
        }
    }
    return -1;
}

const struct gazetteer_place *gazetteer_by_code(const struct gazetteer *g, const char *code)
{
    if (!g->by_code) {
        return NULL;
    }
    const struct gazetteer_place *const *p =
        bsearch(code, g->by_code, g->by_code_cnt, sizeof(*g->by_code), cmp_code_place);
    return p ? *p : NULL;
}

static bool starts_with_numeral(const char *s)
{
    static const char *const numerals[] = {"一", "二", "三", "四", "五", "六", "七",
                                           "八", "九", "十", "百", "千", "万", "两"};
    for (size_t i = 0; i < sizeof(numerals) / sizeof(numerals[0]); i++) {
        if (strncmp(s, numerals[i], 3) == 0) {
            return true;
        }
    }
    return false;
}

static int collect_numeral_names(struct gazetteer *g)
{
    g->numeral_names = malloc((g->form_cnt + 1) * sizeof(*g->numeral_names));
    if (!g->numeral_names) {
        return -1;
    }
    for (size_t i = 0; i < g->form_cnt; i++) {
        const struct form *f = &g->forms[i];
        const struct gazetteer_place *p = &g->places[f->place];
        bool full = f->text == p->name;
        bool short_county = !full && strcmp(p->level, "county") == 0 && f->len < 9;
        if (starts_with_numeral(f->text) && !short_county) {
            g->numeral_names[g->numeral_cnt++] = f->text;
        }
    }
    return 0;
}

static int read_all(struct gazetteer *g, size_t len, const char *path, char *errstr,
                    size_t errstr_size)
{
    size_t place_cap = 0, form_cap = 0, line_no = 0;
    char *line = g->data;
    while (line < g->data + len) {
        char *nl = memchr(line, '\n', (size_t)(g->data + len - line));
        char *end = nl ? nl : g->data + len;
        *end = '\0';
        if (end > line && end[-1] == '\r') {
            end[-1] = '\0';
        }
        line_no++;
        const char *why = NULL;
        if (line[0] && line[0] != '#' && read_line(g, &place_cap, &form_cap, line, &why) != 0) {
            snprintf(errstr, errstr_size, "%s: line %zu: %s", path, line_no, why);
            return -1;
        }
        line = end + 1;
    }
    if (g->place_cnt == 0) {
        snprintf(errstr, errstr_size, "%s: no divisions in it", path);
        return -1;
    }
    return 0;
}

struct gazetteer *gazetteer_load(const char *path, char *errstr, size_t errstr_size)
{
    struct gazetteer *g = calloc(1, sizeof(*g));
    size_t len = 0;
    if (!g) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
        return NULL;
    }
    char why[256];
    if (rf_fs_read_file(path, GAZETTEER_MAX_BYTES, &g->data, &len, why, sizeof(why)) !=
        RF_READ_OK) {
        snprintf(errstr, errstr_size, "gazetteer %s: %s", path, why);
        gazetteer_free(g);
        return NULL;
    }
    if (rf_sha256_hex(g->data, len, g->sha256) != 0) {
        snprintf(errstr, errstr_size, "%s: cannot hash it: libcrypto failed", path);
        gazetteer_free(g);
        return NULL;
    }
    if (read_all(g, len, path, errstr, errstr_size) != 0) {
        gazetteer_free(g);
        return NULL;
    }
    qsort(g->forms, g->form_cnt, sizeof(*g->forms), cmp_form);
    long bad = link_parents(g);
    if (bad != -1 || collect_numeral_names(g) != 0) {
        if (bad >= 0) {
            snprintf(errstr, errstr_size, "%s: %s (%s): its parent is no division of the file",
                     path, g->places[bad].name, g->places[bad].code);
        } else {
            snprintf(errstr, errstr_size, "%s: out of memory", path);
        }
        gazetteer_free(g);
        return NULL;
    }
    return g;
}

void gazetteer_free(struct gazetteer *g)
{
    if (!g) {
        return;
    }
    free(g->numeral_names);
    free(g->by_code);
    free(g->forms);
    free(g->places);
    free(g->data);
    free(g);
}

const char *gazetteer_sha256(const struct gazetteer *g)
{
    return g->sha256;
}

size_t gazetteer_count(const struct gazetteer *g)
{
    return g->place_cnt;
}

/* Compare @p len bytes of @p s with form @p f, as strcmp would order them. */
static int cmp_bytes_form(const char *s, size_t len, const struct form *f)
{
    size_t n = len < f->len ? len : f->len;
    int c = memcmp(s, f->text, n);
    return c ? c : len < f->len ? -1 : len > f->len ? 1 : 0;
}

/* The index of the first form not below @p s (@p len bytes) in the forms' order. */
static size_t first_form_from(const struct gazetteer *g, const char *s, size_t len)
{
    size_t lo = 0, hi = g->form_cnt;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_bytes_form(s, len, &g->forms[mid]) > 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

size_t gazetteer_find(const struct gazetteer *g, const char *name, size_t len,
                      const struct gazetteer_place **out, size_t max)
{
    size_t lo = first_form_from(g, name, len);
    size_t n = 0;
    for (size_t i = lo; i < g->form_cnt && cmp_bytes_form(name, len, &g->forms[i]) == 0; i++) {
        const struct gazetteer_place *p = &g->places[g->forms[i].place];
        bool seen = false; /* a place whose short form is its name is one place */
        for (size_t k = 0; k < n && k < max; k++) {
            seen |= out[k] == p;
        }
        if (!seen) {
            if (n < max) {
                out[n] = p;
            }
            n++;
        }
    }
    return n;
}

const char *const *gazetteer_numeral_names(const struct gazetteer *g, size_t *cnt)
{
    *cnt = g->numeral_cnt;
    return g->numeral_names;
}

/* True when @p outer is @p p or one of its ancestors. */
static bool within(const struct gazetteer_place *p, const struct gazetteer_place *outer)
{
    for (int depth = 0; p && depth < 4; depth++, p = p->parent) {
        if (p == outer) {
            return true;
        }
    }
    return false;
}

struct component {
    const struct gazetteer_place *places[MAX_NAMESAKES];
    size_t cnt;
};

/*
 * @p region split from the left into the longest known forms, each kept to the
 * namesakes inside one of the component before. @returns the number of
 * components, 0 when some part is no known place.
 */
static size_t split_region(const struct gazetteer *g, const char *region, size_t len,
                           struct component *parts)
{
    size_t n = 0, at = 0;
    while (at < len) {
        if (n == MAX_COMPONENTS) {
            return 0;
        }
        size_t k = len - at < LONGEST_FORM_BYTES ? len - at : LONGEST_FORM_BYTES;
        struct component *c = &parts[n];
        c->cnt = 0;
        for (; k > 0; k--) {
            if (at + k < len && (region[at + k] & 0xC0) == 0x80) {
                continue; /* not a character boundary */
            }
            size_t found = gazetteer_find(g, region + at, k, c->places, MAX_NAMESAKES);
            c->cnt = found < MAX_NAMESAKES ? found : MAX_NAMESAKES;
            if (c->cnt) {
                break;
            }
        }
        if (k == 0) {
            return 0;
        }
        if (n > 0) { /* keep the namesakes inside the place before */
            size_t kept = 0;
            for (size_t i = 0; i < c->cnt; i++) {
                bool inside = false;
                for (size_t j = 0; j < parts[n - 1].cnt && !inside; j++) {
                    inside = within(c->places[i], parts[n - 1].places[j]);
                }
                if (inside) {
                    c->places[kept++] = c->places[i];
                }
            }
            c->cnt = kept;
            if (kept == 0) {
                return 0;
            }
        }
        at += k;
        n++;
    }
    return n;
}

bool gazetteer_is_region(const struct gazetteer *g, const char *region, size_t len)
{
    struct component parts[MAX_COMPONENTS];
    return len > 0 && split_region(g, region, len, parts) > 0;
}

/* True when the norm text [@p from, @p to) of @p t names @p p or one of its ancestors. */
static bool text_names_ancestor(const struct text *t, size_t from, size_t to,
                                const struct gazetteer_place *p)
{
    for (const struct gazetteer_place *a = p->parent; a; a = a->parent) {
        const char *written = a->short_name ? a->short_name : a->name; /* 北京 for 北京市 too */
        if (memmem(t->norm + from, to - from, written, strlen(written))) {
            return true;
        }
    }
    return false;
}

/* True when some form starts with the @p len bytes at @p s: the first not below them does. */
static bool form_starts_with(const struct gazetteer *g, const char *s, size_t len)
{
    size_t i = first_form_from(g, s, len);
    return i < g->form_cnt && g->forms[i].len >= len && memcmp(g->forms[i].text, s, len) == 0;
}

#define MAX_TALLIED 32        /* distinct places counted per text */
#define SHORTEST_FORM_BYTES 6 /* two characters: 四川 */
#define LONGEST_COUNTED_BYTES 24

struct tally {
    const struct gazetteer_place *place;
    int count;
};

static bool ends_with(const char *s, const char *suffix, size_t k)
{
    size_t n = strlen(s);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

static void count_place(struct tally *tallies, size_t *cnt, const struct gazetteer_place *p)
{
    for (size_t i = 0; i < *cnt; i++) {
        if (tallies[i].place == p) {
            tallies[i].count++;
            return;
        }
    }
    if (*cnt < MAX_TALLIED) {
        tallies[(*cnt)++] = (struct tally){p, 1};
    }
}

const struct gazetteer_place *gazetteer_most_named(const struct gazetteer *g, const struct text *t,
                                                   size_t from, size_t to, const char *level,
                                                   const char *suffix, size_t suffix_len)
{
    /* a body of a 市 may be a municipality's (北京市, province level), a prefecture's or a
       county-level city's (临湘市): for a city, the suffix decides, not the level */
    bool any_level = strcmp(level, "city") == 0;
    level = strcmp(level, "province") == 0 ? "province" : any_level ? "city" : "county";
    struct tally tallies[MAX_TALLIED];
    size_t cnt = 0;
    const char *s = t->norm;
    for (size_t at = from; at < to; at++) {
        if ((s[at] & 0xC0) == 0x80) {
            continue; /* forms start on a character */
        }
        /* most characters start no form: one search for the first two before the rest */
        if (at + SHORTEST_FORM_BYTES > to || !form_starts_with(g, s + at, SHORTEST_FORM_BYTES)) {
            continue;
        }
        /* the longest form wins at each place: 四川省 is not also 四川 */
        for (size_t k = LONGEST_COUNTED_BYTES; k >= SHORTEST_FORM_BYTES; k--) {
            if (at + k > to || (at + k < to && (s[at + k] & 0xC0) == 0x80)) {
                continue;
            }
            const struct gazetteer_place *found[2];
            size_t n = gazetteer_find(g, s + at, k, found, 2);
            if (n == 1 && !found[0]->former && (any_level || strcmp(found[0]->level, level) == 0) &&
                ends_with(found[0]->name, suffix, suffix_len)) {
                count_place(tallies, &cnt, found[0]);
            }
            if (n > 0) {
                at += k - 1;
                break;
            }
        }
    }
    const struct gazetteer_place *best = NULL;
    int best_count = 0;
    bool tie = false;
    for (size_t i = 0; i < cnt; i++) {
        if (tallies[i].count > best_count) {
            best = tallies[i].place;
            best_count = tallies[i].count;
            tie = false;
        } else if (tallies[i].count == best_count) {
            tie = true;
        }
    }
    return tie ? NULL : best;
}

const struct gazetteer_place *gazetteer_resolve(const struct gazetteer *g, const char *region,
                                                size_t len, const struct text *t, size_t from,
                                                size_t to)
{
    struct component parts[MAX_COMPONENTS];
    size_t n = len > 0 ? split_region(g, region, len, parts) : 0;
    if (n == 0) {
        return NULL;
    }
    const struct component *last = &parts[n - 1];
    if (last->cnt == 1) {
        return last->places[0];
    }
    const struct gazetteer_place *only = NULL;
    size_t named = 0;
    for (size_t i = 0; t && to > from && i < last->cnt; i++) {
        if (text_names_ancestor(t, from, to, last->places[i])) {
            only = last->places[i];
            named++;
        }
    }
    return named == 1 ? only : NULL;
}
