/* budget.c - the per-document CPU time, stop request, output cap and fault. */
#include "budget.h"

#include <stdarg.h>
#include <stdio.h>

#include "reportflow/clock.h"

/* Steps between clock reads: a step is a character or a match, so this is well under 1 ms. */
#define STEPS_PER_CHECK 256

void budget_init(struct budget *b, long long max_ms, size_t max_bytes, bool (*stop_requested)(void))
{
    b->cpu_limit_ms = max_ms > 0 ? rf_clock_thread_cpu_ms() + max_ms : 0;
    b->stop_requested = stop_requested;
    b->max_bytes = max_bytes;
    b->bytes = 0;
    b->countdown = STEPS_PER_CHECK;
    b->state = BUDGET_OK;
    b->fault[0] = '\0';
}

bool budget_spent(struct budget *b)
{
    if (!b) {
        return false;
    }
    if (b->state != BUDGET_OK) {
        return true;
    }
    if (--b->countdown > 0) {
        return false;
    }
    b->countdown = STEPS_PER_CHECK;
    if (b->stop_requested && b->stop_requested()) {
        b->state = BUDGET_STOPPED;
    } else if (b->cpu_limit_ms > 0 && rf_clock_thread_cpu_ms() >= b->cpu_limit_ms) {
        b->state = BUDGET_TIMEOUT;
    }
    return b->state != BUDGET_OK;
}

bool budget_output(struct budget *b, size_t total)
{
    if (!b) {
        return false;
    }
    b->bytes = total;
    if (b->state == BUDGET_OK && b->max_bytes > 0 && b->bytes > b->max_bytes) {
        b->state = BUDGET_TOO_LARGE;
    }
    return budget_spent(b);
}

void budget_fault(struct budget *b, const char *fmt, ...)
{
    if (!b || b->state != BUDGET_OK) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->fault, sizeof(b->fault), fmt, ap);
    va_end(ap);
    b->state = BUDGET_FAULT;
}

enum budget_state budget_state(const struct budget *b)
{
    return b ? b->state : BUDGET_OK;
}
