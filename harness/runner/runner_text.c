/*
 * runner_text.c — the runner's words: events copied out of a run and
 * printed one per line (fl_runner_trace_format), and the command lines that
 * replay or rerun a run (fl_runner_replay_line, fl_runner__rerun_line), with
 * the shell quoting and the environment prefix they need.
 */
#include "runner/runner_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- events ------------------------------------------------------------------ */

static int fl_runner__dup(char **dst, const char *src) {
    *dst = NULL;
    if (!src) return 0;
    return (*dst = strdup(src)) ? 0 : -ENOMEM;
}

int fl_runner_event_copy(fl_event *out, const sv_event *ev) {
    memset(out, 0, sizeof *out);
    out->ev = *ev;
    if (fl_runner__dup(&out->sup, ev->sup) || fl_runner__dup(&out->child, ev->child) ||
        fl_runner__dup(&out->message, ev->message) || fl_runner__dup(&out->backtrace, ev->backtrace)) {
        fl_runner_event_clear(out);
        return -ENOMEM;
    }
    out->ev.sup = out->sup;
    out->ev.child = out->child;
    out->ev.message = out->message;
    out->ev.backtrace = out->backtrace;
    return 0;
}

void fl_runner_event_clear(fl_event *e) {
    free(e->sup);
    free(e->child);
    free(e->message);
    free(e->backtrace);
    memset(e, 0, sizeof *e);
}

static void fl_runner__quoted(FILE *out, const char *s) {
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
        else if (c == '\n') fputs("\\n", out);
        else if (c < 0x20 || c == 0x7f) fprintf(out, "\\x%02x", c);
        else fputc(c, out);
    }
    fputc('"', out);
}

void fl_runner_trace_format(const fl_event *trace, size_t n, FILE *out) {
    for (size_t i = 0; i < n; i++) {
        const sv_event *e = &trace[i].ev;
        int64_t t = e->time_ns < 0 ? 0 : e->time_ns;
        fprintf(out, "#%llu t=%lld.%09lld %s %s", (unsigned long long)e->seq, (long long)(t / 1000000000),
                (long long)(t % 1000000000), e->sup ? e->sup : "?", sv_event_kind_name(e->kind));
        if (e->child) fprintf(out, " child=%s", e->child);
        if (e->instance) fprintf(out, " instance=%u", e->instance);
        if (e->incarnation) fprintf(out, " inc=%u", e->incarnation);
        if (e->kind == SV_EV_CRASH || e->kind == SV_EV_EXIT || e->kind == SV_EV_LOGGED ||
            e->kind == SV_EV_JOINED || e->kind == SV_EV_UNSTOPPED || e->kind == SV_EV_RESTART ||
            e->kind == SV_EV_SHUTDOWN || e->kind == SV_EV_ESCALATED || e->kind == SV_EV_CHILD_REMOVED)
            fprintf(out, " reason=%s", sv_exit_name(e->reason));
        if (e->err) fprintf(out, " err=%d", e->err);
        if (e->detail_ns) fprintf(out, " delay_ns=%lld", (long long)e->detail_ns);
        if (e->message) {
            fputs(" msg=", out);
            fl_runner__quoted(out, e->message);
        }
        if (e->backtrace && e->backtrace[0]) fputs(" +backtrace", out);
        fputc('\n', out);
    }
}

/* ---- command lines ---------------------------------------------------------------- */

/* Characters that need no quoting in a POSIX shell word. */
static bool fl_runner__shell_safe(const char *s) {
    if (!*s) return false;
    for (; *s; s++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./+,:=@%", *s)) return false;
    return true;
}

static const char *fl_runner__prog = "faultline";

void fl_runner_set_program(const char *argv0) {
    if (!argv0 || !*argv0) return;
    const char *slash = strrchr(argv0, '/');
    const char *base = slash ? slash + 1 : argv0;
    if (*base && fl_runner__shell_safe(base)) fl_runner__prog = base;
}

/* s as one POSIX shell word: as is when every byte is safe, else in single
 * quotes with each ' written '\''. Malloc'd, NULL on ENOMEM. */
static char *fl_runner__shell_word(const char *s) {
    if (fl_runner__shell_safe(s)) return strdup(s);
    size_t n = 0;
    for (const char *p = s; *p; p++) n += *p == '\'' ? 4 : 1;
    char *q = malloc(n + 3), *o = q;
    if (!q) return NULL;
    *o++ = '\'';
    for (const char *p = s; *p; p++) {
        if (*p == '\'') { memcpy(o, "'\\''", 4); o += 4; }
        else *o++ = *p;
    }
    *o++ = '\'';
    *o = '\0';
    return q;
}

/* The environment that shaped the run, as a prefix of a command line:
 * "FAULTLINE_FAILPOINTS='…' " when the variable is set and not empty (the
 * failpoint registry reads it at every world build), else "". Malloc'd,
 * NULL on ENOMEM. */
static char *fl_runner__env_prefix(void) {
    const char *fp = getenv("FAULTLINE_FAILPOINTS");
    if (!fp || !*fp) return strdup("");
    char *w = fl_runner__shell_word(fp);
    char *line = w ? fl_runner__strdupf("FAULTLINE_FAILPOINTS=%s ", w) : NULL;
    free(w);
    return line;
}

char *fl_runner_replay_line(const char *path, const char *schedule) {
    char *env = fl_runner__env_prefix(), *q = fl_runner__shell_word(path);
    char *line = env && q ? fl_runner__strdupf("%s%s replay %s --schedule %s", env, fl_runner__prog, q, schedule) : NULL;
    free(env);
    free(q);
    return line;
}

char *fl_runner__rerun_line(const char *path, uint64_t seed, int strategy, uint32_t depth, uint64_t pct_k,
                            uint64_t budget) {
    char *env = fl_runner__env_prefix(), *q = fl_runner__shell_word(path);
    char depth_s[64] = "", budget_s[40] = "";
    if (strategy == FL_SCHED_STRAT_PCT && depth && pct_k)
        snprintf(depth_s, sizeof depth_s, " --depth %u --pct-k %llu", depth, (unsigned long long)pct_k);
    else if (strategy == FL_SCHED_STRAT_PCT && depth)
        snprintf(depth_s, sizeof depth_s, " --depth %u", depth);
    if (budget) snprintf(budget_s, sizeof budget_s, " --budget %llu", (unsigned long long)budget);
    char *line = env && q ? fl_runner__strdupf("%s%s run %s --seed %llu --strategy %s%s%s", env, fl_runner__prog, q,
                                               (unsigned long long)seed, fl_sched_strategy_name((fl_sched_strategy)strategy),
                                               depth_s, budget_s)
                          : NULL;
    free(env);
    free(q);
    return line;
}
