/* budget.c - the per-document deadline, stop request and output cap. */
#include "budget.h"

#include "reportflow/clock.h"

/* Steps between clock reads: a step is a character or a match, so this is well under 1 ms. */
#define STEPS_PER_CHECK 256

void budget_init(struct budget *b, long long max_ms, size_t max_bytes, bool (*stop_requested)(void))
{
    b->deadline_ms = max_ms > 0 ? rf_clock_mono_ms() + max_ms : 0;
    b->stop_requested = stop_requested;
    b->max_bytes = max_bytes;
    b->bytes = 0;
    b->countdown = STEPS_PER_CHECK;
    b->state = BUDGET_OK;
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
    } else if (b->deadline_ms > 0 && rf_clock_mono_ms() >= b->deadline_ms) {
        b->state = BUDGET_TIMEOUT;
    }
    return b->state != BUDGET_OK;
}

bool budget_charge(struct budget *b, size_t n)
{
    if (!b) {
        return false;
    }
    b->bytes += n;
    if (b->state == BUDGET_OK && b->max_bytes > 0 && b->bytes > b->max_bytes) {
        b->state = BUDGET_TOO_LARGE;
    }
    return budget_spent(b);
}

enum budget_state budget_state(const struct budget *b)
{
    return b ? b->state : BUDGET_OK;
}
