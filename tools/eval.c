/*
 * eval.c - reportflow-eval: precision and recall of extraction against a
 * gold file (shared/gold/seeds.json format), for core keys and all keys, and
 * document-field accuracy. Facts compare per document as sets of (key, value).
 * With --min-* thresholds it exits 1 when a score falls short, so a test can
 * hold the quality bar.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "extractor.h"
#include "keyer.h"
#include "metrics.h"
#include "quantity.h"
#include "text.h"
#include "reportflow/cli.h"
#include "reportflow/utf8.h"
#include "confusion.h"
#include "ruleset_version.h"
#include "reportflow/fs.h"
#include "reportflow/log.h"

struct score {
    int tp, fp, fn;
};

/* Scores of the documents one family read (rules_of()): with several families, each apart. */
struct family_score {
    int docs;
    struct score core, all;
};

struct eval_opts {
    const char *gold_path;
    const char *dir;
    bool verbose;
    const char *model_path; /* replaces the rule set's keyer model; "none" drops it */
    const char *dump_path;  /* write every quantity's features here instead of scoring */
    const char *facts_path; /* write every fact found, right or wrong, with its confidence */
    double min_core_p, min_core_r, min_all_p, min_all_r, min_fields;
    double min_agency, min_year, min_published; /* share right of the docs whose gold names one */
    double min_family; /* share of the documents whose gold names a family that got it */
};

/* Per document field: right answers among the documents whose gold names a value. */
struct field_score {
    int right, named;
};

/* The core keys are the rule set's ("core_keys"), the same the report_summary view shows. */
static bool is_core(const struct rules *rules, const char *key)
{
    for (size_t i = 0; key && i < rules->core_key_cnt; i++) {
        if (strcmp(rules->core_keys[i], key) == 0) {
            return true;
        }
    }
    return false;
}

/*
 * The evidence of fact @p f as text: a gold fact's (or an envelope of schema 1's)
 * own string; in an envelope of schema 2, the excerpt of @p env's "clauses" it
 * refers to, or its quantity's. NULL when there is none.
 */
static json_t *evidence_text(json_t *f, json_t *env)
{
    json_t *ev = json_object_get(f, "evidence");
    if (!ev && json_is_integer(json_object_get(f, "quantity"))) {
        json_t *q = json_array_get(json_object_get(env, "quantities"),
                                   (size_t)json_integer_value(json_object_get(f, "quantity")));
        ev = json_object_get(q, "clause");
    }
    if (json_is_integer(ev)) {
        ev = json_object_get(
            json_array_get(json_object_get(env, "clauses"), (size_t)json_integer_value(ev)),
            "text");
    }
    return json_is_string(ev) ? ev : NULL;
}

/*
 * (key, value) pairs of a fact array (an envelope's metrics, with the envelope @p env,
 * or a gold file's facts, with NULL), without duplicates: each a {key, rule, evidence}.
 */
static json_t *fact_set(json_t *facts, json_t *env)
{
    json_t *set = json_object();
    size_t i;
    json_t *f;
    json_array_foreach(facts, i, f)
    {
        char k[160];
        snprintf(k, sizeof(k), "%s=%.6g", json_string_value(json_object_get(f, "key")),
                 json_number_value(json_object_get(f, "value")));
        if (!set) {
            break;
        }
        if (!json_object_get(set, k)) {
            json_t *ev = evidence_text(f, env);
            /* a stated zero has no quantity (a gold fact has neither) */
            bool zero = env && !json_object_get(f, "quantity");
            json_t *pair =
                json_pack("{s:O?, s:O?, s:s, s:O?, s:b}", "key", json_object_get(f, "key"), "rule",
                          json_object_get(f, "rule"), "evidence", ev ? json_string_value(ev) : "",
                          "confidence", json_object_get(f, "confidence"), "zero", zero);
            if (json_object_set_new(set, k, pair) != 0 || !pair) {
                json_decref(set);
                set = NULL;
            }
        }
    }
    if (!set) {
        fprintf(stderr, "reportflow-eval: out of memory\n");
        exit(1);
    }
    return set;
}

static void count_pairs(const struct rules *rules, json_t *ours, json_t *gold, struct score *core,
                        struct score *all, bool verbose)
{
    const char *k;
    json_t *f;
    json_object_foreach(gold, k, f)
    {
        bool c = is_core(rules, json_string_value(json_object_get(f, "key")));
        bool hit = json_object_get(ours, k) != NULL;
        if (hit) {
            all->tp++;
            core->tp += c;
        } else {
            all->fn++;
            core->fn += c;
            if (verbose) {
                printf("  MISS  %-36s %s\n", k, json_string_value(json_object_get(f, "evidence")));
            }
        }
    }
    json_object_foreach(ours, k, f)
    {
        if (!json_object_get(gold, k)) {
            bool c = is_core(rules, json_string_value(json_object_get(f, "key")));
            all->fp++;
            core->fp += c;
            if (verbose) {
                printf("  EXTRA %-36s %s [%s]\n", k,
                       json_string_value(json_object_get(f, "evidence")),
                       json_string_value(json_object_get(f, "rule")));
            }
        }
    }
}

static bool field_equal(json_t *a, json_t *b)
{
    if (json_is_null(a) || !a) {
        return json_is_null(b) || !b;
    }
    return json_equal(a, b);
}

static const char *const field_names[] = {"agency", "year", "published", "doc_number"};
#define FIELD_CNT (sizeof(field_names) / sizeof(field_names[0]))

static int compare_fields(json_t *doc, json_t *gold, const char *name, bool verbose,
                          struct field_score *per_field)
{
    const char *const *names = field_names;
    int right = 0;
    for (size_t i = 0; i < FIELD_CNT; i++) {
        json_t *ours = json_object_get(doc, names[i]);
        json_t *want = json_object_get(gold, names[i]);
        bool named = want && !json_is_null(want);
        per_field[i].named += named;
        if (field_equal(ours, want)) {
            per_field[i].right += named;
            right++;
        } else if (verbose) {
            char *o = json_dumps(ours ? ours : json_null(), JSON_ENCODE_ANY);
            char *w = json_dumps(want ? want : json_null(), JSON_ENCODE_ANY);
            printf("  FIELD %s: %s, want %s (%s)\n", names[i], o, w, name);
            free(o);
            free(w);
        }
    }
    return right;
}

static double ratio(int a, int b)
{
    return b == 0 ? 1.0 : (double)a / b;
}

static json_t *extract_path(struct extractor *ex, const char *path)
{
    char errstr[512];
    char *data = NULL;
    size_t len = 0;
    if (rf_fs_read_file(path, 64u << 20, &data, &len, errstr, sizeof(errstr)) != RF_READ_OK) {
        fprintf(stderr, "eval: %s\n", errstr);
        return NULL;
    }
    json_t *env = NULL;
    const char *reason = NULL;
    if (extractor_run(ex, data, len, NULL, &env, &reason, errstr, sizeof(errstr)) != EXTRACT_OK) {
        fprintf(stderr, "eval: '%s' rejected: %s\n", path, errstr);
    }
    free(data);
    return env;
}

/*
 * The rule-only key of the quantity starting at @p start, or NULL. Facts and
 * quantities both come in text order, so *@p next walks the facts once.
 */
static const char *rule_key_at(const struct fact_list *facts, size_t *next, size_t start)
{
    while (*next < facts->cnt && facts->items[*next].start < start) {
        (*next)++;
    }
    return *next < facts->cnt && facts->items[*next].start == start ? facts->items[*next].rule->key
                                                                    : NULL;
}

static int dump_quantities(struct extractor *ex, const struct text *t, const char *name, FILE *out)
{
    struct quantity_list qs;
    struct fact_list facts;
    /* no budget: a tool, not the worker */
    const struct rules *rules = catalogue_base(ex->rules); /* the model is trained on it */
    if (quantity_find_all(t, &rules->numbers, NULL, &qs) != 0) {
        return -1;
    }
    if (metrics_extract(rules, &ex->matcher, t, &qs, NULL, &facts) != 0) {
        quantity_list_release(&qs);
        return -1;
    }
    int rc = 0;
    size_t next_fact = 0;
    for (size_t i = 0; i < qs.cnt && rc == 0; i++) {
        const struct quantity *q = &qs.items[i];
        struct keyer_features f;
        keyer_features(rules, t, q, rule_key_at(&facts, &next_fact, q->start), &f);
        char *clause =
            text_orig_dup(t, text_char_at(t, q->clause_start), text_char_at(t, q->clause_end));
        json_t *feats = json_array();
        for (size_t k = 0; feats && k < f.cnt; k++) {
            json_array_append_new(feats, json_string(f.items[k]));
        }
        json_t *line = json_pack("{s:s, s:f, s:s, s:s?, s:I, s:o}", "doc", name, "value", q->value,
                                 "unit", q->unit, "clause", clause, "start",
                                 (json_int_t)text_char_at(t, q->start), "features", feats);
        char *text = line ? json_dumps(line, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
        if (!text || fprintf(out, "%s\n", text) < 0) {
            rc = -1;
        }
        free(text);
        free(clause);
        json_decref(line);
    }
    metrics_facts_release(&facts);
    quantity_list_release(&qs);
    return rc;
}

/* Features of every quantity of @p path, one JSON line each, for tools/train/keyer.py. */
static int dump_path(struct extractor *ex, const char *path, const char *name, FILE *out)
{
    char errstr[512];
    char *data = NULL;
    size_t len = 0;
    if (rf_fs_read_file(path, 64u << 20, &data, &len, errstr, sizeof(errstr)) != RF_READ_OK) {
        fprintf(stderr, "eval: %s\n", errstr);
        return -1;
    }
    struct decoded d;
    struct text t;
    const char *reason = NULL;
    int rc = -1;
    if (extractor_text(ex, data, len, &d, &t, &reason, errstr, sizeof(errstr)) == EXTRACT_OK) {
        rc = dump_quantities(ex, &t, name, out);
        text_release(&t);
        decode_release(&d);
    }
    if (rc != 0) {
        fprintf(stderr, "eval: '%s': cannot decode or dump features%s%s\n", path,
                reason ? ": " : "", reason ? errstr : "");
    }
    free(data);
    return rc;
}

static int dump_features(struct extractor *ex, const struct eval_opts *o, json_t *gold)
{
    FILE *out = fopen(o->dump_path, "w");
    if (!out) {
        fprintf(stderr, "eval: cannot write '%s': %s\n", o->dump_path, strerror(errno));
        return 2;
    }
    int rc = 0;
    const char *name;
    json_t *want;
    json_object_foreach(json_object_get(gold, "documents"), name, want)
    {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", o->dir, name);
        if (dump_path(ex, path, name, out) != 0) {
            rc = 2;
        }
    }
    if (fclose(out) != 0) {
        fprintf(stderr, "eval: cannot write '%s': %s\n", o->dump_path, strerror(errno));
        rc = 2;
    }
    return rc;
}

/*
 * One JSON line per fact of @p ours: its document, key=value, rule, confidence, whether
 * it is a core key and whether the gold has it. What calibration learns from.
 */
/* The rule set that extracted @p env (its "rules_name"), or the first: its core keys count. */
static const struct rules *rules_of(const struct catalogue *cat, json_t *env)
{
    const char *name =
        json_string_value(json_object_get(json_object_get(env, "extractor"), "rules_name"));
    for (size_t i = 0; name && i < cat->cnt; i++) {
        if (strcmp(cat->sets[i]->name, name) == 0) {
            return cat->sets[i];
        }
    }
    return catalogue_base(cat);
}

/* The place of @p r in @p cat. */
static size_t family_index(const struct catalogue *cat, const struct rules *r)
{
    for (size_t i = 0; i < cat->cnt; i++) {
        if (cat->sets[i] == r) {
            return i;
        }
    }
    return 0;
}

/* Gold's "keys" (optional): only these keys are scored; a fact of another key is dropped. */
static void keep_keys(json_t *facts, json_t *keys)
{
    if (!json_is_array(keys)) {
        return;
    }
    const char *k;
    json_t *f, *tmp;
    json_object_foreach_safe(facts, tmp, k, f)
    {
        const char *key = json_string_value(json_object_get(f, "key"));
        bool listed = false;
        size_t i;
        json_t *v;
        json_array_foreach(keys, i, v)
        {
            listed |= key && json_is_string(v) && strcmp(json_string_value(v), key) == 0;
        }
        if (!listed) {
            json_object_del(facts, k);
        }
    }
}

static int write_facts(FILE *out, const struct rules *rules, const char *doc, json_t *ours,
                       json_t *gold)
{
    const char *k;
    json_t *f;
    json_object_foreach(ours, k, f)
    {
        json_t *line =
            json_pack("{s:s, s:s, s:O?, s:O?, s:O?, s:b, s:b}", "doc", doc, "fact", k, "rule",
                      json_object_get(f, "rule"), "confidence", json_object_get(f, "confidence"),
                      "zero", json_object_get(f, "zero"), "core",
                      is_core(rules, json_string_value(json_object_get(f, "key"))), "correct",
                      json_object_get(gold, k) != NULL);
        char *text = line ? json_dumps(line, JSON_COMPACT) : NULL;
        json_decref(line);
        if (!text || fprintf(out, "%s\n", text) < 0) {
            free(text);
            return -1;
        }
        free(text);
    }
    return 0;
}

static int evaluate(struct extractor *ex, const struct eval_opts *o)
{
    json_error_t jerr;
    json_t *gold = json_load_file(o->gold_path, 0, &jerr);
    if (!gold) {
        fprintf(stderr, "eval: %s:%d:%d: %s\n", o->gold_path, jerr.line, jerr.column, jerr.text);
        return 2;
    }
    if (o->dump_path) {
        int rc = dump_features(ex, o, gold);
        json_decref(gold);
        return rc;
    }
    FILE *facts = o->facts_path ? fopen(o->facts_path, "w") : NULL;
    if (o->facts_path && !facts) {
        fprintf(stderr, "eval: cannot write '%s': %s\n", o->facts_path, strerror(errno));
        json_decref(gold);
        return 2;
    }
    struct score core = {0, 0, 0}, all = {0, 0, 0};
    struct family_score by_family[CATALOGUE_MAX_SETS];
    memset(by_family, 0, sizeof(by_family));
    struct confusion families;
    confusion_init(&families);
    int fields_right = 0, fields_total = 0;
    struct field_score per_field[FIELD_CNT];
    memset(per_field, 0, sizeof(per_field));
    const char *name;
    json_t *want;
    json_object_foreach(json_object_get(gold, "documents"), name, want)
    {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", o->dir, name);
        json_t *env = extract_path(ex, path);
        json_t *ours = fact_set(env ? json_object_get(env, "metrics") : NULL, env);
        json_t *theirs = fact_set(json_object_get(want, "facts"), NULL);
        keep_keys(ours, json_object_get(gold, "keys"));
        const struct rules *rules = rules_of(ex->rules, env);
        struct score dc = {0, 0, 0}, da = {0, 0, 0};
        if (o->verbose) {
            printf("%s\n", name);
        }
        confusion_add(&families, json_string_value(json_object_get(want, "family")),
                      env ? json_object_get(env, "document") : NULL);
        count_pairs(rules, ours, theirs, &dc, &da, o->verbose);
        if (facts && write_facts(facts, rules, name, ours, theirs) != 0) {
            fprintf(stderr, "eval: cannot write '%s': %s\n", o->facts_path, strerror(errno));
            fclose(facts);
            facts = NULL;
        }
        int fr = compare_fields(env ? json_object_get(env, "document") : NULL, want, name,
                                o->verbose, per_field);
        printf("%-28s fields %d/4  facts tp=%d fp=%d fn=%d\n", name, fr, da.tp, da.fp, da.fn);
        fields_right += fr;
        fields_total += 4;
        core.tp += dc.tp, core.fp += dc.fp, core.fn += dc.fn;
        all.tp += da.tp, all.fp += da.fp, all.fn += da.fn;
        struct family_score *fs = &by_family[family_index(ex->rules, rules)];
        fs->docs++;
        fs->core.tp += dc.tp, fs->core.fp += dc.fp, fs->core.fn += dc.fn;
        fs->all.tp += da.tp, fs->all.fp += da.fp, fs->all.fn += da.fn;
        json_decref(ours);
        json_decref(theirs);
        json_decref(env);
    }
    confusion_print(&families);
    double family_share = confusion_share(&families);
    json_decref(gold);
    if (facts && fclose(facts) != 0) {
        fprintf(stderr, "eval: cannot write '%s': %s\n", o->facts_path, strerror(errno));
    }
    double cp = ratio(core.tp, core.tp + core.fp), cr = ratio(core.tp, core.tp + core.fn);
    double ap = ratio(all.tp, all.tp + all.fp), ar = ratio(all.tp, all.tp + all.fn);
    double fa = ratio(fields_right, fields_total);
    printf("core keys: precision %.3f recall %.3f (tp %d, fp %d, fn %d)\n", cp, cr, core.tp,
           core.fp, core.fn);
    printf("all keys:  precision %.3f recall %.3f (tp %d, fp %d, fn %d)\n", ap, ar, all.tp, all.fp,
           all.fn);
    for (size_t i = 0; ex->rules->cnt > 1 && i < ex->rules->cnt; i++) {
        const struct family_score *fs = &by_family[i];
        printf("  family %-28s %d document(s): core P %.3f R %.3f, all keys P %.3f R %.3f\n",
               ex->rules->sets[i]->name, fs->docs, ratio(fs->core.tp, fs->core.tp + fs->core.fp),
               ratio(fs->core.tp, fs->core.tp + fs->core.fn),
               ratio(fs->all.tp, fs->all.tp + fs->all.fp),
               ratio(fs->all.tp, fs->all.tp + fs->all.fn));
    }
    printf("document fields: %d/%d right (%.3f)\n", fields_right, fields_total, fa);
    double share[FIELD_CNT];
    for (size_t i = 0; i < FIELD_CNT; i++) {
        share[i] = ratio(per_field[i].right, per_field[i].named);
        printf("  %-10s %d/%d of the documents whose gold names one (%.3f)\n", field_names[i],
               per_field[i].right, per_field[i].named, share[i]);
    }
    bool ok = cp >= o->min_core_p && cr >= o->min_core_r && ap >= o->min_all_p &&
              ar >= o->min_all_r && fa >= o->min_fields && share[0] >= o->min_agency &&
              share[1] >= o->min_year && share[2] >= o->min_published &&
              family_share >= o->min_family;
    if (!ok) {
        printf("FAILED: below the thresholds (core P>=%.2f R>=%.2f, all P>=%.2f R>=%.2f, "
               "fields>=%.2f, agency>=%.2f, year>=%.2f, published>=%.2f, family>=%.2f)\n",
               o->min_core_p, o->min_core_r, o->min_all_p, o->min_all_r, o->min_fields,
               o->min_agency, o->min_year, o->min_published, o->min_family);
    }
    return ok ? 0 : 1;
}

static const char usage[] =
    "usage: reportflow-eval [-c FILE] [-X key=value]... --gold FILE --dir DIR [--verbose]\n"
    "       [--min-core-precision X] [--min-core-recall X] [--min-all-precision X]\n"
    "       [--min-all-recall X] [--min-fields X] [--min-agency X] [--min-year X]\n"
    "       [--min-published X] [--min-family X] [--model FILE|none] [--dump-features FILE]\n"
    "       [--facts FILE]\n"
    "worker.rules is a rule file or a folder of them, one per report family; each fact is\n"
    "scored against the core keys of the family that read it, and a gold document's\n"
    "\"family\" against the family found (a confusion table; --min-family). A gold file's\n"
    "top-level \"keys\" limits the scoring to those keys.\n"
    "--model replaces the rule sets' keyer model (none: rules alone); --dump-features\n"
    "writes each quantity's keyer features (rules alone) as JSON lines and scores nothing;\n"
    "--facts writes every fact found as a JSON line: its rule, confidence and whether the\n"
    "gold has it (what tools/train/calibrate.py learns from).\n"
    "Exit status: 0 scores meet the given minimums, 1 they do not, 2 usage.\n";

enum {
    OPT_GOLD = 256,
    OPT_DIR,
    OPT_VERBOSE,
    OPT_CORE_P,
    OPT_CORE_R,
    OPT_ALL_P,
    OPT_ALL_R,
    OPT_FIELDS,
    OPT_MODEL,
    OPT_DUMP,
    OPT_AGENCY,
    OPT_YEAR,
    OPT_PUBLISHED,
    OPT_FAMILY,
    OPT_FACTS
};

static int on_option(void *ctx, int opt, const char *arg)
{
    struct eval_opts *o = ctx;
    switch (opt) {
    case OPT_GOLD:
        o->gold_path = arg;
        break;
    case OPT_DIR:
        o->dir = arg;
        break;
    case OPT_VERBOSE:
        o->verbose = true;
        break;
    case OPT_CORE_P:
        o->min_core_p = atof(arg);
        break;
    case OPT_CORE_R:
        o->min_core_r = atof(arg);
        break;
    case OPT_ALL_P:
        o->min_all_p = atof(arg);
        break;
    case OPT_ALL_R:
        o->min_all_r = atof(arg);
        break;
    case OPT_FIELDS:
        o->min_fields = atof(arg);
        break;
    case OPT_MODEL:
        o->model_path = arg;
        break;
    case OPT_DUMP:
        o->dump_path = arg;
        break;
    case OPT_FACTS:
        o->facts_path = arg;
        break;
    case OPT_AGENCY:
        o->min_agency = atof(arg);
        break;
    case OPT_YEAR:
        o->min_year = atof(arg);
        break;
    case OPT_FAMILY:
        o->min_family = atof(arg);
        break;
    case OPT_PUBLISHED:
        o->min_published = atof(arg);
        break;
    default:
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct eval_opts o = {0};
    static const struct option extra[] = {
        {"gold", required_argument, NULL, OPT_GOLD},
        {"dir", required_argument, NULL, OPT_DIR},
        {"verbose", no_argument, NULL, OPT_VERBOSE},
        {"min-core-precision", required_argument, NULL, OPT_CORE_P},
        {"min-core-recall", required_argument, NULL, OPT_CORE_R},
        {"min-all-precision", required_argument, NULL, OPT_ALL_P},
        {"min-all-recall", required_argument, NULL, OPT_ALL_R},
        {"min-fields", required_argument, NULL, OPT_FIELDS},
        {"model", required_argument, NULL, OPT_MODEL},
        {"dump-features", required_argument, NULL, OPT_DUMP},
        {"facts", required_argument, NULL, OPT_FACTS},
        {"min-agency", required_argument, NULL, OPT_AGENCY},
        {"min-year", required_argument, NULL, OPT_YEAR},
        {"min-published", required_argument, NULL, OPT_PUBLISHED},
        {"min-family", required_argument, NULL, OPT_FAMILY},
        {NULL, 0, NULL, 0}};
    const struct rf_cli_program prog = {"eval", RF_PROG_EVAL,         usage, extra, on_option,
                                        &o,     ruleset_version_print};
    int rc, first_arg;
    struct rf_config *cfg = rf_cli_start(&prog, argc, argv, &rc, &first_arg);
    if (!cfg) {
        return rc;
    }
    if (!o.gold_path || !o.dir) {
        fputs(usage, stderr);
        rf_config_free(cfg);
        return 2;
    }
    char errstr[1024];
    struct catalogue *cat = catalogue_load(cfg->rules_path, errstr, sizeof(errstr));
    rf_config_free(cfg);
    if (!cat) {
        fprintf(stderr, "eval: %s\n", errstr);
        return 2;
    }
    for (size_t i = 0; i < cat->cnt; i++) {
        struct rules *rules = cat->sets[i];
        if (rules->core_key_cnt == 0) {
            fprintf(stderr,
                    "eval: rule set %s declares no \"core_keys\": core scores count nothing\n",
                    rules->name);
        }
        /* --model stands for every set's own (a family takes its base's) */
        if (rules->keyer && (o.model_path || o.dump_path)) {
            keyer_free(rules->keyer);
            rules->keyer = NULL;
            if (o.model_path && strcmp(o.model_path, "none") != 0 && !o.dump_path &&
                !(rules->keyer = keyer_load(o.model_path, errstr, sizeof(errstr)))) {
                fprintf(stderr, "eval: %s\n", errstr);
                catalogue_free(cat);
                return 2;
            }
        }
    }
    struct extractor ex;
    rc = 2;
    if (extractor_init(&ex, cat) == 0) {
        rc = evaluate(&ex, &o);
        extractor_release(&ex);
    }
    catalogue_free(cat);
    return rc;
}
