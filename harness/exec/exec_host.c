/*
 * exec_host.c — the host side of `faultline exec`: start PROG as a fork
 * server with the faultline library preloaded, send run requests, read
 * replies (see fl_exec.h and exec_int.h).
 */
#include "exec/exec_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/wait.h>
#include <unistd.h>

struct fl_exec {
    fl_exec_opts o;
    char lib[PATH_MAX];
    pid_t pid;
    int wfd, rfd;   /* requests to, replies from the server */
};

int fl_exec__read_all(int fd, void *buf, size_t n)
{
    char *p = buf;
    while (n > 0) {
        ssize_t k = read(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

int fl_exec__write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

int fl_exec_find(const char *name, const char *env_var, char *buf, size_t cap)
{
    if (cap) buf[0] = '\0';
    const char *env = env_var ? getenv(env_var) : NULL;
    if (env && *env) {
        if ((size_t)snprintf(buf, cap, "%s", env) >= cap || access(buf, R_OK) != 0) return -ENOENT;
        return 0;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return -ENOENT;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash) return -ENOENT;
    *slash = '\0';
    /* beside the binary; an installed tree's lib/; the build tree seen from
     * its bench/, tests/ and examples/ */
    static const char *const rel[] = { "/", "/../lib/", "/../" };
    for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
        if ((size_t)snprintf(buf, cap, "%s%s%s", exe, rel[i], name) < cap && access(buf, R_OK) == 0) {
            char real[PATH_MAX];
            if (realpath(buf, real) && strlen(real) < cap) strcpy(buf, real);
            return 0;
        }
    }
    return -ENOENT;
}

int fl_exec_lib(char *buf, size_t cap) { return fl_exec_find("libfaultline.so", "FAULTLINE_LIB", buf, cap); }

static void fl_exec__stop(fl_exec *e)
{
    if (e->wfd >= 0) close(e->wfd);
    if (e->rfd >= 0) close(e->rfd);
    e->wfd = e->rfd = -1;
    if (e->pid > 0) {
        int st;
        kill(e->pid, SIGKILL);
        while (waitpid(e->pid, &st, 0) < 0 && errno == EINTR) {
        }
    }
    e->pid = -1;
}

/* Read one reply and its strings. 0, or -1 (EOF/garbage). */
static int fl_exec__recv(int fd, fl_exec__rep *r, char **sched, char **report, char **out)
{
    *sched = *report = *out = NULL;
    if (fl_exec__read_all(fd, r, sizeof *r) < 0 || r->magic != FL_EXEC__MAGIC) return -1;
    if (r->nsteps > FL_EXPLORE_REC_STEPS || r->nids > FL_EXPLORE_REC_IDS) return -1;
    uint32_t lens[3] = { r->schedule_len, r->report_len, r->output_len };
    char **dst[3] = { sched, report, out };
    for (int i = 0; i < 3; i++) {
        if (lens[i] > 4 * FL_EXEC__STR_MAX) return -1;
        char *s = malloc((size_t)lens[i] + 1);
        if (!s || fl_exec__read_all(fd, s, lens[i]) < 0) {
            free(s);
            return -1;
        }
        s[lens[i]] = '\0';
        *dst[i] = s;
    }
    return 0;
}

static int fl_exec__start(fl_exec *e, char *err, size_t errlen)
{
    int req[2], rep[2], ex[2];
    if (pipe2(req, O_CLOEXEC) < 0) return -errno;
    if (pipe2(rep, O_CLOEXEC) < 0) {
        int rc = -errno;
        close(req[0]); close(req[1]);
        return rc;
    }
    if (pipe2(ex, O_CLOEXEC) < 0) {
        int rc = -errno;
        close(req[0]); close(req[1]); close(rep[0]); close(rep[1]);
        return rc;
    }
    char fds[32], preload[PATH_MAX * 2];
    snprintf(fds, sizeof fds, "%d,%d", req[0], rep[1]);
    const char *was = getenv("LD_PRELOAD");
    snprintf(preload, sizeof preload, "%s%s%s", e->lib, was && *was ? " " : "", was ? was : "");
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        int rc = -errno;
        close(req[0]); close(req[1]); close(rep[0]); close(rep[1]); close(ex[0]); close(ex[1]);
        return rc;
    }
    if (pid == 0) {
        /* the server's ends survive exec; everything else of ours is CLOEXEC */
        fcntl(req[0], F_SETFD, 0);
        fcntl(rep[1], F_SETFD, 0);
        setenv("FAULTLINE_EXEC_FD", fds, 1);
        setenv("FAULTLINE_EXEC_PRELOAD", was ? was : "", 1);
        setenv("LD_PRELOAD", preload, 1);
        personality(ADDR_NO_RANDOMIZE); /* the same addresses in every run */
        execvp(e->o.argv[0], e->o.argv);
        int x = errno;
        (void)!write(ex[1], &x, sizeof x);
        _exit(127);
    }
    close(req[0]);
    close(rep[1]);
    close(ex[1]);
    e->pid = pid;
    e->wfd = req[1];
    e->rfd = rep[0];
    int x = 0;
    ssize_t k = read(ex[0], &x, sizeof x);
    close(ex[0]);
    if (k == (ssize_t)sizeof x) {
        fl_exec__stop(e);
        snprintf(err, errlen, "cannot run %s: %s", e->o.argv[0], strerror(x));
        return x == ENOENT || x == EACCES ? -ENOENT : -x;
    }
    /* the hello proves that PROG loaded the runtime and waits for requests */
    struct pollfd pl = { .fd = e->rfd, .events = POLLIN };
    int n;
    do n = poll(&pl, 1, e->o.timeout_ms ? (int)e->o.timeout_ms : 60000);
    while (n < 0 && errno == EINTR);
    fl_exec__rep hello;
    char *s, *r, *o;
    if (n <= 0 || fl_exec__recv(e->rfd, &hello, &s, &r, &o) < 0 || hello.how != -1) {
        free(s); free(r); free(o);
        fl_exec__stop(e);
        snprintf(err, errlen,
                 "%s did not load the faultline runtime (%s): it ran uncontrolled, so nothing it did counts; "
                 "faultline exec needs a dynamically linked program that is not setuid",
                 e->o.argv[0], n == 0 ? "no answer" : "it ended without starting");
        return -ENOEXEC;
    }
    bool bad = r && *r;
    if (bad) snprintf(err, errlen, "%s", r);
    free(s); free(r); free(o);
    if (bad) {
        fl_exec__stop(e);
        return -ENOMEM;
    }
    return 0;
}

int fl_exec_open(const fl_exec_opts *o, fl_exec **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!o || !o->argv || !o->argv[0]) {
        snprintf(err, errlen, "faultline exec: no program given");
        return -EINVAL;
    }
    fl_exec *e = calloc(1, sizeof *e);
    if (!e) return -ENOMEM;
    e->o = *o;
    e->pid = -1;
    e->wfd = e->rfd = -1;
    if (o->lib) {
        if (snprintf(e->lib, sizeof e->lib, "%s", o->lib) >= (int)sizeof e->lib || access(e->lib, R_OK) != 0) {
            snprintf(err, errlen, "faultline exec: cannot read the faultline library %s", o->lib);
            free(e);
            return -ENOENT;
        }
    } else if (fl_exec_lib(e->lib, sizeof e->lib) < 0) {
        snprintf(err, errlen, "faultline exec: libfaultline.so not found beside the faultline binary or in ../lib "
                              "(set FAULTLINE_LIB to its path)");
        free(e);
        return -ENOENT;
    }
    int rc = fl_exec__start(e, err, errlen);
    if (rc < 0) {
        free(e);
        return rc;
    }
    *out = e;
    return 0;
}

static const char *fl_exec__signame(int sig)
{
    switch (sig) {
    case SIGABRT: return "SIGABRT: abort, e.g. a failed assert";
    case SIGSEGV: return "SIGSEGV: invalid memory access";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE: arithmetic error";
    case SIGILL: return "SIGILL";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    default: return NULL;
    }
}

/* Read the recorded steps that follow a reply and tell them to hook
 * (fl_explore_rec_replay: the recorder explore and shrink share). */
static int fl_exec__replay_steps(int fd, const fl_exec__rep *r, const fl_sched_hook *hook)
{
    if (!r->nsteps && !r->nids) return 0;
    fl_explore_rec_step *st = malloc((size_t)r->nsteps * sizeof *st + 1);
    int32_t *ids = malloc((size_t)r->nids * sizeof *ids + 1);
    int rc = -1;
    if (st && ids && fl_exec__read_all(fd, st, (size_t)r->nsteps * sizeof *st) == 0 &&
        fl_exec__read_all(fd, ids, (size_t)r->nids * sizeof *ids) == 0)
        rc = fl_explore_rec_replay(st, r->nsteps, ids, r->nids, hook);
    free(st);
    free(ids);
    return rc;
}

/* Read a traced run's thread lives and steps that follow the recorded
 * steps into res. 0, or -1 (EOF/garbage/ENOMEM). */
static int fl_exec__recv_trace(int fd, const fl_exec__rep *r, fl_exec_result *res)
{
    if (r->nlives > FL_SCHED_MAX_THREADS || r->nops > FL_EXEC_MAX_OPS) return -1;
    if (r->nlives && (!(res->lives = malloc((size_t)r->nlives * sizeof *res->lives)) ||
                      fl_exec__read_all(fd, res->lives, (size_t)r->nlives * sizeof *res->lives) < 0))
        return -1;
    res->nlives = r->nlives;
    if (r->nops && (!(res->ops = malloc((size_t)r->nops * sizeof *res->ops)) ||
                    fl_exec__read_all(fd, res->ops, (size_t)r->nops * sizeof *res->ops) < 0))
        return -1;
    res->nops = r->nops;
    res->ops_cut = r->ops_cut != 0;
    for (uint32_t i = 0; i < res->nlives; i++) res->lives[i].name[sizeof res->lives[i].name - 1] = '\0';
    for (uint32_t i = 0; i < res->nops; i++) {
        res->ops[i].op[sizeof res->ops[i].op - 1] = '\0';
        res->ops[i].obj[sizeof res->ops[i].obj - 1] = '\0';
    }
    return 0;
}

int fl_exec_run(fl_exec *e, const fl_sched_opts *so, fl_exec_result *res, char *err, size_t errlen)
{
    return fl_exec_run_hooked(e, so, NULL, res, err, errlen);
}

int fl_exec_run_hooked(fl_exec *e, const fl_sched_opts *so, const fl_sched_hook *hook, fl_exec_result *res, char *err,
                       size_t errlen)
{
    memset(res, 0, sizeof *res);
    if (e->pid < 0) {
        int rc = fl_exec__start(e, err, errlen);
        if (rc < 0) return rc;
    }
    const char *sched = so->strategy == FL_SCHED_STRAT_REPLAY && so->schedule ? so->schedule : "";
    fl_exec__req q = { .magic = FL_EXEC__MAGIC, .strategy = so->strategy, .depth = so->depth,
                       .watchdog_ms = so->watchdog_ms, .seed = so->seed, .pct_k = so->pct_k,
                       .budget = so->step_budget, .timeout_ms = e->o.timeout_ms, .record = hook != NULL,
                       .timer_ppm = so->timer_ppm,
                       .light_ppm = so->light_ppm, .trace = so->trace, .symmetric = so->symmetric,
                       .schedule_len = (uint32_t)strlen(sched) };
    fl_exec__rep r;
    char *s = NULL, *rep = NULL, *out = NULL;
    if (fl_exec__write_all(e->wfd, &q, sizeof q) < 0 || fl_exec__write_all(e->wfd, sched, q.schedule_len) < 0 ||
        fl_exec__recv(e->rfd, &r, &s, &rep, &out) < 0 || fl_exec__replay_steps(e->rfd, &r, hook) < 0 ||
        fl_exec__recv_trace(e->rfd, &r, res) < 0) {
        free(s); free(rep); free(out);
        fl_exec_result_free(res);
        fl_exec__stop(e);
        snprintf(err, errlen, "faultline exec: the fork server of %s died", e->o.argv[0]);
        return -EPIPE;
    }
    res->end = (fl_exec_end)r.how;
    res->code = r.code;
    res->status = r.status >= 0 ? (fl_sched_status)r.status : FL_SCHED_OK;
    res->steps = r.steps;
    res->preemptions = r.preemptions;
    res->choices = r.choices;
    res->threads = r.threads;
    res->schedule = s && *s ? s : NULL;
    if (!res->schedule) free(s);
    res->report = rep && *rep ? rep : NULL;
    if (!res->report) free(rep);
    res->output = out;
    char why[256];
    why[0] = '\0';
    if (r.status < 0) {
        snprintf(err, errlen, "faultline exec: the run could not start: %s", res->report ? res->report : "?");
        fl_exec_result_free(res);
        return -EINVAL;
    }
    switch (res->end) {
    case FL_EXEC_EXITED:
        if (r.code != 0) snprintf(why, sizeof why, "exit code %d", r.code);
        break;
    case FL_EXEC_SIGNALED: {
        const char *n = fl_exec__signame(r.code);
        snprintf(why, sizeof why, "killed by signal %d%s%s%s", r.code, n ? " (" : "", n ? n : "", n ? ")" : "");
        break;
    }
    case FL_EXEC_RUN_OVER:
        snprintf(why, sizeof why, "%s", res->status == FL_SCHED_DEADLOCK ? "deadlock"
                                        : res->status == FL_SCHED_BUDGET ? "step budget exhausted (livelock?)"
                                        : res->status == FL_SCHED_STALLED ? "uncontrolled: a thread stopped reaching scheduling points"
                                        : res->status == FL_SCHED_DIVERGED ? "replay diverged"
                                        : "the scheduler ended the run");
        break;
    case FL_EXEC_TIMEOUT:
        snprintf(why, sizeof why, "timed out after %u ms of wall time", e->o.timeout_ms ? e->o.timeout_ms : 60000);
        break;
    }
    res->failed = why[0] != '\0';
    res->reason = res->failed ? strdup(why) : NULL;
    return 0;
}

void fl_exec_result_free(fl_exec_result *res)
{
    if (!res) return;
    free(res->reason);
    free(res->schedule);
    free(res->report);
    free(res->output);
    free(res->lives);
    free(res->ops);
    memset(res, 0, sizeof *res);
}

void fl_exec_close(fl_exec *e)
{
    if (!e) return;
    if (e->wfd >= 0) close(e->wfd);
    e->wfd = -1;
    if (e->pid > 0) {
        int st;
        while (waitpid(e->pid, &st, 0) < 0 && errno == EINTR) {
        }
        e->pid = -1;
    }
    if (e->rfd >= 0) close(e->rfd);
    free(e);
}
