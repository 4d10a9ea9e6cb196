/* test_excerpts.c - the envelope's clauses: windows of run-on clauses, each excerpt once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "excerpts.h"
#include "extractor.h"
#include "rules.h"
#include "rules_fixture.h"
#include "text.h"

struct fixture {
    struct rules *rules; /* borrowed from cat */
    struct catalogue *cat;
    struct extractor ex;
};

static int setup(void **state)
{
    static struct fixture f;
    f.rules = rules_fixture_load();
    f.cat = catalogue_of_one(f.rules);
    if (!f.cat || extractor_init(&f.ex, f.cat) != 0) {
        fail_msg("extractor_init: out of memory");
    }
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    extractor_release(&f->ex);
    catalogue_free(f->cat);
    return 0;
}

static json_t *extract(struct fixture *f, const char *text)
{
    json_t *env = NULL;
    const char *reason = NULL;
    char errstr[256];
    if (extractor_run(&f->ex, text, strlen(text), NULL, &env, &reason, errstr, sizeof(errstr)) !=
        EXTRACT_OK) {
        fail_msg("rejected: %s", errstr);
    }
    return env;
}

static json_t *clause_at(json_t *env, json_t *index)
{
    assert_true(json_is_integer(index));
    json_t *c = json_array_get(json_object_get(env, "clauses"), (size_t)json_integer_value(index));
    assert_non_null(c);
    return c;
}

static json_t *quantity_of(json_t *env, json_t *m)
{
    json_t *at = json_object_get(m, "quantity");
    return at ? json_array_get(json_object_get(env, "quantities"), (size_t)json_integer_value(at))
              : NULL;
}

static const char *evidence_of(json_t *env, json_t *m)
{
    json_t *q = quantity_of(env, m);
    json_t *c = clause_at(env, q ? json_object_get(q, "clause") : json_object_get(m, "evidence"));
    return json_string_value(json_object_get(c, "text"));
}

#define PREAMBLE "深圳市南山区应急管理局2023年度法治政府建设情况报告\n"

/* The text of @p count copies of @p unit after the preamble, closed by 。 (caller frees). */
static char *repeated(const char *unit, size_t count)
{
    size_t pl = strlen(PREAMBLE), ul = strlen(unit);
    char *s = malloc(pl + ul * count + strlen("。") + 1);
    assert_non_null(s);
    memcpy(s, PREAMBLE, pl);
    for (size_t i = 0; i < count; i++) {
        memcpy(s + pl + i * ul, unit, ul);
    }
    strcpy(s + pl + ul * count, "。");
    return s;
}

/* Norm byte of character @p c of @p t. */
static size_t byte_of(const struct text *t, size_t c)
{
    assert_true(c <= t->nchars);
    return t->norm_off[c];
}

/*
 * The module alone, on 400 characters of one clause: windows of 16 characters every 8
 * (max_chars 16), chosen for 4 characters of wording before the mention; a mention that
 * fits no window is cut around; a short clause is whole; one range is one excerpt.
 */
static void test_excerpts_windows_of_a_run_on_clause(void **state)
{
    (void)state;
    char *s = malloc(401);
    assert_non_null(s);
    for (size_t i = 0; i < 400; i++) {
        s[i] = (char)('a' + i % 26);
    }
    s[400] = '\0';
    struct text t;
    assert_int_equal(text_init(&t, s, 400), 0);
    struct excerpts x;
    excerpts_init(&x, 16);
    size_t i0, i1, i2, i3, i4;
    /* a mention at 100..102: 4 characters before it, window (100 - 4) / 8 = 12: 96..112 */
    assert_int_equal(
        excerpts_add(&x, &t, 0, byte_of(&t, 400), byte_of(&t, 100), byte_of(&t, 102), &i0), 0);
    assert_int_equal(x.items[i0].from, 96);
    assert_int_equal(x.items[i0].to, 112);
    assert_true(x.items[i0].lead && x.items[i0].trail);
    /* its neighbour at 103..105 shares it */
    assert_int_equal(
        excerpts_add(&x, &t, 0, byte_of(&t, 400), byte_of(&t, 103), byte_of(&t, 105), &i1), 0);
    assert_int_equal(i1, i0);
    /* near the start: the first window, no "…" before it */
    assert_int_equal(excerpts_add(&x, &t, 0, byte_of(&t, 400), byte_of(&t, 2), byte_of(&t, 4), &i2),
                     0);
    assert_int_equal(x.items[i2].from, 0);
    assert_false(x.items[i2].lead);
    /* a mention of 11 characters at 110 does not fit 104..120: cut around it, 2/3 of the
       5 characters to spare before it */
    assert_int_equal(
        excerpts_add(&x, &t, 0, byte_of(&t, 400), byte_of(&t, 110), byte_of(&t, 121), &i3), 0);
    assert_int_equal(x.items[i3].from, 107);
    assert_int_equal(x.items[i3].to, 123);
    /* a short clause is whole */
    assert_int_equal(excerpts_add(&x, &t, byte_of(&t, 200), byte_of(&t, 210), byte_of(&t, 203),
                                  byte_of(&t, 205), &i4),
                     0);
    assert_int_equal(x.items[i4].from, 200);
    assert_int_equal(x.items[i4].to, 210);
    assert_false(x.items[i4].lead || x.items[i4].trail);
    assert_int_equal(x.cnt, 4);
    struct jsonout out;
    jsonout_init(&out);
    assert_int_equal(excerpts_write(&x, &t, &out, NULL, NULL), 0);
    json_t *arr = json_loadb(jsonout_text(&out), jsonout_len(&out), 0, NULL);
    jsonout_release(&out);
    assert_non_null(arr);
    json_t *e = json_array_get(arr, i0);
    assert_string_equal(json_string_value(json_object_get(e, "text")), "…stuvwxyzabcdefgh…");
    assert_true(json_is_true(json_object_get(e, "cut")));
    assert_false(json_is_true(json_object_get(json_array_get(arr, i4), "cut")));
    json_decref(arr);
    excerpts_release(&x);
    text_release(&t);
    free(s);
}

/* Many excerpts: each found again by its range (the table grows and keeps them). */
static void test_excerpts_stored_once_however_many(void **state)
{
    (void)state;
    char *s = repeated("检查企业1家次、", 2000);
    struct text t;
    assert_int_equal(text_init(&t, s, strlen(s)), 0);
    struct excerpts x;
    excerpts_init(&x, 4);
    size_t first[1000];
    for (int pass = 0; pass < 2; pass++) {
        for (size_t c = 0; c < 1000; c++) {
            size_t at = 0;
            assert_int_equal(excerpts_add(&x, &t, byte_of(&t, 4 * c), byte_of(&t, 4 * c + 4),
                                          byte_of(&t, 4 * c), byte_of(&t, 4 * c + 1), &at),
                             0);
            if (pass == 0) {
                first[c] = at;
            } else {
                assert_int_equal(at, first[c]);
            }
        }
    }
    assert_int_equal(x.cnt, 1000);
    excerpts_release(&x);
    text_release(&t);
    free(s);
}

/*
 * A short clause is one excerpt, whole, shared by its quantities and their metrics;
 * the same words elsewhere are another excerpt. A stated zero names its own.
 */
static void test_extract_clause_stored_once(void **state)
{
    json_t *env = extract(*state, PREAMBLE "全年检查企业120家、发现隐患356项。检查企业120家、发现"
                                           "隐患356项。全年无行政复议和行政诉讼案件。");
    json_t *qs = json_object_get(env, "quantities");
    assert_int_equal(json_array_size(qs), 4);
    json_t *c0 = json_object_get(json_array_get(qs, 0), "clause");
    json_t *c1 = json_object_get(json_array_get(qs, 1), "clause");
    json_t *c2 = json_object_get(json_array_get(qs, 2), "clause");
    assert_true(json_equal(c0, c1));
    assert_false(json_equal(c1, c2));
    json_t *c = clause_at(env, c0);
    assert_string_equal(json_string_value(json_object_get(c, "text")),
                        "全年检查企业120家、发现隐患356项");
    assert_false(json_is_true(json_object_get(c, "cut")));
    assert_int_equal(json_array_size(json_object_get(env, "clauses")), 3);
    size_t i, zeros = 0;
    json_t *m;
    json_array_foreach(json_object_get(env, "metrics"), i, m)
    {
        json_t *q = quantity_of(env, m);
        if (!q) {
            zeros++;
            assert_string_equal(evidence_of(env, m), "全年无行政复议和行政诉讼案件");
            assert_non_null(json_object_get(m, "start"));
            continue;
        }
        assert_true(json_equal(json_object_get(q, "value"), json_object_get(m, "value")));
        assert_null(json_object_get(m, "unit"));
        assert_null(json_object_get(m, "start"));
    }
    assert_int_equal(zeros, 2);
    json_decref(env);
}

/* A dense report's envelope is a few times its size, not seventy (schema 1 repeated a
   160-character window for every one of its quantities and metrics). */
static void test_extract_dense_report_is_not_amplified(void **state)
{
    char *text = repeated("检查企业3家隐患4处", 1000);
    json_t *env = extract(*state, text);
    char *dump = json_dumps(env, JSON_COMPACT);
    assert_non_null(dump);
    size_t ratio = strlen(dump) / strlen(text);
    if (ratio > 20) {
        fail_msg("a %zu-byte dense report gives a %zu-byte envelope", strlen(text), strlen(dump));
    }
    free(dump);
    json_decref(env);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_excerpts_windows_of_a_run_on_clause),
        cmocka_unit_test(test_excerpts_stored_once_however_many),
        cmocka_unit_test(test_extract_clause_stored_once),
        cmocka_unit_test(test_extract_dense_report_is_not_amplified),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
