/* test_decode.c - encodings, HTML, and the shared character offsets of text.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <iconv.h>

#include "decode.h"
#include "html.h"
#include "text.h"

#define SAMPLE "罗湖区应急管理局2024年法治政府建设情况报告"

/* Encode UTF-8 @p s into @p charset with iconv (the test's own, independent of decode.c). */
static char *encode(const char *charset, const char *s, size_t *out_len)
{
    iconv_t cd = iconv_open(charset, "UTF-8");
    assert_true(cd != (iconv_t)-1);
    size_t in_left = strlen(s), cap = in_left * 4 + 8, out_left = cap;
    char *out = malloc(cap), *dst = out, *src = (char *)s;
    assert_true(iconv(cd, &src, &in_left, &dst, &out_left) != (size_t)-1);
    iconv_close(cd);
    *out_len = cap - out_left;
    return out;
}

static void test_decode_utf8_plain_and_bom(void **state)
{
    (void)state;
    struct decoded d;
    assert_int_equal(decode_report(SAMPLE, strlen(SAMPLE), &d), DECODE_OK);
    assert_string_equal(d.text, SAMPLE);
    assert_string_equal(d.encoding, "utf-8");
    decode_release(&d);
    char bom[256] = "\xef\xbb\xbf" SAMPLE;
    assert_int_equal(decode_report(bom, strlen(bom), &d), DECODE_OK);
    assert_string_equal(d.text, SAMPLE);
    assert_string_equal(d.encoding, "utf-8-bom");
    decode_release(&d);
}

static void test_decode_gb18030(void **state)
{
    (void)state;
    size_t len;
    char *gb = encode("GB18030", SAMPLE, &len);
    struct decoded d;
    assert_int_equal(decode_report(gb, len, &d), DECODE_OK);
    assert_string_equal(d.text, SAMPLE);
    assert_string_equal(d.encoding, "gb18030");
    decode_release(&d);
    free(gb);
}

static void test_decode_utf16_with_bom(void **state)
{
    (void)state;
    size_t len;
    char *le = encode("UTF-16LE", SAMPLE, &len);
    char *with_bom = malloc(len + 2);
    with_bom[0] = (char)0xff;
    with_bom[1] = (char)0xfe;
    memcpy(with_bom + 2, le, len);
    struct decoded d;
    assert_int_equal(decode_report(with_bom, len + 2, &d), DECODE_OK);
    assert_string_equal(d.text, SAMPLE);
    assert_string_equal(d.encoding, "utf-16le");
    decode_release(&d);
    free(le);
    free(with_bom);
}

static void test_decode_rejects_binary_and_empty(void **state)
{
    (void)state;
    struct decoded d;
    const char binary[] = {'\x00', '\x01', '\x02', '\xff', '\x00', '\x80'};
    assert_int_equal(decode_report(binary, sizeof(binary), &d), DECODE_BAD_BYTES);
    assert_int_equal(decode_report(" \n\t　", strlen(" \n\t　"), &d), DECODE_EMPTY);
}

static void test_decode_repairs_a_few_broken_utf8_sequences(void **state)
{
    (void)state;
    /* cut in the middle of the last character, as a truncated copy would be */
    char cut[256];
    size_t len = strlen(SAMPLE) - 1;
    memcpy(cut, SAMPLE, len);
    struct decoded d;
    assert_int_equal(decode_report(cut, len, &d), DECODE_OK);
    assert_string_equal(d.encoding, "utf-8-lossy");
    assert_memory_equal(d.text, SAMPLE, strlen(SAMPLE) - 3);
    assert_string_equal(d.text + strlen(SAMPLE) - 3, "\xef\xbf\xbd");
    decode_release(&d);
}

/* A text long enough to judge: a real report has hundreds of characters. */
static char *sample_paragraph(size_t repeats)
{
    size_t one = strlen(SAMPLE "。\n");
    char *s = malloc(one * repeats + 1);
    for (size_t i = 0; i < repeats; i++) {
        memcpy(s + i * one, SAMPLE "。\n", one);
    }
    s[one * repeats] = '\0';
    return s;
}

static void check_utf16_without_bom(const char *charset, const char *want_encoding)
{
    char *text = sample_paragraph(8);
    size_t len;
    char *raw = encode(charset, text, &len);
    struct decoded d;
    assert_int_equal(decode_report(raw, len, &d), DECODE_OK);
    assert_string_equal(d.text, text);
    assert_string_equal(d.encoding, want_encoding);
    decode_release(&d);
    free(raw);
    free(text);
}

static void test_decode_utf16be_without_bom(void **state)
{
    (void)state;
    check_utf16_without_bom("UTF-16BE", "utf-16be");
}

static void test_decode_utf16le_without_bom(void **state)
{
    (void)state;
    check_utf16_without_bom("UTF-16LE", "utf-16le");
}

static void test_decode_utf8_with_a_few_nul_bytes(void **state)
{
    (void)state;
    char *text = sample_paragraph(8);
    size_t len = strlen(text);
    char *raw = malloc(len + 3);
    /* NULs between characters, as a broken export or a padded copy leaves them */
    size_t third = strlen(SAMPLE "。\n") * 3;
    memcpy(raw, text, third);
    raw[third] = '\0';
    memcpy(raw + third + 1, text + third, len - third);
    raw[len + 1] = '\0';
    raw[len + 2] = '\0';
    struct decoded d;
    assert_int_equal(decode_report(raw, len + 3, &d), DECODE_OK);
    assert_string_equal(d.text, text);
    assert_int_equal(d.len, len);
    assert_string_equal(d.encoding, "utf-8");
    decode_release(&d);
    /* a NUL inside a character: the second byte of the first one */
    memcpy(raw, text, 1);
    raw[1] = '\0';
    memcpy(raw + 2, text + 1, len - 1);
    assert_int_equal(decode_report(raw, len + 1, &d), DECODE_OK);
    assert_string_equal(d.text, text);
    assert_string_equal(d.encoding, "utf-8");
    decode_release(&d);
    free(raw);
    free(text);
}

static void test_decode_still_rejects_mostly_nul_or_binary(void **state)
{
    (void)state;
    struct decoded d;
    /* every other byte NUL but not UTF-16 text: control bytes and invalid code units */
    char junk[64];
    for (size_t i = 0; i < sizeof(junk); i++) {
        junk[i] = (char)(i % 2 ? 0 : (i * 37) % 31 + 1);
    }
    assert_int_equal(decode_report(junk, sizeof(junk), &d), DECODE_BAD_BYTES);
    unsigned char random_bytes[4096];
    unsigned state_x = 12345;
    for (size_t i = 0; i < sizeof(random_bytes); i++) {
        state_x = state_x * 1103515245u + 12345u;
        random_bytes[i] = (unsigned char)(state_x >> 16);
    }
    assert_int_equal(decode_report((const char *)random_bytes, sizeof(random_bytes), &d),
                     DECODE_BAD_BYTES);
}

static void test_html_strips_markup_keeps_blocks(void **state)
{
    (void)state;
    const char *page = "<html><head><title>T</title><style>p{color:red}</style>"
                       "<script>var a = '<p>';</script></head><body>"
                       "<div>一、主要工作</div><p>检查企业&nbsp;364家&amp;立案<b>665</b>宗</p>"
                       "<!-- comment --><br>&#24180;&#x5E74;</body></html>";
    size_t len;
    char *text = html_to_text(page, strlen(page), &len);
    assert_non_null(text);
    assert_string_equal(text, "T\n一、主要工作\n检查企业 364家&立案665宗\n年年");
    free(text);
}

static void test_text_offsets_survive_width_folding(void **state)
{
    (void)state;
    const char *orig = "检查企业３６４家（其中１家）";
    struct text t;
    assert_int_equal(text_init(&t, orig, strlen(orig)), 0);
    assert_string_equal(t.norm, "检查企业364家(其中1家)");
    assert_int_equal(t.nchars, 14);
    /* "364" starts at char 4 in both; the original slice keeps full-width digits */
    size_t at = (size_t)(strstr(t.norm, "364") - t.norm);
    assert_int_equal(text_char_at(&t, at), 4);
    char *slice = text_orig_dup(&t, 4, 8);
    assert_string_equal(slice, "３６４家");
    free(slice);
    text_release(&t);
}

/* Every byte of a text of one-, two-, three- and four-byte characters over several blocks maps
   to the char whose bytes hold it, as norm_off says; past the end, nchars. */
static void test_text_char_at_every_byte(void **state)
{
    (void)state;
    static const char part[] = "a检é３𠀀b\n查ü企业１２３４５６７８９０ééé𠀁𠀂年x";
    char orig[4 * sizeof(part)] = "";
    for (int i = 0; i < 3; i++) {
        strcat(orig, part);
    }
    struct text t;
    assert_int_equal(text_init(&t, orig, strlen(orig)), 0);
    assert_true(t.norm_len > 2 * TEXT_BLOCK_BYTES);
    for (size_t c = 0; c < t.nchars; c++) {
        for (size_t b = t.norm_off[c]; b < t.norm_off[c + 1]; b++) {
            assert_int_equal(text_char_at(&t, b), c);
        }
    }
    assert_int_equal(text_char_at(&t, t.norm_len), t.nchars);
    assert_int_equal(text_char_at(&t, t.norm_len + 100), t.nchars);
    text_release(&t);
}

static void test_text_clause_and_sentence_index(void **state)
{
    (void)state;
    const char *s = "一、标题\n  检查企业3家,发现隐患5项;整改完毕。下一句";
    struct text t;
    assert_int_equal(text_init(&t, s, strlen(s)), 0);
    size_t at = (size_t)(strstr(t.norm, "发现") - t.norm), a, b;
    text_clause(&t, at, &a, &b);
    assert_memory_equal(t.norm + a, "发现隐患5项", b - a);
    assert_int_equal(b - a, strlen("发现隐患5项"));
    /* leading spaces are not part of the clause; the sentence starts after the line break */
    at = (size_t)(strstr(t.norm, "3家") - t.norm);
    text_clause(&t, at, &a, &b);
    assert_memory_equal(t.norm + a, "检查企业3家", b - a);
    assert_int_equal(text_sentence_start(&t, at), (size_t)(strstr(t.norm, "  检查") - t.norm));
    at = (size_t)(strstr(t.norm, "下一句") - t.norm);
    assert_int_equal(text_sentence_start(&t, at), at);
    text_release(&t);
}

static void test_text_excerpt_cuts_around_the_mention(void **state)
{
    (void)state;
    char s[1024] = "";
    for (int i = 0; i < 100; i++) {
        strcat(s, "甲");
    }
    strcat(s, "检查企业3家");
    for (int i = 0; i < 100; i++) {
        strcat(s, "乙");
    }
    struct text t;
    assert_int_equal(text_init(&t, s, strlen(s)), 0);
    size_t m = (size_t)(strstr(t.norm, "3家") - t.norm);
    bool cut = false;
    char *e = text_excerpt(&t, 0, t.norm_len, m, m + strlen("3家"), 30, &cut);
    assert_true(cut);
    assert_non_null(strstr(e, "检查企业3家"));
    assert_memory_equal(e, "…", strlen("…"));
    assert_string_equal(e + strlen(e) - strlen("…"), "…");
    free(e);
    e = text_excerpt(&t, 0, t.norm_len, m, m + strlen("3家"), 400, &cut);
    assert_false(cut);
    assert_string_equal(e, s);
    free(e);
    text_release(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_utf8_plain_and_bom),
        cmocka_unit_test(test_decode_gb18030),
        cmocka_unit_test(test_decode_utf16_with_bom),
        cmocka_unit_test(test_decode_rejects_binary_and_empty),
        cmocka_unit_test(test_decode_repairs_a_few_broken_utf8_sequences),
        cmocka_unit_test(test_decode_utf16be_without_bom),
        cmocka_unit_test(test_decode_utf16le_without_bom),
        cmocka_unit_test(test_decode_utf8_with_a_few_nul_bytes),
        cmocka_unit_test(test_decode_still_rejects_mostly_nul_or_binary),
        cmocka_unit_test(test_html_strips_markup_keeps_blocks),
        cmocka_unit_test(test_text_offsets_survive_width_folding),
        cmocka_unit_test(test_text_char_at_every_byte),
        cmocka_unit_test(test_text_clause_and_sentence_index),
        cmocka_unit_test(test_text_excerpt_cuts_around_the_mention),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
