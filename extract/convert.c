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
                       long long max_ms)
{
    setpgid(0, 0);
    rlim_t cpu = (rlim_t)(max_ms / 1000 + 1);
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
 * Run @p program with @p argv in the limited child (child_exec()), its home and temporary
 * folder @p dir, until it ends or @p max_ms pass. @returns its wait status, or -1 when it
 * could not be started (errno says why).
 */
static int spawn(const char *program, const char *const argv[], const char *dir, long long max_ms,
                 bool (*stop_requested)(void), bool *timed_out, bool *stopped)
{
    char home[PATH_MAX + 8], tmp[PATH_MAX + 8];
    snprintf(home, sizeof(home), "HOME=%s", dir);
    snprintf(tmp, sizeof(tmp), "TMPDIR=%s", dir);
    char *const envp[] = {home, tmp, "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", NULL};
    long long deadline = now_ms() + max_ms;
    pid_t pid = fork();
    if (pid < 0) {
        return -1;
    }
    if (pid == 0) {
        child_exec(program, (char *const *)argv, envp, dir, max_ms);
    }
    return wait_child(pid, deadline, stop_requested, timed_out, stopped);
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

static enum convert_result run_tool(const struct tool *t, const char *program, const char *dir,
                                    const char *in, long long max_ms, bool (*stop_requested)(void),
                                    char *errstr, size_t errstr_size)
{
    char profile[PATH_MAX + 64];
    const char *argv[16];
    build_argv(t, program, dir, in, profile, sizeof(profile), argv);
    bool timed_out, stopped;
    int status = spawn(program, argv, dir, max_ms, stop_requested, &timed_out, &stopped);
    if (status < 0) {
        snprintf(errstr, errstr_size, "cannot start %s: %s", t->label, strerror(errno));
        return CONVERT_FAILED;
    }
    if (stopped) {
        snprintf(errstr, errstr_size, "stopped while %s converted the document", t->label);
        return CONVERT_STOPPED;
    }
    if (timed_out ||
        (WIFSIGNALED(status) && (WTERMSIG(status) == SIGXCPU || WTERMSIG(status) == SIGKILL))) {
        snprintf(errstr, errstr_size, "%s took longer than %lld ms (worker.max_convert_ms)",
                 t->label, max_ms);
        return CONVERT_TIMEOUT;
    }
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXFSZ) {
        snprintf(errstr, errstr_size, "%s wrote more than %u bytes", t->label, CONVERT_MAX_OUTPUT);
        return CONVERT_TOO_LARGE;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char said[256];
        first_line_of(dir, "err.txt", said, sizeof(said));
        snprintf(errstr, errstr_size, "%s %s %d%s%s", t->label,
                 WIFEXITED(status) ? "exited" : "died of signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), said[0] ? ": " : "",
                 said);
        return CONVERT_FAILED;
    }
    return CONVERT_OK;
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

enum convert_result convert_document(enum docformat f, const char *bytes, size_t len,
                                     long long max_ms, bool (*stop_requested)(void),
                                     struct converted *out, const char **converter, char *errstr,
                                     size_t errstr_size)
{
    *out = (struct converted){NULL, 0, false, 0};
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
    snprintf(in, sizeof(in), "in.%s", docformat_name(f));
    snprintf(in_path, sizeof(in_path), "%s/%s", dir, in);
    enum convert_result r = CONVERT_FAILED;
    if (write_input(in_path, bytes, len) != 0) {
        snprintf(errstr, errstr_size, "cannot write the document for the converter: %s",
                 strerror(errno));
    } else {
        r = run_tool(t, program, dir, in, max_ms > 0 ? max_ms : CONVERT_DEFAULT_MS, stop_requested,
                     errstr, errstr_size);
        if (r == CONVERT_OK) {
            r = read_output(t, dir, in, out, errstr, errstr_size);
        }
    }
    remove_tree(dir);
    return r;
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
    if (spawn(program, argv, dir, VERSION_MS, NULL, &timed_out, &stopped) >= 0) {
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
    remove_tree(dir);
}
