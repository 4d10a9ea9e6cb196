/* test_keyer.c - the keyer: its features, its model file, and how it decides with the rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "keyer.h"
#include "quantity.h"
#include "rules.h"
#include "rules_fixture.h"
#include "text.h"

struct fixture {
    struct rules *rules;
    char model_path[64];
};

static int setup(void **state)
{
    static struct fixture f;
    f.rules = rules_fixture_load();
    snprintf(f.model_path, sizeof(f.model_path), "/tmp/rf-test-keyer.%d.json", (int)getpid());
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    rules_free(f->rules);
    unlink(f->model_path);
    return 0;
}

static void write_file(const char *path, const char *body)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    assert_true(fputs(body, fp) >= 0);
    assert_int_equal(fclose(fp), 0);
}

/* The first quantity of @p s and its features. */
static void first_quantity(const struct rules *r, const char *s, struct text *t,
                           struct quantity_list *qs)
{
    assert_int_equal(text_init(t, s, strlen(s)), 0);
    assert_int_equal(quantity_find_all(t, &r->numbers, NULL, qs), 0);
    assert_true(qs->cnt >= 1);
}

static bool has_feature(const struct keyer_features *f, const char *want)
{
    for (size_t i = 0; i < f->cnt; i++) {
        if (strcmp(f->items[i], want) == 0) {
            return true;
        }
    }
    return false;
}

static void test_keyer_features_compose_action_object_and_unit(void **state)
{
    struct fixture *fx = *state;
    struct text t;
    struct quantity_list qs;
    struct keyer_features f;
    first_quantity(fx->rules, "全年共监督检查企业1716家次,发现隐患20项。", &t, &qs);
    keyer_features(fx->rules, &t, &qs.items[0], NULL, &f);
    assert_true(has_feature(&f, "u:家次"));
    assert_true(has_feature(&f, "r:-"));
    assert_true(has_feature(&f, "A:clause|inspect"));
    assert_true(has_feature(&f, "O:before|enterprise"));
    assert_true(has_feature(&f, "AO:inspect|enterprise"));
    assert_true(has_feature(&f, "AU:inspect|家次"));
    /* digits read as 0: a pattern, not a memorised number */
    keyer_features(fx->rules, &t, &qs.items[1], "hazards.found", &f);
    assert_true(has_feature(&f, "p:00"));
    assert_true(has_feature(&f, "r:hazards.found"));
    assert_true(has_feature(&f, "A:clause|find"));
    quantity_list_release(&qs);
    text_release(&t);
}

static const char model_json[] =
    "{\"name\": \"keyer@test\", \"policy\": \"fill\", \"threshold\": 0.9, \"veto\": 0.9,"
    " \"classes\": [\"none\", \"inspection.enterprises\", \"training.sessions\"],"
    " \"bias\": [0, 0, 0],"
    " \"weights\": {\"AO:inspect|enterprise\": {\"inspection.enterprises\": 6},"
    "               \"A:clause|train\": {\"training.sessions\": 1},"
    "               \"O:after|person\": {\"none\": 8}}}";

static void test_keyer_decides_under_policy_fill(void **state)
{
    struct fixture *fx = *state;
    char errstr[256];
    write_file(fx->model_path, model_json);
    struct keyer_model *m = keyer_load(fx->model_path, errstr, sizeof(errstr));
    assert_non_null(m);
    assert_string_equal(keyer_name(m), "keyer@test");
    struct keyer_model *shipped = fx->rules->keyer;
    fx->rules->keyer = m;

    struct text t;
    struct quantity_list qs;
    double p = 0;
    /* no rule named it; the model is sure: its key, its name as the rule id */
    first_quantity(fx->rules, "检查企业100家", &t, &qs);
    const struct rule *r = keyer_decide(fx->rules, &t, &qs.items[0], NULL, &p);
    assert_non_null(r);
    assert_string_equal(r->key, "inspection.enterprises");
    assert_string_equal(r->id, "keyer@test");
    assert_true(p > 0.9);
    quantity_list_release(&qs);
    text_release(&t);

    /* unsure (under the threshold): no metric */
    first_quantity(fx->rules, "培训12次", &t, &qs);
    assert_null(keyer_decide(fx->rules, &t, &qs.items[0], NULL, &p));
    /* a rule's key stands when the model does not veto it, and keeps its id */
    struct rule proposed = {.id = "training-sessions", .key = "training.sessions"};
    r = keyer_decide(fx->rules, &t, &qs.items[0], &proposed, &p);
    assert_ptr_equal(r, &proposed);
    quantity_list_release(&qs);
    text_release(&t);

    /* the model is sure it is no metric: the rule's key is vetoed */
    first_quantity(fx->rules, "培训12次干部", &t, &qs);
    assert_null(keyer_decide(fx->rules, &t, &qs.items[0], &proposed, &p));
    assert_true(p >= 0.9);
    quantity_list_release(&qs);
    text_release(&t);

    fx->rules->keyer = shipped;
    keyer_free(m);
}

static void test_keyer_load_names_file_and_field(void **state)
{
    struct fixture *fx = *state;
    char errstr[256];
    write_file(fx->model_path, "{\"name\": \"k\", \"threshold\": 0.5, \"classes\": [\"a\"], "
                               "\"bias\": [0], \"weights\": {}}");
    assert_null(keyer_load(fx->model_path, errstr, sizeof(errstr)));
    assert_non_null(strstr(errstr, fx->model_path));
    assert_non_null(strstr(errstr, "none"));
    write_file(fx->model_path, "{\"name\": \"k\", \"threshold\": 0.5, \"classes\": [\"none\"], "
                               "\"bias\": [0], \"weights\": {\"u:家\": {\"hazards.found\": 1}}}");
    assert_null(keyer_load(fx->model_path, errstr, sizeof(errstr)));
    assert_non_null(strstr(errstr, "hazards.found"));
    assert_null(keyer_load("/nonexistent/model.json", errstr, sizeof(errstr)));
    assert_non_null(strstr(errstr, "/nonexistent/model.json"));
    write_file(fx->model_path, "{\"name\": \"k\",\n \"threshold\": }");
    assert_null(keyer_load(fx->model_path, errstr, sizeof(errstr)));
    char where[96];
    snprintf(where, sizeof(where), "%s:2:", fx->model_path); /* the line with the error */
    assert_non_null(strstr(errstr, where));
    assert_non_null(strstr(errstr, "cannot load keyer model"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keyer_features_compose_action_object_and_unit),
        cmocka_unit_test(test_keyer_decides_under_policy_fill),
        cmocka_unit_test(test_keyer_load_names_file_and_field),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
