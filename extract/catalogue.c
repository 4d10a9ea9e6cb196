/* catalogue.c - every rule set of worker.rules, and the family of a document. */
#include "catalogue.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reportflow/buf.h"
#include "reportflow/sha256.h"

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t cnt)
{
    for (size_t i = 0; i < cnt; i++) {
        free(names[i]);
    }
    free(names);
}

/* The rule files of folder @p dir, sorted, into *@p out (free_names()). @returns their count,
   or -1 with @p errstr. */
static long rule_files(const char *dir, char ***out, char *errstr, size_t errstr_size)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(errstr, errstr_size, "worker.rules %s: cannot open the folder: %s", dir,
                 strerror(errno));
        return -1;
    }
    char **names = calloc(CATALOGUE_MAX_SETS, sizeof(*names));
    size_t cnt = 0;
    long rc = names ? 0 : -1;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !ends_with(e->d_name, ".json") ||
            ends_with(e->d_name, ".model.json")) {
            continue;
        }
        if (cnt == CATALOGUE_MAX_SETS) {
            snprintf(errstr, errstr_size, "worker.rules %s: more than %d rule files", dir,
                     CATALOGUE_MAX_SETS);
            rc = -1;
            break;
        }
        struct rf_buf path = RF_BUF_INIT;
        rf_buf_printf(&path, "%s/%s", dir, e->d_name);
        if (!(names[cnt] = rf_buf_detach(&path))) {
            rc = -1;
            break;
        }
        cnt++;
    }
    closedir(d);
    if (rc == 0 && cnt == 0) {
        snprintf(errstr, errstr_size, "worker.rules %s: no rule file (*.json) in the folder", dir);
        rc = -1;
    } else if (rc != 0 && !errstr[0]) {
        snprintf(errstr, errstr_size, "worker.rules %s: out of memory", dir);
    }
    if (rc != 0) {
        free_names(names, cnt);
        return -1;
    }
    qsort(names, cnt, sizeof(*names), cmp_names);
    *out = names;
    return (long)cnt;
}

/* One set: its own hash; several: the hash of their names and hashes in order. */
static int hash_catalogue(struct catalogue *c, char *errstr, size_t errstr_size)
{
    if (c->cnt == 1) {
        memcpy(c->hash, c->sets[0]->hash, sizeof(c->hash));
        return 0;
    }
    struct rf_buf all = RF_BUF_INIT;
    for (size_t i = 0; i < c->cnt; i++) {
        rf_buf_printf(&all, "%s %s\n", c->sets[i]->name, c->sets[i]->hash);
    }
    char hex[RF_SHA256_HEX_LEN + 1];
    int rc = all.data && rf_sha256_hex(all.data, all.len, hex) == 0 ? 0 : -1;
    rf_buf_release(&all);
    if (rc != 0) {
        snprintf(errstr, errstr_size, "worker.rules: cannot hash the rule sets");
        return -1;
    }
    memcpy(c->hash, hex, RULES_HASH_LEN);
    c->hash[RULES_HASH_LEN] = '\0';
    return 0;
}

/* Two sets of one name would be told apart by nothing in the envelope. */
static int check_names(const struct catalogue *c, char *errstr, size_t errstr_size)
{
    for (size_t i = 0; i < c->cnt; i++) {
        for (size_t k = 0; k < i; k++) {
            if (strcmp(c->sets[i]->name, c->sets[k]->name) == 0) {
                snprintf(errstr, errstr_size, "worker.rules: two rule files are named \"%s\"",
                         c->sets[i]->name);
                return -1;
            }
        }
    }
    return 0;
}

struct catalogue *catalogue_load(const char *path, char *errstr, size_t errstr_size)
{
    errstr[0] = '\0';
    struct stat st;
    bool folder = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
    char **names = NULL;
    long cnt = 1;
    if (folder && (cnt = rule_files(path, &names, errstr, errstr_size)) < 0) {
        return NULL;
    }
    struct catalogue *c = calloc(1, sizeof(*c));
    if (!c || !(c->sets = calloc((size_t)cnt, sizeof(*c->sets)))) {
        snprintf(errstr, errstr_size, "out of memory");
        free(c);
        free_names(names, folder ? (size_t)cnt : 0);
        return NULL;
    }
    int rc = 0;
    for (long i = 0; i < cnt && rc == 0; i++) {
        c->sets[i] = rules_load(folder ? names[i] : path, errstr, errstr_size);
        rc = c->sets[i] ? 0 : -1;
        c->cnt += rc == 0;
        if (rc == 0 && c->sets[i]->max_captures > c->max_captures) {
            c->max_captures = c->sets[i]->max_captures;
        }
    }
    free_names(names, folder ? (size_t)cnt : 0);
    if (rc != 0 || check_names(c, errstr, errstr_size) != 0 ||
        hash_catalogue(c, errstr, errstr_size) != 0) {
        catalogue_free(c);
        return NULL;
    }
    return c;
}

struct catalogue *catalogue_of_one(struct rules *r)
{
    struct catalogue *c = r ? calloc(1, sizeof(*c)) : NULL;
    if (c && (c->sets = calloc(1, sizeof(*c->sets)))) {
        c->sets[0] = r;
        c->cnt = 1;
        c->max_captures = r->max_captures;
        memcpy(c->hash, r->hash, sizeof(c->hash));
        return c;
    }
    free(c);
    rules_free(r);
    return NULL;
}

void catalogue_free(struct catalogue *c)
{
    if (!c) {
        return;
    }
    for (size_t i = 0; i < c->cnt; i++) {
        rules_free(c->sets[i]);
    }
    free(c->sets);
    free(c);
}

void catalogue_describe(const struct catalogue *c, char *out, size_t out_size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < c->cnt && used < out_size; i++) {
        int n = snprintf(out + used, out_size - used, "%s%s %s", i ? ", " : "", c->sets[i]->name,
                         c->sets[i]->version);
        used += n > 0 ? (size_t)n : 0;
    }
}

const struct rules *catalogue_base(const struct catalogue *c)
{
    return c->sets[0];
}

const struct rules *catalogue_pick(const struct catalogue *c, const struct text *t,
                                   struct rules_matcher *m)
{
    const struct rules *best = NULL, *any = NULL;
    int best_score = -1;
    for (size_t i = 0; i < c->cnt; i++) {
        const struct rules *r = c->sets[i];
        if (!r->family.present) {
            any = any ? any : r;
            continue;
        }
        int score = family_score(&r->family, t, m->md);
        if (score > best_score) {
            best = r;
            best_score = score;
        }
    }
    return best ? best : any;
}

int catalogue_matcher_init(struct rules_matcher *m, const struct catalogue *c)
{
    m->md = pcre2_match_data_create((uint32_t)c->max_captures, NULL);
    return m->md ? 0 : -1;
}
