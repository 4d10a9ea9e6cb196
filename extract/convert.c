/* convert.c - documents to text by converters in a limited child: see convert.h. */
#define _GNU_SOURCE /* unshare, nftw's FTW_PHYS */
#include "convert.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ocrtext.h"
#include "sandbox.h"
#include "reportflow/buf.h"
#include "reportflow/fs.h"

#define POLL_MIN_MS 2
#define VERSION_MS 20000 /* for `--version`: LibreOffice starts up to say it */
#define POLL_MAX_MS 25

/* How one format is converted: the program, its arguments after the input's place, and the
   file it writes (relative to the child's folder). */
struct tool {
    const char *program;
    const char *label; /* as the envelope names it */
    bool html;
};

static const struct tool PDF_TOOL = {"pdftotext", "pdftotext", false};
static const struct tool OFFICE_TOOL = {"soffice", "libreoffice", true};
static const struct tool RENDER_TOOL = {"pdftoppm", "pdftoppm", false};
static const struct tool OCR_TOOL = {"tesseract", "tesseract", false};

/* One document's conversion: its folder, its one deadline, and who may stop it. */
struct run {
    const char *dir;
    long long deadline; /* monotonic ms */
    long long max_ms;   /* as configured, for messages */
    bool (*stop_requested)(void);
    const struct sandbox *sandbox; /* every child enters it */
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
    }
    return "convert-failed";
}

/* The program's path in $PATH (or the usual folders), into @p out. */
static bool find_program(const char *name, char *out, size_t out_size)
{
    const char *path = getenv("PATH");
    char dirs[4096];
    snprintf(dirs, sizeof(dirs), "%s:/usr/local/bin:/usr/bin:/bin", path ? path : "");
    char *save = NULL;
    for (char *dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        if (dir[0] == '\0') {
            continue;
        }
        int n = snprintf(out, out_size, "%s/%s", dir, name);
        if (n > 0 && (size_t)n < out_size && access(out, X_OK) == 0) {
            return true;
        }
    }
    return false;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void remove_tree(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Write @p len bytes to @p path (created new, 0600). */
static int write_input(const char *path, const char *bytes, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        return -1;
    }
    for (size_t done = 0; done < len;) {
        ssize_t n = write(fd, bytes + done, len - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)n;
    }
    return close(fd);
}

static void limit(int resource, rlim_t soft, rlim_t hard)
{
    struct rlimit rl = {soft, hard};
    setrlimit(resource, &rl); /* best effort: a limit the kernel refuses leaves the default */
}

/*
 * In the child, between fork and exec (async-signal-safe calls only): its own process group,
 * limits, no network where a namespace can be had, its folder, and no terminal.
 */
static void child_exec(const char *program, char *const argv[], char *const envp[], const char *dir,
                       long long cpu_ms, const struct sandbox *sandbox)
{
    setpgid(0, 0);
    rlim_t cpu = (rlim_t)(cpu_ms / 1000 + 1);
    limit(RLIMIT_CPU, cpu, cpu + 1);
    limit(RLIMIT_AS, CONVERT_ADDRESS_SPACE, CONVERT_ADDRESS_SPACE);
    limit(RLIMIT_FSIZE, CONVERT_MAX_OUTPUT, CONVERT_MAX_OUTPUT);
    limit(RLIMIT_NOFILE, CONVERT_MAX_FILES, CONVERT_MAX_FILES);
    limit(RLIMIT_CORE, 0, 0);
    if (unshare(CLONE_NEWNET) != 0) {
        unshare(CLONE_NEWUSER | CLONE_NEWNET); /* unprivileged, where the kernel allows it */
    }
    if (chdir(dir) != 0) {
        _exit(126);
    }
    int null_fd = open("/dev/null", O_RDONLY);
    int out_fd = open("stdout.txt", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err_fd = open("err.txt", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (null_fd < 0 || out_fd < 0 || err_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 ||
        dup2(err_fd, 2) < 0) {
        _exit(126);
    }
    if (!sandbox_enter(sandbox)) {
        static const char said[] = "the kernel refused the converter's seccomp filter\n";
        ssize_t n = write(2, said, sizeof(said) - 1);
        _exit(n > 0 ? 126 : 125);
    }
    execve(program, argv, envp);
    _exit(127);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/*
 * Wait for the child @p pid until @p deadline (monotonic ms) or until @p stop_requested says
 * so, then kill its group, so that nothing it started outlives it, and reap it. @returns the
 * wait status, with *timed_out / *stopped.
 */
static int wait_child(pid_t pid, long long deadline, bool (*stop_requested)(void), bool *timed_out,
                      bool *stopped)
{
    int status = 0;
    long pause = POLL_MIN_MS;
    *timed_out = *stopped = false;
    for (;;) {
        /* exited but not reaped: its group id stays its own while the group is killed below */
        siginfo_t info = {0};
        int r = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT);
        if ((r == 0 && info.si_pid == pid) || (r < 0 && errno != EINTR)) {
            break;
        }
        *stopped = stop_requested && stop_requested();
        *timed_out = now_ms() >= deadline;
        if (*stopped || *timed_out) {
            break;
        }
        sleep_ms(pause);
        pause = pause * 2 > POLL_MAX_MS ? POLL_MAX_MS : pause * 2;
    }
    kill(-pid, SIGKILL); /* past its time, or LibreOffice's own children left behind */
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

/* The first line the converter wrote to @p file ("err.txt": its error output). */
static void first_line_of(const char *dir, const char *file, char *out, size_t out_size)
{
    char path[PATH_MAX], *data = NULL, why[128];
    size_t len = 0;
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    out[0] = '\0';
    if (rf_fs_read_file(path, 4096, &data, &len, why, sizeof(why)) != RF_READ_OK) {
        return;
    }
    size_t n = strcspn(data, "\n");
    snprintf(out, out_size, "%.*s", (int)(n < 200 ? n : 200), data);
    free(data);
}

/*
 * Run @p program with @p argv in the limited child (child_exec()) of @p r: its home and
 * temporary folder r->dir, until it ends or the monotonic clock reaches r->deadline.
 * @returns its wait status, or -1 when it could not be started (errno says why).
 */
static int spawn(const char *program, const char *const argv[], const struct run *r,
                 bool *timed_out, bool *stopped)
{
    const char *dir = r->dir;
    char home[PATH_MAX + 8], tmp[PATH_MAX + 8];
    snprintf(home, sizeof(home), "HOME=%s", dir);
    snprintf(tmp, sizeof(tmp), "TMPDIR=%s", dir);
    /* OMP_THREAD_LIMIT: tesseract would take every core; a worker is one */
    char *const envp[] = {
        home, tmp, "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", "OMP_THREAD_LIMIT=1", NULL};
    long long left = r->deadline - now_ms();
    if (left <= 0) {
        *timed_out = true;
        *stopped = false;
        return 0;
    }
    pid_t pid = fork();
    if (pid < 0) {
        return -1;
    }
    if (pid == 0) {
        child_exec(program, (char *const *)argv, envp, dir, left, r->sandbox);
    }
    return wait_child(pid, r->deadline, r->stop_requested, timed_out, stopped);
}

/* The converter of format @p f. */
static const struct tool *tool_of(enum docformat f)
{
    return f == DOCFORMAT_PDF ? &PDF_TOOL : &OFFICE_TOOL;
}

/* A new private folder for one run of a converter, under $TMPDIR. @returns false on failure. */
static bool make_workdir(char *dir, size_t dir_size)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, dir_size, "%s/rf-convert.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    return mkdtemp(dir) != NULL;
}

/* argv of @p tool for the input @p in, writing into the child's folder. */
static void build_argv(const struct tool *t, const char *program, const char *dir, const char *in,
                       char profile[], size_t profile_size, const char *argv[])
{
    size_t n = 0;
    argv[n++] = program;
    if (!t->html) {
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

/* Run @p argv[0] (the program @p label names) for @p r; @returns its verdict. */
static enum convert_result run_program(const char *label, const char *const argv[],
                                       const struct run *r, char *errstr, size_t errstr_size)
{
    bool timed_out, stopped;
    int status = spawn(argv[0], argv, r, &timed_out, &stopped);
    if (status < 0) {
        snprintf(errstr, errstr_size, "cannot start %s: %s", label, strerror(errno));
        return CONVERT_FAILED;
    }
    if (stopped) {
        snprintf(errstr, errstr_size, "stopped while %s converted the document", label);
        return CONVERT_STOPPED;
    }
    if (timed_out ||
        (WIFSIGNALED(status) && (WTERMSIG(status) == SIGXCPU || WTERMSIG(status) == SIGKILL))) {
        snprintf(errstr, errstr_size,
                 "%s: the document took longer than %lld ms (worker.max_convert_ms)", label,
                 r->max_ms);
        return CONVERT_TIMEOUT;
    }
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXFSZ) {
        snprintf(errstr, errstr_size, "%s wrote more than %u bytes", label, CONVERT_MAX_OUTPUT);
        return CONVERT_TOO_LARGE;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char said[256];
        first_line_of(r->dir, "err.txt", said, sizeof(said));
        snprintf(errstr, errstr_size, "%s %s %d%s%s", label,
                 WIFEXITED(status) ? "exited" : "died of signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), said[0] ? ": " : "",
                 said);
        return CONVERT_FAILED;
    }
    return CONVERT_OK;
}

static enum convert_result run_tool(const struct tool *t, const char *program, const struct run *r,
                                    const char *in, char *errstr, size_t errstr_size)
{
    char profile[PATH_MAX + 64];
    const char *argv[16];
    build_argv(t, program, r->dir, in, profile, sizeof(profile), argv);
    return run_program(t->label, argv, r, errstr, errstr_size);
}

/* The converter's output file into @p out. */
static enum convert_result read_output(const struct tool *t, const char *dir, const char *in,
                                       struct converted *out, char *errstr, size_t errstr_size)
{
    char path[PATH_MAX], why[256];
    const char *dot = strrchr(in, '.');
    int n = t->html ? snprintf(path, sizeof(path), "%s/out/%.*s.html", dir, (int)(dot - in), in)
                    : snprintf(path, sizeof(path), "%s/out.txt", dir);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        snprintf(errstr, errstr_size, "the converter's folder name is too long: %s", dir);
        return CONVERT_FAILED;
    }
    enum rf_read_result r =
        rf_fs_read_file(path, CONVERT_MAX_OUTPUT, &out->bytes, &out->len, why, sizeof(why));
    if (r == RF_READ_TOO_BIG) {
        snprintf(errstr, errstr_size, "%s wrote more than %u bytes", t->label, CONVERT_MAX_OUTPUT);
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
    out->html = t->html;
    out->pages = 0;
    if (!t->html) {
        out->pages = 1;
        for (size_t i = 0; i + 1 < out->len; i++) { /* a form feed between pages */
            out->pages += out->bytes[i] == '\f';
        }
    }
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

/* The pages of @p c (c->pages of them), or NULL on ENOMEM. */
static struct span *page_spans(const struct converted *c)
{
    struct span *pages = calloc((size_t)c->pages, sizeof(*pages));
    if (!pages) {
        return NULL;
    }
    size_t p = 0, at = 0;
    for (size_t i = 0; i <= c->len && p < (size_t)c->pages; i++) {
        if (i == c->len || c->bytes[i] == '\f') {
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
    enum convert_result res = run_program(RENDER_TOOL.label, render_argv, r, errstr, errstr_size);
    if (res == CONVERT_OK) {
        res = run_program(OCR_TOOL.label, ocr_argv, r, errstr, errstr_size);
    }
    snprintf(png, sizeof(png), "%s/page.png", r->dir);
    snprintf(txt, sizeof(txt), "%s/page.txt", r->dir);
    char *raw = NULL;
    size_t raw_len = 0;
    if (res == CONVERT_OK &&
        rf_fs_read_file(txt, CONVERT_MAX_OUTPUT, &raw, &raw_len, why, sizeof(why)) != RF_READ_OK) {
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
    if (!find_program(RENDER_TOOL.program, render, sizeof(render)) ||
        !find_program(OCR_TOOL.program, ocr, sizeof(ocr))) {
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
    long long left = r->deadline - now_ms();
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

enum convert_result convert_document(enum docformat f, const char *bytes, size_t len,
                                     const struct convert_request *req, struct converted *out,
                                     const char **converter, char *errstr, size_t errstr_size)
{
    *out = (struct converted){NULL, 0, false, 0, NULL, 0, 0};
    const struct tool *t = tool_of(f);
    *converter = t->label;
    char program[PATH_MAX];
    if (!find_program(t->program, program, sizeof(program))) {
        snprintf(errstr, errstr_size, "no %s converter: %s is not installed (scripts/setup.sh)",
                 docformat_name(f), t->program);
        return CONVERT_UNAVAILABLE;
    }
    char dir[PATH_MAX], in[32], in_path[PATH_MAX + 40];
    if (!make_workdir(dir, sizeof(dir))) {
        snprintf(errstr, errstr_size, "cannot make a folder for the converter: %s",
                 strerror(errno));
        return CONVERT_FAILED;
    }
    struct sandbox sandbox;
    if (sandbox_build(&sandbox, errstr, errstr_size) != 0) {
        remove_tree(dir);
        return CONVERT_FAILED;
    }
    long long max_ms = req->max_ms > 0 ? req->max_ms : CONVERT_DEFAULT_MS;
    const struct run r = {dir, now_ms() + max_ms, max_ms, req->stop_requested, &sandbox};
    snprintf(in, sizeof(in), "in.%s", docformat_name(f));
    snprintf(in_path, sizeof(in_path), "%s/%s", dir, in);
    enum convert_result res = CONVERT_FAILED;
    if (write_input(in_path, bytes, len) != 0) {
        snprintf(errstr, errstr_size, "cannot write the document for the converter: %s",
                 strerror(errno));
    } else {
        res = run_tool(t, program, &r, in, errstr, errstr_size);
        if (res == CONVERT_OK) {
            res = read_output(t, dir, in, out, errstr, errstr_size);
        }
        if (res == CONVERT_OK && f == DOCFORMAT_PDF) {
            res = read_scans(&r, req, out, errstr, errstr_size);
        }
    }
    remove_tree(dir);
    sandbox_release(&sandbox);
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
    return find_program(RENDER_TOOL.program, path, sizeof(path)) &&
           find_program(OCR_TOOL.program, path, sizeof(path));
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

void convert_version(enum docformat f, char *out, size_t out_size)
{
    const struct tool *t = tool_of(f);
    char program[PATH_MAX], dir[PATH_MAX];
    snprintf(out, out_size, "%s", t->label);
    if (!find_program(t->program, program, sizeof(program)) || !make_workdir(dir, sizeof(dir))) {
        return;
    }
    const char *argv[] = {program, t->html ? "--version" : "-v", NULL};
    bool timed_out, stopped;
    char why[256];
    struct sandbox sandbox;
    if (sandbox_build(&sandbox, why, sizeof(why)) != 0) {
        remove_tree(dir);
        return;
    }
    const struct run r = {dir, now_ms() + VERSION_MS, VERSION_MS, NULL, &sandbox};
    if (spawn(program, argv, &r, &timed_out, &stopped) >= 0) {
        char line[256];
        const char *at;
        size_t len;
        /* LibreOffice says it on its output, pdftotext on its error output */
        first_line_of(dir, "stdout.txt", line, sizeof(line));
        if (!version_token(line, &at, &len)) {
            first_line_of(dir, "err.txt", line, sizeof(line));
        }
        if (version_token(line, &at, &len)) {
            snprintf(out, out_size, "%s %.*s", t->label, (int)len, at);
        }
    }
    sandbox_release(&sandbox);
    remove_tree(dir);
}
