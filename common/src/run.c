/* run.c - the stop flag that SIGTERM and SIGINT set. */
#include "reportflow/run.h"

#include <signal.h>
#include <string.h>

/* The only mutable globals in reportflow: written by the signal handler, read by loops. */
static volatile sig_atomic_t stop_signals;

static void on_stop_signal(int sig)
{
    (void)sig;
    if (stop_signals < 2) {
        stop_signals++;
    }
}

int rf_run_init(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0) {
        return -1;
    }
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

bool rf_run_stopping(void)
{
    return stop_signals > 0;
}

bool rf_run_hurry(void)
{
    return stop_signals > 1;
}

void rf_run_request_stop(void)
{
    if (stop_signals == 0) {
        stop_signals = 1;
    }
}
