/*
 * test_queue.c — the crash-report queue contract of sv.h on real threads:
 * FIFO per producer, close and drain, push after close, pop timeouts, no
 * loss and no duplicate under many concurrent pushes, push racing close,
 * and the runtime's private kick.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "queue.h"
#include "sv.h"
#include "sv_plat.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define MS ((int64_t)1000000)
#define NPROD 4

static size_t scaled(size_t n)
{
    const char *f = getenv("FL_FLAVOUR");
    return f && strcmp(f, "tsan") == 0 ? n / 4 : n;
}

/* Reports carry (producer, index) in incarnation / time_ns. */
static sv_report *reports_new(size_t n)
{
    sv_report *r = calloc(n, sizeof *r);
    assert_non_null(r);
    return r;
}

static void test_single_producer_fifo(void **state)
{
    (void)state;
    sv_queue *q;
    assert_int_equal(sv_queue_new(&q), 0);
    sv_report *r = reports_new(5), *out = NULL;
    for (int i = 0; i < 5; i++) {
        r[i].incarnation = (uint32_t)i;
        assert_int_equal(sv_queue_push(q, &r[i]), 0);
    }
    /* A report present pops even when the deadline has passed. */
    for (int i = 0; i < 5; i++) {
        assert_int_equal(sv_queue_pop(q, 0, &out), 0);
        assert_ptr_equal(out, &r[i]);
    }
    /* Interleaved push/pop keeps order across batches. */
    assert_int_equal(sv_queue_push(q, &r[0]), 0);
    assert_int_equal(sv_queue_push(q, &r[1]), 0);
    assert_int_equal(sv_queue_pop(q, 0, &out), 0);
    assert_ptr_equal(out, &r[0]);
    assert_int_equal(sv_queue_push(q, &r[2]), 0);
    assert_int_equal(sv_queue_pop(q, 0, &out), 0);
    assert_ptr_equal(out, &r[1]);
    assert_int_equal(sv_queue_pop(q, 0, &out), 0);
    assert_ptr_equal(out, &r[2]);
    sv_queue_free(q);
    free(r);
}

static void test_pop_timeouts(void **state)
{
    (void)state;
    sv_queue *q;
    assert_int_equal(sv_queue_new(&q), 0);
    sv_report *out = (sv_report *)&out;
    assert_int_equal(sv_queue_pop(q, 0, &out), -ETIMEDOUT);
    assert_int_equal(sv_queue_pop(q, sv_now() - MS, &out), -ETIMEDOUT);
    int64_t t0 = sv_now();
    assert_int_equal(sv_queue_pop(q, t0 + 30 * MS, &out), -ETIMEDOUT);
    assert_true(sv_now() - t0 >= 30 * MS);
    assert_ptr_equal(out, (sv_report *)&out); /* untouched on failure */
    /* A timed-out wait leaves nothing behind: the next push/pop still work. */
    sv_report r;
    memset(&r, 0, sizeof r);
    assert_int_equal(sv_queue_push(q, &r), 0);
    assert_int_equal(sv_queue_pop(q, t0, &out), 0);
    assert_ptr_equal(out, &r);
    sv_queue_free(q);
}

static void test_close_and_drain(void **state)
{
    (void)state;
    sv_queue *q;
    assert_int_equal(sv_queue_new(&q), 0);
    sv_report *r = reports_new(4), *out;
    for (int i = 0; i < 3; i++) assert_int_equal(sv_queue_push(q, &r[i]), 0);
    assert_int_equal(sv_queue_pop(q, 0, &out), 0);
    assert_ptr_equal(out, &r[0]);
    sv_queue_close(q);
    sv_queue_close(q); /* idempotent */
    assert_int_equal(sv_queue_push(q, &r[3]), -EPIPE);
    assert_null(atomic_load(&r[3].sv__next));
    assert_int_equal(sv_queue_pop(q, SV_FOREVER, &out), 0);
    assert_ptr_equal(out, &r[1]);
    assert_int_equal(sv_queue_pop(q, SV_FOREVER, &out), 0);
    assert_ptr_equal(out, &r[2]);
    assert_int_equal(sv_queue_pop(q, SV_FOREVER, &out), -EPIPE);
    assert_int_equal(sv_queue_pop(q, 0, &out), -EPIPE);
    assert_int_equal(sv_queue_push(q, &r[3]), -EPIPE);
    sv_queue_free(q);
    free(r);
}

/* ---- threads ------------------------------------------------------------ */

struct prod {
    sv_queue *q;
    sv_report *r;
    size_t n;
    uint32_t id;
    int64_t delay_ns;    /* sleep before pushing (wake-up tests) */
    size_t pushed;       /* accepted pushes (close race) */
    size_t bad;          /* unexpected push results (cmocka asserts only on main) */
    bool until_refused;  /* push until -EPIPE */
};

static void *producer(void *arg)
{
    struct prod *p = arg;
    if (p->delay_ns) sv_sleep_until(sv_deadline_in(p->delay_ns));
    for (size_t i = 0; i < p->n; i++) {
        p->r[i].incarnation = p->id;
        p->r[i].time_ns = (int64_t)i;
        int rc = sv_queue_push(p->q, &p->r[i]);
        if (rc == -EPIPE && p->until_refused) break;
        if (rc != 0) {
            p->bad++;
            break;
        }
        p->pushed++;
    }
    return NULL;
}

static void test_wakes_blocked_consumer(void **state)
{
    (void)state;
    sv_queue *q;
    assert_int_equal(sv_queue_new(&q), 0);
    sv_report r;
    memset(&r, 0, sizeof r);
    struct prod p = { .q = q, .r = &r, .n = 1, .id = 9, .delay_ns = 20 * MS };
    sv_thread *t;
    assert_int_equal(sv_thread_create(&t, producer, &p, "q-prod"), 0);
    sv_report *out;
    int64_t t0 = sv_now();
    assert_int_equal(sv_queue_pop(q, SV_FOREVER, &out), 0);
    assert_ptr_equal(out, &r);
    assert_true(sv_now() - t0 < 5000 * MS);
    assert_int_equal(sv_thread_join(t, SV_FOREVER), 0);
    assert_int_equal(p.bad, 0);
    sv_queue_free(q);
}

static void *close_later(void *arg)
{
    sv_sleep_until(sv_deadline_in(20 * MS));
    sv_queue_close(arg);
    return NULL;
}

static void test_close_wakes(void **state)
{
    (void)state;
    sv_queue *q;
    assert_int_equal(sv_queue_new(&q), 0);
    sv_thread *t;
    assert_int_equal(sv_thread_create(&t, close_later, q, "q-close"), 0);
    sv_report *out;
    assert_int_equal(sv_queue_pop(q, SV_FOREVER, &out), -EPIPE);
    assert_int_equal(sv_thread_join(t, SV_FOREVER), 0);
    sv_queue_free(q);
}

/* Pop everything from NPROD producers; check per-producer order, no loss,
 * no duplicate. */
static void run_producers(size_t n, bool blocking_pops)
{
    sv_queue *q;
    assert_int_equal(sv_queue_new(&q), 0);
    struct prod p[NPROD];
    sv_thread *t[NPROD];
    for (uint32_t k = 0; k < NPROD; k++) {
        p[k] = (struct prod){ .q = q, .r = reports_new(n), .n = n, .id = k };
        assert_int_equal(sv_thread_create(&t[k], producer, &p[k], "q-prod"), 0);
    }
    size_t next[NPROD] = { 0 }, total = 0;
    while (total < NPROD * n) {
        sv_report *out;
        int rc = sv_queue_pop(q, blocking_pops ? sv_deadline_in(10000 * MS) : 0, &out);
        if (rc == -ETIMEDOUT && !blocking_pops) continue;
        assert_int_equal(rc, 0);
        uint32_t k = out->incarnation;
        assert_true(k < NPROD);
        assert_ptr_equal(out, &p[k].r[next[k]]); /* FIFO per producer, no dup */
        assert_int_equal(out->time_ns, (int64_t)next[k]);
        next[k]++;
        total++;
    }
    sv_report *out;
    assert_int_equal(sv_queue_pop(q, 0, &out), -ETIMEDOUT);
    for (int k = 0; k < NPROD; k++) {
        assert_int_equal(sv_thread_join(t[k], SV_FOREVER), 0);
        assert_int_equal(p[k].bad, 0);
        assert_int_equal(next[k], n);
        free(p[k].r);
    }
    sv_queue_close(q);
    assert_int_equal(sv_queue_pop(q, 0, &out), -EPIPE);
    sv_queue_free(q);
}

static void test_many_producers_blocking(void **state)
{
    (void)state;
    run_producers(scaled(25000), true); /* 100,000 pushes from 4 threads */
}

static void test_many_producers_polling(void **state)
{
    (void)state;
    run_producers(scaled(5000), false);
}

static void test_push_races_close(void **state)
{
    (void)state;
    for (int round = 0; round < 20; round++) {
        sv_queue *q;
        assert_int_equal(sv_queue_new(&q), 0);
        size_t n = scaled(4000);
        struct prod p[NPROD];
        sv_thread *t[NPROD];
        for (uint32_t k = 0; k < NPROD; k++) {
            p[k] = (struct prod){ .q = q, .r = reports_new(n), .n = n, .id = k, .until_refused = true };
            assert_int_equal(sv_thread_create(&t[k], producer, &p[k], "q-race"), 0);
        }
        size_t popped[NPROD] = { 0 };
        /* Pop a little, close mid-stream, then drain. */
        for (int i = 0; i < round * 50; i++) {
            sv_report *out;
            if (sv_queue_pop(q, 0, &out) == 0) {
                assert_ptr_equal(out, &p[out->incarnation].r[popped[out->incarnation]]);
                popped[out->incarnation]++;
            }
        }
        sv_queue_close(q);
        for (int k = 0; k < NPROD; k++) assert_int_equal(sv_thread_join(t[k], SV_FOREVER), 0);
        sv_report *out;
        int rc;
        while ((rc = sv_queue_pop(q, SV_FOREVER, &out)) == 0) {
            uint32_t k = out->incarnation;
            assert_ptr_equal(out, &p[k].r[popped[k]]);
            popped[k]++;
        }
        assert_int_equal(rc, -EPIPE);
        /* Exactly the accepted pushes popped; a refused report is unlinked. */
        for (int k = 0; k < NPROD; k++) {
            assert_int_equal(p[k].bad, 0);
            assert_int_equal(popped[k], p[k].pushed);
            free(p[k].r);
        }
        sv_queue_free(q);
    }
}

static void *kick_later(void *arg)
{
    sv_sleep_until(sv_deadline_in(20 * MS));
    sv__queue_kick(arg);
    return NULL;
}

static void test_kick(void **state)
{
    (void)state;
    sv_queue *q;
    assert_int_equal(sv_queue_new(&q), 0);
    sv_report r[2], *out;
    memset(r, 0, sizeof r);

    /* A kick wakes a blocked kickable pop with -EINTR. */
    sv_thread *t;
    assert_int_equal(sv_thread_create(&t, kick_later, q, "q-kick"), 0);
    assert_int_equal(sv__queue_pop_kick(q, SV_FOREVER, &out), -EINTR);
    assert_int_equal(sv_thread_join(t, SV_FOREVER), 0);

    /* Kicks do not accumulate, and are consumed. */
    sv__queue_kick(q);
    sv__queue_kick(q);
    assert_int_equal(sv__queue_pop_kick(q, 0, &out), -EINTR);
    assert_int_equal(sv__queue_pop_kick(q, 0, &out), -ETIMEDOUT);

    /* A ready report wins over a kick (pushed before or after it). */
    sv__queue_kick(q);
    assert_int_equal(sv_queue_push(q, &r[0]), 0);
    assert_int_equal(sv__queue_pop_kick(q, 0, &out), 0);
    assert_ptr_equal(out, &r[0]);
    assert_int_equal(sv_queue_push(q, &r[1]), 0);
    sv__queue_kick(q);
    assert_int_equal(sv__queue_pop_kick(q, 0, &out), 0);
    assert_ptr_equal(out, &r[1]);

    /* The public pop ignores kicks: it times out. */
    sv__queue_kick(q);
    assert_int_equal(sv_queue_pop(q, sv_deadline_in(5 * MS), &out), -ETIMEDOUT);

    /* Kick after close is harmless; closed and drained wins. */
    sv_queue_close(q);
    sv__queue_kick(q);
    int rc = sv__queue_pop_kick(q, 0, &out);
    assert_true(rc == -EINTR || rc == -EPIPE);
    assert_int_equal(sv_queue_pop(q, 0, &out), -EPIPE);
    sv_queue_free(q);
}

/* Allocation failure is a clean -ENOMEM. */
static void *no_alloc(size_t n)
{
    (void)n;
    return NULL;
}

static void test_new_enomem(void **state)
{
    (void)state;
    sv_plat_ops ops = sv_plat_posix;
    ops.alloc = no_alloc;
    sv_plat_set(&ops);
    sv_queue *q = NULL;
    assert_int_equal(sv_queue_new(&q), -ENOMEM);
    assert_null(q);
    sv_plat_set(NULL);
    sv_queue_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_producer_fifo),
        cmocka_unit_test(test_pop_timeouts),
        cmocka_unit_test(test_close_and_drain),
        cmocka_unit_test(test_wakes_blocked_consumer),
        cmocka_unit_test(test_close_wakes),
        cmocka_unit_test(test_many_producers_blocking),
        cmocka_unit_test(test_many_producers_polling),
        cmocka_unit_test(test_push_races_close),
        cmocka_unit_test(test_kick),
        cmocka_unit_test(test_new_enomem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
