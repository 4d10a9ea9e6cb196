/*
 * budget.h - what one document may cost: CPU time, a stop request, and the
 * bytes its envelope may take; and the one place a document's run records
 * that something went wrong inside (a fault). Extraction checks it inside
 * every loop whose length depends on the content, so no input can hold a
 * worker past its budget or past a stop signal, and no envelope grows past
 * what Kafka takes.
 *
 * The time is the extracting thread's CPU time, not the wall clock: a
 * machine under load or a VM losing its CPU to steal does not turn a normal
 * report into a timeout, and the same report gets the same verdict anywhere.
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
    BUDGET_FAULT,     /* budget_fault(): an internal error, said in fault */
};

struct budget {
    int64_t cpu_limit_ms;         /* rf_clock_thread_cpu_ms() value to give up at; 0: none */
    bool (*stop_requested)(void); /* polled with the clock; NULL: never */
    size_t max_bytes;             /* output bytes allowed; 0: no limit */
    size_t bytes;                 /* output bytes so far (budget_output()) */
    unsigned countdown;           /* steps left before the next clock read */
    enum budget_state state;      /* sticky once not BUDGET_OK */
    char fault[200];              /* BUDGET_FAULT: what went wrong, for the dead letter */
};

/** A budget of @p max_ms of CPU time from now (0: none), @p max_bytes of output (0: none). */
void budget_init(struct budget *b, long long max_ms, size_t max_bytes,
                 bool (*stop_requested)(void));

/**
 * One step of work. Cheap: reads the clock only every few hundred steps.
 * @returns true once the budget is spent (and from then on). NULL @p b: never.
 */
bool budget_spent(struct budget *b);

/**
 * The output has @p total bytes now (it only grows). @returns true once the budget is spent:
 * past max_bytes, or by time. NULL @p b: never.
 */
bool budget_output(struct budget *b, size_t total);

/**
 * Record an internal error (a PCRE2 match error, an envelope that cannot be
 * assembled): the budget is spent from now on, with the message in fault.
 * Only the first thing that spends a budget is recorded. NULL @p b: nothing.
 */
void budget_fault(struct budget *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** The state of @p b (BUDGET_OK for NULL). */
enum budget_state budget_state(const struct budget *b);

#endif
