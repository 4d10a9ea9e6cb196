/* clock.h - wall-clock and monotonic milliseconds, and their RFC 3339 form. */
#ifndef RF_CLOCK_H
#define RF_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/** Milliseconds since the epoch, and on a monotonic clock. */
int64_t rf_clock_now_ms(void);
int64_t rf_clock_mono_ms(void);

/**
 * CPU time the calling thread has used, in milliseconds: what its work cost,
 * whatever the machine's load or a VM's steal did to the wall clock.
 */
int64_t rf_clock_thread_cpu_ms(void);

/** Format epoch milliseconds as RFC 3339 UTC ("2024-12-19T08:00:00.000Z"). */
void rf_clock_format(int64_t ms, char *out, size_t out_size);

#endif
