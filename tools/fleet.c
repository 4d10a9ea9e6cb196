/* fleet.c - the reprocess's own workers, as child processes. */
#include "fleet.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "reportflow/log.h"

#define COMPONENT "reprocess"

/* The worker binary beside this program's own. */
static int worker_path(char *out, size_t size, char *errstr, size_t errstr_size)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) {
        snprintf(errstr, errstr_size, "cannot find this program's folder: %s", strerror(errno));
        return -1;
    }
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    *slash = '\0';
    if ((size_t)snprintf(out, size, "%s/reportflow-worker", self) >= size ||
        access(out, X_OK) != 0) {
        snprintf(errstr, errstr_size, "cannot run %s/reportflow-worker: %s", self, strerror(errno));
        return -1;
    }
    return 0;
}

static int push(struct fleet *f, size_t *n, const char *a, const char *b)
{
    if (*n + 2 > FLEET_ARGS_MAX) {
        return -1;
    }
    size_t len = strlen(a) + (b ? strlen(b) : 0) + 1;
    char *s = malloc(len);
    if (s) {
        snprintf(s, len, "%s%s", a, b ? b : "");
    }
    f->argv[(*n)++] = s;
    return f->argv[*n - 1] ? 0 : -1;
}

int fleet_init(struct fleet *f, size_t cnt, char *const *pass, const char *rules, const char *topic,
               const char *group, int nice, char *errstr, size_t errstr_size)
{
    memset(f, 0, sizeof(*f));
    f->cnt = cnt < FLEET_MAX ? cnt : FLEET_MAX;
    f->nice = nice;
    char path[PATH_MAX];
    size_t n = 0;
    int rc = worker_path(path, sizeof(path), errstr, errstr_size);
    rc = rc == 0 ? push(f, &n, path, NULL) : rc;
    for (size_t i = 0; pass && pass[i] && rc == 0; i++) {
        rc = push(f, &n, pass[i], NULL);
    }
    /* after the user's flags: the run's settings win */
    const char *set[][2] = {
        {"-X", NULL}, {"worker.rules=", rules}, {"-X", NULL}, {"topic.raw=", topic},
        {"-X", NULL}, {"worker.group=", group}, {"-X", NULL}, {"metrics.listen=", ""}};
    for (size_t i = 0; i < sizeof(set) / sizeof(set[0]) && rc == 0; i++) {
        rc = push(f, &n, set[i][0], set[i][1]);
    }
    if (rc != 0 && !*errstr) {
        snprintf(errstr, errstr_size, "too many -X flags to hand to the workers");
    }
    if (rc != 0) {
        fleet_release(f);
    }
    return rc;
}

static pid_t start_one(const struct fleet *f)
{
    pid_t pid = fork();
    if (pid == 0) {
        /* a reprocess killed with -9 takes its workers along: a rerun starts its own */
        if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0) {
            perror("reprocess: prctl");
        }
        /* below the live workers: the same CPUs serve live reports first */
        if (setpriority(PRIO_PROCESS, 0, f->nice) != 0) {
            perror("reprocess: setpriority");
        }
        execv(f->argv[0], f->argv);
        perror("reprocess: cannot start reportflow-worker");
        _exit(127);
    }
    if (pid < 0) {
        rf_error(COMPONENT, "cannot start a worker: %s", strerror(errno));
        return 0;
    }
    return pid;
}

long fleet_tend(struct fleet *f)
{
    long running = 0;
    for (size_t i = 0; i < f->cnt; i++) {
        int status;
        if (f->pids[i] > 0 && waitpid(f->pids[i], &status, WNOHANG) == f->pids[i]) {
            rf_warn(COMPONENT, "worker %d stopped (%s %d): starting another", (int)f->pids[i],
                    WIFSIGNALED(status) ? "signal" : "status",
                    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
            f->pids[i] = 0;
            f->restarts++;
        }
        if (f->pids[i] == 0 && f->restarts <= FLEET_MAX_RESTARTS) {
            f->pids[i] = start_one(f);
        }
        running += f->pids[i] > 0;
    }
    return f->restarts > FLEET_MAX_RESTARTS ? -1 : running;
}

/* Reap @p pid within @p ms; @returns true when it is gone. */
static bool reaped(pid_t pid, int ms)
{
    for (int waited = 0; waited <= ms; waited += 50) {
        if (waitpid(pid, NULL, WNOHANG) == pid) {
            return true;
        }
        nanosleep(&(struct timespec){0, 50 * 1000000L}, NULL);
    }
    return false;
}

void fleet_stop(struct fleet *f, int grace_ms)
{
    for (size_t i = 0; i < f->cnt; i++) {
        if (f->pids[i] > 0) {
            kill(f->pids[i], SIGTERM);
        }
    }
    for (size_t i = 0; i < f->cnt; i++) {
        if (f->pids[i] > 0 && !reaped(f->pids[i], grace_ms)) {
            rf_warn(COMPONENT, "worker %d did not stop in %d ms: killed", (int)f->pids[i],
                    grace_ms);
            kill(f->pids[i], SIGKILL);
            waitpid(f->pids[i], NULL, 0);
        }
        f->pids[i] = 0;
    }
}

void fleet_release(struct fleet *f)
{
    for (size_t i = 0; i < FLEET_ARGS_MAX && f->argv[i]; i++) {
        free(f->argv[i]);
        f->argv[i] = NULL;
    }
}
