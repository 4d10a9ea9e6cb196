/* test_extractor.c - the envelope: outline, citations, document fields, metric rules, rule errors.
 *
 * Long because: one case per behaviour of the whole extraction, each a few lines over
 * the same fixture (the shipped rule set) and the same envelope readers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "extractor.h"
#include "rules.h"
#include "rules_fixture.h"

struct fixture {
    struct rules *rules; /* borrowed from cat */
    struct catalogue *cat;
    struct extractor ex;
};

/* An extractor over @p rules, which the fixture then owns; fixture_release() frees it. */
static void fixture_over(struct fixture *f, struct rules *rules)
{
    f->rules = rules;
    f->cat = catalogue_of_one(f->rules);
    if (!f->cat || extractor_init(&f->ex, f->cat) != 0) {
        fail_msg("extractor_init: out of memory");
    }
}

static void fixture_release(struct fixture *f)
{
    extractor_release(&f->ex);
    catalogue_free(f->cat);
}

static int setup(void **state)
{
    static struct fixture f;
    fixture_over(&f, rules_fixture_load());
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture_release(*state);
    return 0;
}

static struct rules *load_rules_text(const char *json, char *errstr, size_t errstr_size);

/* A fixture of its own over the rule file @p json, for a test. */
static void fixture_of_rules(struct fixture *f, const char *json)
{
    char errstr[512];
    struct rules *rules = load_rules_text(json, errstr, sizeof(errstr));
    if (!rules) {
        fail_msg("%s", errstr);
    }
    fixture_over(f, rules);
}

/* @p v is the string @p want (a failure, not a crash, when it is no string). */
static void assert_json_string(json_t *v, const char *want)
{
    if (!json_is_string(v)) {
        fail_msg("not a string where \"%s\" was wanted", want);
    }
    assert_string_equal(json_string_value(v), want);
}

static json_t *extract(struct fixture *f, const char *text)
{
    json_t *env = NULL;
    const char *reason = NULL;
    char errstr[256];
    enum extract_status st =
        extractor_run(&f->ex, text, strlen(text), NULL, &env, &reason, errstr, sizeof(errstr));
    if (st != EXTRACT_OK) {
        fail_msg("rejected: %s", errstr);
    }
    return env;
}

/* Excerpt @p index of @p env's clauses (schema 2: quantities and metrics refer to one). */
static json_t *clause_at(json_t *env, json_t *index)
{
    assert_true(json_is_integer(index));
    json_t *c = json_array_get(json_object_get(env, "clauses"), (size_t)json_integer_value(index));
    assert_non_null(c);
    return c;
}

/* The quantity metric @p m names, or NULL for a stated zero. */
static json_t *quantity_of(json_t *env, json_t *m)
{
    json_t *at = json_object_get(m, "quantity");
    return at ? json_array_get(json_object_get(env, "quantities"), (size_t)json_integer_value(at))
              : NULL;
}

/* The evidence text of metric @p m: its own excerpt, or its quantity's clause. */
static const char *evidence_of(json_t *env, json_t *m)
{
    json_t *q = quantity_of(env, m);
    json_t *c = clause_at(env, q ? json_object_get(q, "clause") : json_object_get(m, "evidence"));
    return json_string_value(json_object_get(c, "text"));
}

/* The metrics extracted from @p text, as "key=value" joined by spaces, must read @p want. */
static void assert_metrics(struct fixture *f, const char *text, const char *want)
{
    json_t *env = extract(f, text);
    char got[512] = "";
    size_t i, used = 0;
    json_t *m;
    json_array_foreach(json_object_get(env, "metrics"), i, m)
    {
        used += (size_t)snprintf(got + used, sizeof(got) - used, "%s%s=%g", i ? " " : "",
                                 json_string_value(json_object_get(m, "key")),
                                 json_number_value(json_object_get(m, "value")));
        assert_true(used < sizeof(got));
    }
    json_decref(env);
    assert_string_equal(got, want);
}

#define PREAMBLE "深圳市南山区应急管理局2023年度法治政府建设情况报告\n"
/* The smallest rule set rules_load() takes, with @p extra fields and @p rules spliced in. */
#define RULES_JSON(extra, rules)                                                                   \
    "{\"name\":\"t\",\"version\":\"1\",\"measure_words\":[\"家\",\"家企业\"],"                 \
    "\"citation_kinds\":[],\"section_categories\":[],\"agency_suffixes\":[],"                      \
    "\"admin_levels\":[]" extra ",\"rules\":[" rules "]}"
#define GOOD_RULE "{\"id\":\"r\",\"key\":\"k\",\"units\":[\"家\"],\"patterns\":[\"检查{Q}\"]}"

static void test_extract_document_fields(void **state)
{
    json_t *env = extract(*state, "信息名称:南山区应急管理局2023年度法治政府建设情况报告\n"
                                  "南应急〔2024〕5号\n"
                                  "2023年,深圳市南山区应急管理局坚持依法行政。检查企业10家。\n"
                                  "南山区应急管理局\n2024年1月8日\n");
    json_t *doc = json_object_get(env, "document");
    assert_json_string(json_object_get(doc, "agency"), "南山区应急管理局");
    assert_json_string(json_object_get(doc, "region"), "深圳市南山区");
    assert_json_string(json_object_get(doc, "level"), "district");
    /* the division code of 深圳市南山区 (config/divisions/cn.tsv) */
    assert_json_string(json_object_get(doc, "region_code"), "440305");
    assert_int_equal(json_integer_value(json_object_get(doc, "year")), 2023);
    assert_json_string(json_object_get(doc, "published"), "2024-01-08");
    assert_json_string(json_object_get(doc, "doc_number"), "南应急〔2024〕5号");
    assert_json_string(json_object_get(doc, "title"),
                       "南山区应急管理局2023年度法治政府建设情况报告");
    json_decref(env);
}

static void test_extract_outline_levels_and_categories(void **state)
{
    json_t *env = extract(*state, PREAMBLE
                          "一、2023年主要工作成效\n(一)强化学习。内容。\n1.组织学法。内容。\n"
                          "（二）严格执法\n二、存在的问题和不足\n三、2024年工作计划\n"
                          "四、党政主要负责人履行推进法治建设第一责任人职责情况\n");
    json_t *secs = json_object_get(env, "sections");
    assert_int_equal(json_array_size(secs), 7);
    const char *want[][4] = {
        {"1", "1", "2023年主要工作成效", "achievements"},
        {"1.1", "2", "强化学习", "achievements"},
        {"1.1.1", "3", "组织学法", "achievements"},
        {"1.2", "2", "严格执法", "achievements"},
        {"2", "1", "存在的问题和不足", "problems"},
        {"3", "1", "2024年工作计划", "plans"},
        {"4", "1", "党政主要负责人履行推进法治建设第一责任人职责情况", "duties"}};
    for (size_t i = 0; i < 7; i++) {
        json_t *s = json_array_get(secs, i);
        assert_json_string(json_object_get(s, "path"), want[i][0]);
        assert_int_equal(json_integer_value(json_object_get(s, "level")), atoi(want[i][1]));
        assert_json_string(json_object_get(s, "heading"), want[i][2]);
        assert_json_string(json_object_get(s, "category"), want[i][3]);
    }
    json_decref(env);
}

static void test_extract_citations_normalised(void **state)
{
    json_t *env = extract(*state, PREAMBLE "学习《中华人民共和国安全生产法》《安全生产法》"
                                           "《广东省安全生产条例（2021年修订）》和《实施方案》。");
    json_t *cits = json_object_get(env, "citations");
    assert_int_equal(json_array_size(cits), 4);
    const char *want[][3] = {
        {"中华人民共和国安全生产法", "安全生产法", "法"},
        {"安全生产法", "安全生产法", "法"},
        {"广东省安全生产条例（2021年修订）", "广东省安全生产条例(2021年修订)", "条例"},
        {"实施方案", "实施方案", "方案"}};
    for (size_t i = 0; i < 4; i++) {
        json_t *c = json_array_get(cits, i);
        assert_json_string(json_object_get(c, "title"), want[i][0]);
        assert_json_string(json_object_get(c, "normalized"), want[i][1]);
        assert_json_string(json_object_get(c, "kind"), want[i][2]);
    }
    json_decref(env);
}

static void test_extract_metrics_most_specific_and_first_decides(void **state)
{
    assert_metrics(*state,
                   PREAMBLE "全年发生生产安全事故12起、死亡9人,牵头调查处理事故3起;"
                            "发现并督促整改隐患1.6万项,其中重大事故隐患4条。",
                   "accidents.count=12 accidents.deaths=9 accidents.investigated=3 "
                   "hazards.found=16000 hazards.major=4");
}

static void test_extract_metrics_zero_and_planned(void **state)
{
    assert_metrics(*state,
                   PREAMBLE "年内无行政诉讼案件。全年计划检查1297家,其中重点检查企业为777家;"
                            "实际检查企业1300家。下一步将开展演练4场。",
                   "disputes.litigations=0 inspection.enterprises=1300");
}

static void test_extract_metrics_compose_actions_objects_and_measure_words(void **state)
{
    /* penalties counted per company and per procedure, permits in 条, inspection visits to a
       named object, a stated zero of a class of accidents; power inventories, permit item
       types and the documents in force are not this year's work */
    assert_metrics(*state,
                   PREAMBLE "处罚违法企业15家,普通程序案件21起;发布行政许可信息310条。"
                            "监督检查生产经营单位4021次。未发生生产安全重大事故。"
                            "梳理行政职权520项,其中行政处罚301项、行政强制12项;"
                            "行政许可事项44项;现行有效规范性文件9件。",
                   "penalties.decisions=15 penalties.decisions=21 permits.processed=310 "
                   "inspection.enterprises=4021 accidents.count=0");
}

static void test_extract_metrics_one_space_before_the_measure_word(void **state)
{
    /* the rules read what the finder reads: 15 起 as 15起 */
    assert_metrics(*state, PREAMBLE "全年立案 15 起,处罚违法企业 12 家。",
                   "cases.filed=15 penalties.decisions=12");
}

static void test_extract_metrics_not_changes_floors_or_titles(void **state)
{
    /* a change against last year and a floor are no counts, and the rest of the sentence is
       read as usual; a rule's words inside a cited title (处罚, 检查) name nothing */
    assert_metrics(*state,
                   PREAMBLE "检查企业120家,对个人行政处罚案件同比增长2件,立案15起;"
                            "每月学法不少于1次。学习《生产安全事故罚款处罚规定》等法规51次。"
                            "宣传《企业安全检查办法》12家企业参加。",
                   "inspection.enterprises=120 cases.filed=15");
}

static void test_extract_metrics_issue_20_precision_classes(void **state)
{
    /* durations, norms per group and month, the value before a change and a zero of a
       narrower scope count nothing; the count after a change, after a place with a numeral
       and a zero of the report's own subject still do */
    assert_metrics(*state,
                   PREAMBLE "办理时限由10个工作日压缩至3个工作日,2天内办结。"
                            "每个执法组每月至少检查2家企业、开展1次宣讲。"
                            "申报材料由原来的12份精简为4份。全年办理行政许可44件。"
                            "未发生因告知不到位引起的行政诉讼。三河市检查企业3家。"
                            "未发生因政府信息公开引起的行政复议。发放特种作业操作证1200份。"
                            "抽查行政处罚案卷30份和7起事故调查卷,评出优秀案卷5份、合格案卷20份。"
                            "召开党委会16次、集中培训2期。明确212家检查企业清单。",
                   "permits.processed=44 inspection.enterprises=3 disputes.reconsiderations=0 "
                   "permits.processed=1200 legal_review.case_files=30 training.sessions=2");
}

static void test_extract_metrics_issue_20_missed_classes(void **state)
{
    /* certificates in 份, drills in 场, a total after a list, reach with 约/余, participants
       before the verb, a drill the year held (全年举办 is no plan) */
    assert_metrics(*state,
                   PREAMBLE
                   "发放特种作业操作证1200份。开展应急演练6场。罚没款合计12.5万元。"
                   "覆盖群众3万余人次。200余名执法人员参加培训。组织领导干部约70人专题学习。"
                   "服务人群约5万余人次。全年举办大型综合性演练4场。",
                   "permits.processed=1200 drills.count=6 penalties.fines_cny=125000 "
                   "publicity.reach=30000 training.participants=200 training.participants=70 "
                   "publicity.reach=50000 drills.count=4");
}

static void test_extract_metrics_from_table_rows(void **state)
{
    /* the 政府信息公开 annual report's table: the first figure of a labelled row; a bare
       number outside a table cell is no quantity */
    assert_metrics(*state,
                   PREAMBLE "| 信息内容 | 本年处理决定数量 |\n| 行政许可 | 57 | |\n"
                            "| 行政处罚 | 13 | |\n| 行政规范性文件 | 0 | 0 | 3 |\n行政许可 88\n",
                   "permits.processed=57 penalties.decisions=13 "
                   "legal_review.normative_documents=0");
}

static void test_extract_metric_evidence_as_of_and_yoy(void **state)
{
    json_t *env = extract(*state, PREAMBLE "截至10月底,全区生产安全事故５９起,同比下降9.2%。");
    json_t *m = json_array_get(json_object_get(env, "metrics"), 0);
    assert_non_null(m);
    assert_json_string(json_object_get(m, "key"), "accidents.count");
    assert_int_equal(json_integer_value(json_object_get(m, "value")), 59);
    assert_string_equal(evidence_of(env, m), "全区生产安全事故５９起");
    assert_json_string(json_object_get(m, "as_of"), "10月底");
    assert_true(json_real_value(json_object_get(m, "yoy_pct")) == -9.2);
    json_decref(env);
}

/* A change read past what JSON holds (1e999, nan, inf) is no change: the report still lands. */
static void test_extract_yoy_is_a_plain_finite_decimal(void **state)
{
    const char *texts[] = {
        PREAMBLE "全区生产安全事故59起,同比增长1e999%。",
        PREAMBLE "全区生产安全事故59起,同比下降nan%。",
        PREAMBLE "全区生产安全事故59起,同比增长inf%。",
        PREAMBLE "全区生产安全事故59起,同比增长0x1p9%。",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        json_t *env = extract(*state, texts[i]);
        json_t *m = json_array_get(json_object_get(env, "metrics"), 0);
        assert_non_null(m);
        assert_int_equal(json_integer_value(json_object_get(m, "value")), 59);
        json_t *yoy = json_object_get(m, "yoy_pct");
        if (!json_is_null(yoy) && !(json_is_number(yoy) && json_number_value(yoy) == 0)) {
            fail_msg("%s: yoy_pct %g", texts[i], json_number_value(yoy));
        }
        json_decref(env);
    }
}

/* Our own failure (here a PCRE2 match limit) is "internal" with PCRE2's words, not ENOMEM. */
static void test_extract_pcre2_error_is_internal(void **state)
{
    struct fixture *f = *state;
    int err;
    PCRE2_SIZE off;
    pcre2_code *limited = pcre2_compile((PCRE2_SPTR) "(*LIMIT_MATCH=1)(?:检查|企业)+(?<q>[0-9]+)家",
                                        PCRE2_ZERO_TERMINATED, PCRE2_UTF, &err, &off, NULL);
    assert_non_null(limited);
    /* a rule that takes 家, so its patterns run on the window around 12家 */
    const struct rule *rule = NULL;
    for (size_t i = 0; !rule && i < f->rules->cnt; i++) {
        for (size_t u = 0; u < f->rules->items[i].unit_cnt; u++) {
            if (strcmp(f->rules->items[i].units[u], "家") == 0) {
                rule = &f->rules->items[i];
            }
        }
    }
    assert_non_null(rule);
    struct rule_pattern *rp = &rule->patterns[0];
    pcre2_code *kept = rp->code;
    int kept_q = rp->q_group;
    rp->code = limited;
    rp->q_group = 1;
    char text[] = PREAMBLE "检查企业检查企业检查企业12家,整改隐患3项。";
    json_t *env = NULL;
    const char *reason = NULL;
    char errstr[256] = "";
    enum extract_status st =
        extractor_run(&f->ex, text, strlen(text), NULL, &env, &reason, errstr, sizeof(errstr));
    rp->code = kept;
    rp->q_group = kept_q;
    pcre2_code_free(limited);
    assert_int_equal(st, EXTRACT_INTERNAL);
    assert_null(env);
    assert_string_equal(reason, "internal");
    if (!strstr(errstr, "PCRE2 match error") || !strstr(errstr, rule->id)) {
        fail_msg("errstr: %s", errstr);
    }
}

/* The period-limit and year-on-year words are the rule set's: without them, neither is read. */
static void test_extract_as_of_and_yoy_words_come_from_the_rule_set(void **state)
{
    (void)state;
    const char *text = PREAMBLE "截至10月底,全区检查５９家,同比下降9.2%。";
    struct fixture f;
    fixture_of_rules(&f, RULES_JSON(",\"vocabulary\":{\"as_of_markers\":[],\"yoy_markers\":[],"
                                    "\"yoy_down\":[\"下降\"]}",
                                    GOOD_RULE));
    json_t *env = extract(&f, text);
    json_t *m = json_array_get(json_object_get(env, "metrics"), 0);
    assert_non_null(m);
    assert_true(json_is_null(json_object_get(m, "as_of")));
    assert_true(json_is_null(json_object_get(m, "yoy_pct")));
    json_decref(env);
    fixture_release(&f);
    /* the same rules with the markers listed */
    fixture_of_rules(&f, RULES_JSON(",\"vocabulary\":{\"as_of_markers\":[\"截至\"],"
                                    "\"yoy_markers\":[\"同比\"],\"yoy_down\":[\"下降\"]}",
                                    GOOD_RULE));
    env = extract(&f, text);
    m = json_array_get(json_object_get(env, "metrics"), 0);
    assert_non_null(m);
    assert_json_string(json_object_get(m, "as_of"), "10月底");
    assert_true(json_is_number(json_object_get(m, "yoy_pct")));
    assert_float_equal(json_number_value(json_object_get(m, "yoy_pct")), -9.2, 1e-9);
    json_decref(env);
    fixture_release(&f);
}

/* The text of @p count copies of @p unit after the preamble, closed by 。 (caller frees). */
static char *repeated(const char *unit, size_t count)
{
    size_t pl = strlen(PREAMBLE), ul = strlen(unit);
    char *s = malloc(pl + ul * count + strlen("。") + 1);
    memcpy(s, PREAMBLE, pl);
    for (size_t i = 0; i < count; i++) {
        memcpy(s + pl + i * ul, unit, ul);
    }
    strcpy(s + pl + ul * count, "。");
    return s;
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++) {
        n += ((unsigned char)*s & 0xc0) != 0x80;
    }
    return n;
}

static void test_extract_long_as_of_is_cut_between_characters(void **state)
{
    /* the period limit runs 20 characters (60 bytes) before the number */
    json_t *env = extract(*state, PREAMBLE "截至二〇二三年十二月三十一日全区生产安全事故５９起。");
    json_t *m = json_array_get(json_object_get(env, "metrics"), 0);
    assert_non_null(m);
    const char *as_of = json_string_value(json_object_get(m, "as_of"));
    assert_non_null(as_of);
    assert_true(strlen(as_of) >= strlen("二〇二三年十二月三十一日"));
    assert_memory_equal(as_of, "二〇二三年十二月三十一日", strlen("二〇二三年十二月三十一日"));
    assert_int_equal(strlen(as_of) % 3, 0); /* whole three-byte characters only */
    json_decref(env);
}

/*
 * Clause and evidence of a run-on text are capped, and say so; the quantities of one
 * window share its excerpt, and every mention lies inside its excerpt.
 */
static void test_extract_run_on_clauses_are_capped(void **state)
{
    char *text = repeated("检查企业1家次、", 1000);
    json_t *env = extract(*state, text);
    json_t *qs = json_object_get(env, "quantities");
    assert_int_equal(json_array_size(qs), 1000);
    size_t i;
    json_t *q;
    json_array_foreach(qs, i, q)
    {
        json_t *c = clause_at(env, json_object_get(q, "clause"));
        const char *clause = json_string_value(json_object_get(c, "text"));
        assert_true(utf8_chars(clause) <= EXTRACT_EXCERPT_MAX_CHARS + 2);
        assert_true(json_is_true(json_object_get(c, "cut")));
        assert_non_null(strstr(clause, json_string_value(json_object_get(q, "text"))));
        assert_true(json_integer_value(json_object_get(c, "start")) <=
                    json_integer_value(json_object_get(q, "start")));
        assert_true(json_integer_value(json_object_get(q, "end")) <=
                    json_integer_value(json_object_get(c, "end")));
    }
    /* 8 characters a quantity: windows every 80 characters, each stored once */
    size_t windows = json_array_size(json_object_get(env, "clauses"));
    assert_true(windows >= 8000 / 80 - 1 && windows <= 8000 / 80 + 2);
    json_t *m;
    json_array_foreach(json_object_get(env, "metrics"), i, m)
    {
        assert_non_null(quantity_of(env, m));
        assert_null(json_object_get(m, "evidence"));
        assert_true(utf8_chars(evidence_of(env, m)) <= EXTRACT_EXCERPT_MAX_CHARS + 2);
    }
    json_decref(env);
    free(text);
}

static size_t envelope_bytes(struct fixture *f, const char *text)
{
    json_t *env = extract(f, text);
    char *dump = json_dumps(env, JSON_COMPACT);
    size_t n = strlen(dump);
    free(dump);
    json_decref(env);
    return n;
}

/* Envelope size grows with the input, not with its square. */
static void test_extract_envelope_grows_linearly(void **state)
{
    const char *const shapes[] = {"检查企业1家次、", "1家", "检查企业共计检查", "、"};
    for (size_t k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
        char *small = repeated(shapes[k], 1000), *large = repeated(shapes[k], 4000);
        size_t a = envelope_bytes(*state, small), b = envelope_bytes(*state, large);
        /* four times the input: at most about four times the envelope */
        if (b > 5 * a) {
            fail_msg("shape '%s': %zu bytes for 1000 repeats, %zu for 4000", shapes[k], a, b);
        }
        free(small);
        free(large);
    }
}

static bool always_stop(void)
{
    return true;
}

static enum extract_status run_limited(struct fixture *f, const char *text,
                                       const struct extract_limits *limits, const char **reason)
{
    struct envelope env;
    char errstr[256];
    enum extract_status st = extractor_run_limited(&f->ex, text, strlen(text), NULL, limits, &env,
                                                   reason, errstr, sizeof(errstr));
    if (st == EXTRACT_OK) {
        /* the limit holds to the byte: the text written is within it */
        assert_true(!limits->max_envelope_bytes || env.len <= limits->max_envelope_bytes);
    } else {
        assert_null(env.json);
    }
    extractor_envelope_release(&env);
    return st;
}

static void test_extract_budget_exceeded_is_a_timeout(void **state)
{
    /* 4 MB cannot be decoded and indexed in 1 ms, so the first check finds the deadline passed */
    char *text = repeated("检查企业1家次、", 4u << 20 >> 5);
    struct extract_limits limits = {1, 0, NULL, 0, false};
    const char *reason = NULL;
    assert_int_equal(run_limited(*state, text, &limits, &reason), EXTRACT_TIMEOUT);
    assert_string_equal(reason, "extract-timeout");
    free(text);
}

static void test_extract_stop_request_hands_the_record_back(void **state)
{
    char *text = repeated("检查企业1家次、", 1000);
    struct extract_limits limits = {0, 0, always_stop, 0, false};
    const char *reason = NULL;
    assert_int_equal(run_limited(*state, text, &limits, &reason), EXTRACT_STOPPED);
    assert_null(reason);
    free(text);
}

static void test_extract_envelope_over_the_limit_is_too_large(void **state)
{
    char *text = repeated("检查企业1家次、", 1000);
    struct extract_limits limits = {0, 20000, NULL, 0, false};
    const char *reason = NULL;
    assert_int_equal(run_limited(*state, text, &limits, &reason), EXTRACT_TOO_LARGE);
    assert_string_equal(reason, "envelope-too-large");
    /* the same text fits a limit its envelope stays under */
    limits.max_envelope_bytes = 4u << 20;
    assert_int_equal(run_limited(*state, text, &limits, &reason), EXTRACT_OK);
    /* and the limit holds to the byte: the envelope's own size fits, one byte less does not
       (its head, keys and brackets count, not only its items) */
    struct fixture *f = *state;
    struct envelope env;
    char errstr[256];
    assert_int_equal(extractor_run_limited(&f->ex, text, strlen(text), NULL, NULL, &env, &reason,
                                           errstr, sizeof(errstr)),
                     EXTRACT_OK);
    limits.max_envelope_bytes = env.len;
    extractor_envelope_release(&env);
    assert_int_equal(run_limited(*state, text, &limits, &reason), EXTRACT_OK);
    limits.max_envelope_bytes--;
    assert_int_equal(run_limited(*state, text, &limits, &reason), EXTRACT_TOO_LARGE);
    free(text);
}

/* A megabyte of run-on text, under the worker's default limits: a verdict, fast. A verdict
 * may be the timeout: 1 MB of bare numbers ('1家1家...') has 260,000 quantities to key, more
 * than 3 s of work under the sanitizers; the budget must then stop it on time. */
static void test_extract_run_on_megabyte_is_fast(void **state)
{
    const char *const shapes[] = {"检查企业1家次、", "1家", "截至十二月检查企业", "《"};
    for (size_t k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
        char *text = repeated(shapes[k], (1u << 20) / strlen(shapes[k]));
        struct extract_limits limits = {3000, 8388608, NULL, 0, false};
        const char *reason = NULL;
        struct timespec start, end;
        clock_gettime(CLOCK_MONOTONIC, &start);
        enum extract_status st = run_limited(*state, text, &limits, &reason);
        clock_gettime(CLOCK_MONOTONIC, &end);
        double took = (double)(end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
        assert_true(st == EXTRACT_OK || st == EXTRACT_TOO_LARGE || st == EXTRACT_TIMEOUT);
        /* the 3 s budget plus the last step's overshoot; the quadratic code took 284 s, and
           the linear work of each shape is shown by scripts/bench.sh */
        if (took > 10.0) {
            fail_msg("1 MB of '%s' took %.1f s", shapes[k], took);
        }
        free(text);
    }
}

/* A number may run past its clause (the comma of "1,234" is a break): found by the fuzzer. */
static void test_extract_number_past_its_clause(void **state)
{
    json_t *env = extract(*state, PREAMBLE "检查企业1,234家,整改隐患2,000项。");
    assert_int_equal(json_array_size(json_object_get(env, "quantities")), 2);
    json_decref(env);
}

static void test_extract_rejects_text_without_report(void **state)
{
    struct fixture *f = *state;
    json_t *env = NULL;
    const char *reason = NULL;
    char errstr[256];
    const char *text = "hello world, this is not a report at all 12345";
    assert_int_equal(
        extractor_run(&f->ex, text, strlen(text), NULL, &env, &reason, errstr, sizeof(errstr)),
        EXTRACT_REJECT);
    assert_string_equal(reason, "no-report-text");
    assert_null(env);
}

/* Load @p json as a rule file; @returns the rules (caller frees) or NULL with @p errstr set. */
static struct rules *load_rules_text(const char *json, char *errstr, size_t errstr_size)
{
    char path[] = "/tmp/rf-test-rules-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, json, strlen(json)), (ssize_t)strlen(json));
    close(fd);
    errstr[0] = '\0';
    struct rules *r = rules_load(path, errstr, errstr_size);
    unlink(path);
    return r;
}

/* Load @p json, which must fail, and check the error holds @p expected. */
static void assert_rules_error(const char *json, const char *expected)
{
    char errstr[1024];
    struct rules *r = load_rules_text(json, errstr, sizeof(errstr));
    if (r) {
        rules_free(r);
        fail_msg("loaded, expected an error with: %s", expected);
    }
    if (!strstr(errstr, expected)) {
        fail_msg("error '%s' lacks '%s'", errstr, expected);
    }
}

static void test_rules_bad_pattern_names_rule_and_offset(void **state)
{
    (void)state;
    const char *json = RULES_JSON(
        "", "{\"id\":\"broken\",\"key\":\"k\",\"units\":[\"家\"],\"patterns\":[\"检查(({Q}\"]}");
    assert_rules_error(json, "rule #1 'broken' pattern 1: PCRE2 error at offset");
    assert_rules_error(json, "missing closing parenthesis");
}

/* Folding steps by character: listed three-byte ones change, nothing around them does. */
static void test_rules_fold_script_between_characters_of_every_length(void **state)
{
    struct fixture *f = *state;
    char s[] = "a\xc2\xa0宣州區\xf0\x9f\x98\x80應急 區";
    fold_apply(&f->rules->fold, s, strlen(s));
    assert_string_equal(s, "a\xc2\xa0宣州区\xf0\x9f\x98\x80应急 区");
    char cut[] = "區\xe5"; /* nothing past @p len is read */
    fold_apply(&f->rules->fold, cut, 3);
    assert_string_equal(cut, "区\xe5");
}

static void test_rules_bad_json_names_line_and_column(void **state)
{
    (void)state;
    assert_rules_error("{\"name\": \"t\",\n  \"version\": }", ":2:14: cannot load rule file: ");
}

static void test_rules_string_lists_load(void **state)
{
    (void)state;
    char errstr[1024];
    struct rules *r = load_rules_text(
        RULES_JSON(",\"vocabulary\":{\"title_labels\":[\"标题\",\"题目\"]}", GOOD_RULE), errstr,
        sizeof(errstr));
    if (!r) {
        fail_msg("%s", errstr);
    }
    assert_int_equal(r->measure_cnt, 2);
    assert_string_equal(r->measure_words[0], "家企业"); /* longest first */
    assert_string_equal(r->measure_words[1], "家");
    assert_int_equal(r->items[0].unit_cnt, 1);
    assert_string_equal(r->items[0].units[0], "家");
    assert_int_equal(r->title_label_cnt, 2);
    assert_string_equal(r->title_labels[1].word, "题目");
    assert_string_equal(r->title_labels[1].label, "题目");
    assert_int_equal(r->title_labels[1].len, strlen("题目"));
    rules_free(r);
}

/* Every list of strings names the list and the item that is not one. */
static void test_rules_string_lists_name_the_bad_item(void **state)
{
    (void)state;
    assert_rules_error(
        RULES_JSON("", "{\"id\":\"r\",\"key\":\"k\",\"units\":[\"家\",3],\"patterns\":[\"{Q}\"]}"),
        "rule #1 'r': \"units\" item 2 must be a string");
    assert_rules_error(
        RULES_JSON("", "{\"id\":\"r\",\"key\":\"k\",\"units\":\"家\",\"patterns\":[\"{Q}\"]}"),
        "rule #1 'r': \"units\" must be an array of strings");
    assert_rules_error(
        "{\"name\":\"t\",\"version\":\"1\",\"measure_words\":[\"家\",1],\"rules\":[]}",
        "\"measure_words\" item 2 must be a string");
    assert_rules_error(RULES_JSON(",\"vocabulary\":{\"yoy_markers\":[\"同比\",\"\"]}", GOOD_RULE),
                       "vocabulary \"yoy_markers\" item 2 must be a non-empty string");
    assert_rules_error(RULES_JSON(",\"vocabulary\":{\"date_labels\":{}}", GOOD_RULE),
                       "vocabulary \"date_labels\" must be an array of strings");
}

/* "weak_bodies" sits at the top of the rule file: it loads without a "vocabulary" object,
   and its error does not send the reader there. */
static void test_rules_weak_bodies_are_a_top_level_key(void **state)
{
    (void)state;
    char errstr[1024];
    struct rules *r = load_rules_text(RULES_JSON(",\"weak_bodies\":[\"办公室\"]", GOOD_RULE),
                                      errstr, sizeof(errstr));
    if (!r) {
        fail_msg("%s", errstr);
    }
    assert_int_equal(r->weak_body_cnt, 1);
    assert_string_equal(r->weak_bodies[0].word, "办公室");
    rules_free(r);
    const char *bad = RULES_JSON(",\"weak_bodies\":[\"\"]", GOOD_RULE);
    assert_rules_error(bad, ": \"weak_bodies\" item 1 must be a non-empty string");
    assert_null(load_rules_text(bad, errstr, sizeof(errstr)));
    assert_null(strstr(errstr, "vocabulary"));
}

/* Labels and markers of any script are found: the one-pass scans of the rules take those
   starting with a Han character, and the others are searched for one by one. */
static void test_rules_words_of_any_script_found(void **state)
{
    (void)state;
    struct fixture f;
    fixture_of_rules(&f, RULES_JSON(",\"vocabulary\":{\"date_labels\":[\"Date\",\"发布日期\"],"
                                    "\"doc_number_labels\":[\"No.\"],"
                                    "\"as_of_markers\":[\"by end of \"]}",
                                    GOOD_RULE));
    /* "Date" comes first in the list: its date wins over 发布日期's in the same line */
    json_t *env =
        extract(&f, "发布日期:2024-03-01 Date:2024-02-03\nNo. 厦应急〔2026〕11号\n" PREAMBLE
                    "by end of June,检查12家。\n");
    json_t *doc = json_object_get(env, "document");
    assert_json_string(json_object_get(doc, "published"), "2024-02-03");
    assert_json_string(json_object_get(doc, "doc_number"), "厦应急〔2026〕11号");
    json_t *m = json_array_get(json_object_get(env, "metrics"), 0);
    assert_non_null(m);
    assert_json_string(json_object_get(m, "as_of"), "June");
    json_decref(env);
    fixture_release(&f);
}

/* A Han label is looked for where it starts in a head line's first 300 bytes and no further,
   as before its scan; one that starts there may end past them. */
static void test_rules_head_labels_within_reach(void **state)
{
    struct fixture *f = *state;
    char head[1024];
    for (size_t pad = 290; pad <= 310; pad += 20) {
        memset(head, 'x', pad);
        snprintf(head + pad, sizeof(head) - pad, "发布日期:2024-02-03\n%s", PREAMBLE);
        json_t *env = extract(f, head);
        json_t *published = json_object_get(json_object_get(env, "document"), "published");
        if (pad <= 300) {
            assert_json_string(published, "2024-02-03");
        } else {
            assert_true(json_is_null(published));
        }
        json_decref(env);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_extract_document_fields),
        cmocka_unit_test(test_extract_outline_levels_and_categories),
        cmocka_unit_test(test_extract_citations_normalised),
        cmocka_unit_test(test_extract_metrics_most_specific_and_first_decides),
        cmocka_unit_test(test_extract_metrics_zero_and_planned),
        cmocka_unit_test(test_extract_metrics_issue_20_precision_classes),
        cmocka_unit_test(test_extract_metrics_issue_20_missed_classes),
        cmocka_unit_test(test_extract_metrics_compose_actions_objects_and_measure_words),
        cmocka_unit_test(test_extract_metrics_from_table_rows),
        cmocka_unit_test(test_extract_metrics_not_changes_floors_or_titles),
        cmocka_unit_test(test_extract_metrics_one_space_before_the_measure_word),
        cmocka_unit_test(test_extract_metric_evidence_as_of_and_yoy),
        cmocka_unit_test(test_extract_yoy_is_a_plain_finite_decimal),
        cmocka_unit_test(test_extract_pcre2_error_is_internal),
        cmocka_unit_test(test_extract_as_of_and_yoy_words_come_from_the_rule_set),
        cmocka_unit_test(test_rules_words_of_any_script_found),
        cmocka_unit_test(test_rules_head_labels_within_reach),
        cmocka_unit_test(test_extract_long_as_of_is_cut_between_characters),
        cmocka_unit_test(test_extract_run_on_clauses_are_capped),
        cmocka_unit_test(test_extract_envelope_grows_linearly),
        cmocka_unit_test(test_extract_budget_exceeded_is_a_timeout),
        cmocka_unit_test(test_extract_stop_request_hands_the_record_back),
        cmocka_unit_test(test_extract_envelope_over_the_limit_is_too_large),
        cmocka_unit_test(test_extract_run_on_megabyte_is_fast),
        cmocka_unit_test(test_extract_number_past_its_clause),
        cmocka_unit_test(test_extract_rejects_text_without_report),
        cmocka_unit_test(test_rules_bad_pattern_names_rule_and_offset),
        cmocka_unit_test(test_rules_fold_script_between_characters_of_every_length),
        cmocka_unit_test(test_rules_bad_json_names_line_and_column),
        cmocka_unit_test(test_rules_string_lists_load),
        cmocka_unit_test(test_rules_string_lists_name_the_bad_item),
        cmocka_unit_test(test_rules_weak_bodies_are_a_top_level_key),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
