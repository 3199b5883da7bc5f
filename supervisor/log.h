/*
 * log.h — private logging helpers of libsv (event names and the line format
 * are public in sv.h).
 */
#ifndef SV_LOG_H
#define SV_LOG_H

#include "sv.h"

#include <stdbool.h>

/* The default log sink: the line and, for SV_EV_LOGGED, the backtrace
 * indented below it, written to stderr in one locked stdio call. */
void sv__log_stderr(void *ud, const sv_event *ev, const char *line);

/* True if an event of this kind (and reason) deserves a log line: crashes
 * logged, joins of crashed incarnations, start failures, unstopped
 * children, restarts, backoff, intensity, auto shutdown, supervisor
 * shutdown and escalation. */
bool sv__log_wants(int kind, int reason);

/* True for abnormal exit reasons (a crash): panic, error, signal, killed. */
static inline bool sv__reason_abnormal(int reason)
{
    return reason != SV_EXIT_NORMAL && reason != SV_EXIT_SHUTDOWN;
}

#endif
