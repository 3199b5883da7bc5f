/*
 * exec_int.h — private to exec/: the wire between the host and the fork
 * server (two pipes), and the page the server shares with each run's child.
 *
 * Pipes carry fixed headers followed by the strings they announce, in the
 * order of the fields; all integers are native (both ends are the same
 * machine and the same build).
 */
#ifndef FL_EXEC_INT_H
#define FL_EXEC_INT_H

#include "exec/fl_exec.h"
#include "explore/fl_explore.h"

#include <stddef.h>
#include <stdint.h>

#define FL_EXEC__MAGIC 0x666c7831u   /* "flx1" */
#define FL_EXEC__ENV "FAULTLINE_EXEC_FD"
#define FL_EXEC__OUT_TAIL 4096
#define FL_EXEC__STR_MAX (1u << 20) /* schedule and report text in the shared page */
#define FL_EXEC__MAX_RUNS (1u << 20) /* recorded choice runs */

/* host -> server: one run. Followed by schedule_len bytes (REPLAY). */
typedef struct fl_exec__req {
    uint32_t magic;
    int32_t strategy;
    uint32_t depth;
    uint32_t watchdog_ms;
    uint64_t seed, pct_k, budget;
    uint32_t timeout_ms;
    uint32_t record;      /* 1: record every step in detail (explore's hook) */
    uint32_t timer_ppm;   /* fl_sched_opts.timer_ppm */
    uint32_t schedule_len;
    uint32_t light_ppm;   /* fl_sched_opts.light_ppm */
    uint32_t trace;       /* 1: record thread lives and steps (fl_exec_op) */
    uint32_t symmetric;   /* fl_sched_opts.symmetric */
} fl_exec__req;

/* server -> host: the hello (after start-up, all zero but magic and
 * how = -1) and one reply per request. Followed by the three strings. */
typedef struct fl_exec__rep {
    uint32_t magic;
    int32_t how;          /* fl_exec_end; -1 in the hello */
    int32_t code;
    int32_t status;       /* fl_sched_status when the run ended in the scheduler */
    uint64_t steps, preemptions, choices;
    uint32_t threads;
    uint32_t schedule_len, report_len, output_len;
    uint32_t nsteps, nids; /* recorded steps (fl_explore_rec_step) and ids follow the strings */
    uint32_t nlives, nops, ops_cut; /* then a traced run's fl_sched_thread_info and fl_exec_op */
} fl_exec__rep;

/* The page shared by the server and one run's child (MAP_SHARED). The
 * child's scheduler hook appends every choice to runs[] as it is made, so a
 * run that dies still leaves the schedule that led there. */
typedef struct fl_exec__shm {
    /* written by the child's host thread when fl_sched_run returned */
    uint32_t finished;
    int32_t status;
    uint64_t steps, preemptions;
    uint32_t threads;
    uint32_t schedule_len, report_len;
    char schedule[FL_EXEC__STR_MAX];
    char report[FL_EXEC__STR_MAX];
    /* the request, for building an open schedule from runs[] */
    int32_t strategy;
    uint32_t depth, flags;   /* flags: FL_SCHED_SCHEDULE_EDITED | _TIMERS of the run */
    uint64_t seed, pct_k;
    /* threads found in the process that the scheduler did not create */
    uint32_t foreign;
    char foreign_text[1024];
    /* steps in detail, when the request asks (explore, shrink's last phase):
     * the recorder both use across a process boundary */
    uint32_t record;
    fl_explore_rec rec;
    /* a traced run (trace = 1): thread lives and steps as they happen */
    uint32_t trace;
    uint32_t nlives, nops, ops_cut;
    fl_sched_thread_info lives[FL_SCHED_MAX_THREADS];
    fl_exec_op ops[FL_EXEC_MAX_OPS];
    /* choices as they happen */
    uint64_t nruns;
    uint32_t overflow;
    uint64_t preempt_live;   /* preemptions so far, counted by the hook */
    uint64_t choices_live;   /* steps with more than one runnable thread so far */
    fl_sched_schedule_run runs[FL_EXEC__MAX_RUNS];
} fl_exec__shm;

/* Whole reads and writes on a pipe: 0, or -1 on EOF/error (errno kept). */
int fl_exec__read_all(int fd, void *buf, size_t n);
int fl_exec__write_all(int fd, const void *buf, size_t n);

#endif
