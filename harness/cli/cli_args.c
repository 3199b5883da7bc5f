/*
 * cli_args.c — `faultline` argument parsing, sharding settings, operand
 * expansion (fl_cli.h; usage texts: cli_usage.c). Pure except fl_cli_shard (environment,
 * status files) and fl_cli_collect (directory walk).
 */
#include "cli/fl_cli.h"

#include "sched/fl_sched.h"
#include "runner/fl_runner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

static int fl_cli__err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fl_cli__err(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (err && errlen) vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

/* Decimal digits only, value in [1, max]. */
static int fl_cli__num(const char *s, uint64_t max, uint64_t *out) {
    uint64_t v = 0;
    if (!s || !*s) return -EINVAL;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return -EINVAL;
        unsigned d = (unsigned)(*p - '0');
        if (v > (max - d) / 10) return -ERANGE;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

static const struct fl_cli__cmd_name {
    const char *name;
    fl_cli_cmd cmd;
} fl_cli__cmds[] = {
    {"run", FL_CLI_CMD_RUN}, {"replay", FL_CLI_CMD_REPLAY}, {"shrink", FL_CLI_CMD_SHRINK},
    {"check", FL_CLI_CMD_CHECK}, {"list", FL_CLI_CMD_LIST}, {"explore", FL_CLI_CMD_EXPLORE},
    {"help", FL_CLI_CMD_HELP},
};

static const char *fl_cli__cmd_name(fl_cli_cmd c) {
    for (size_t i = 0; i < sizeof fl_cli__cmds / sizeof *fl_cli__cmds; i++)
        if (fl_cli__cmds[i].cmd == c) return fl_cli__cmds[i].name;
    return "faultline";
}

/* Options: name, takes a value, commands that accept it (bit per cmd). */
#define B(c) (1u << (c))
static const struct fl_cli__opt {
    const char *name;
    bool value;
    unsigned cmds;
} fl_cli__opts[] = {
    {"seeds", true, B(FL_CLI_CMD_RUN)},        {"strategy", true, B(FL_CLI_CMD_RUN)},
    {"depth", true, B(FL_CLI_CMD_RUN)},        {"budget", true, B(FL_CLI_CMD_RUN) | B(FL_CLI_CMD_EXPLORE)},
    {"time-scale", true, B(FL_CLI_CMD_RUN)},   {"bound", true, B(FL_CLI_CMD_EXPLORE)},
    {"max-runs", true, B(FL_CLI_CMD_EXPLORE) | B(FL_CLI_CMD_SHRINK)}, {"require-complete", false, B(FL_CLI_CMD_EXPLORE)},
    {"no-reduce", false, B(FL_CLI_CMD_EXPLORE)}, {"no-dpor", false, B(FL_CLI_CMD_EXPLORE)},
    {"shard", true, B(FL_CLI_CMD_RUN)},        {"junit", true, B(FL_CLI_CMD_RUN)},
    {"tap", false, B(FL_CLI_CMD_RUN)},         {"json", true, B(FL_CLI_CMD_RUN)},
    {"html", true, B(FL_CLI_CMD_RUN)},         {"trace", true, B(FL_CLI_CMD_RUN) | B(FL_CLI_CMD_REPLAY)},
    {"schedule", true, B(FL_CLI_CMD_REPLAY) | B(FL_CLI_CMD_SHRINK)},
    {"jobs", true, B(FL_CLI_CMD_RUN)},         {"timeout", true, B(FL_CLI_CMD_RUN) | B(FL_CLI_CMD_REPLAY) | B(FL_CLI_CMD_SHRINK)},
    {"filter", true, B(FL_CLI_CMD_RUN) | B(FL_CLI_CMD_LIST) | B(FL_CLI_CMD_CHECK)},
    {"fail-fast", false, B(FL_CLI_CMD_RUN)},   {"verbose", false, B(FL_CLI_CMD_RUN)},
    {"color", false, B(FL_CLI_CMD_RUN)},       {"seed", true, B(FL_CLI_CMD_RUN)},
    {"pct-k", true, B(FL_CLI_CMD_RUN)},
};

/* Short options and the long option each stands for. */
static const struct fl_cli__short {
    char ch;
    const char *name;
} fl_cli__shorts[] = {{'j', "jobs"}, {'k', "filter"}, {'x', "fail-fast"}, {'v', "verbose"}};

int fl_cli_duration(const char *s, int64_t *ns) {
    uint64_t v = 0;
    size_t nd = 0;
    if (!s) return -EINVAL;
    for (; s[nd] >= '0' && s[nd] <= '9'; nd++) {
        if (v > 100000000u) return -EINVAL;
        v = v * 10 + (uint64_t)(s[nd] - '0');
    }
    if (nd == 0) return -EINVAL;
    const char *u = s + nd;
    int64_t unit = strcmp(u, "") == 0 || strcmp(u, "s") == 0 ? 1000000000ll
                 : strcmp(u, "ms") == 0 ? 1000000ll
                 : strcmp(u, "m") == 0 ? 60000000000ll
                 : strcmp(u, "h") == 0 ? 3600000000000ll : 0;
    if (!unit || v > (uint64_t)(86400000000000ll / unit)) return -EINVAL;
    *ns = (int64_t)v * unit;
    return 0;
}

bool fl_cli_selected(const fl_cli_args *c, const char *path) {
    if (!c->npatterns) return true;
    for (size_t i = 0; i < c->npatterns; i++) {
        const char *pat = c->patterns[i];
        if (strpbrk(pat, "*?[") ? fnmatch(pat, path, 0) == 0 : strstr(path, pat) != NULL) return true;
    }
    return false;
}

static int fl_cli__set(fl_cli_args *c, const char *name, const char *v, char *err, size_t errlen) {
    uint64_t n = 0;
    int r;
    if (strcmp(name, "seeds") == 0 || strcmp(name, "depth") == 0 || strcmp(name, "budget") == 0) {
        uint64_t max = name[0] == 's' ? 10000000u : name[0] == 'd' ? 1000u : UINT64_MAX;
        if ((r = fl_cli__num(v, max, &n)) < 0 || n == 0) {
            if (r == -ERANGE)
                return fl_cli__err(err, errlen, "faultline: --%s: expected a positive integer up to %llu, got '%s'",
                                   name, (unsigned long long)max, v);
            return fl_cli__err(err, errlen, "faultline: --%s: expected a positive integer, got '%s'", name, v);
        }
        if (name[0] == 's') c->seeds = (uint32_t)n;
        else if (name[0] == 'd') c->depth = (uint32_t)n;
        else c->budget = n;
    } else if (strcmp(name, "pct-k") == 0) {
        if (fl_cli__num(v, 1000000000u, &n) < 0 || n == 0)
            return fl_cli__err(err, errlen, "faultline: --pct-k: expected a count of choices from 1 to 1000000000, got '%s'", v);
        c->pct_k = n;
    } else if (strcmp(name, "bound") == 0) {
        /* 0 is a bound (no preemption at all) */
        if (strcmp(v, "0") != 0 && fl_cli__num(v, FL_CLI_MAX_BOUND, &n) < 0)
            return fl_cli__err(err, errlen, "faultline: --bound: expected an integer from 0 to %u, got '%s'",
                               FL_CLI_MAX_BOUND, v);
        c->bound_set = true;
        c->bound = strcmp(v, "0") == 0 ? 0 : (uint32_t)n;
    } else if (strcmp(name, "max-runs") == 0 || strcmp(name, "time-scale") == 0) {
        uint64_t max = name[0] == 'm' ? 1000000000u : FL_RUNNER_MAX_TIME_SCALE;
        if ((r = fl_cli__num(v, max, &n)) < 0 || n == 0)
            return fl_cli__err(err, errlen, "faultline: --%s: expected an integer from 1 to %llu, got '%s'", name,
                               (unsigned long long)max, v);
        if (name[0] == 'm') c->max_runs = n;
        else c->time_scale = (uint32_t)n;
    } else if (strcmp(name, "strategy") == 0) {
        if (strcmp(v, "random") == 0) c->strategy = FL_SCHED_STRAT_RANDOM;
        else if (strcmp(v, "pct") == 0) c->strategy = FL_SCHED_STRAT_PCT;
        else if (strcmp(v, "pos") == 0) c->strategy = FL_SCHED_STRAT_POS;
        else if (strcmp(v, "rr") == 0) c->strategy = FL_SCHED_STRAT_RR;
        else if (strcmp(v, "free") == 0) c->strategy = FL_SCHED_STRAT_FREE;
        else return fl_cli__err(err, errlen, "faultline: --strategy: expected random, pct, pos, rr or free, got '%s'", v);
    } else if (strcmp(name, "shard") == 0) {
        const char *slash = strchr(v, '/');
        char idx[32];
        uint64_t i = 0, t = 0;
        size_t il = slash ? (size_t)(slash - v) : 0;
        bool ok = slash && il > 0 && il < sizeof idx;
        if (ok) {
            memcpy(idx, v, il);
            idx[il] = '\0';
            ok = (strcmp(idx, "0") == 0 || fl_cli__num(idx, 1000000, &i) == 0) &&
                 fl_cli__num(slash + 1, 1000000, &t) == 0 && t >= 1 && i < t;
        }
        if (!ok)
            return fl_cli__err(err, errlen, "faultline: --shard: expected I/N with 0 <= I < N (0-based), got '%s'", v);
        c->shard_set = true;
        c->shard_index = (uint32_t)i;
        c->shard_total = (uint32_t)t;
    } else if (strcmp(name, "jobs") == 0) {
        if (fl_cli__num(v, 1024, &n) < 0 || n == 0)
            return fl_cli__err(err, errlen, "faultline: --jobs: expected an integer from 1 to 1024, got '%s'", v);
        c->jobs = (unsigned)n;
    } else if (strcmp(name, "timeout") == 0) {
        if (fl_cli_duration(v, &c->timeout_ns) < 0)
            return fl_cli__err(err, errlen, "faultline: --timeout: expected a duration such as 90s, 500ms, 10m or 0 "
                               "(none), up to a day, got '%s'", v);
        c->timeout_set = true;
    } else if (strcmp(name, "filter") == 0) {
        if (!*v) return fl_cli__err(err, errlen, "faultline: -k: expected a pattern (substring or glob of the path), got ''");
        c->patterns[c->npatterns++] = v;
    } else if (strcmp(name, "seed") == 0) {
        if (strcmp(v, "0") != 0 && fl_cli__num(v, UINT64_MAX, &n) < 0)
            return fl_cli__err(err, errlen, "faultline: --seed: expected a non-negative integer, got '%s'", v);
        c->seed_set = true;
        c->seed = strcmp(v, "0") == 0 ? 0 : n;
    } else if (strcmp(name, "schedule") == 0) {
        if (!*v) return fl_cli__err(err, errlen, "faultline: --schedule: expected a schedule string (fl1:…), got ''");
        c->schedule = v;
    } else {
        if (!*v) return fl_cli__err(err, errlen, "faultline: --%s: expected a path, got ''", name);
        const char **slot = strcmp(name, "junit") == 0 ? &c->junit : strcmp(name, "json") == 0 ? &c->json
                          : strcmp(name, "html") == 0 ? &c->html : &c->trace_dir;
        *slot = v;
    }
    return 0;
}

int fl_cli_parse(int argc, char **argv, fl_cli_args *c, char *err, size_t errlen) {
    memset(c, 0, sizeof *c);
    c->strategy = -1;
    if (argc < 2) return fl_cli__err(err, errlen, "faultline: expected a command (run, explore, replay, shrink, check, list); try 'faultline --help'");
    const char *first = argv[1];
    if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0) {
        c->cmd = FL_CLI_CMD_HELP;
        return 0;
    }
    if (strcmp(first, "--version") == 0) {
        c->cmd = FL_CLI_CMD_VERSION;
        return 0;
    }
    for (size_t i = 0; i < sizeof fl_cli__cmds / sizeof *fl_cli__cmds; i++)
        if (strcmp(first, fl_cli__cmds[i].name) == 0) c->cmd = fl_cli__cmds[i].cmd;
    if (c->cmd == FL_CLI_CMD_NONE)
        return fl_cli__err(err, errlen, "faultline: unknown command '%s' (expected run, explore, replay, shrink, check or list)", first);
    if (!(c->paths = calloc((size_t)argc, sizeof *c->paths))) return -ENOMEM;
    if (!(c->patterns = calloc((size_t)argc, sizeof *c->patterns))) return -ENOMEM;
    const char *cname = fl_cli__cmd_name(c->cmd);
    bool dashdash = false;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (dashdash || a[0] != '-' || strcmp(a, "-") == 0) {
            c->paths[c->npaths++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) { dashdash = true; continue; }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) { c->help = true; continue; }
        const char *name, *eq;
        size_t nl;
        if (strncmp(a, "--", 2) != 0) {
            /* -j N, -jN, -k PAT, -kPAT, -x, -v */
            const struct fl_cli__short *sh = NULL;
            for (size_t k = 0; k < sizeof fl_cli__shorts / sizeof *fl_cli__shorts; k++)
                if (a[1] == fl_cli__shorts[k].ch) sh = &fl_cli__shorts[k];
            if (!sh)
                return fl_cli__err(err, errlen, "faultline: %s: unknown option '%s'; try 'faultline %s --help'", cname, a, cname);
            name = sh->name;
            nl = strlen(name);
            eq = NULL;
            if (a[2] && (sh->ch == 'x' || sh->ch == 'v'))
                return fl_cli__err(err, errlen, "faultline: %s: unknown option '%s'; try 'faultline %s --help'", cname, a, cname);
            if (a[2]) eq = a + 1; /* the value follows the letter: eq + 1 is it */
        } else {
            name = a + 2;
            eq = strchr(name, '=');
            nl = eq ? (size_t)(eq - name) : strlen(name);
        }
        const struct fl_cli__opt *o = NULL;
        for (size_t k = 0; k < sizeof fl_cli__opts / sizeof *fl_cli__opts; k++)
            if (strlen(fl_cli__opts[k].name) == nl && strncmp(fl_cli__opts[k].name, name, nl) == 0) o = &fl_cli__opts[k];
        if (!o || c->cmd == FL_CLI_CMD_HELP || !(o->cmds & B(c->cmd)))
            return fl_cli__err(err, errlen, "faultline: %s: unknown option '%.*s'; try 'faultline %s --help'",
                               cname, a[1] == '-' ? (int)(nl + 2) : 2, a, cname);
        const char *v = NULL;
        if (o->value) {
            if (eq) v = eq + 1;
            else if (i + 1 < argc) v = argv[++i];
            else return fl_cli__err(err, errlen, "faultline: --%s: expected a value", o->name);
            if (fl_cli__set(c, o->name, v, err, errlen) < 0) return -EINVAL;
            continue;
        }
        if (strcmp(o->name, "require-complete") == 0 || strcmp(o->name, "fail-fast") == 0 ||
            strcmp(o->name, "verbose") == 0 || strcmp(o->name, "no-reduce") == 0 || strcmp(o->name, "no-dpor") == 0) {
            if (eq) return fl_cli__err(err, errlen, "faultline: --%s: takes no value", o->name);
            if (o->name[0] == 'r') c->require_complete = true;
            else if (strcmp(o->name, "no-dpor") == 0) c->no_dpor = true;
            else if (o->name[0] == 'n') c->no_reduce = true;
            else if (o->name[0] == 'f') c->fail_fast = true;
            else c->verbose = true;
            continue;
        }
        if (strcmp(o->name, "color") == 0) { /* --color alone: always */
            const char *w = eq ? eq + 1 : "always";
            if (strcmp(w, "auto") == 0) c->color = FL_CLI_COLOR_AUTO;
            else if (strcmp(w, "always") == 0) c->color = FL_CLI_COLOR_ALWAYS;
            else if (strcmp(w, "never") == 0) c->color = FL_CLI_COLOR_NEVER;
            else return fl_cli__err(err, errlen, "faultline: --color: expected auto, always or never, got '%s'", w);
            continue;
        }
        /* --tap: stdout; --tap=FILE, or --tap FILE when FILE ends in ".tap":
         * that file (scenario operands end in .scn or are directories) */
        c->tap = true;
        c->tap_file = NULL;
        if (eq) {
            if (!eq[1]) return fl_cli__err(err, errlen, "faultline: --tap: expected a path after '=', got ''");
            c->tap_file = eq + 1;
        } else if (!dashdash && i + 1 < argc && strlen(argv[i + 1]) > 4 &&
                   strcmp(argv[i + 1] + strlen(argv[i + 1]) - 4, ".tap") == 0) {
            c->tap_file = argv[++i];
        }
    }
    if (c->help) return 0;
    if (c->cmd == FL_CLI_CMD_HELP) {
        c->help = true;
        c->cmd = FL_CLI_CMD_NONE;
        if (c->npaths) {
            for (size_t i = 0; i < sizeof fl_cli__cmds / sizeof *fl_cli__cmds; i++)
                if (strcmp(c->paths[0], fl_cli__cmds[i].name) == 0) c->cmd = fl_cli__cmds[i].cmd;
            if (c->cmd == FL_CLI_CMD_NONE || c->cmd == FL_CLI_CMD_HELP)
                return fl_cli__err(err, errlen, "faultline: help: unknown command '%s'", c->paths[0]);
        }
        return 0;
    }
    if (c->npaths == 0)
        return fl_cli__err(err, errlen, "faultline: %s: expected %s; try 'faultline %s --help'", cname,
                           c->cmd == FL_CLI_CMD_REPLAY || c->cmd == FL_CLI_CMD_SHRINK || c->cmd == FL_CLI_CMD_EXPLORE
                               ? "a scenario FILE" : "at least one PATH",
                           cname);
    if ((c->cmd == FL_CLI_CMD_REPLAY || c->cmd == FL_CLI_CMD_SHRINK || c->cmd == FL_CLI_CMD_EXPLORE) && c->npaths > 1)
        return fl_cli__err(err, errlen, "faultline: %s: expected one scenario FILE, got %zu operands", cname, c->npaths);
    if ((c->cmd == FL_CLI_CMD_REPLAY || c->cmd == FL_CLI_CMD_SHRINK) && !c->schedule)
        return fl_cli__err(err, errlen, "faultline: %s: expected --schedule S (the fl1:… string a failure printed)", cname);
    if (c->seed_set && c->seeds)
        return fl_cli__err(err, errlen, "faultline: --seed: runs exactly one seed; it cannot be combined with --seeds");
    if (c->pct_k && c->strategy >= 0 && c->strategy != FL_SCHED_STRAT_PCT)
        return fl_cli__err(err, errlen, "faultline: --pct-k: only for pct runs, not --strategy %s",
                           fl_sched_strategy_name((fl_sched_strategy)c->strategy));
    if (c->time_scale && c->strategy != FL_SCHED_STRAT_FREE)
        return fl_cli__err(err, errlen, "faultline: --time-scale: only with --strategy free (other strategies run on virtual time)");
    return 0;
}

void fl_cli_free(fl_cli_args *c) {
    free(c->paths);
    free(c->patterns);
    memset(c, 0, sizeof *c);
}

/* ---- sharding ---------------------------------------------------------------- */

static int fl_cli__env_pair(const char *tot_name, const char *idx_name, bool *on, uint32_t *index,
                            uint32_t *total, char *err, size_t errlen) {
    const char *t = getenv(tot_name), *i = getenv(idx_name);
    *on = false;
    if (!t && !i) return 0;
    if (!t || !i)
        return fl_cli__err(err, errlen, "faultline: %s is set but %s is not", t ? tot_name : idx_name, t ? idx_name : tot_name);
    uint64_t tv, iv = 0;
    if (fl_cli__num(t, 1000000, &tv) < 0 || tv == 0)
        return fl_cli__err(err, errlen, "faultline: %s: expected a positive integer, got '%s'", tot_name, t);
    if ((strcmp(i, "0") != 0 && fl_cli__num(i, 1000000, &iv) < 0) || iv >= tv)
        return fl_cli__err(err, errlen, "faultline: %s: expected an integer in [0, %llu), got '%s'", idx_name,
                           (unsigned long long)tv, i);
    *on = true;
    *index = (uint32_t)iv;
    *total = (uint32_t)tv;
    return 0;
}

static int fl_cli__touch(const char *var, char *err, size_t errlen) {
    const char *path = getenv(var);
    if (!path || !*path) return 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) return fl_cli__err(err, errlen, "faultline: %s=%s: %s", var, path, strerror(errno));
    close(fd);
    utime(path, NULL);
    return 0;
}

int fl_cli_shard(const fl_cli_args *c, bool *on, uint32_t *index, uint32_t *total, char *err, size_t errlen) {
    bool t_on, g_on;
    uint32_t ti = 0, tt = 0, gi = 0, gt = 0;
    if (fl_cli__env_pair("TEST_TOTAL_SHARDS", "TEST_SHARD_INDEX", &t_on, &ti, &tt, err, errlen) < 0 ||
        fl_cli__env_pair("GTEST_TOTAL_SHARDS", "GTEST_SHARD_INDEX", &g_on, &gi, &gt, err, errlen) < 0)
        return -EINVAL;
    if (fl_cli__touch("TEST_SHARD_STATUS_FILE", err, errlen) < 0 ||
        fl_cli__touch("GTEST_SHARD_STATUS_FILE", err, errlen) < 0)
        return -EINVAL;
    if (c->shard_set) {
        *on = true;
        *index = c->shard_index;
        *total = c->shard_total;
        return 0;
    }
    if (t_on && g_on && (ti != gi || tt != gt))
        return fl_cli__err(err, errlen, "faultline: TEST_SHARD_INDEX/TEST_TOTAL_SHARDS (%u/%u) and GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS (%u/%u) disagree",
                           ti, tt, gi, gt);
    *on = t_on || g_on;
    *index = t_on ? ti : gi;
    *total = t_on ? tt : gt;
    return 0;
}

/* ---- operands ------------------------------------------------------------------ */

typedef struct fl_cli__list {
    char **v;
    size_t n, cap;
} fl_cli__list;

static int fl_cli__push(fl_cli__list *l, const char *s) {
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0) return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **nv = realloc(l->v, cap * sizeof *nv);
        if (!nv) return -ENOMEM;
        l->v = nv;
        l->cap = cap;
    }
    if (!(l->v[l->n] = strdup(s))) return -ENOMEM;
    l->n++;
    return 0;
}

static int fl_cli__cmpstr(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool fl_cli__is_scn(const char *name) {
    size_t n = strlen(name);
    return n > 4 && strcmp(name + n - 4, ".scn") == 0;
}

/* Directories entered so far, by (device, inode): each is walked once. */
typedef struct fl_cli__seen {
    struct { dev_t dev; ino_t ino; } *v;
    size_t n, cap;
} fl_cli__seen;

/* 1: st's directory was walked already; 0: now recorded; -ENOMEM. */
static int fl_cli__seen_add(fl_cli__seen *s, const struct stat *st) {
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].dev == st->st_dev && s->v[i].ino == st->st_ino) return 1;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        void *nv = realloc(s->v, cap * sizeof *s->v);
        if (!nv) return -ENOMEM;
        s->v = nv;
        s->cap = cap;
    }
    s->v[s->n].dev = st->st_dev;
    s->v[s->n].ino = st->st_ino;
    s->n++;
    return 0;
}

static int fl_cli__walk(const char *dir, fl_cli__list *l, fl_cli__seen *seen, int depth, FILE *warn, char *err,
                        size_t errlen) {
    if (depth > 64) return fl_cli__err(err, errlen, "faultline: %s: directories nested too deep", dir);
    DIR *d = opendir(dir);
    if (!d) {
        int e = errno;
        fl_cli__err(err, errlen, "faultline: %s: %s", dir, strerror(e));
        return -e;
    }
    int r = 0;
    for (struct dirent *de; (de = readdir(d));) {
        if (de->d_name[0] == '.') continue;
        char *p = NULL;
        if (asprintf(&p, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", de->d_name) < 0) { r = -ENOMEM; break; }
        struct stat st, lst;
        bool link = lstat(p, &lst) == 0 && S_ISLNK(lst.st_mode);
        if (stat(p, &st) < 0) {
            if (link && fl_cli__is_scn(de->d_name) && warn)
                fprintf(warn, "faultline: warning: %s: skipped: %s (a dangling symbolic link?)\n", p, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            int sn = fl_cli__seen_add(seen, &st);
            if (sn < 0) r = sn;
            else if (sn == 1 && warn)
                fprintf(warn, "faultline: warning: %s: skipped: %s\n", p,
                        link ? "a symbolic link to a directory already walked (a loop?)" : "a directory already walked");
            else if (sn == 0) r = fl_cli__walk(p, l, seen, depth + 1, warn, err, errlen);
        } else if (fl_cli__is_scn(de->d_name)) {
            if (S_ISREG(st.st_mode)) r = fl_cli__push(l, p);
            else if (warn)
                fprintf(warn, "faultline: warning: %s: skipped: not a regular file (a FIFO, socket or device)\n", p);
        }
        free(p);
        if (r < 0) break;
    }
    closedir(d);
    return r;
}

int fl_cli_collect(const char *const *paths, size_t n, char ***files, size_t *nfiles, FILE *warn, char *err,
                   size_t errlen) {
    fl_cli__list all = {0};
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        struct stat st;
        if (stat(paths[i], &st) < 0) {
            r = -errno;
            fl_cli__err(err, errlen, "faultline: %s: %s", paths[i], strerror(-r));
        } else if (S_ISDIR(st.st_mode)) {
            fl_cli__list sub = {0};
            fl_cli__seen seen = {0}; /* per operand: files named twice dedupe below */
            r = fl_cli__seen_add(&seen, &st);
            if (r == 0) r = fl_cli__walk(paths[i], &sub, &seen, 0, warn, err, errlen);
            free(seen.v);
            if (r == 0 && sub.n == 0) r = fl_cli__err(err, errlen, "faultline: %s: no *.scn files in this directory", paths[i]);
            if (r == 0) qsort(sub.v, sub.n, sizeof *sub.v, fl_cli__cmpstr);
            for (size_t k = 0; k < sub.n && r == 0; k++) r = fl_cli__push(&all, sub.v[k]);
            fl_cli_files_free(sub.v, sub.n);
        } else if (!S_ISREG(st.st_mode)) {
            r = fl_cli__err(err, errlen, "faultline: %s: not a regular file (a FIFO, socket or device cannot be a scenario)",
                            paths[i]);
        } else {
            r = fl_cli__push(&all, paths[i]);
        }
    }
    if (r < 0) {
        if (r == -ENOMEM) fl_cli__err(err, errlen, "faultline: out of memory");
        fl_cli_files_free(all.v, all.n);
        return r;
    }
    *files = all.v;
    *nfiles = all.n;
    return 0;
}

void fl_cli_files_free(char **files, size_t n) {
    for (size_t i = 0; i < n; i++) free(files[i]);
    free(files);
}
