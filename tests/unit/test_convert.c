/* test_convert.c - formats told by content, PDF text reflowed, converters in a limited child. */
#define _GNU_SOURCE /* unshare */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "childproc.h"
#include "convert.h"
#include "docformat.h"
#include "ocrtext.h"
#include "pdftext.h"
#include "sandbox.h"

static void test_docformat_by_content(void **state)
{
    (void)state;
    static const char ole_doc[] =
        "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1....W\0o\0r\0d\0D\0o\0c\0u\0m\0e\0n\0t\0";
    static const char ole_other[] = "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1....B\0o\0o\0k\0";
    static const char docx[] = "PK\x03\x04....................................word/document.xml";
    static const char zip[] = "PK\x03\x04..........................xl/workbook.xml";
    char odt[128];
    memset(odt, '.', sizeof(odt));
    memcpy(odt, "PK\x03\x04", 4);
    memcpy(odt + 30, "mimetypeapplication/vnd.oasis.opendocument.text", 47);
    assert_int_equal(docformat_detect("%PDF-1.7\n", 9), DOCFORMAT_PDF);
    assert_int_equal(docformat_detect("\xef\xbb\xbf  %PDF-1.4", 14), DOCFORMAT_PDF);
    assert_int_equal(docformat_detect(docx, sizeof(docx) - 1), DOCFORMAT_DOCX);
    assert_int_equal(docformat_detect(odt, sizeof(odt)), DOCFORMAT_ODT);
    assert_int_equal(docformat_detect(ole_doc, sizeof(ole_doc) - 1), DOCFORMAT_DOC);
    assert_int_equal(docformat_detect(ole_other, sizeof(ole_other) - 1), DOCFORMAT_OTHER);
    assert_int_equal(docformat_detect(zip, sizeof(zip) - 1), DOCFORMAT_OTHER);
    assert_int_equal(docformat_detect("{\\rtf1\\ansi", 11), DOCFORMAT_RTF);
    /* a report that is text, whatever its name says */
    assert_int_equal(docformat_detect("2023年,市应急管理局", 26), DOCFORMAT_TEXT);
    assert_string_equal(docformat_media_type(DOCFORMAT_PDF), "application/pdf");
}

static void check_reflow(const char *in, const char *want)
{
    size_t len = 0;
    struct pdftext_pages pages;
    char *out = pdftext_reflow(in, strlen(in), &len, &pages);
    assert_non_null(out);
    if (strcmp(out, want) != 0) {
        fail_msg("reflowed:\n%s\nwant:\n%s", out, want);
    }
    assert_int_equal(len, strlen(want));
    free(out);
    pdftext_pages_release(&pages);
}

static void test_pdftext_reflow(void **state)
{
    (void)state;
    /* full lines that end mid-sentence go on; a heading, an item and a sentence's end do not;
       no space between Han characters and digits */
    check_reflow("一、主要工作\n"
                 "2023 年,市应急管理局全面贯彻落实党的二十大精神,深入学习贯彻习近平法治\n"
                 "思想,组织召开局党委会中心组法治学习 5 次。\n"
                 "(一)强化组织领导,严格履行责任。市应急管理局高度重视法治建设工作,成立\n"
                 "领导小组。\n",
                 "一、主要工作\n"
                 "2023年,市应急管理局全面贯彻落实党的二十大精神,深入学习贯彻习近平法治"
                 "思想,组织召开局党委会中心组法治学习5次。\n"
                 "(一)强化组织领导,严格履行责任。市应急管理局高度重视法治建设工作,成立"
                 "领导小组。\n");
    /* page numbers and a header repeated at the top of every page are dropped, and a sentence
       goes on across the page break */
    check_reflow(
        "某某市应急管理局\n第一页的正文很长很长很长很长很长很长很长很长很长很长的一行,没有\n- 1 -\f"
        "某某市应急管理局\n结束于第二页。第二页的正文很长很长很长很长很长很长很长很长很长\n- 2 -\f"
        "某某市应急管理局\n第三页。\n3\f",
        "第一页的正文很长很长很长很长很长很长很长很长很长很长的一行,没有结束于第二页。"
        "第二页的正文很长很长很长很长很长很长很长很长很长第三页。\n");
}

/* Each page's first character, through joins across a page break and an empty page. */
static void test_pdftext_pages(void **state)
{
    (void)state;
    static const char in[] =
        "第一页的正文很长很长很长很长很长很长很长很长很长很长的一行,没有\n- 1 -\f"
        "结束于第二页。检查企业3家。\f"
        "\f"
        "第四页。\n";
    size_t len = 0;
    struct pdftext_pages pages;
    char *out = pdftext_reflow(in, sizeof(in) - 1, &len, &pages);
    assert_non_null(out);
    assert_int_equal(pages.cnt, 4);
    /* characters, not bytes: 每 of 第一页 is character 0, 结束 follows the first line joined */
    const char *second = strstr(out, "结束"), *fourth = strstr(out, "第四页");
    assert_non_null(second);
    assert_non_null(fourth);
    size_t second_ch = 0, fourth_ch = 0;
    for (const char *p = out; p < fourth; p++) {
        bool lead = ((unsigned char)*p & 0xc0) != 0x80;
        second_ch += lead && p < second;
        fourth_ch += lead;
    }
    assert_int_equal(pdftext_page_at(&pages, 0), 1);
    assert_int_equal(pdftext_page_at(&pages, second_ch - 1), 1);
    assert_int_equal(pdftext_page_at(&pages, second_ch), 2);
    assert_int_equal(pdftext_page_at(&pages, fourth_ch - 1), 2);
    assert_int_equal(pdftext_page_at(&pages, fourth_ch), 4); /* the empty third is passed over */
    pdftext_pages_release(&pages);
    free(out);
}

/* Tesseract's spacing and ASCII punctuation made like typed Chinese; Latin words and thousands
   separators stay as they are. */
static void test_ocrtext_clean(void **state)
{
    (void)state;
    static const char in[] =
        "2024 年,区应急管理局在区委 , 在\n1 .坚持“法治政府\" 的 要求:\n"
        "(一)罚款 1,200 元 , 占 35 % 。 Open Data Day\f常应急 [2024] 33号 [1]\n"
        "隐患1. 6万项, 2024- 12- 19, 1. Item";
    static const char want[] = "2024年，区应急管理局在区委，在\n1.坚持“法治政府”的要求：\n"
                               "（一）罚款1,200元，占35%。Open Data Day\n常应急〔2024〕33号[1]\n"
                               "隐患1.6万项，2024-12-19, 1. Item";
    size_t len = 0;
    char *out = ocrtext_clean(in, sizeof(in) - 1, &len);
    assert_non_null(out);
    assert_string_equal(out, want);
    assert_int_equal(len, strlen(want));
    free(out);
}

/* More lines than a text of pages has: passed through, page breaks as line breaks, in memory
   that follows its bytes (reflowing 32 MB of one-letter lines once took 190 MB of records) */
static void test_pdftext_too_many_lines_pass_through(void **state)
{
    (void)state;
    size_t lines = (1u << 21) + 1, len = 2 * lines + 2;
    char *in = malloc(len + 1);
    assert_non_null(in);
    for (size_t i = 0; i < lines; i++) {
        memcpy(in + 2 * i, "a\n", 2);
    }
    memcpy(in + 2 * lines, "\fb", 3);
    size_t out_len = 0;
    struct pdftext_pages pages;
    char *out = pdftext_reflow(in, len, &out_len, &pages);
    assert_non_null(out);
    assert_int_equal(out_len, len);
    assert_memory_equal(out, in, len - 2);
    assert_memory_equal(out + len - 2, "\nb", 2);
    /* passed through, its pages are still told apart */
    assert_int_equal(pages.cnt, 2);
    assert_int_equal(pdftext_page_at(&pages, len - 3), 1);
    assert_int_equal(pdftext_page_at(&pages, len - 1), 2);
    pdftext_pages_release(&pages);
    free(out);
    free(in);
}

static bool installed(const char *program)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", program);
    return system(cmd) == 0;
}

static void test_convert_refuses_with_a_reason(void **state)
{
    (void)state;
    if (!installed("pdftotext")) {
        skip();
    }
    struct converted c;
    const char *converter = NULL;
    char err[512] = "";
    static const char broken[] = "%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage\n";
    const struct convert_request req = {10000, true, NULL};
    enum convert_result r = convert_document(DOCFORMAT_PDF, broken, sizeof(broken) - 1, &req, &c,
                                             &converter, err, sizeof(err));
    assert_int_equal(r, CONVERT_FAILED);
    assert_string_equal(converter, "pdftotext");
    assert_non_null(strstr(err, "pdftotext"));
    assert_string_equal(convert_result_code(r), "convert-failed");
    assert_null(c.bytes);
}

/* A host that cannot give the converter a folder (a full /tmp) is no verdict on the document:
   a code of its own, which an operator re-drives once the host is mended. */
static void test_convert_host_fault_is_its_own(void **state)
{
    (void)state;
    const char *saved = getenv("TMPDIR");
    char *keep = saved ? strdup(saved) : NULL;
    assert_int_equal(setenv("TMPDIR", "/nonexistent/rf-no-room", 1), 0);
    struct converted c;
    const char *converter = NULL;
    char err[512] = "";
    static const char pdf[] = "%PDF-1.4\n";
    const struct convert_request req = {10000, true, NULL};
    enum convert_result r = convert_document(DOCFORMAT_PDF, pdf, sizeof(pdf) - 1, &req, &c,
                                             &converter, err, sizeof(err));
    if (keep) {
        setenv("TMPDIR", keep, 1);
        free(keep);
    } else {
        unsetenv("TMPDIR");
    }
    assert_int_equal(r, CONVERT_HOST);
    assert_string_equal(convert_result_code(r), "convert-host-fault");
    assert_non_null(strstr(err, "on this host"));
    assert_null(c.bytes);
}

/* The converter's first error line, however much it wrote after it; cut before a character. */
static void test_first_line_of_a_long_error_output(void **state)
{
    (void)state;
    char dir[] = "/tmp/rf-errline.XXXXXX", path[PATH_MAX], line[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/err.txt", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("Syntax Error (12): Illegal character\n", f);
    for (int i = 0; i < 500; i++) {
        fputs("Syntax Error: more\n", f); /* some 10 KB */
    }
    assert_int_equal(fclose(f), 0);
    childproc_first_line(dir, "err.txt", line, sizeof(line));
    assert_string_equal(line, "Syntax Error (12): Illegal character");
    f = fopen(path, "w");
    assert_non_null(f);
    fputc('x', f);
    for (int i = 0; i < 100; i++) {
        fputs("错", f); /* 1 + 3 x 100 bytes: byte 200 is inside a character */
    }
    assert_int_equal(fclose(f), 0);
    childproc_first_line(dir, "err.txt", line, sizeof(line));
    assert_int_equal(strlen(line), 199); /* x and 66 whole characters */
    childproc_remove_tree(dir);
}

static bool stop_now(void)
{
    return true;
}

/* In the converters' sandbox: no network socket, no tracing, no namespace, and (with Landlock)
   no file written outside its folder; a local socket, its folder, /dev/null and exec still
   work. The child says which check failed by its exit status. */
static void test_sandbox_takes_what_no_converter_needs(void **state)
{
    (void)state;
    char dir[] = "/tmp/rf-sandbox-test.XXXXXX", outside[] = "/tmp/rf-sandbox-outside.XXXXXX";
    assert_non_null(mkdtemp(dir));
    assert_non_null(mkdtemp(outside));
    char inside_file[64], outside_file[64];
    snprintf(inside_file, sizeof(inside_file), "%s/made", dir);
    snprintf(outside_file, sizeof(outside_file), "%s/made", outside);
    struct sandbox sb;
    char err[256] = "";
    assert_int_equal(sandbox_build(&sb, dir, NULL, err, sizeof(err)), 0);
    assert_true(sb.len > 0);
    bool landlock = sb.writes_fd >= 0;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!sandbox_enter(&sb)) {
            _exit(10);
        }
        if (socket(AF_INET, SOCK_STREAM, 0) >= 0 || errno != EACCES) {
            _exit(11);
        }
        if (socket(AF_UNIX, SOCK_STREAM, 0) < 0) {
            _exit(12);
        }
        if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 || errno != EPERM) {
            _exit(13);
        }
        if (unshare(CLONE_NEWNET) == 0 || errno != EPERM) {
            _exit(14);
        }
        if (open(inside_file, O_WRONLY | O_CREAT, 0600) < 0 || open("/dev/null", O_WRONLY) < 0) {
            _exit(15);
        }
        if (landlock && (open(outside_file, O_WRONLY | O_CREAT, 0600) >= 0 || errno != EACCES)) {
            _exit(16);
        }
        execl("/bin/sh", "sh", "-c", "exit 7", (char *)NULL);
        _exit(17);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 7);
    sandbox_release(&sb);
    assert_int_equal(access(inside_file, F_OK), 0);
    assert_int_equal(access(outside_file, F_OK), -1);
    unlink(inside_file);
    rmdir(dir);
    rmdir(outside);
    if (!landlock) {
        print_message("no Landlock in this kernel: writes outside the folder not tried\n");
    }
}

static bool sleeper_running(void)
{
    return system("pgrep -f '^/bin/sleep 29.4242' >/dev/null") == 0;
}

/* A new folder from template @p dir (made in place) and the converters' sandbox for it in
   @p sb (sandbox_release() it). */
static void sandboxed_folder(char *dir, struct sandbox *sb)
{
    char err[256] = "";
    assert_non_null(mkdtemp(dir));
    if (sandbox_build(sb, dir, NULL, err, sizeof(err)) != 0) {
        fail_msg("sandbox_build: %s", err);
    }
}

static bool always(void)
{
    return true;
}

/* A stop asked before a child starts (between OCR's pages) starts none. */
static void test_child_not_started_after_a_stop(void **state)
{
    (void)state;
    char dir[] = "/tmp/rf-nostart.XXXXXX";
    struct sandbox sb;
    sandboxed_folder(dir, &sb);
    char marker[PATH_MAX];
    snprintf(marker, sizeof(marker), "%s/ran", dir);
    const struct childproc_run r = {dir, childproc_now_ms() + 60000, always, &sb};
    const char *argv[] = {"/usr/bin/touch", marker, NULL};
    bool timed_out = true, stopped = false;
    assert_int_equal(childproc_spawn("/usr/bin/touch", argv, &r, &timed_out, &stopped), 0);
    assert_true(stopped);
    assert_false(timed_out);
    assert_int_equal(access(marker, F_OK), -1);
    /* without the stop, the same child runs */
    const struct childproc_run go = {dir, childproc_now_ms() + 60000, NULL, &sb};
    int status = childproc_spawn("/usr/bin/touch", argv, &go, &timed_out, &stopped);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_false(stopped);
    assert_int_equal(access(marker, F_OK), 0);
    sandbox_release(&sb);
    childproc_remove_tree(dir);
}

/* A converter killed by something else than its limits (here by itself; in life, the
   out-of-memory killer) is not said to have run out of time. */
static void test_child_killed_from_outside_is_no_timeout(void **state)
{
    (void)state;
    char dir[] = "/tmp/rf-killed.XXXXXX";
    struct sandbox sb;
    sandboxed_folder(dir, &sb);
    const struct childproc_run r = {dir, childproc_now_ms() + 60000, NULL, &sb};
    const char *argv[] = {"/bin/sh", "-c", "kill -KILL $$", NULL};
    bool timed_out = true, stopped = true;
    int status = childproc_spawn("/bin/sh", argv, &r, &timed_out, &stopped);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGKILL);
    assert_false(timed_out);
    assert_false(stopped);
    sandbox_release(&sb);
    childproc_remove_tree(dir);
}

/* A worker killed outright (kill -9) takes its converter with it: the child's parent-death
   signal, not its deadline, ends it. */
static void test_child_dies_with_its_parent(void **state)
{
    (void)state;
    char dir[] = "/tmp/rf-pdeath.XXXXXX";
    struct sandbox sb;
    sandboxed_folder(dir, &sb);
    pid_t parent = fork();
    assert_true(parent >= 0);
    if (parent == 0) {
        const struct childproc_run r = {dir, childproc_now_ms() + 60000, NULL, &sb};
        const char *argv[] = {"/bin/sleep", "29.4242", NULL};
        bool timed_out, stopped;
        childproc_spawn("/bin/sleep", argv, &r, &timed_out, &stopped);
        _exit(0);
    }
    for (int i = 0; i < 250 && !sleeper_running(); i++) {
        usleep(20000);
    }
    assert_true(sleeper_running());
    assert_int_equal(kill(parent, SIGKILL), 0);
    assert_int_equal(waitpid(parent, NULL, 0), parent);
    for (int i = 0; i < 250 && sleeper_running(); i++) {
        usleep(20000);
    }
    assert_false(sleeper_running());
    sandbox_release(&sb);
    childproc_remove_tree(dir);
}

/* A PDF of @p n pages with nothing on them, as a scanner without a text layer makes (but
   without the images). Caller frees. */
static char *blank_pdf(int n, size_t *len)
{
    size_t cap = 200 + (size_t)n * 90;
    char *pdf = malloc(cap);
    assert_non_null(pdf);
    size_t at = (size_t)snprintf(pdf, cap,
                                 "%%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> "
                                 "endobj\n2 0 obj << /Type /Pages /Count %d /Kids [",
                                 n);
    for (int i = 0; i < n; i++) {
        at += (size_t)snprintf(pdf + at, cap - at, " %d 0 R", 3 + i);
    }
    at += (size_t)snprintf(pdf + at, cap - at, "] >> endobj\n");
    for (int i = 0; i < n; i++) {
        at += (size_t)snprintf(pdf + at, cap - at,
                               "%d 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> "
                               "endobj\n",
                               3 + i);
    }
    at += (size_t)snprintf(pdf + at, cap - at, "trailer << /Root 1 0 R >>\n%%%%EOF\n");
    assert_true(at < cap);
    *len = at;
    return pdf;
}

/* Scanned pages are counted; more than the deadline can read by OCR are refused at once. */
static void test_convert_too_many_scans(void **state)
{
    (void)state;
    if (!installed("pdftotext")) {
        skip();
    }
    size_t len = 0;
    char *pdf = blank_pdf(200, &len);
    struct converted c;
    const char *converter = NULL;
    char err[512] = "";
    const struct convert_request off = {100000, false, NULL}, on = {100000, true, NULL};
    assert_int_equal(
        convert_document(DOCFORMAT_PDF, pdf, len, &off, &c, &converter, err, sizeof(err)),
        CONVERT_OK);
    assert_int_equal(c.pages, 200);
    assert_int_equal(c.scanned_pages, 200);
    assert_int_equal(c.ocr_pages, 0);
    assert_null(c.page_ocr);
    converted_release(&c);
    if (convert_ocr_available()) {
        assert_int_equal(
            convert_document(DOCFORMAT_PDF, pdf, len, &on, &c, &converter, err, sizeof(err)),
            CONVERT_TOO_LARGE);
        assert_non_null(strstr(err, "200 scanned pages need OCR"));
        assert_non_null(strstr(err, "worker.max_convert_ms"));
        assert_null(c.bytes);
    }
    free(pdf);
}

static void test_convert_deadline_and_stop(void **state)
{
    (void)state;
    if (!installed("soffice")) {
        skip();
    }
    static const char doc[] = "{\\rtf1\\ansi 2023}";
    struct converted c;
    const char *converter = NULL;
    char err[512] = "";
    /* LibreOffice takes a second to start: 1 ms is past its time, and its group is killed */
    const struct convert_request quick = {1, true, NULL}, stopped = {60000, true, stop_now};
    assert_int_equal(convert_document(DOCFORMAT_RTF, doc, sizeof(doc) - 1, &quick, &c, &converter,
                                      err, sizeof(err)),
                     CONVERT_TIMEOUT);
    assert_non_null(strstr(err, "worker.max_convert_ms"));
    assert_int_equal(convert_document(DOCFORMAT_RTF, doc, sizeof(doc) - 1, &stopped, &c, &converter,
                                      err, sizeof(err)),
                     CONVERT_STOPPED);
    assert_int_equal(system("pgrep -f 'rf-convert\\.' >/dev/null"), 256); /* nothing left */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_docformat_by_content),
        cmocka_unit_test(test_pdftext_reflow),
        cmocka_unit_test(test_pdftext_too_many_lines_pass_through),
        cmocka_unit_test(test_pdftext_pages),
        cmocka_unit_test(test_ocrtext_clean),
        cmocka_unit_test(test_convert_too_many_scans),
        cmocka_unit_test(test_sandbox_takes_what_no_converter_needs),
        cmocka_unit_test(test_child_dies_with_its_parent),
        cmocka_unit_test(test_child_not_started_after_a_stop),
        cmocka_unit_test(test_child_killed_from_outside_is_no_timeout),
        cmocka_unit_test(test_convert_refuses_with_a_reason),
        cmocka_unit_test(test_convert_host_fault_is_its_own),
        cmocka_unit_test(test_first_line_of_a_long_error_output),
        cmocka_unit_test(test_convert_deadline_and_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
