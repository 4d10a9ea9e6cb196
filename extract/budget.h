/*
 * budget.h - what one document may cost: a deadline, a stop request, and the
 * bytes its envelope may take. Extraction checks it inside every loop whose
 * length depends on the content, so no input can hold a worker past its
 * budget or past a stop signal, and no envelope grows past what Kafka takes.
 */
#ifndef RF_BUDGET_H
#define RF_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum budget_state {
    BUDGET_OK = 0,
    BUDGET_TIMEOUT,   /* the deadline passed */
    BUDGET_STOPPED,   /* stop_requested() said so */
    BUDGET_TOO_LARGE, /* the output passed max_bytes */
};

struct budget {
    int64_t deadline_ms;          /* rf_clock_mono_ms() value to give up at; 0: none */
    bool (*stop_requested)(void); /* polled with the clock; NULL: never */
    size_t max_bytes;             /* output bytes allowed; 0: no limit */
    size_t bytes;                 /* output bytes charged so far */
    unsigned countdown;           /* steps left before the next clock read */
    enum budget_state state;      /* sticky once not BUDGET_OK */
};

/** A budget of @p max_ms from now (0: none), @p max_bytes of output (0: none). */
void budget_init(struct budget *b, long long max_ms, size_t max_bytes,
                 bool (*stop_requested)(void));

/**
 * One step of work. Cheap: reads the clock only every few hundred steps.
 * @returns true once the budget is spent (and from then on). NULL @p b: never.
 */
bool budget_spent(struct budget *b);

/** Charge @p n output bytes. @returns true once the budget is spent. NULL @p b: never. */
bool budget_charge(struct budget *b, size_t n);

/** The state of @p b (BUDGET_OK for NULL). */
enum budget_state budget_state(const struct budget *b);

#endif
