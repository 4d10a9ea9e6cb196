/*
 * run.c - the stop flag that SIGTERM, SIGINT and SIGHUP set. SIGHUP drains and exits like
 * SIGTERM: reportflow has no reload, and a supervisor restarting a program on SIGHUP gets a
 * clean stop rather than the default of dying mid-batch.
 */
#include "reportflow/run.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>

/* The only mutable global in reportflow: written by the signal handler, read by loops and
 * threads (a lock-free atomic is safe in a handler and across threads alike). */
static atomic_int stop_signals;

static void on_stop_signal(int sig)
{
    (void)sig;
    int seen = atomic_load(&stop_signals);
    if (seen < 2) {
        atomic_store(&stop_signals, seen + 1);
    }
}

int rf_run_init(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0 ||
        sigaction(SIGHUP, &sa, NULL) != 0) {
        return -1;
    }
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

bool rf_run_stopping(void)
{
    return atomic_load(&stop_signals) > 0;
}

bool rf_run_hurry(void)
{
    return atomic_load(&stop_signals) > 1;
}

void rf_run_request_stop(void)
{
    int none = 0;
    atomic_compare_exchange_strong(&stop_signals, &none, 1);
}
