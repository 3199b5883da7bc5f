#!/bin/sh
# stage: faultline exec on unmodified pthread programs (plain build)
# Each program in tests/exec/ is ordinary pthread code, built here with cc
# and run by `faultline exec`: planted bugs are found with the right kind,
# their replay lines reproduce the failure byte for byte, shrink reduces
# them (lost_update to the 1 preemption it needs, proven by shrink's bounded
# search over child processes), the fixed twin passes, a thread blocked where the scheduler cannot
# see is named (never passed), and a program that cannot load the runtime
# (static) is refused with exit 2. Explore: --no-reduce finds the same;
# --symmetric finishes a bound the plain search cannot (identical.c).
set -u
tally=${TALLY:-build/tally}
FL=build/faultline
D=build/exec-progs
mkdir -p "$D"
check() { # label, then a shell condition
    label=$1; shift
    if "$@"; then echo "pass 1" >>"$tally"; printf '  ok   %s\n' "$label"
    else echo "fail exec: $label" >>"$tally"; printf '  FAIL %s\n' "$label"; fi
}
[ -x "$FL" ] && [ -f build/libfaultline.so ] || { echo "fail exec: faultline or libfaultline.so not built" >>"$tally"; exit 0; }
for src in tests/exec/*.c; do
    n=$(basename "$src" .c)
    cc -std=c11 -D_GNU_SOURCE -g -O1 -pthread -Wall -Werror "$src" -o "$D/$n" || { echo "fail exec: build $n" >>"$tally"; }
done
cc -std=c11 -D_GNU_SOURCE -O1 -pthread -static tests/exec/lost_update_fixed.c -o "$D/static" 2>/dev/null

# lost update: found, replayed byte for byte, shrunk
out=$(timeout 120 "$FL" exec --seeds 200 -- "$D/lost_update" 2>&1); rc=$?
check "lost_update: found (exit 1)" [ "$rc" -eq 1 ]
check "lost_update: reported as the assert's SIGABRT" sh -c 'printf "%s\n" "$1" | grep -q "killed by signal 6 (SIGABRT"' _ "$out"
check "lost_update: the program's own words in the report" sh -c 'printf "%s\n" "$1" | grep -q "Assertion .counter == 2. failed"' _ "$out"
S=$(printf '%s\n' "$out" | sed -n 's/^  replay:    .* exec --schedule \(fl1:[^ ]*\) -- .*/\1/p' | head -n 1)
check "lost_update: prints a replay line" [ -n "$S" ]
r1=$(timeout 60 "$FL" exec --schedule "$S" -- "$D/lost_update" 2>&1); rc1=$?
r2=$(timeout 60 "$FL" exec --schedule "$S" -- "$D/lost_update" 2>&1)
check "lost_update: replay fails the same way (exit 1)" sh -c '[ "$1" -eq 1 ] && printf "%s\n" "$2" | grep -q "killed by signal 6"' _ "$rc1" "$r1"
check "lost_update: two replays byte-identical" [ "$r1" = "$r2" ]
sh_out=$(timeout 120 "$FL" exec --shrink --schedule "$S" -- "$D/lost_update" 2>&1)
before=$(printf '%s\n' "$sh_out" | sed -n 's/^  preemptions: *\([0-9]*\) -> \([0-9]*\)$/\1/p')
after=$(printf '%s\n' "$sh_out" | sed -n 's/^  preemptions: *\([0-9]*\) -> \([0-9]*\)$/\2/p')
check "lost_update: shrink ends at the one preemption the bug needs ($before -> $after)" sh -c '[ -n "$1" ] && [ "$1" -gt 1 ] && [ "$2" = 1 ]' _ "$before" "$after"
check "lost_update: shrink proves that minimum (its bounded search, one process per run)" sh -c 'printf "%s\n" "$1" | grep -q "^  minimum:     1 preemption, proven:"' _ "$sh_out"
S2=$(printf '%s\n' "$sh_out" | sed -n 's/^  replay: *.* exec --schedule \(fl1:[^ ]*\) -- .*/\1/p')
r3=$(timeout 60 "$FL" exec --schedule "$S2" -- "$D/lost_update" 2>&1); rc3=$?
check "lost_update: the shrunk schedule still fails" sh -c '[ "$1" -eq 1 ] && printf "%s\n" "$2" | grep -q "killed by signal 6"' _ "$rc3" "$r3"
timeout 120 "$FL" exec --seeds 200 --strategy pct -- "$D/lost_update_fixed" >/dev/null 2>&1; rc=$?
check "lost_update_fixed: 200 pct runs pass (exit 0)" [ "$rc" -eq 0 ]

# bounded search, one process per schedule
out=$(timeout 300 "$FL" exec --explore --bound 2 -- "$D/lost_update" 2>&1); rc=$?
check "explore lost_update: found (exit 1)" sh -c '[ "$1" -eq 1 ] && printf "%s\n" "$2" | grep -q "1 failed"' _ "$rc" "$out"
S=$(printf '%s\n' "$out" | sed -n 's/^  replay:    .* exec --schedule \(fl1:dfs[^ ]*\) -- .*/\1/p' | head -n 1)
r1=$(timeout 60 "$FL" exec --schedule "$S" -- "$D/lost_update" 2>&1); rc1=$?
check "explore lost_update: its replay line reproduces the assert" sh -c '[ "$1" -eq 1 ] && printf "%s\n" "$2" | grep -q "killed by signal 6"' _ "$rc1" "$r1"
out=$(timeout 300 "$FL" exec --explore --bound 2 -- "$D/lost_update_fixed" 2>&1); rc=$?
check "explore lost_update_fixed: complete, nothing failed (exit 0)" sh -c '[ "$1" -eq 0 ] && printf "%s\n" "$2" | grep -q "schedules, complete, 0 failed"' _ "$rc" "$out"
out=$(timeout 300 "$FL" exec --explore --bound 1 --watchdog 300 -- "$D/blocked_read" 2>&1); rc=$?
check "explore blocked_read: never complete over an uncontrolled thread" sh -c '[ "$1" -ne 0 ] && ! printf "%s\n" "$2" | grep -q "complete, 0 failed" && printf "%s\n" "$2" | grep -q uncontrolled' _ "$rc" "$out"

# reduction switches: --no-reduce finds the same; --symmetric (identical.c: 8
# workers of one start routine and argument) finishes bound 0, which the
# search without it cannot within its cap, and finds the same lost update
out=$(timeout 300 "$FL" exec --explore --no-reduce --bound 2 -- "$D/lost_update" 2>&1); rc=$?
check "explore --no-reduce lost_update: found (exit 1)" sh -c '[ "$1" -eq 1 ] && printf "%s
" "$2" | grep -q "1 failed"' _ "$rc" "$out"
# DPOR: the same verdicts as sleep sets alone and no reduction, in fewer
# schedules (lost_update_fixed at bound 2: 62 / 66 / 101 when measured)
cnt() { printf '%s\n' "$1" | sed -n 's/.*: \([0-9]*\) schedules, complete, 0 failed.*/\1/p'; }
a=$(cnt "$(timeout 300 "$FL" exec --explore --bound 2 -- "$D/lost_update_fixed" 2>&1)")
b=$(cnt "$(timeout 300 "$FL" exec --explore --no-dpor --bound 2 -- "$D/lost_update_fixed" 2>&1)")
c=$(cnt "$(timeout 300 "$FL" exec --explore --no-reduce --bound 2 -- "$D/lost_update_fixed" 2>&1)")
check "explore lost_update_fixed, bound 2: complete and passing three ways, dpor < sleep sets < none ($a / $b / $c)" \
    sh -c '[ -n "$1" ] && [ -n "$2" ] && [ -n "$3" ] && [ "$1" -lt "$2" ] && [ "$2" -lt "$3" ]' _ "$a" "$b" "$c"
out=$(timeout 300 "$FL" exec --explore --no-dpor --bound 2 -- "$D/lock_order" 2>&1); rc=$?
check "explore --no-dpor lock_order: the deadlock found (exit 1)" sh -c '[ "$1" -eq 1 ] && printf "%s\n" "$2" | grep -q "deadlock"' _ "$rc" "$out"
out=$(timeout 300 "$FL" exec --explore --bound 0 --max-runs 300 -- "$D/identical" 8 2>&1)
check "explore identical 8, bound 0: incomplete at 300 schedules without --symmetric" sh -c 'printf "%s
" "$1" | grep -q "300 schedules, incomplete"' _ "$out"
out=$(timeout 300 "$FL" exec --explore --symmetric --bound 0 --max-runs 300 -- "$D/identical" 8 2>&1); rc=$?
check "explore --symmetric identical 8, bound 0: complete, nothing failed" sh -c '[ "$1" -eq 0 ] && printf "%s
" "$2" | grep -q "schedules, complete, 0 failed"' _ "$rc" "$out"
for sym in "" --symmetric; do
    out=$(timeout 300 "$FL" exec --explore $sym --bound 1 --keep-going -- "$D/identical" 3 split 2>&1); rc=$?
    check "explore $sym identical 3 split, bound 1: complete, the lost update found" sh -c '[ "$1" -eq 1 ] && printf "%s
" "$2" | grep -q "schedules, complete, [1-9][0-9]* failed" && printf "%s
" "$2" | grep -q "killed by signal 6"' _ "$rc" "$out"
done
"$FL" exec --symmetric -- "$D/identical" >/dev/null 2>&1
check "exec --symmetric without --explore: bad usage (exit 2)" [ $? -eq 2 ]

# lock order: a deadlock, with the cycle named
out=$(timeout 120 "$FL" exec --seeds 200 --strategy pct -- "$D/lock_order" 2>&1); rc=$?
check "lock_order: deadlock found" sh -c '[ "$1" -eq 1 ] && printf "%s\n" "$2" | grep -q ": deadlock$"' _ "$rc" "$out"
check "lock_order: the report names the wait-for cycle" sh -c 'printf "%s\n" "$1" | grep -q "wait-for cycle: thread"' _ "$out"

# exit code from a thread
out=$(timeout 120 "$FL" exec --seeds 200 -- "$D/exit_code" 2>&1); rc=$?
check "exit_code: a non-zero exit fails the run" sh -c '[ "$1" -eq 1 ] && printf "%s\n" "$2" | grep -q "exit code 3"' _ "$rc" "$out"

# a thread blocked outside control: named, never passed
out=$(timeout 120 "$FL" exec --seeds 3 --watchdog 300 -- "$D/blocked_read" 2>&1); rc=$?
check "blocked_read: fails as uncontrolled (exit 1)" sh -c '[ "$1" -eq 1 ] && printf "%s\n" "$2" | grep -q "uncontrolled"' _ "$rc" "$out"
check "blocked_read: names the thread and its backtrace" sh -c 'printf "%s\n" "$1" | grep -q "backtrace of thread 1"' _ "$out"

# a program that cannot load the runtime is refused
if [ -x "$D/static" ]; then
    out=$(timeout 60 "$FL" exec --seeds 3 -- "$D/static" 2>&1); rc=$?
    check "static program: refused (exit 2), never passed" sh -c '[ "$1" -eq 2 ] && printf "%s\n" "$2" | grep -q "did not load the faultline runtime"' _ "$rc" "$out"
fi

# the planted programs of examples/pthread (unmodified pthread code): each
# bug is found as its kind, replays byte for byte and shrinks; each fixed
# twin passes 200 runs of pct, of random and of pos
P=build/pthread-progs
if sh examples/pthread/build.sh "$P" >build/pthread-build.log 2>&1; then
    while IFS='	' read -r n kind which; do
        [ -x "$P/$n" ] || { echo "fail exec: $n not built" >>"$tally"; continue; }
        if [ "$which" = fixed ]; then
            ok=1
            for st in pct random pos; do
                timeout 300 "$FL" exec --seeds 200 --strategy "$st" -- "$P/$n" >"build/exec-$n.$st.log" 2>&1 || ok=0
            done
            check "pthread/$n: 200 pct + 200 random + 200 pos runs pass" [ "$ok" -eq 1 ]
            continue
        fi
        case $kind in
        assert) want='killed by signal 6' ;; deadlock) want=': deadlock$' ;; exit) want='exit code [1-9]' ;; *) want='^FAIL' ;;
        esac
        out=$(timeout 300 "$FL" exec --seeds 500 --strategy pct -- "$P/$n" 2>&1); rc=$?
        check "pthread/$n: found as $kind (pct)" sh -c '[ "$1" -eq 1 ] && printf "%s\n" "$2" | grep -q "$3"' _ "$rc" "$out" "$want"
        S=$(printf '%s\n' "$out" | sed -n 's/^  replay:    .* exec --schedule \(fl1:[^ ]*\) -- .*/\1/p' | head -n 1)
        r1=$(timeout 60 "$FL" exec --schedule "$S" -- "$P/$n" 2>&1)
        r2=$(timeout 60 "$FL" exec --schedule "$S" -- "$P/$n" 2>&1)
        check "pthread/$n: replays byte for byte, failing the same way" sh -c '[ -n "$3" ] && [ "$1" = "$2" ] && printf "%s\n" "$1" | grep -q "$4"' _ "$r1" "$r2" "$S" "$want"
        so=$(timeout 300 "$FL" exec --shrink --schedule "$S" -- "$P/$n" 2>&1)
        S2=$(printf '%s\n' "$so" | sed -n 's/^  replay: *.* exec --schedule \(fl1:[^ ]*\) -- .*/\1/p')
        r3=$(timeout 60 "$FL" exec --schedule "$S2" -- "$P/$n" 2>&1)
        check "pthread/$n: shrinks to a schedule that still fails" sh -c '[ -n "$1" ] && printf "%s\n" "$2" | grep -q "$3"' _ "$S2" "$r3" "$want"
        check "pthread/$n: shrink says whether its minimum is proven" sh -c 'printf "%s\n" "$1" | grep -q "^  minimum:     [0-9]* preemptions*, \(proven\|not proven\)"' _ "$so"
    done <examples/pthread/expect.tsv
else
    echo "fail exec: examples/pthread/build.sh" >>"$tally"; tail -n 20 build/pthread-build.log | sed 's/^/      /'
fi

# reports
rm -f build/exec.junit.xml build/exec.json
timeout 120 "$FL" exec --seeds 50 --junit build/exec.junit.xml --json build/exec.json -- "$D/lost_update" >/dev/null 2>&1
check "exec reports: JUnit valid against the schema" sh -c 'xmllint --noout --schema reports/junit.xsd build/exec.junit.xml 2>/dev/null'
check "exec reports: JSON names the failure and its replay" python3 -c '
import json,sys; d=json.load(open("build/exec.json")); c=d["cases"][0]
sys.exit(0 if (not c["passed"] and "exec --schedule fl1:" in c["replay"]) else 1)'

# --trace: the failing run's Chrome trace (Perfetto), as `run --trace`
# writes one: valid JSON, a track per controlled thread with its life, the
# steps of the interleaving, the failure; --keep-going: every failing run's
T=build/exec-trace
rm -rf "$T"
timeout 120 "$FL" exec --seeds 50 --trace "$T" -- "$D/lost_update" >/dev/null 2>&1; rc=$?
check "exec --trace: the failing run (exit 1) writes one trace file" sh -c '[ "$1" -eq 1 ] && [ "$(ls "$2" | wc -l)" -eq 1 ]' _ "$rc" "$T"
check "exec --trace: valid JSON (json.tool)" sh -c 'python3 -m json.tool "$1"/*.json >/dev/null' _ "$T"
check "exec --trace: a track per thread (main, t1, t2) with its life, the steps, the failure" python3 -c '
import glob,json,sys
d=json.load(open(glob.glob(sys.argv[1]+"/*.json")[0])); ev=d["traceEvents"]
lives={e["name"] for e in ev if e.get("cat")=="thread" and e["ph"]=="X" and e["pid"]==1}
tracks={e["args"]["name"] for e in ev if e["ph"]=="M" and e["name"]=="thread_name" and e["pid"]==2}
steps=[e for e in ev if e.get("cat")=="step"]
ok=lives=={"thread main","thread t1","thread t2"} and tracks==lives and len(steps)>3 \
   and any(e["name"].startswith("lock ") for e in steps) and "signal 6" in d["otherData"]["invariant"] \
   and "exec --schedule fl1:" in d["otherData"]["replay"]
sys.exit(0 if ok else 1)' "$T"
rm -rf "$T"
timeout 120 "$FL" exec --seeds 20 --keep-going --trace "$T" -- "$D/lost_update" >/dev/null 2>&1
nf=$(timeout 120 "$FL" exec --seeds 20 --keep-going -- "$D/lost_update" 2>&1 | sed -n 's/^faultline exec: \([0-9]*\) of 20 runs failed.*/\1/p')
check "exec --trace --keep-going: one trace per failing run ($nf)" sh -c '[ -n "$2" ] && [ "$2" -ge 1 ] && [ "$(ls "$1" | wc -l)" -eq "$2" ]' _ "$T" "$nf"
out=$(timeout 60 "$FL" exec --trace /dev/null/x -- "$D/lost_update" 2>&1); rc=$?
check "exec --trace: a directory that cannot be made is refused before any run (exit 2)" sh -c '[ "$1" -eq 2 ] && printf "%s\n" "$2" | grep -q "^faultline exec: --trace: /dev/null/x"' _ "$rc" "$out"

# a raw clone: a thread the scheduler did not create is never passed over
out=$(timeout 120 "$FL" exec --seeds 3 -- "$D/raw_clone" 2>&1); rc=$?
check "raw_clone: a thread made outside the scheduler fails the run as uncontrolled" sh -c '[ "$1" -eq 1 ] && printf "%s\n" "$2" | grep -q "were not created through the scheduler"' _ "$rc" "$out"
