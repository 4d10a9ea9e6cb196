/* childproc.c - a converter's program run in a limited child: see childproc.h. */
#define _GNU_SOURCE /* unshare, nftw's FTW_PHYS */
#include "childproc.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "reportflow/fs.h"
#include "sandbox.h"

#define POLL_MIN_MS 2
#define POLL_MAX_MS 25

/* @p name in the folder of the running program (the build's bin/, an install's bindir). */
static bool beside_self(const char *name, char *out, size_t out_size)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) {
        return false;
    }
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (!slash) {
        return false;
    }
    *slash = '\0';
    int w = snprintf(out, out_size, "%s/%s", self, name);
    return w > 0 && (size_t)w < out_size && access(out, X_OK) == 0;
}

/* The program's path (ours beside the running program first, then $PATH and the usual
   folders), into @p out. */
bool childproc_find(const char *name, char *out, size_t out_size)
{
    if (strncmp(name, "reportflow-", 11) == 0 && beside_self(name, out, out_size)) {
        return true;
    }
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

void childproc_remove_tree(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Write @p len bytes to @p path (created new, 0600). */
int childproc_write_file(const char *path, const char *bytes, size_t len)
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

#ifdef RF_ADDRESS_SANITIZER
/* LeakSanitizer stops the world with ptrace, which the seccomp filter refuses: our own programs
   are checked for leaks by their unit tests instead */
#define SANITIZER_ENV "ASAN_OPTIONS=detect_leaks=0"
#else
#define SANITIZER_ENV NULL
#endif

/*
 * Whether @p program runs without the address-space limit: only our own in the sanitizer build,
 * where AddressSanitizer reserves terabytes of address space at start (its caps on inflated and
 * written bytes still bound it).
 */
static bool address_space_exempt(const char *program)
{
#ifdef RF_ADDRESS_SANITIZER
    const char *base = strrchr(program, '/');
    return strncmp(base ? base + 1 : program, "reportflow-", 11) == 0;
#else
    (void)program;
    return false;
#endif
}

/*
 * In the child, between fork and exec (async-signal-safe calls only): its own process group,
 * limits, no network where a namespace can be had, its folder, and no terminal.
 */
static void child_exec(const char *program, char *const argv[], char *const envp[], const char *dir,
                       long long cpu_ms, const struct sandbox *sandbox, pid_t parent)
{
    setpgid(0, 0);
    /* a worker killed (kill -9) takes its converter with it, not leaving it to run its time */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) {
        _exit(CHILDPROC_SETUP_FAILED);
    }
    rlim_t cpu = (rlim_t)(cpu_ms / 1000 + 1);
    limit(RLIMIT_CPU, cpu, cpu + 1);
    if (!address_space_exempt(program)) {
        limit(RLIMIT_AS, CHILDPROC_ADDRESS_SPACE, CHILDPROC_ADDRESS_SPACE);
    }
    limit(RLIMIT_FSIZE, CHILDPROC_MAX_FILE_BYTES, CHILDPROC_MAX_FILE_BYTES);
    limit(RLIMIT_NOFILE, CHILDPROC_MAX_FILES, CHILDPROC_MAX_FILES);
    limit(RLIMIT_CORE, 0, 0);
    if (unshare(CLONE_NEWNET) != 0) {
        unshare(CLONE_NEWUSER | CLONE_NEWNET); /* unprivileged, where the kernel allows it */
    }
    if (chdir(dir) != 0) {
        _exit(CHILDPROC_SETUP_FAILED);
    }
    int null_fd = open("/dev/null", O_RDONLY);
    int out_fd = open("stdout.txt", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err_fd = open("err.txt", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (null_fd < 0 || out_fd < 0 || err_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 ||
        dup2(err_fd, 2) < 0) {
        _exit(CHILDPROC_SETUP_FAILED);
    }
    if (!sandbox_enter(sandbox)) {
        static const char said[] = "the kernel refused the child's seccomp filter\n";
        ssize_t n = write(2, said, sizeof(said) - 1);
        _exit(n > 0 ? CHILDPROC_SETUP_FAILED : 125);
    }
    execve(program, argv, envp);
    _exit(127);
}

long long childproc_now_ms(void)
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
static int wait_child(pid_t pid, long long deadline, long long cpu_ms, bool (*stop_requested)(void),
                      bool *timed_out, bool *stopped)
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
        *timed_out = childproc_now_ms() >= deadline;
        if (*stopped || *timed_out) {
            break;
        }
        sleep_ms(pause);
        pause = pause * 2 > POLL_MAX_MS ? POLL_MAX_MS : pause * 2;
    }
    /* past its time, or LibreOffice's own children left behind; the child itself if its group
       is not there (it cannot be: childproc_spawn() made it) */
    if (kill(-pid, SIGKILL) != 0) {
        kill(pid, SIGKILL);
    }
    struct rusage used = {0};
    while (wait4(pid, &status, 0, &used) < 0 && errno == EINTR) {
    }
    /* killed by its CPU limit (SIGXCPU, or SIGKILL at the hard limit a second later, when it
       caught the first): past its time too; any other kill came from outside (the kernel's
       out-of-memory killer), and says so by *timed_out staying false */
    long long spent = (long long)used.ru_utime.tv_sec * 1000 + used.ru_utime.tv_usec / 1000 +
                      (long long)used.ru_stime.tv_sec * 1000 + used.ru_stime.tv_usec / 1000;
    if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGXCPU || spent >= cpu_ms)) {
        *timed_out = true;
    }
    return status;
}

/* The first line the converter wrote to @p file ("err.txt": its error output), of its first
   4 KiB: a damaged PDF makes Poppler write many more lines after it. */
void childproc_first_line(const char *dir, const char *file, char *out, size_t out_size)
{
    char path[PATH_MAX], head[4097];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    out[0] = '\0';
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        return;
    }
    size_t len = 0;
    while (len < sizeof(head) - 1) {
        ssize_t n = read(fd, head + len, sizeof(head) - 1 - len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        len += (size_t)n;
    }
    close(fd);
    head[len] = '\0';
    /* at most 200 bytes, cut before a character, never inside one */
    size_t n = strcspn(head, "\n");
    for (n = n < 200 ? n : 200; n > 0 && ((unsigned char)head[n] & 0xc0) == 0x80; n--) {
    }
    snprintf(out, out_size, "%.*s", (int)n, head);
}

/*
 * Run @p program with @p argv in the limited child (child_exec()) of @p r: its home and
 * temporary folder r->dir, until it ends or the monotonic clock reaches r->deadline.
 * @returns its wait status, or -1 when it could not be started (errno says why).
 */
int childproc_spawn(const char *program, const char *const argv[], const struct childproc_run *r,
                    bool *timed_out, bool *stopped)
{
    const char *dir = r->dir;
    char home[PATH_MAX + 8], tmp[PATH_MAX + 8];
    snprintf(home, sizeof(home), "HOME=%s", dir);
    snprintf(tmp, sizeof(tmp), "TMPDIR=%s", dir);
    /* OMP_THREAD_LIMIT: tesseract would take every core; a worker is one */
    char *const envp[] = {home,
                          tmp,
                          "PATH=/usr/local/bin:/usr/bin:/bin",
                          "LANG=C.UTF-8",
                          "OMP_THREAD_LIMIT=1",
                          SANITIZER_ENV,
                          NULL};
    long long left = r->deadline - childproc_now_ms();
    *timed_out = left <= 0;
    /* a stop asked between two children (OCR's pages) starts no other */
    *stopped = !*timed_out && r->stop_requested && r->stop_requested();
    if (*timed_out || *stopped) {
        return 0;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        return -1;
    }
    if (pid == 0) {
        child_exec(program, (char *const *)argv, envp, dir, left, r->sandbox, parent);
    }
    /* its group made here too, not only by the child: a kill of the group right after the
       fork must not miss it (EACCES once it has run execve(): its own call was first) */
    setpgid(pid, pid);
    return wait_child(pid, r->deadline, left, r->stop_requested, timed_out, stopped);
}

/* A new private folder for one run of a converter, under $TMPDIR. @returns false on failure. */
bool childproc_workdir(char *dir, size_t dir_size)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, dir_size, "%s/rf-convert.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    return mkdtemp(dir) != NULL;
}
