/* run.h - the stop flag that SIGTERM, SIGINT and SIGHUP set, shared by every long-running program.
 */
#ifndef RF_RUN_H
#define RF_RUN_H

#include <stdbool.h>

/** Install handlers for SIGTERM, SIGINT and SIGHUP (a drain, like SIGTERM), and ignore SIGPIPE. */
int rf_run_init(void);

/** True once a stop signal arrived: finish in-flight work and exit. */
bool rf_run_stopping(void);

/** True once a second stop signal arrived: exit at once, still losing nothing. */
bool rf_run_hurry(void);

/** Ask the loop to stop, as a signal would (used on fatal errors). */
void rf_run_request_stop(void);

#endif
