/*
 * test_scenario.c — the scenario parser on valid input: a full example read
 * back field by field, defaults, layout (CRLF, comments, tabs, no final
 * newline), the names of the model's enums, and every file of the suite
 * under scenarios/ (run from the repository root, or set FL_SCENARIO_DIR).
 * Malformed input and its diagnostics: test_scenario_diag.c. Shared:
 * scenario_util.h.
 */
#include "scenario_util.h"

#include <dirent.h>
#include <sys/stat.h>

/* Every field of the parsed run parameters equals want's. */
static void assert_run(const fl_scenario *s, fl_scenario_run want) {
    assert_int_equal(s->run.seeds, want.seeds);
    assert_int_equal(s->run.seed, want.seed);
    assert_int_equal(s->run.strategy, want.strategy);
    assert_int_equal(s->run.depth, want.depth);
    assert_int_equal(s->run.budget, want.budget);
    assert_int_equal(s->run.duration_ns, want.duration_ns);
    assert_int_equal(s->run.swarm, want.swarm);
    assert_int_equal(s->run.set, want.set);
}

static void test_full_example(void **state) {
    (void)state;
    fl_scenario *s = parse_ok(full);
    assert_string_equal(s->path, "t.scn");
    assert_string_equal(s->title, "one_for_one restarts only the crashed child");
    assert_run(s, (fl_scenario_run){.seeds = 200, .seed = 7, .strategy = FL_SCHED_STRAT_PCT, .depth = 4, .budget = 5000,
                           .duration_ns = 3000000000LL, .swarm = true,
                           .set = FL_SCENARIO_RUN_SEEDS | FL_SCENARIO_RUN_SEED | FL_SCENARIO_RUN_STRATEGY | FL_SCENARIO_RUN_DEPTH | FL_SCENARIO_RUN_BUDGET |
                                  FL_SCENARIO_RUN_DURATION | FL_SCENARIO_RUN_SWARM});

    fl_scenario_sup_decl *root = s->root;
    assert_string_equal(root->name, "root");
    assert_null(root->self);
    assert_int_equal(root->strategy, SV_REST_FOR_ONE);
    assert_int_equal(root->intensity, 5);
    assert_int_equal(root->period_ms, 5000);
    assert_int_equal(root->backoff_min_ms, 10);
    assert_int_equal(root->backoff_max_ms, 1000);
    assert_int_equal(root->jitter_pct, 20);
    assert_int_equal(root->auto_shutdown, SV_AUTO_ANY_SIGNIFICANT);
    assert_int_equal(root->flags, 0);
    assert_int_equal(root->nchildren, 5);

    fl_scenario_child_decl *a = root->children[0];
    assert_string_equal(a->id, "a");
    assert_int_equal(a->kind, FL_SCENARIO_CHILD_SCRIPT);
    assert_ptr_equal(a->parent, root);
    assert_int_equal(a->line, 5);
    assert_int_equal(a->col, 10);
    assert_int_equal(a->shutdown, SV_SHUTDOWN_TIMEOUT);
    assert_int_equal(a->shutdown_ms, 500);
    assert_int_equal(a->nscript, 3);
    assert_int_equal(a->script[0].kind, FL_SCENARIO_OP_CRASH);
    assert_string_equal(a->script[0].str, "boom\n\"x\"");
    assert_int_equal(a->script[0].when.inc_min, 1);
    assert_int_equal(a->script[0].when.inc_max, 1);
    assert_int_equal(a->script[0].when.p_pct, 100);
    assert_int_equal(a->script[1].kind, FL_SCENARIO_OP_WORK);
    assert_int_equal(a->script[1].ns, 10000000);
    assert_int_equal(a->script[1].when.inc_min, 3);
    assert_int_equal(a->script[1].when.inc_max, 0);
    assert_int_equal(a->script[2].kind, FL_SCENARIO_OP_LOOP);
    assert_int_equal(a->script[2].count, 3);
    assert_int_equal(a->script[2].when.p_pct, 50);
    assert_int_equal(a->script[2].nbody, 2);
    assert_int_equal(a->script[2].body[0].when.inc_min, 2);
    assert_int_equal(a->script[2].body[0].when.inc_max, 4);
    assert_int_equal(a->script[2].body[1].kind, FL_SCENARIO_OP_YIELD);
    assert_int_equal(a->nonstop, 2);
    assert_int_equal(a->onstop[1].kind, FL_SCENARIO_OP_EXIT);
    assert_int_equal(a->onstop[1].value, SV_RET_SHUTDOWN);

    fl_scenario_child_decl *b = root->children[1];
    assert_int_equal(b->restart, SV_TRANSIENT);
    assert_true(b->significant);
    assert_int_equal(b->shutdown, SV_SHUTDOWN_BRUTAL);
    assert_int_equal(b->script[0].kind, FL_SCENARIO_OP_WAIT);
    assert_string_equal(b->script[0].str, "go");
    assert_int_equal(b->script[1].kind, FL_SCENARIO_OP_RETURN);
    assert_int_equal(b->script[1].value, -EIO);

    fl_scenario_child_decl *inner = root->children[2];
    assert_int_equal(inner->kind, FL_SCENARIO_CHILD_SUP);
    assert_int_equal(inner->restart, SV_TRANSIENT);
    assert_int_equal(inner->shutdown, SV_SHUTDOWN_INFINITY);
    assert_ptr_equal(inner->sup->self, inner);
    assert_ptr_equal(fl_scenario_sup(s, "inner"), inner->sup);
    assert_int_equal(inner->sup->strategy, SV_ONE_FOR_ALL);
    assert_int_equal(inner->sup->flags, SV_SUP_CATCH_SIGNALS); /* c has segv */
    fl_scenario_child_decl *c = inner->sup->children[0];
    assert_ptr_equal(fl_scenario_child(s, "c"), c);
    assert_int_equal(c->script[1].kind, FL_SCENARIO_OP_FAILPOINT);
    assert_string_equal(c->script[1].str, "c.step");
    assert_int_equal(c->script[2].kind, FL_SCENARIO_OP_SEGV);
    assert_int_equal(c->script[3].kind, FL_SCENARIO_OP_HANG);

    fl_scenario_child_decl *p = root->children[3];
    assert_int_equal(p->kind, FL_SCENARIO_CHILD_USER);
    assert_string_equal(p->fn_name, "my_poller");
    assert_true(p->dynamic);
    assert_int_equal(p->index, 3);
    fl_scenario_child_decl *d = root->children[4];
    assert_true(d->dynamic);
    assert_int_equal(d->script[0].count, 0);
    assert_int_equal(d->script[1].value, -3);

    assert_int_equal(s->nfaults, 2);
    assert_ptr_equal(s->faults[0].child, a);
    assert_int_equal(s->faults[0].times, 2);
    assert_int_equal(s->faults[0].from, 3);
    assert_int_equal(s->faults[0].err, -12);
    assert_int_equal(s->faults[0].p_pct, 100);
    assert_int_equal(s->faults[1].times, 0); /* p= alone: no limit */
    assert_int_equal(s->faults[1].p_pct, 30);
    assert_int_equal(s->faults[1].from, 2);
    assert_int_equal(s->faults[1].err, -EAGAIN);

    assert_int_equal(s->nfailpoints, 1);
    assert_string_equal(s->failpoints[0].name, "sv.start");
    assert_string_equal(s->failpoints[0].spec, "[worker a] 2*return(-11)");

    assert_int_equal(s->nraces, 1);
    assert_int_equal(s->races[0].nmembers, 2);
    assert_ptr_equal(s->races[0].members[1], b);
    assert_int_equal(s->races[0].incarnation, 2);
    assert_int_equal(s->races[0].after_ns, 5000000);
    assert_string_equal(s->races[0].msg, "together");

    /* sorted by time, stable among equal times */
    assert_int_equal(s->nactions, 4);
    assert_int_equal(s->actions[0].kind, FL_SCENARIO_ACT_CRASH);
    assert_int_equal(s->actions[0].at_ns, 50000000);
    assert_string_equal(s->actions[0].msg, "late");
    assert_int_equal(s->actions[1].kind, FL_SCENARIO_ACT_TERMINATE);
    assert_true(s->actions[1].check_result);
    assert_int_equal(s->actions[1].result, 0);
    assert_int_equal(s->actions[2].kind, FL_SCENARIO_ACT_START);
    assert_false(s->actions[2].check_result);
    assert_ptr_equal(s->actions[2].child, d);
    assert_int_equal(s->actions[3].kind, FL_SCENARIO_ACT_STOP);
    assert_null(s->actions[3].child);

    assert_int_equal(s->nexpects, 8);
    assert_int_equal(s->expects[0].kind, FL_SCENARIO_EXP_COUNT);
    assert_int_equal(s->expects[0].counter, FL_SCENARIO_CNT_RESTARTS);
    assert_int_equal(s->expects[0].cmp, FL_SCENARIO_CMP_EQ);
    assert_int_equal(s->expects[0].n, 1);
    assert_int_equal(s->expects[1].counter, FL_SCENARIO_CNT_CRASHES);
    assert_int_equal(s->expects[1].cmp, FL_SCENARIO_CMP_GE);
    assert_int_equal(s->expects[2].kind, FL_SCENARIO_EXP_EXIT);
    assert_int_equal(s->expects[2].exit_reason, SV_EXIT_SHUTDOWN);
    assert_int_equal(s->expects[3].kind, FL_SCENARIO_EXP_STATE);
    assert_int_equal(s->expects[3].state, FL_SCENARIO_STATE_RUNNING);
    assert_int_equal(s->expects[3].at_ns, 500000000);
    assert_int_equal(s->expects[4].kind, FL_SCENARIO_EXP_LOG);
    assert_false(s->expects[4].negate);
    assert_string_equal(s->expects[4].text, "boom");
    assert_int_equal(s->expects[5].kind, FL_SCENARIO_EXP_EVENT);
    assert_true(s->expects[5].negate);
    assert_int_equal(s->expects[5].event, SV_EV_ESCALATED);
    assert_ptr_equal(s->expects[5].child, inner);
    assert_int_equal(s->expects[6].event, SV_EV_SHUTDOWN);
    assert_null(s->expects[6].child);
    assert_ptr_equal(s->expects[6].sup, root);
    assert_int_equal(s->expects[7].kind, FL_SCENARIO_EXP_FAIL);
    assert_string_equal(s->expect_fail, "no_lost_report");
    fl_scenario_free(s);
}

/* Every strategy name `run strategy=` takes maps to its scheduler strategy. */
static void test_run_strategies(void **state) {
    (void)state;
    static const struct { const char *src; fl_sched_strategy want; } cases[] = {
        {"run strategy=random\nsupervisor r\n", FL_SCHED_STRAT_RANDOM},
        {"run strategy=pct\nsupervisor r\n", FL_SCHED_STRAT_PCT},
        {"run strategy=rr\nsupervisor r\n", FL_SCHED_STRAT_RR},
        {"run strategy=pos\nsupervisor r\n", FL_SCHED_STRAT_POS},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fl_scenario *s = parse_ok(cases[i].src);
        assert_int_equal(s->run.strategy, cases[i].want);
        assert_string_equal(fl_scenario_strategy_name(s->run.strategy), fl_sched_strategy_name(cases[i].want));
        fl_scenario_free(s);
    }
}

static void test_defaults(void **state) {
    (void)state;
    fl_scenario *s = parse_ok("supervisor top\n  worker w\n  supervisor sub\n");
    assert_string_equal(s->title, "t.scn");
    assert_run(s, (fl_scenario_run){.seeds = 100, .seed = 1, .strategy = FL_SCHED_STRAT_RANDOM, .depth = 3, .budget = FL_SCENARIO_DEFAULT_BUDGET,
                           .duration_ns = 2000000000LL, .swarm = false, .set = 0});
    assert_int_equal(s->root->strategy, SV_ONE_FOR_ONE);
    assert_int_equal(s->root->intensity, 1);
    assert_int_equal(s->root->period_ms, 5000);
    assert_int_equal(s->root->backoff_min_ms, 0);
    fl_scenario_child_decl *w = s->root->children[0];
    assert_int_equal(w->restart, SV_PERMANENT);
    assert_int_equal(w->shutdown, SV_SHUTDOWN_TIMEOUT);
    assert_int_equal(w->shutdown_ms, 5000);
    assert_false(w->significant);
    assert_false(w->dynamic);
    assert_int_equal(w->nscript, 0);
    assert_int_equal(s->root->children[1]->shutdown, SV_SHUTDOWN_INFINITY);
    assert_null(s->expect_fail);
    assert_null(fl_scenario_child(s, "nope"));
    assert_null(fl_scenario_sup(s, "w"));
    assert_ptr_equal(fl_scenario_sup(s, "top"), s->root);
    fl_scenario_free(s);
}

static void test_layout(void **state) {
    (void)state;
    /* CRLF, blank and comment-only lines anywhere, tabs between tokens,
     * comments after values, a failpoint spec with segv (every supervisor
     * then catches signals), a text without a final newline */
    const char t[] = "supervisor r\r\n\r\n  # note\r\n  worker a\tshutdown=1s # x\r\n"
                     "      # deeper comment\n    crash\n  supervisor s\n    worker b\n"
                     "failpoint sv.worker \"[worker b] segv\"\n"
                     "expect restarts a = 1";
    fl_scenario *s = parse_ok(t);
    assert_int_equal(s->root->children[0]->shutdown_ms, 1000);
    assert_string_equal(s->root->children[0]->script[0].str, "crash");
    assert_int_equal(s->root->flags, SV_SUP_CATCH_SIGNALS);
    assert_int_equal(fl_scenario_sup(s, "s")->flags, SV_SUP_CATCH_SIGNALS);
    assert_int_equal(s->expects[0].n, 1);
    fl_scenario_free(s);
}

static void test_names(void **state) {
    (void)state;
    assert_string_equal(fl_scenario_counter_name(FL_SCENARIO_CNT_START_FAILED), "start_failed");
    assert_string_equal(fl_scenario_counter_name((fl_scenario_counter)99), "?");
    assert_string_equal(fl_scenario_cmp_name(FL_SCENARIO_CMP_GE), ">=");
    assert_string_equal(fl_scenario_state_name(FL_SCENARIO_STATE_ABSENT), "absent");
    assert_string_equal(fl_scenario_state_name(FL_SCENARIO_STATE_UNSTOPPED), "unstopped");
    assert_string_equal(fl_scenario_action_name(FL_SCENARIO_ACT_DELETE), "delete_child");
    assert_string_equal(fl_scenario_strategy_name(FL_SCHED_STRAT_RR), "rr");
    assert_string_equal(fl_scenario_strategy_name((fl_sched_strategy)77), "?");
}

/* ---- the suite ------------------------------------------------------------------ */

static int suite_files, suite_bad;

static void walk(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) fail_msg("cannot open %s: %s (run from the repository root or set FL_SCENARIO_DIR)", dir, strerror(errno));
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            walk(path);
            continue;
        }
        size_t n = strlen(path);
        if (n < 4 || strcmp(path + n - 4, ".scn") != 0) continue;
        fl_scenario *s = NULL;
        fl_lex_diag dg = {0};
        int r = fl_scenario_parse_file(path, &s, &dg);
        if (r) fail_msg("%s", dg.text);
        bool known_bad = strstr(path, "/known-bad/") != NULL;
        if (known_bad != (s->expect_fail != NULL))
            fail_msg("%s: `expect fail` must appear exactly in scenarios/known-bad/", path);
        if (known_bad) suite_bad++;
        assert_true(s->title != s->path && strcmp(s->title, s->path) != 0); /* every file has a title */
        suite_files++;
        fl_scenario_free(s);
    }
    closedir(d);
}

/* The expectations and actions of issue 13, as the model holds them. */
static void test_views_and_refusals(void **state) {
    fl_scenario *s = parse_ok("supervisor r auto_shutdown=any_significant\n"
                              "  worker a\n  worker b restart=transient\n"
                              "  worker z dynamic significant\n"
                              "at 1s exit a\nat 1s exit b shutdown\n"
                              "at 2s start_child z result=EINVAL\nat 2s delete_child z result=-2\n"
                              "expect state a running|restarting at 500ms\n"
                              "expect count specs=2 active=1 at 3s\n"
                              "expect children a:running b:stopped|running\n"
                              "expect order stop b a\n");
    assert_int_equal(s->nactions, 4);
    assert_int_equal(s->actions[0].kind, FL_SCENARIO_ACT_EXIT);
    assert_int_equal(s->actions[0].exit_value, 0);
    assert_int_equal(s->actions[1].exit_value, SV_RET_SHUTDOWN);
    assert_int_equal(s->actions[2].result, -EINVAL);
    assert_int_equal(s->actions[3].result, -ENOENT);
    const fl_scenario_expect *e = s->expects;
    assert_int_equal(e[0].states, FL_SCENARIO_STATE_BIT(FL_SCENARIO_STATE_RUNNING) |
                                      FL_SCENARIO_STATE_BIT(FL_SCENARIO_STATE_RESTARTING));
    assert_int_equal(e[0].at_ns, 500000000);
    assert_int_equal(e[1].kind, FL_SCENARIO_EXP_CHILD_COUNT);
    assert_int_equal(e[1].counts[0], 2);
    assert_int_equal(e[1].counts[1], 1);
    assert_int_equal(e[1].counts[2], -1);
    assert_int_equal(e[1].at_ns, 3000000000LL);
    assert_int_equal(e[2].kind, FL_SCENARIO_EXP_CHILDREN);
    assert_int_equal(e[2].nlist, 2);
    assert_string_equal(e[2].list[1]->id, "b");
    assert_int_equal(e[2].list_states[1], FL_SCENARIO_STATE_BIT(FL_SCENARIO_STATE_STOPPED) |
                                              FL_SCENARIO_STATE_BIT(FL_SCENARIO_STATE_RUNNING));
    assert_int_equal(e[2].at_ns, -1);
    assert_int_equal(e[3].kind, FL_SCENARIO_EXP_ORDER);
    assert_true(e[3].stop_order);
    assert_int_equal(s->expect_refused, 0);
    fl_scenario_free(s);
    s = parse_ok("supervisor r\n  worker a significant\nexpect refused EINVAL\n");
    assert_int_equal(s->expect_refused, -EINVAL);
    fl_scenario_free(s);
}

/* sup=PATH on admin actions and views: the supervisor it names, and its
 * path back as libsv's sv_sup_lookup takes it. */
static void test_nested_addressing(void **state) {
    (void)state;
    fl_scenario *s = parse_ok("supervisor r\n"
                              "  supervisor inner\n"
                              "    supervisor leaf strategy=simple_one_for_one\n"
                              "      worker t\n"
                              "    worker x\n"
                              "  worker b\n"
                              "at 10ms terminate_child sup=inner x result=ESRCH\n"
                              "at 20ms start_instance sup=inner/leaf t arg=3\n"
                              "at 30ms terminate_child b\n"
                              "expect count sup=inner/leaf specs=1 at 40ms\n"
                              "expect children sup=inner leaf:running x:stopped|running\n"
                              "expect state sup=inner x stopped at 50ms\n"
                              "expect children b:running\n");
    fl_scenario_sup_decl *inner = s->root->children[0]->sup, *leaf = inner->children[0]->sup;
    assert_int_equal(s->nactions, 3);
    assert_ptr_equal(s->actions[0].in, inner);
    assert_ptr_equal(s->actions[0].child, inner->children[1]);
    assert_int_equal(s->actions[0].result, -ESRCH);
    assert_ptr_equal(s->actions[1].in, leaf);
    assert_int_equal(s->actions[1].arg, 3);
    assert_null(s->actions[2].in);
    assert_ptr_equal(s->expects[0].in, leaf);
    assert_int_equal(s->expects[0].counts[0], 1);
    assert_ptr_equal(s->expects[1].in, inner);
    assert_int_equal(s->expects[1].nlist, 2);
    assert_ptr_equal(s->expects[2].in, inner);
    assert_ptr_equal(s->expects[2].child, inner->children[1]);
    assert_null(s->expects[3].in);
    char path[64];
    assert_int_equal(fl_scenario_sup_path(leaf, path, sizeof path), 10);
    assert_string_equal(path, "inner/leaf");
    assert_int_equal(fl_scenario_sup_path(inner, path, sizeof path), 5);
    assert_string_equal(path, "inner");
    assert_int_equal(fl_scenario_sup_path(s->root, path, sizeof path), 0);
    assert_string_equal(path, "");
    assert_int_equal(fl_scenario_sup_path(leaf, path, 4), 10); /* truncated, still terminated */
    assert_string_equal(path, "inn");
    fl_scenario_free(s);
}

static void test_suite_parses(void **state) {
    (void)state;
    const char *dir = getenv("FL_SCENARIO_DIR");
    walk(dir ? dir : "scenarios");
    print_message("parsed %d scenario files (%d known-bad)\n", suite_files, suite_bad);
    assert_true(suite_files >= 40);
    assert_true(suite_bad >= 4);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_example), cmocka_unit_test(test_defaults), cmocka_unit_test(test_run_strategies),
        cmocka_unit_test(test_layout),       cmocka_unit_test(test_names),
        cmocka_unit_test(test_suite_parses), cmocka_unit_test(test_views_and_refusals),
        cmocka_unit_test(test_nested_addressing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
