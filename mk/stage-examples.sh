#!/bin/sh
# stage: examples end to end (supervise; a user's own faultline binary)
# examples/supervise must show every crash logged, joined and restarted.
# examples/user_worker is a user's binary with its own registered workers:
# the buggy scenario fails with a replay line, the replay reproduces it
# byte for byte, the fixed worker passes, and the stock faultline refuses
# the scenario (exit 2: it does not know the user's worker).
# examples/user_pthread: pthread workers, including an assert in a worker's
# thread, found by run, replayed (in a child process) and shrunk.
set -u
tally=${TALLY:-build/tally}
B=build/asan
check() { # label, then a shell condition
    label=$1; shift
    if "$@"; then echo "pass 1" >>"$tally"; printf '  ok   %s\n' "$label"
    else echo "fail example: $label" >>"$tally"; printf '  FAIL %s\n' "$label"; fi
}
[ -x "$B/examples/supervise" ] || { echo "fail examples not built" >>"$tally"; exit 0; }

log=$("$B/examples/supervise" 2>&1); rc=$?
check "supervise exits 0" [ "$rc" -eq 0 ]
crashes=$(printf '%s\n' "$log" | grep -c ' logged ')
check "supervise logs crashes ($crashes)" [ "$crashes" -ge 2 ]
check "supervise joins and restarts each" sh -c '[ "$(printf "%s\n" "$1" | grep -c " joined ")" -ge "$2" ] && [ "$(printf "%s\n" "$1" | grep -c " restarted ")" -ge "$2" ]' _ "$log" "$crashes"

U=$B/examples/user_worker
out=$("$U" run examples/user_worker.scn 2>&1); rc=$?
check "user_worker: buggy scenario fails (exit 1)" [ "$rc" -eq 1 ]
S=$(printf '%s\n' "$out" | sed -n 's/^  replay:    user_worker replay examples\/user_worker.scn --schedule \(fl1:[^ ]*\)$/\1/p' | head -n 1)
check "user_worker: prints its own replay line" [ -n "$S" ]
r1=$("$U" replay examples/user_worker.scn --schedule "$S" 2>&1); rc=$?
check "user_worker: replay fails the same way" sh -c '[ "$1" -eq 1 ] && printf "%s\n" "$2" | grep -q "^FAIL examples/user_worker.scn (seed [0-9]*): expectation$"' _ "$rc" "$r1"
r2=$("$U" replay examples/user_worker.scn --schedule "$S" 2>&1)
check "user_worker: two replays byte-identical" [ "$r1" = "$r2" ]
"$U" run examples/user_worker_fixed.scn >/dev/null 2>&1; rc=$?
check "user_worker: fixed scenario passes" [ "$rc" -eq 0 ]
"$B/faultline" run examples/user_worker.scn >/dev/null 2>&1; rc=$?
check "stock faultline refuses an unregistered worker (exit 2)" [ "$rc" -eq 2 ]

# examples/user_pthread is a user worker written with plain pthreads: its
# threads are controlled through the interposer, which only the plain build
# has (ASan and TSan keep their own interceptors), so it runs from build/.
P=build/examples/user_pthread
if [ -x "$P" ]; then
    out=$("$P" run examples/user_pthread.scn 2>&1); rc=$?
    check "user_pthread: the pthread worker's lost update fails the scenario (exit 1)" sh -c '[ "$1" -eq 1 ] && printf "%s\n" "$2" | grep -q "expect crashes w = 0"' _ "$rc" "$out"
    S=$(printf '%s\n' "$out" | sed -n 's/^  replay:    user_pthread replay examples\/user_pthread.scn --schedule \(fl1:[^ ]*\)$/\1/p' | head -n 1)
    r1=$("$P" replay examples/user_pthread.scn --schedule "$S" 2>&1); rc1=$?
    r2=$("$P" replay examples/user_pthread.scn --schedule "$S" 2>&1)
    check "user_pthread: replay fails the same way, byte for byte" sh -c '[ -n "$3" ] && [ "$1" -eq 1 ] && [ "$2" = "$4" ]' _ "$rc1" "$r1" "$S" "$r2"
    "$P" run examples/user_pthread_fixed.scn >/dev/null 2>&1; rc=$?
    check "user_pthread: the fixed pthread worker passes" [ "$rc" -eq 0 ]
    # an assert() in a thread the worker started (warmer_assert): `run`
    # reports it as a crash with the assert's words; `replay` runs in a
    # child process too, so it prints that same failure, byte for byte, and
    # exits 1 (never the tool's own 134); `shrink` keeps the crash
    rm -f build/user_pthread_assert.json
    out=$("$P" run examples/user_pthread_assert.scn --json build/user_pthread_assert.json 2>&1); rc=$?
    check "user_pthread_assert: an assert in the worker's pthread fails the run as a crash (exit 1)" sh -c '[ "$1" -eq 1 ] && printf "%s\n" "$2" | grep -q "invariant: crash"' _ "$rc" "$out"
    msg=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cases"][0]["message"])' build/user_pthread_assert.json 2>/dev/null)
    check "user_pthread_assert: the failure names the signal and carries the assert's own words" sh -c 'printf "%s\n" "$1" | grep -q "died of signal 6 (SIGABRT" && printf "%s\n" "$1" | grep -q "| user_pthread: examples/user_pthread.c:[0-9]*: loader: Assertion .w->loaded == w->done. failed."' _ "$msg"
    S=$(printf '%s\n' "$out" | sed -n 's/^  replay:    user_pthread replay examples\/user_pthread_assert.scn --schedule \(fl1:[^ ]*\)$/\1/p' | head -n 1)
    r1=$("$P" replay examples/user_pthread_assert.scn --schedule "$S" 2>&1); rc1=$?
    r2=$("$P" replay examples/user_pthread_assert.scn --schedule "$S" 2>&1)
    check "user_pthread_assert: replay exits 1, not 134" sh -c '[ -n "$2" ] && [ "$1" -eq 1 ]' _ "$rc1" "$S"
    check "user_pthread_assert: replay prints run's failure byte for byte, and the replay line" python3 -c '
import sys; r, msg, s = sys.argv[1:4]
sys.exit(0 if msg and ("\n" + msg + "\n") in ("\n" + r + "\n") and ("--schedule " + s) in r else 1)' "$r1" "$msg" "$S"
    check "user_pthread_assert: two replays byte-identical" [ "$r1" = "$r2" ]
    so=$("$P" shrink examples/user_pthread_assert.scn --schedule "$S" 2>&1); rc=$?
    S2=$(printf '%s\n' "$so" | sed -n 's/^user_pthread replay examples\/user_pthread_assert.scn --schedule \(fl1:[^ ]*\)$/\1/p')
    r3=$("$P" replay examples/user_pthread_assert.scn --schedule "$S2" 2>&1); rc3=$?
    check "user_pthread_assert: shrink (exit 0) keeps the crash: the shrunk schedule still fails it" sh -c '[ "$1" -eq 0 ] && [ -n "$2" ] && [ "$3" -eq 1 ] && printf "%s\n" "$4" | grep -q "^FAIL examples/user_pthread_assert.scn (seed [0-9]*): crash$"' _ "$rc" "$S2" "$rc3" "$r3"
    for j in 1 2; do
        "$P" run -j "$j" examples/user_fresh.scn >/dev/null 2>&1; rc=$?
        check "user workers: every run starts from fresh process state (-j $j)" [ "$rc" -eq 0 ]
    done
else
    echo "fail example: build/examples/user_pthread missing" >>"$tally"
fi

# examples/pthread's programs, unmodified, as user workers (one binary,
# examples/pthread_workers.c; one scenario per program beside its source):
# each bug is found within the scenario's seeds as its kind (a deadlock as a
# deadlock with its cycle, never a hang), its replay line reproduces the
# failure text byte for byte (exit 1), shrink keeps the failure; each fixed
# twin passes
W=build/examples/pthread_workers
if [ -x "$W" ]; then
    while IFS='	' read -r n kind which; do
        scn=examples/pthread/$n.scn
        rm -f build/ptw.json
        out=$(timeout 300 "$W" run "$scn" --json build/ptw.json 2>/dev/null); rc=$?
        if [ "$which" = fixed ]; then
            check "pthread_workers/$n: every run passes (exit 0)" [ "$rc" -eq 0 ]
            continue
        fi
        msg=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cases"][0]["message"])' build/ptw.json 2>/dev/null)
        case $kind in
        assert) want='died of signal 6 (SIGABRT'; also='Assertion .* failed' ;;
        deadlock) want='the run ended in deadlock'; also='": waits for \(mutex\|condition\) [0-9]' ;;
        *) want='expect crashes p = 0: got 1'; also='.' ;;
        esac
        check "pthread_workers/$n: found as $kind (exit 1)" sh -c '[ "$1" -eq 1 ] && printf "%s\n" "$2" | grep -q "$3" && printf "%s\n" "$2" | grep -q "$4"' _ "$rc" "$msg" "$want" "$also"
        S=$(printf '%s\n' "$out" | sed -n "s|^  replay:    pthread_workers replay $scn --schedule \(fl1:[^ ]*\)\$|\1|p" | head -n 1)
        r1=$(timeout 120 "$W" replay "$scn" --schedule "$S" 2>/dev/null); rc1=$?
        check "pthread_workers/$n: the replay line reproduces the failure byte for byte (exit 1)" python3 -c '
import sys; rc, r, msg, s = sys.argv[1:5]
sys.exit(0 if s and rc == "1" and msg and ("\n" + msg + "\n") in ("\n" + r + "\n") else 1)' "$rc1" "$r1" "$msg" "$S"
        so=$(timeout 300 "$W" shrink "$scn" --schedule "$S" 2>/dev/null); rc=$?
        S2=$(printf '%s\n' "$so" | sed -n "s|^pthread_workers replay $scn --schedule \(fl1:[^ ]*\)\$|\1|p")
        inv=$(printf '%s\n' "$msg" | sed -n '1s/^\([a-z_]*\):.*/\1/p')
        r3=$(timeout 120 "$W" replay "$scn" --schedule "$S2" 2>/dev/null); rc3=$?
        check "pthread_workers/$n: shrink says whether its minimum is proven" sh -c 'printf "%s\n" "$1" | grep -q "^minimum: [0-9]* preemptions*, \(proven\|not proven\)"' _ "$so"
        check "pthread_workers/$n: shrink keeps the failure ($inv)" sh -c '[ "$1" -eq 0 ] && [ -n "$2" ] && [ "$3" -eq 1 ] && printf "%s\n" "$4" | grep -q "^FAIL $5 (seed [0-9]*): $6\$"' _ "$rc" "$S2" "$rc3" "$r3" "$scn" "$inv"
    done <examples/pthread/expect.tsv
else
    echo "fail example: $W missing" >>"$tally"
fi

# the HTML timeline draws every thread of the failing run: the supervisor's,
# the worker's, and the plain pthreads the worker started
if [ -x "$P" ]; then
    rm -f build/user_pthread.html
    "$P" run -j 2 examples/user_pthread.scn --html build/user_pthread.html >/dev/null 2>&1
    check "HTML timeline: a lane for every thread of the run (supervisor, worker, its pthreads)" sh -c '
        for t in main sv:root sv:w t1 t2; do
            grep -q "class=\"lane thr\"><title>thread $t</title>" build/user_pthread.html || exit 1
        done'
fi
