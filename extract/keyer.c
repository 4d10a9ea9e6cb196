/* keyer.c - a linear model that names a quantity's key from its context. */
#include "keyer.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lexicon.h"
#include "reportflow/sha256.h"
#include "rulefile.h"

#define BEFORE_CHARS 24      /* same-clause window before the number */
#define NEAR_CHARS 6         /* the words right before the number weigh on their own */
#define PREV_CHARS 20        /* the end of the previous clauses of the sentence (lists, 其中) */
#define AFTER_CHARS 8        /* what the number is followed by in its clause */
#define SENTENCE_CHARS 80    /* how far back a sentence start is looked for */
#define KEYER_MAX_CLASSES 64 /* the taxonomy has 27 keys; scores live on the stack */

struct keyer_weight {
    const char *feature; /* points into the model's string pool */
    size_t len;          /* of feature */
    size_t first;        /* index into cls[] / w[] */
    size_t cnt;
};

struct keyer_slot {
    uint32_t hash;  /* high half of the feature's hash: most probes end here, no strcmp */
    uint32_t index; /* weight index + 1, 0 = empty */
};

/* One class weight of a feature; small, so a feature's weights share a cache line or two. */
struct keyer_entry {
    uint16_t cls;
    float w;
};

/*
 * A step function from the model's raw probability to the share of facts found right at
 * that probability on documents the model was not trained on (tools/train/calibrate.py).
 */
#define KEYER_MAX_STEPS 16
struct keyer_steps {
    double from[KEYER_MAX_STEPS]; /* ascending; from[0] is 0 */
    double value[KEYER_MAX_STEPS];
    size_t cnt; /* 0: not calibrated, the raw probability stands */
};

struct keyer_model {
    char *name;
    struct keyer_steps by_rule;         /* a key a rule chose, by the model's probability of it */
    struct keyer_steps by_model;        /* a key the model chose alone */
    double zero;                        /* a stated zero (a rule's, the model has no say): or -1 */
    char sha256[RF_SHA256_HEX_LEN + 1]; /* of the file loaded */
    double threshold;                   /* a key the rules did not propose needs this probability */
    double veto;  /* a rule's key is dropped when "none" has this probability */
    bool arbiter; /* policy "arbiter": the model overrides the rules' key */
    size_t class_cnt;
    char **classes;
    struct rule *pseudo; /* one per class; NULL key for "none" */
    int none_class;
    double *bias;
    struct keyer_weight *weights;
    size_t weight_cnt;
    struct keyer_slot *slots;    /* open-addressing hash of features */
    size_t slot_mask;            /* slot count - 1 (a power of two) */
    struct keyer_entry *entries; /* weights[i] owns entries[first .. first + cnt) */
    char *pool;
};

/* ---- features ---- */

/* FNV-1a: features are short strings, looked up about a hundred times per quantity. */
#define FEATURE_HASH_SEED 1469598103934665603ull
#define FEATURE_HASH_PRIME 1099511628211ull

static uint64_t feature_hash_byte(uint64_t h, char c)
{
    return (h ^ (unsigned char)c) * FEATURE_HASH_PRIME;
}

static uint64_t feature_hash(const char *s, size_t len)
{
    uint64_t h = FEATURE_HASH_SEED;
    for (size_t i = 0; i < len; i++) {
        h = feature_hash_byte(h, s[i]);
    }
    return h;
}

static void add_feature(struct keyer_features *f, const char *prefix, const char *s, size_t len)
{
    size_t pl = strlen(prefix);
    if (f->cnt >= KEYER_MAX_FEATURES || pl + len + 1 > KEYER_FEATURE_BYTES) {
        return;
    }
    char *dst = f->items[f->cnt];
    memcpy(dst, prefix, pl);
    memcpy(dst + pl, s, len);
    dst[pl + len] = '\0';
    f->hash[f->cnt] = feature_hash(dst, pl + len);
    f->len[f->cnt++] = (uint8_t)(pl + len);
}

/* Norm bytes of chars [a, b) as one feature named "@p kind:"; every digit reads 0, since
   numbers vary. Written in place: it runs for every character around every quantity. */
static void add_chars(struct keyer_features *f, char kind, const struct text *t, size_t a, size_t b)
{
    size_t len = t->norm_off[b] - t->norm_off[a];
    if (f->cnt >= KEYER_MAX_FEATURES || 2 + len + 1 > KEYER_FEATURE_BYTES) {
        return;
    }
    char *dst = f->items[f->cnt];
    const char *src = t->norm + t->norm_off[a];
    dst[0] = kind;
    dst[1] = ':';
    uint64_t h = feature_hash(dst, 2);
    for (size_t i = 0; i < len; i++) {
        dst[2 + i] = src[i] >= '0' && src[i] <= '9' ? '0' : src[i];
        h = feature_hash_byte(h, dst[2 + i]);
    }
    dst[2 + len] = '\0';
    f->hash[f->cnt] = h;
    f->len[f->cnt++] = (uint8_t)(2 + len);
}

/* The characters of [a, b) as features "@p uni:" one by one and "@p bi:" two by two (a kind
   of 0: none). */
static void add_ngrams(struct keyer_features *f, char uni, char bi, const struct text *t, size_t a,
                       size_t b)
{
    for (size_t c = a; c < b; c++) {
        if (uni) {
            add_chars(f, uni, t, c, c + 1);
        }
        if (bi && c + 1 < b) {
            add_chars(f, bi, t, c, c + 2);
        }
    }
}

/* First char of the sentence holding char @p at, at most SENTENCE_CHARS back. */
static size_t sentence_start_char(const struct text *t, size_t at)
{
    size_t floor_char = at > SENTENCE_CHARS ? at - SENTENCE_CHARS : 0;
    size_t start = text_char_at(t, text_sentence_start(t, t->norm_off[at]));
    return start > floor_char ? start : floor_char;
}

static const char *value_bucket(double v)
{
    if (v == 0) {
        return "0";
    }
    if (v == 1) {
        return "1";
    }
    if (v < 10) {
        return "<10";
    }
    if (v < 1000) {
        return "<1k";
    }
    if (v < 1e5) {
        return "<100k";
    }
    return "big";
}

/* "x|y" into @p out; @returns its length, or 0 when it does not fit. */
static size_t join_pair(char *out, size_t size, const char *x, size_t xl, const char *y, size_t yl)
{
    if (xl + 1 + yl >= size) {
        return 0;
    }
    memcpy(out, x, xl);
    out[xl] = '|';
    memcpy(out + xl + 1, y, yl);
    return xl + 1 + yl;
}

static void add_pair(struct keyer_features *f, const char *prefix, const char *x, const char *y)
{
    char pair[KEYER_FEATURE_BYTES];
    x = x ? x : "-";
    y = y ? y : "-";
    size_t n = join_pair(pair, sizeof(pair), x, strlen(x), y, strlen(y));
    if (n > 0) {
        add_feature(f, prefix, pair, n);
    }
}

/*
 * The compositional part: nearest action before the number (in its clause, or
 * else in the sentence before it), nearest object before and after it, and
 * their pairs with each other and with the measure word.
 */
static void add_concepts(const struct rules *rules, const struct text *t, const struct quantity *q,
                         size_t before_byte, size_t prev_byte, size_t after_byte,
                         struct keyer_features *out)
{
    const char *s = t->norm;
    const char *act = lexicon_nearest(&rules->keyer_actions, s, before_byte, q->start, true);
    const char *prev_act =
        act ? NULL : lexicon_nearest(&rules->keyer_actions, s, prev_byte, before_byte, true);
    const char *obj = lexicon_nearest(&rules->keyer_objects, s, before_byte, q->start, true);
    const char *obj_after = lexicon_nearest(&rules->keyer_objects, s, q->end, after_byte, false);
    const char *a = act ? act : prev_act;
    const char *o = obj ? obj : obj_after;
    add_pair(out, "A:", act ? "clause" : prev_act ? "sentence" : "none", a);
    add_pair(out, "O:", obj ? "before" : obj_after ? "after" : "none", o);
    add_pair(out, "AO:", a, o);
    add_pair(out, "AU:", a, q->unit);
    add_pair(out, "OU:", o, q->unit);
}

void keyer_features(const struct rules *rules, const struct text *t, const struct quantity *q,
                    const char *rule_key, struct keyer_features *out)
{
    out->cnt = 0;
    size_t qc = text_char_at(t, q->start), qe = text_char_at(t, q->end);
    size_t cc = text_char_at(t, q->clause_start), ce = text_char_at(t, q->clause_end);
    if (cc > qc) {
        cc = qc;
    }
    if (ce < qe) {
        ce = qe;
    }
    add_feature(out, "*", "", 0);
    const char *unit = q->cell ? RULES_TABLE_CELL : q->unit;
    add_feature(out, "u:", unit, strlen(unit));
    const char *approx = quantity_approx_name(q->approx);
    add_feature(out, "a:", approx, strlen(approx));
    add_feature(out, "r:", rule_key ? rule_key : "-", strlen(rule_key ? rule_key : "-"));
    const char *bucket = value_bucket(q->value);
    add_feature(out, "v:", bucket, strlen(bucket));

    size_t before = qc - cc > BEFORE_CHARS ? qc - BEFORE_CHARS : cc;
    add_ngrams(out, 'b', 'c', t, before, qc);
    size_t near = qc - before > NEAR_CHARS ? qc - NEAR_CHARS : before;
    add_ngrams(out, 'm', 'n', t, near, qc);
    for (size_t c = near; c + 1 < qc; c++) {
        char unit_bigram[KEYER_FEATURE_BYTES];
        size_t a = t->norm_off[c], b = t->norm_off[c + 2];
        size_t n = join_pair(unit_bigram, sizeof(unit_bigram), q->unit, strlen(q->unit),
                             t->norm + a, b - a);
        if (n > 0) {
            add_feature(out, "k:", unit_bigram, n);
        }
    }
    if (qc > cc) {
        add_chars(out, 'i', t, qc - 1, qc);
    }
    if (cc + 2 <= qc) {
        add_chars(out, 's', t, cc, cc + 2);
    } else {
        add_feature(out, "s:", "^", 1);
    }

    size_t sentence = sentence_start_char(t, cc);
    size_t prev = cc - sentence > PREV_CHARS ? cc - PREV_CHARS : sentence;
    add_ngrams(out, 0, 'p', t, prev, cc);

    size_t after_end = ce - qe > AFTER_CHARS ? qe + AFTER_CHARS : ce;
    add_ngrams(out, 0, 'f', t, qe, after_end);
    /* the action of an earlier clause is looked for at most SENTENCE_CHARS back: in a long
       clause (run-on text) the whole stretch before the number would make the work grow
       with the square of the input */
    size_t act_floor = before > prev + SENTENCE_CHARS ? before - SENTENCE_CHARS : prev;
    add_concepts(rules, t, q, t->norm_off[before], t->norm_off[act_floor], t->norm_off[after_end],
                 out);
    if (qe < ce) {
        add_chars(out, 'g', t, qe, qe + 1);
    } else {
        add_feature(out, "g:", "$", 1);
    }
}

/* ---- model ---- */

static int build_slots(struct keyer_model *m)
{
    size_t cnt = 16;
    while (cnt < 2 * m->weight_cnt) {
        cnt *= 2;
    }
    m->slots = calloc(cnt, sizeof(*m->slots));
    if (!m->slots) {
        return -1;
    }
    m->slot_mask = cnt - 1;
    for (size_t i = 0; i < m->weight_cnt; i++) {
        uint64_t full = feature_hash(m->weights[i].feature, m->weights[i].len);
        uint32_t h = (uint32_t)(full >> 32);
        size_t at = (size_t)full & m->slot_mask;
        while (m->slots[at].index) {
            at = (at + 1) & m->slot_mask;
        }
        m->slots[at].hash = h;
        m->slots[at].index = (uint32_t)(i + 1);
    }
    return 0;
}

static int load_classes(struct keyer_model *m, json_t *root, const char *path, char *errstr,
                        size_t errstr_size)
{
    json_t *classes = json_object_get(root, "classes");
    json_t *bias = json_object_get(root, "bias");
    if (!json_is_array(classes) || json_array_size(classes) == 0 || !json_is_array(bias) ||
        json_array_size(bias) != json_array_size(classes)) {
        snprintf(errstr, errstr_size,
                 "%s: needs \"classes\" (non-empty array of keys) and \"bias\" (one number each)",
                 path);
        return -1;
    }
    m->class_cnt = json_array_size(classes);
    if (m->class_cnt > KEYER_MAX_CLASSES) {
        snprintf(errstr, errstr_size, "%s: %zu classes; at most %d", path, m->class_cnt,
                 KEYER_MAX_CLASSES);
        return -1;
    }
    m->classes = calloc(m->class_cnt, sizeof(char *));
    m->pseudo = calloc(m->class_cnt, sizeof(*m->pseudo));
    m->bias = calloc(m->class_cnt, sizeof(double));
    if (!m->classes || !m->pseudo || !m->bias) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
        return -1;
    }
    m->none_class = -1;
    for (size_t i = 0; i < m->class_cnt; i++) {
        const char *key = json_string_value(json_array_get(classes, i));
        json_t *b = json_array_get(bias, i);
        if (!key || !json_is_number(b)) {
            snprintf(errstr, errstr_size, "%s: class %zu needs a key string and a bias number",
                     path, i + 1);
            return -1;
        }
        m->classes[i] = strdup(key);
        if (!m->classes[i]) {
            snprintf(errstr, errstr_size, "%s: out of memory", path);
            return -1;
        }
        m->bias[i] = json_number_value(b);
        if (strcmp(key, "none") == 0) {
            m->none_class = (int)i;
        }
        m->pseudo[i].id = m->name;
        m->pseudo[i].key = m->classes[i];
    }
    if (m->none_class < 0) {
        snprintf(errstr, errstr_size, "%s: \"classes\" must include \"none\"", path);
        return -1;
    }
    return 0;
}

/* Size of the string pool and of the weight arrays; checks every entry. */
static int measure_weights(const struct keyer_model *m, json_t *weights, size_t *pool,
                           size_t *entries, const char *path, char *errstr, size_t errstr_size)
{
    const char *feature;
    json_t *per_class;
    *pool = 0;
    *entries = 0;
    json_object_foreach(weights, feature, per_class)
    {
        if (!json_is_object(per_class)) {
            snprintf(errstr, errstr_size, "%s: weights of feature '%s' must be an object", path,
                     feature);
            return -1;
        }
        const char *cls;
        json_t *w;
        json_object_foreach(per_class, cls, w)
        {
            bool known = false;
            for (size_t i = 0; i < m->class_cnt && !known; i++) {
                known = strcmp(m->classes[i], cls) == 0;
            }
            if (!known || !json_is_number(w)) {
                snprintf(errstr, errstr_size,
                         "%s: feature '%s': '%s' is not a class of the model or not a number", path,
                         feature, cls);
                return -1;
            }
            (*entries)++;
        }
        *pool += strlen(feature) + 1;
    }
    return 0;
}

static int load_weights(struct keyer_model *m, json_t *root, const char *path, char *errstr,
                        size_t errstr_size)
{
    json_t *weights = json_object_get(root, "weights");
    size_t pool = 0, entries = 0;
    if (!json_is_object(weights)) {
        snprintf(errstr, errstr_size, "%s: needs a \"weights\" object", path);
        return -1;
    }
    if (measure_weights(m, weights, &pool, &entries, path, errstr, errstr_size) != 0) {
        return -1;
    }
    m->weight_cnt = json_object_size(weights);
    m->weights = calloc(m->weight_cnt + 1, sizeof(*m->weights));
    m->pool = malloc(pool + 1);
    m->entries = calloc(entries + 1, sizeof(*m->entries));
    if (!m->weights || !m->pool || !m->entries) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
        return -1;
    }
    size_t k = 0, used = 0, e = 0;
    const char *feature;
    json_t *per_class;
    json_object_foreach(weights, feature, per_class)
    {
        size_t fl = strlen(feature) + 1;
        memcpy(m->pool + used, feature, fl);
        struct keyer_weight *kw = &m->weights[k++];
        kw->feature = m->pool + used;
        kw->len = fl - 1;
        kw->first = e;
        used += fl;
        const char *cls;
        json_t *w;
        json_object_foreach(per_class, cls, w)
        {
            for (size_t i = 0; i < m->class_cnt; i++) {
                if (strcmp(m->classes[i], cls) == 0) {
                    m->entries[e].cls = (uint16_t)i;
                }
            }
            m->entries[e++].w = (float)json_number_value(w);
        }
        kw->cnt = e - kw->first;
    }
    if (m->weight_cnt >= UINT32_MAX / 2 || build_slots(m) != 0) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
        return -1;
    }
    return 0;
}

/* "calibration"'s step list @p arr ([[from, value], ...], from ascending) into @p out. */
static int load_steps(json_t *arr, const char *field, struct keyer_steps *out, const char *path,
                      char *errstr, size_t errstr_size)
{
    out->cnt = 0;
    if (!arr) {
        return 0;
    }
    size_t i;
    json_t *step;
    if (!json_is_array(arr) || json_array_size(arr) > KEYER_MAX_STEPS) {
        snprintf(errstr, errstr_size,
                 "%s: \"calibration\" \"%s\" must be an array of at most %d [from, value] pairs",
                 path, field, KEYER_MAX_STEPS);
        return -1;
    }
    json_array_foreach(arr, i, step)
    {
        json_t *from = json_array_get(step, 0), *value = json_array_get(step, 1);
        double f = json_number_value(from), v = json_number_value(value);
        if (!json_is_number(from) || !json_is_number(value) || f < 0 || f > 1 || v < 0 || v > 1 ||
            (i > 0 && f <= out->from[i - 1]) || (i == 0 && f != 0)) {
            snprintf(errstr, errstr_size,
                     "%s: \"calibration\" \"%s\" item %zu must be [from, value] within 0..1, "
                     "the first from 0, each from above the one before",
                     path, field, i + 1);
            return -1;
        }
        out->from[i] = f;
        out->value[i] = v;
        out->cnt++;
    }
    return 0;
}

/* "calibration" (optional): {"rule": steps, "model": steps, "zero": value}. */
static int load_calibration(struct keyer_model *m, json_t *root, const char *path, char *errstr,
                            size_t errstr_size)
{
    json_t *c = json_object_get(root, "calibration");
    m->zero = -1;
    if (!c) {
        return 0;
    }
    json_t *zero = json_object_get(c, "zero");
    if (!json_is_object(c) || (zero && (!json_is_number(zero) || json_number_value(zero) < 0 ||
                                        json_number_value(zero) > 1))) {
        snprintf(errstr, errstr_size,
                 "%s: \"calibration\" must be an object with \"rule\" and \"model\" steps and "
                 "a \"zero\" within 0..1",
                 path);
        return -1;
    }
    m->zero = zero ? json_number_value(zero) : -1;
    if (load_steps(json_object_get(c, "rule"), "rule", &m->by_rule, path, errstr, errstr_size) !=
        0) {
        return -1;
    }
    return load_steps(json_object_get(c, "model"), "model", &m->by_model, path, errstr,
                      errstr_size);
}

/* The calibrated value of raw probability @p p (-1: the model had no class; lowest step). */
static double calibrated(const struct keyer_steps *s, double p)
{
    if (s->cnt == 0) {
        return p;
    }
    size_t i = 0;
    while (i + 1 < s->cnt && p >= s->from[i + 1]) {
        i++;
    }
    return s->value[i];
}

double keyer_zero_confidence(const struct keyer_model *m)
{
    return m ? m->zero : -1;
}

struct keyer_model *keyer_load(const char *path, char *errstr, size_t errstr_size)
{
    char sha256[RF_SHA256_HEX_LEN + 1];
    json_t *root = rulefile_load_json(path, "keyer model", sha256, errstr, errstr_size);
    if (!root) {
        return NULL;
    }
    struct keyer_model *m = calloc(1, sizeof(*m));
    if (m) {
        memcpy(m->sha256, sha256, sizeof(sha256));
    }
    const char *name = json_string_value(json_object_get(root, "name"));
    json_t *threshold = json_object_get(root, "threshold");
    int rc = -1;
    if (!m) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
    } else if (!name || !json_is_number(threshold)) {
        snprintf(errstr, errstr_size, "%s: needs \"name\" (string) and \"threshold\" (number)",
                 path);
    } else if (!(m->name = strdup(name))) {
        snprintf(errstr, errstr_size, "%s: out of memory", path);
    } else {
        m->threshold = json_number_value(threshold);
        json_t *veto = json_object_get(root, "veto");
        m->veto = json_is_number(veto) ? json_number_value(veto) : 1.01;
        const char *policy = json_string_value(json_object_get(root, "policy"));
        m->arbiter = policy && strcmp(policy, "arbiter") == 0;
        rc = load_classes(m, root, path, errstr, errstr_size) == 0 &&
                     load_weights(m, root, path, errstr, errstr_size) == 0 &&
                     load_calibration(m, root, path, errstr, errstr_size) == 0
                 ? 0
                 : -1;
    }
    json_decref(root);
    if (rc != 0) {
        keyer_free(m);
        return NULL;
    }
    return m;
}

void keyer_free(struct keyer_model *m)
{
    if (!m) {
        return;
    }
    for (size_t i = 0; m->classes && i < m->class_cnt; i++) {
        free(m->classes[i]);
    }
    free(m->classes);
    free(m->pseudo);
    free(m->bias);
    free(m->weights);
    free(m->slots);
    free(m->entries);
    free(m->pool);
    free(m->name);
    free(m);
}

const char *keyer_name(const struct keyer_model *m)
{
    return m->name;
}

const char *keyer_sha256(const struct keyer_model *m)
{
    return m->sha256;
}

/* The weights of feature @p i of @p f, or NULL when the model has none. */
static const struct keyer_weight *find_weight(const struct keyer_model *m,
                                              const struct keyer_features *f, size_t i)
{
    uint64_t full = f->hash[i];
    uint32_t h = (uint32_t)(full >> 32);
    size_t at = (size_t)full & m->slot_mask;
    while (m->slots[at].index) {
        const struct keyer_weight *w = &m->weights[m->slots[at].index - 1];
        if (m->slots[at].hash == h && w->len == f->len[i] &&
            memcmp(w->feature, f->items[i], w->len) == 0) {
            return w;
        }
        at = (at + 1) & m->slot_mask;
    }
    return NULL;
}

const struct rule *keyer_decide(const struct rules *rules, const struct text *t,
                                const struct quantity *q, const struct rule *rule_choice,
                                double *confidence)
{
    const struct keyer_model *m = rules->keyer;
    struct keyer_features f;
    double score[KEYER_MAX_CLASSES];
    size_t n = m->class_cnt;
    keyer_features(rules, t, q, rule_choice ? rule_choice->key : NULL, &f);
    memcpy(score, m->bias, n * sizeof(double));
    for (size_t i = 0; i < f.cnt; i++) {
        const struct keyer_weight *kw = find_weight(m, &f, i);
        for (size_t e = 0; kw && e < kw->cnt; e++) {
            /* every entry's class is one of the model's: keyer_load() refuses others */
            const struct keyer_entry *en = &m->entries[kw->first + e];
            score[en->cls] += en->w;
        }
    }
    size_t top = 0;
    *confidence = 0;
    for (size_t c = 1; c < n; c++) {
        if (score[c] > score[top]) {
            top = c;
        }
    }
    double sum = 0;
    for (size_t c = 0; c < n; c++) {
        sum += exp(score[c] - score[top]);
    }
    if (rule_choice && !m->arbiter) {
        /* policy "fill": the rules' key stands unless the model is sure it is no metric;
           a key the model never saw gets no probability (-1, null in the envelope) */
        *confidence = -1;
        for (size_t c = 0; c < n; c++) {
            if (strcmp(m->classes[c], rule_choice->key) == 0) {
                *confidence = exp(score[c] - score[top]) / sum;
            }
        }
        if ((int)top == m->none_class && 1.0 / sum >= m->veto) {
            *confidence = 1.0 / sum;
            return NULL;
        }
        *confidence = calibrated(&m->by_rule, *confidence);
        return rule_choice;
    }
    double p = 1.0 / sum;
    if ((int)top == m->none_class || p < m->threshold) {
        *confidence = p;
        return NULL;
    }
    *confidence = calibrated(&m->by_model, p);
    /* the rule that proposed the same key keeps the credit, so its id stays meaningful */
    if (rule_choice && strcmp(rule_choice->key, m->classes[top]) == 0) {
        return rule_choice;
    }
    return &m->pseudo[top];
}
