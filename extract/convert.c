/* convert.c - documents to text by converters in a limited child: see convert.h. */
#include "convert.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "childproc.h"
#include "ocrtext.h"
#include "pdftable.h"
#include "sandbox.h"
#include "reportflow/buf.h"
#include "reportflow/fs.h"

#define VERSION_MS 20000 /* for `--version`: LibreOffice starts up to say it */
/* where LibreOffice binds its single-instance socket, whatever TMPDIR says */
#define LIBREOFFICE_SOCKET_DIR "/tmp"

/* What a converter writes. */
enum output {
    OUTPUT_PAGES, /* text, its pages ended by form feeds (pdftotext) */
    OUTPUT_XHTML, /* XHTML in out/, tables as tables (LibreOffice) */
    OUTPUT_TEXT,  /* text, tables as | a | b | rows (reportflow-officetext) */
};

/* How a document is converted: the program, the name the envelope gives it, what it writes,
   and how it says its version. */
struct tool {
    const char *program;
    const char *label;
    enum output output;
    const char *version_flag;
    int too_large_status; /* the exit status that says the document passed a limit; 0: none */
};

/* indexed as convert_tool() says */
static const struct tool TOOLS[CONVERT_TOOLS] = {
    {"pdftotext", "pdftotext", OUTPUT_PAGES, "-v", 0},
    {"soffice", "libreoffice", OUTPUT_XHTML, "--version", 0},
    /* ours: DOCX and ODT in milliseconds where LibreOffice takes a second */
    {"reportflow-officetext", "reportflow-officetext", OUTPUT_TEXT, "--version", 3},
};
enum { PDF_TOOL, OFFICE_TOOL, OFFICETEXT_TOOL };
static const struct tool RENDER_TOOL = {"pdftoppm", "pdftoppm", OUTPUT_TEXT, NULL, 0};
static const struct tool OCR_TOOL = {"tesseract", "tesseract", OUTPUT_TEXT, NULL, 0};

/* One document's conversion: its folder, its one deadline, and who may stop it. */
struct run {
    struct childproc_run child;
    long long max_ms;               /* as configured, for messages */
    struct sandbox *office_sandbox; /* LibreOffice's (its socket in /tmp too), made when needed */
};

const char *convert_result_code(enum convert_result r)
{
    switch (r) {
    case CONVERT_OK:
        return "ok";
    case CONVERT_FAILED:
        return "convert-failed";
    case CONVERT_TIMEOUT:
        return "convert-timeout";
    case CONVERT_TOO_LARGE:
        return "convert-too-large";
    case CONVERT_UNAVAILABLE:
        return "convert-unavailable";
    case CONVERT_STOPPED:
        return "stopped";
    case CONVERT_NOMEM:
        return "out-of-memory";
    case CONVERT_HOST:
        return "convert-host-fault";
    }
    return "convert-failed";
}

size_t convert_tool(enum docformat f)
{
    switch (f) {
    case DOCFORMAT_PDF:
        return PDF_TOOL;
    case DOCFORMAT_DOCX:
    case DOCFORMAT_ODT:
        return OFFICETEXT_TOOL;
    default:
        return OFFICE_TOOL;
    }
}

/* argv of @p tool for the input @p in, writing into the child's folder. */
static void build_argv(const struct tool *t, const char *program, const char *dir, const char *in,
                       char profile[], size_t profile_size, const char *argv[])
{
    size_t n = 0;
    argv[n++] = program;
    if (t->output == OUTPUT_TEXT) {
        argv[n++] = in;
        argv[n++] = "out.txt";
    } else if (t->output == OUTPUT_PAGES) {
        argv[n++] = "-enc";
        argv[n++] = "UTF-8";
        argv[n++] = "-eol";
        argv[n++] = "unix";
        argv[n++] = in;
        argv[n++] = "out.txt";
    } else {
        /* its own profile in the child's folder: no other instance shares it */
        snprintf(profile, profile_size, "-env:UserInstallation=file://%s/profile", dir);
        argv[n++] = "--headless";
        argv[n++] = "--norestore";
        argv[n++] = "--nolockcheck";
        argv[n++] = "--nologo";
        argv[n++] = profile;
        argv[n++] = "--convert-to";
        argv[n++] = "html:XHTML Writer File:UTF8";
        argv[n++] = "--outdir";
        argv[n++] = "out";
        argv[n++] = in;
    }
    argv[n] = NULL;
}

/* Run @p argv[0] (the program of @p t) for @p r; @returns its verdict. */
static enum convert_result run_program(const struct tool *t, const char *const argv[],
                                       const struct run *r, char *errstr, size_t errstr_size)
{
    const char *label = t->label;
    bool timed_out, stopped;
    int status = childproc_spawn(argv[0], argv, &r->child, &timed_out, &stopped);
    if (status < 0) {
        snprintf(errstr, errstr_size, "cannot start %s on this host: %s", label, strerror(errno));
        return CONVERT_HOST;
    }
    if (stopped) {
        snprintf(errstr, errstr_size, "stopped while %s converted the document", label);
        return CONVERT_STOPPED;
    }
    if (timed_out) {
        snprintf(errstr, errstr_size,
                 "%s: the document took longer than %lld ms (worker.max_convert_ms)", label,
                 r->max_ms);
        return CONVERT_TIMEOUT;
    }
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
        /* not by us, nor by its CPU limit: most likely the kernel, out of memory */
        snprintf(errstr, errstr_size,
                 "%s was killed (SIGKILL) by something else than its limits: the kernel's "
                 "out-of-memory killer, most likely (the host's or its cgroup's memory)",
                 label);
        return CONVERT_HOST;
    }
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXFSZ) {
        snprintf(errstr, errstr_size, "%s wrote more than %u bytes", label,
                 CHILDPROC_MAX_FILE_BYTES);
        return CONVERT_TOO_LARGE;
    }
    bool too_large =
        t->too_large_status && WIFEXITED(status) && WEXITSTATUS(status) == t->too_large_status;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char said[256];
        childproc_first_line(r->child.dir, "err.txt", said, sizeof(said));
        if (WIFEXITED(status) && WEXITSTATUS(status) == CHILDPROC_SETUP_FAILED) {
            snprintf(errstr, errstr_size,
                     "%s could not be set up on this host (its folder, its files or its "
                     "sandbox)%s%s",
                     label, said[0] ? ": " : "", said);
            return CONVERT_HOST;
        }
        snprintf(errstr, errstr_size, "%s %s %d%s%s", label,
                 WIFEXITED(status) ? "exited" : "died of signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), said[0] ? ": " : "",
                 said);
        return too_large ? CONVERT_TOO_LARGE : CONVERT_FAILED;
    }
    return CONVERT_OK;
}

static enum convert_result run_tool(const struct tool *t, const char *program, const struct run *r,
                                    const char *in, char *errstr, size_t errstr_size)
{
    char profile[PATH_MAX + 64];
    const char *argv[16];
    build_argv(t, program, r->child.dir, in, profile, sizeof(profile), argv);
    if (t != &TOOLS[OFFICE_TOOL]) {
        return run_program(t, argv, r, errstr, errstr_size);
    }
    /* most documents never reach LibreOffice: its sandbox is made the first time one does */
    if (!r->office_sandbox->prog &&
        sandbox_build(r->office_sandbox, r->child.dir, LIBREOFFICE_SOCKET_DIR, errstr,
                      errstr_size) != 0) {
        return CONVERT_HOST;
    }
    struct run office = *r;
    office.child.sandbox = r->office_sandbox;
    return run_program(t, argv, &office, errstr, errstr_size);
}

/* The pages of pdftotext's @p len bytes: one, and one more after each form feed between two. */
static int count_pages(const char *s, size_t len)
{
    int pages = 1;
    for (size_t i = 0; i + 1 < len; i++) {
        pages += s[i] == '\f';
    }
    return pages;
}

/* The converter's output file into @p out. */
static enum convert_result read_output(const struct tool *t, const char *dir, const char *in,
                                       struct converted *out, char *errstr, size_t errstr_size)
{
    char path[PATH_MAX], why[256];
    const char *dot = strrchr(in, '.');
    int n = t->output == OUTPUT_XHTML
                ? snprintf(path, sizeof(path), "%s/out/%.*s.html", dir, (int)(dot - in), in)
                : snprintf(path, sizeof(path), "%s/out.txt", dir);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        snprintf(errstr, errstr_size, "the converter's folder name is too long: %s", dir);
        return CONVERT_FAILED;
    }
    enum rf_read_result r =
        rf_fs_read_file(path, CHILDPROC_MAX_FILE_BYTES, &out->bytes, &out->len, why, sizeof(why));
    if (r == RF_READ_TOO_BIG) {
        snprintf(errstr, errstr_size, "%s wrote more than %u bytes", t->label,
                 CHILDPROC_MAX_FILE_BYTES);
        return CONVERT_TOO_LARGE;
    }
    if (r != RF_READ_OK) {
        /* LibreOffice exits 0 when it could not read a file: it just writes nothing */
        snprintf(errstr, errstr_size,
                 "%s wrote no text: the document is damaged or not what it "
                 "claims",
                 t->label);
        return CONVERT_FAILED;
    }
    out->html = t->output == OUTPUT_XHTML;
    out->paged = t->output == OUTPUT_PAGES;
    out->pages = out->paged ? count_pages(out->bytes, out->len) : 0;
    return CONVERT_OK;
}

/* The spans of @p s between form feeds: a PDF's pages as pdftotext ends each of them. */
struct span {
    size_t at, len;
};

/* Chinese characters in @p len bytes of UTF-8, counted up to @p enough. */
static size_t han_in(const char *s, size_t len, size_t enough)
{
    size_t n = 0;
    for (size_t i = 0; i + 3 <= len && n < enough; i++) {
        unsigned char b = (unsigned char)s[i];
        if (b >= 0xe3 && b <= 0xe9) { /* lead bytes of U+3000..U+9FFF */
            n++;
            i += 2;
        }
    }
    return n;
}

/* The pages of @p c (c->pages of them, count_pages()), or NULL on ENOMEM. */
static struct span *page_spans(const struct converted *c)
{
    const char *s = c->bytes;
    size_t len = c->len;
    int cnt = c->pages;
    struct span *pages = calloc((size_t)cnt, sizeof(*pages));
    if (!pages) {
        return NULL;
    }
    size_t p = 0, at = 0;
    for (size_t i = 0; i <= len && p < (size_t)cnt; i++) {
        if (i == len || s[i] == '\f') {
            pages[p++] = (struct span){at, i - at};
            at = i + 1;
        }
    }
    return pages;
}

/* tesseract's text of page @p page of "in.pdf", cleaned (ocrtext.h), into @p text. */
static enum convert_result ocr_page(const struct run *r, const char *render, const char *ocr,
                                    int page, struct rf_buf *text, char *errstr, size_t errstr_size)
{
    char number[16], pixels[16], png[PATH_MAX], txt[PATH_MAX], why[256];
    snprintf(number, sizeof(number), "%d", page);
    snprintf(pixels, sizeof(pixels), "%d", CONVERT_OCR_PIXELS);
    const char *render_argv[] = {render,      "-f",   number,  "-l",   number,
                                 "-scale-to", pixels, "-gray", "-png", "-singlefile",
                                 "in.pdf",    "page", NULL};
    const char *ocr_argv[] = {ocr, "page.png", "page", "-l", "chi_sim", "--oem", "1", NULL};
    enum convert_result res = run_program(&RENDER_TOOL, render_argv, r, errstr, errstr_size);
    if (res == CONVERT_OK) {
        res = run_program(&OCR_TOOL, ocr_argv, r, errstr, errstr_size);
    }
    snprintf(png, sizeof(png), "%s/page.png", r->child.dir);
    snprintf(txt, sizeof(txt), "%s/page.txt", r->child.dir);
    char *raw = NULL;
    size_t raw_len = 0;
    if (res == CONVERT_OK && rf_fs_read_file(txt, CHILDPROC_MAX_FILE_BYTES, &raw, &raw_len, why,
                                             sizeof(why)) != RF_READ_OK) {
        snprintf(errstr, errstr_size, "tesseract wrote no text for page %d: %s", page, why);
        res = CONVERT_FAILED;
    }
    remove(png);
    remove(txt);
    if (res != CONVERT_OK) {
        return res;
    }
    size_t clean_len = 0;
    char *clean = ocrtext_clean(raw, raw_len, &clean_len);
    free(raw);
    if (!clean || rf_buf_append(text, clean, clean_len) != 0) {
        free(clean);
        return CONVERT_NOMEM;
    }
    free(clean);
    return CONVERT_OK;
}

/* The pages of @p c that have no text layer, marked in @p scan; @returns how many. */
static int find_scans(const struct converted *c, const struct span *pages, unsigned char *scan)
{
    int n = 0;
    for (int p = 0; p < c->pages; p++) {
        scan[p] = han_in(c->bytes + pages[p].at, pages[p].len, CONVERT_SCAN_MAX_HAN) <
                  CONVERT_SCAN_MAX_HAN;
        n += scan[p];
    }
    return n;
}

/* The text of @p c again, each page marked in @p scan read by OCR instead. */
static enum convert_result ocr_pages(const struct run *r, struct converted *c,
                                     const struct span *pages, unsigned char *scan, char *errstr,
                                     size_t errstr_size)
{
    char render[PATH_MAX], ocr[PATH_MAX];
    if (!childproc_find(RENDER_TOOL.program, render, sizeof(render)) ||
        !childproc_find(OCR_TOOL.program, ocr, sizeof(ocr))) {
        return CONVERT_UNAVAILABLE;
    }
    struct rf_buf text = RF_BUF_INIT;
    enum convert_result res = CONVERT_OK;
    for (int p = 0; p < c->pages && res == CONVERT_OK; p++) {
        if (p > 0 && rf_buf_append(&text, "\f", 1) != 0) {
            res = CONVERT_NOMEM;
        } else if (scan[p]) {
            res = ocr_page(r, render, ocr, p + 1, &text, errstr, errstr_size);
        } else if (pages[p].len > 0 &&
                   rf_buf_append(&text, c->bytes + pages[p].at, pages[p].len) != 0) {
            res = CONVERT_NOMEM;
        }
    }
    size_t joined_len = text.len;
    char *joined = res == CONVERT_OK ? rf_buf_detach(&text) : NULL;
    if (!joined) {
        rf_buf_release(&text);
        return res == CONVERT_OK ? CONVERT_NOMEM : res;
    }
    free(c->bytes);
    c->bytes = joined;
    c->len = joined_len;
    return CONVERT_OK;
}

/*
 * Read the scanned pages of the PDF @p c by OCR when @p req allows it and the tools are
 * here; otherwise count them in c->scanned_pages. More scans than the deadline can hold
 * are refused at once rather than read until it passes.
 */
static enum convert_result read_scans(const struct run *r, const struct convert_request *req,
                                      struct converted *c, char *errstr, size_t errstr_size)
{
    struct span *pages = page_spans(c);
    unsigned char *scan = calloc((size_t)c->pages, 1);
    if (!pages || !scan) {
        free(pages);
        free(scan);
        return CONVERT_NOMEM;
    }
    int scans = find_scans(c, pages, scan);
    long long left = r->child.deadline - childproc_now_ms();
    enum convert_result res = CONVERT_OK;
    if (scans == 0 || !req->ocr) {
        c->scanned_pages = scans;
    } else if ((long long)scans * CONVERT_OCR_MIN_MS_PER_PAGE > left) {
        snprintf(errstr, errstr_size,
                 "%d scanned pages need OCR: at %d ms a page at least, more than "
                 "worker.max_convert_ms (%lld ms) allows",
                 scans, CONVERT_OCR_MIN_MS_PER_PAGE, r->max_ms);
        res = CONVERT_TOO_LARGE;
    } else {
        res = ocr_pages(r, c, pages, scan, errstr, errstr_size);
        if (res == CONVERT_UNAVAILABLE) { /* no tesseract: the pages stay unread, and say so */
            c->scanned_pages = scans;
            res = CONVERT_OK;
        } else if (res == CONVERT_OK) {
            c->ocr_pages = scans;
            c->page_ocr = scan;
            scan = NULL;
        }
    }
    free(pages);
    free(scan);
    return res;
}

/* pdftotext -tsv's words of "in.pdf" into @p words (@p want pages, the TSV's bytes in *@p tsv);
   CONVERT_FAILED when it has another number of pages or is no such output. */
static enum convert_result word_boxes(const struct run *r, const char *program, int want,
                                      char **tsv, struct pdfwords *words, char *errstr,
                                      size_t errstr_size)
{
    const char *argv[] = {program, "-tsv", "-enc", "UTF-8", "in.pdf", "words.tsv", NULL};
    enum convert_result res = run_program(&TOOLS[PDF_TOOL], argv, r, errstr, errstr_size);
    char path[PATH_MAX + 16], why[256];
    size_t len = 0;
    snprintf(path, sizeof(path), "%s/words.tsv", r->child.dir);
    if (res != CONVERT_OK) {
        return res;
    }
    if (rf_fs_read_file(path, CHILDPROC_MAX_FILE_BYTES, tsv, &len, why, sizeof(why)) !=
        RF_READ_OK) {
        return CONVERT_FAILED;
    }
    int rc = pdfwords_parse(*tsv, len, want, words);
    if (rc != 0) {
        free(*tsv);
        *tsv = NULL;
        return rc < 0 ? CONVERT_NOMEM : CONVERT_FAILED;
    }
    return CONVERT_OK;
}

/*
 * The pages of the PDF @p c that hold tables (pdftable.h) read again from their words' boxes,
 * their rows as cells between bars; a page read by OCR stays as it is. When the second reading
 * fails or its pages differ, the text stays as it was: a table unread costs its facts, not the
 * document.
 */
static enum convert_result read_tables(const struct run *r, struct converted *c, char *errstr,
                                       size_t errstr_size)
{
    struct span *pages = page_spans(c);
    unsigned char *tabular = calloc((size_t)c->pages, 1);
    int tables = 0;
    for (int p = 0; pages && tabular && p < c->pages; p++) {
        bool ocr = c->page_ocr && c->page_ocr[p];
        tabular[p] = !ocr && pdftable_page_is_tabular(c->bytes + pages[p].at, pages[p].len);
        tables += tabular[p];
    }
    char program[PATH_MAX];
    char *tsv = NULL;
    struct pdfwords words = {0};
    enum convert_result res = pages && tabular ? CONVERT_OK : CONVERT_NOMEM;
    if (res == CONVERT_OK && tables > 0 &&
        childproc_find(TOOLS[PDF_TOOL].program, program, sizeof(program))) {
        char why[256];
        res = word_boxes(r, program, c->pages, &tsv, &words, why, sizeof(why));
        if (res == CONVERT_TIMEOUT || res == CONVERT_STOPPED || res == CONVERT_NOMEM) {
            snprintf(errstr, errstr_size, "%s", why);
        } else {
            res = CONVERT_OK;
        }
    }
    struct rf_buf text = RF_BUF_INIT;
    for (int p = 0; tsv && res == CONVERT_OK && p < c->pages; p++) {
        int rc = p > 0 ? rf_buf_append(&text, "\f", 1) : 0;
        if (rc == 0 && tabular[p]) {
            size_t n = 0;
            const struct pdfword *on_page = pdfwords_page(&words, p, &n);
            rc = pdftable_rows(tsv, on_page, n, &text);
        } else if (rc == 0) {
            rc = rf_buf_append(&text, c->bytes + pages[p].at, pages[p].len);
        }
        res = rc == 0 ? CONVERT_OK : CONVERT_NOMEM;
    }
    if (tsv && res == CONVERT_OK) {
        size_t len = text.len;
        char *joined = rf_buf_detach(&text);
        if (!joined) {
            res = CONVERT_NOMEM;
        } else {
            free(c->bytes);
            c->bytes = joined;
            c->len = len;
        }
    }
    rf_buf_release(&text);
    free(tsv);
    pdfwords_release(&words);
    free(pages);
    free(tabular);
    return res;
}

/* Convert the input @p in of @p r's folder with tool @p ti, and read what it wrote. */
static enum convert_result convert_with(size_t ti, enum docformat f, const struct run *r,
                                        const char *in, struct converted *out, char *errstr,
                                        size_t errstr_size)
{
    const struct tool *t = &TOOLS[ti];
    char program[PATH_MAX];
    if (!childproc_find(t->program, program, sizeof(program))) {
        snprintf(errstr, errstr_size, "no %s converter: %s is not installed (scripts/setup.sh)",
                 docformat_name(f), t->program);
        return CONVERT_UNAVAILABLE;
    }
    out->tool = ti;
    enum convert_result res = run_tool(t, program, r, in, errstr, errstr_size);
    return res == CONVERT_OK ? read_output(t, r->child.dir, in, out, errstr, errstr_size) : res;
}

/* LibreOffice after reportflow-officetext failed; when it fails too, @p errstr says both. */
static enum convert_result fall_back(enum docformat f, const struct run *r, const char *in,
                                     struct converted *out, char *errstr, size_t errstr_size)
{
    char first[256], then[256];
    snprintf(first, sizeof(first), "%s", errstr);
    enum convert_result res = convert_with(OFFICE_TOOL, f, r, in, out, then, sizeof(then));
    if (res != CONVERT_OK) {
        snprintf(errstr, errstr_size, "%s; then %s", first, then);
    }
    return res;
}

enum convert_result convert_document(enum docformat f, const char *bytes, size_t len,
                                     const struct convert_request *req, struct converted *out,
                                     const char **converter, char *errstr, size_t errstr_size)
{
    *out = (struct converted){NULL, 0, false, false, 0, NULL, 0, 0, convert_tool(f)};
    *converter = TOOLS[out->tool].label;
    char dir[PATH_MAX], in[32], in_path[PATH_MAX + 40];
    if (!childproc_workdir(dir, sizeof(dir))) {
        snprintf(errstr, errstr_size, "cannot make a folder for the converter on this host: %s",
                 strerror(errno));
        return CONVERT_HOST;
    }
    struct sandbox sandbox, office = {NULL, 0, -1};
    if (sandbox_build(&sandbox, dir, NULL, errstr, errstr_size) != 0) {
        childproc_remove_tree(dir);
        return CONVERT_HOST;
    }
    long long max_ms = req->max_ms > 0 ? req->max_ms : CONVERT_DEFAULT_MS;
    const struct run r = {
        {dir, childproc_now_ms() + max_ms, req->stop_requested, &sandbox}, max_ms, &office};
    snprintf(in, sizeof(in), "in.%s", docformat_name(f));
    snprintf(in_path, sizeof(in_path), "%s/%s", dir, in);
    enum convert_result res = CONVERT_HOST;
    if (childproc_write_file(in_path, bytes, len) != 0) {
        snprintf(errstr, errstr_size,
                 "cannot write the document for the converter on this host: %s", strerror(errno));
    } else {
        res = convert_with(out->tool, f, &r, in, out, errstr, errstr_size);
        /* what our reader cannot read (a UTF-16 part, ODF's own encryption) LibreOffice may;
           a document past a limit or the deadline is not tried twice */
        if (out->tool == OFFICETEXT_TOOL && (res == CONVERT_FAILED || res == CONVERT_UNAVAILABLE)) {
            converted_release(out);
            res = fall_back(f, &r, in, out, errstr, errstr_size);
        }
        if (res == CONVERT_OK && f == DOCFORMAT_PDF) {
            res = read_scans(&r, req, out, errstr, errstr_size);
        }
        if (res == CONVERT_OK && f == DOCFORMAT_PDF) {
            res = read_tables(&r, out, errstr, errstr_size);
        }
    }
    *converter = TOOLS[out->tool].label;
    childproc_remove_tree(dir);
    sandbox_release(&sandbox);
    sandbox_release(&office);
    if (res != CONVERT_OK) {
        converted_release(out);
    }
    return res;
}

void converted_release(struct converted *c)
{
    free(c->bytes);
    free(c->page_ocr);
    c->bytes = NULL;
    c->page_ocr = NULL;
}

bool convert_ocr_available(void)
{
    char path[PATH_MAX];
    return childproc_find(RENDER_TOOL.program, path, sizeof(path)) &&
           childproc_find(OCR_TOOL.program, path, sizeof(path));
}

/* The first token of @p line that starts with a digit (7.4.7.2 of "LibreOffice 7.4.7.2 40"). */
static bool version_token(const char *line, const char **at, size_t *len)
{
    for (const char *p = line; *p; p++) {
        if (*p >= '0' && *p <= '9' && (p == line || p[-1] == ' ')) {
            *at = p;
            *len = strcspn(p, " ");
            return true;
        }
    }
    return false;
}

void convert_version(size_t tool, char *out, size_t out_size)
{
    const struct tool *t = &TOOLS[tool < CONVERT_TOOLS ? tool : OFFICE_TOOL];
    char program[PATH_MAX], dir[PATH_MAX];
    snprintf(out, out_size, "%s", t->label);
    if (!childproc_find(t->program, program, sizeof(program)) ||
        !childproc_workdir(dir, sizeof(dir))) {
        return;
    }
    const char *argv[] = {program, t->version_flag, NULL};
    bool timed_out, stopped;
    char why[256];
    struct sandbox sandbox;
    const char *sockets = t == &TOOLS[OFFICE_TOOL] ? LIBREOFFICE_SOCKET_DIR : NULL;
    if (sandbox_build(&sandbox, dir, sockets, why, sizeof(why)) != 0) {
        childproc_remove_tree(dir);
        return;
    }
    const struct run r = {{dir, childproc_now_ms() + VERSION_MS, NULL, &sandbox}, VERSION_MS, NULL};
    if (childproc_spawn(program, argv, &r.child, &timed_out, &stopped) >= 0) {
        char line[256];
        const char *at;
        size_t len;
        /* LibreOffice says it on its output, pdftotext on its error output */
        childproc_first_line(dir, "stdout.txt", line, sizeof(line));
        if (!version_token(line, &at, &len)) {
            childproc_first_line(dir, "err.txt", line, sizeof(line));
        }
        if (version_token(line, &at, &len)) {
            snprintf(out, out_size, "%s %.*s", t->label, (int)len, at);
        }
    }
    sandbox_release(&sandbox);
    childproc_remove_tree(dir);
}
