#!/bin/sh
# stage: memory-access scheduling points (faultline cc, plain build)
# examples/race/ holds four plain-memory races (each with a fixed twin),
# built twice: plain cc and `faultline cc`. Without instrumentation
# `faultline exec` cannot switch inside the racy code, so 200 runs of
# random and of pct pass; instrumented, random finds each within 20 runs,
# and the replay line reproduces it byte for byte. The fixed twins pass
# instrumented, the instrumented programs run natively, --preempt-rate 0
# takes the memory points away from random, and bad input exits 2.
set -u
tally=${TALLY:-build/tally}
FL=build/faultline
D=build/race
check() { # label, then a shell condition
    label=$1; shift
    if "$@"; then echo "pass 1" >>"$tally"; printf '  ok   %s\n' "$label"
    else echo "fail inst: $label" >>"$tally"; printf '  FAIL %s\n' "$label"; fi
}
[ -x "$FL" ] && [ -f build/libfaultline.so ] && [ -f build/libfaultline-inst.a ] ||
    { echo "fail inst: faultline, libfaultline.so or libfaultline-inst.a not built" >>"$tally"; exit 0; }
command -v clang >/dev/null || { echo "fail inst: clang not installed (mk/deps.sh installs it as root)" >>"$tally"; exit 0; }
sh examples/race/build.sh "$D" "$FL" >build/race-build.log 2>&1
check "examples/race build with cc and faultline cc" [ $? -eq 0 ]

runs() { # strategy, seeds, program -> "F" (failed runs) from the summary line
    timeout 120 "$FL" exec --seeds "$2" --keep-going --strategy "$1" -- "$3" 2>&1 |
        sed -n 's/^faultline exec: \([0-9]*\) of [0-9]* runs failed.*/\1/p'
}
for p in reorder wrong_lock loop_atomicity check_act; do
    plain_r=$(runs random 200 "$D/$p"); plain_p=$(runs pct 200 "$D/$p")
    inst_r=$(runs random 20 "$D/$p.inst"); inst_p=$(runs pct 20 "$D/$p.inst"); inst_s=$(runs pos 20 "$D/$p.inst")
    printf '       %-15s failed runs   plain cc: random %s/200 pct %s/200   faultline cc: random %s/20 pct %s/20 pos %s/20\n' \
        "$p" "$plain_r" "$plain_p" "$inst_r" "$inst_p" "$inst_s"
    check "$p: not found without instrumentation (400 runs)" [ "$plain_r" = 0 ] && [ "$plain_p" = 0 ]
    check "$p: found instrumented within 20 random runs" [ "${inst_r:-0}" -gt 0 ]
    # pos (partial-order sampling) on the same build: found, and its
    # schedule (origin pos) replays to the same assert
    check "$p: found instrumented within 20 pos runs" [ "${inst_s:-0}" -gt 0 ]
    out=$(timeout 120 "$FL" exec --seeds 20 --strategy pos -- "$D/$p.inst" 2>&1)
    S=$(printf '%s\n' "$out" | sed -n 's/^  replay:    .* exec --schedule \(fl1:pos\.[^ ]*\) -- .*/\1/p' | head -n 1)
    r1=$(timeout 60 "$FL" exec --schedule "$S" -- "$D/$p.inst" 2>&1); rc1=$?
    check "$p: a pos schedule replays to the assert (exit 1)" sh -c '[ -n "$3" ] && [ "$1" -eq 1 ] && printf "%s\n" "$2" | grep -q "Assertion"' _ "$rc1" "$r1" "$S"
    out=$(timeout 120 "$FL" exec --seeds 20 --strategy random -- "$D/$p.inst" 2>&1)
    S=$(printf '%s\n' "$out" | sed -n 's/^  replay:    .* exec --schedule \(fl1:[^ ]*\) -- .*/\1/p' | head -n 1)
    r1=$(timeout 60 "$FL" exec --schedule "$S" -- "$D/$p.inst" 2>&1); rc1=$?
    r2=$(timeout 60 "$FL" exec --schedule "$S" -- "$D/$p.inst" 2>&1)
    check "$p: replay fails with the assert (exit 1)" sh -c '[ -n "$3" ] && [ "$1" -eq 1 ] && printf "%s\n" "$2" | grep -q "Assertion"' _ "$rc1" "$r1" "$S"
    check "$p: two replays byte-identical" [ "$r1" = "$r2" ]
    fr=$(runs random 100 "$D/${p}_fixed.inst"); fp=$(runs pct 100 "$D/${p}_fixed.inst"); fs=$(runs pos 100 "$D/${p}_fixed.inst")
    check "${p}_fixed: 100 random + 100 pct + 100 pos instrumented runs pass" [ "$fr" = 0 ] && [ "$fp" = 0 ] && [ "$fs" = 0 ]
    "$D/$p.inst" >/dev/null 2>&1 && "$D/${p}_fixed.inst" >/dev/null 2>&1
    check "$p: the instrumented builds run natively" [ $? -eq 0 ]
done

# the knob: at rate 0 random never switches at a memory access, at 1 always
z=$(timeout 120 "$FL" exec --seeds 100 --keep-going --preempt-rate 0 -- "$D/wrong_lock.inst" 2>&1 | sed -n 's/^faultline exec: \([0-9]*\) of.*/\1/p')
o=$(timeout 120 "$FL" exec --seeds 20 --keep-going --preempt-rate 1 -- "$D/wrong_lock.inst" 2>&1 | sed -n 's/^faultline exec: \([0-9]*\) of.*/\1/p')
check "--preempt-rate 0: wrong_lock not found in 100 runs; rate 1: found ($z, $o)" sh -c '[ "$1" = 0 ] && [ "${2:-0}" -gt 0 ]' _ "$z" "$o"

# bad input
out=$("$FL" exec --preempt-rate 1.5 -- "$D/reorder.inst" 2>&1); rc=$?
check "--preempt-rate 1.5: exit 2 with a message" sh -c '[ "$1" -eq 2 ] && printf "%s\n" "$2" | grep -q "expected a probability"' _ "$rc" "$out"
out=$("$FL" cc 2>&1); rc=$?
check "faultline cc with no arguments: exit 2 with usage" sh -c '[ "$1" -eq 2 ] && printf "%s\n" "$2" | grep -q "usage: faultline cc"' _ "$rc" "$out"
FAULTLINE_CC=/nonexistent/clang "$FL" cc -c examples/race/reorder.c -o build/race/x.o >/dev/null 2>&1
check "faultline cc with a missing compiler: exit 2" [ $? -eq 2 ]
"$FL" cc -O1 -c examples/race/reorder.c -o build/race/reorder.o 2>/dev/null && nm build/race/reorder.o | grep -q __tsan_atomic32_store
check "faultline cc -c: an instrumented object (atomics included)" [ $? -eq 0 ]

# bench smoke (the sanitizer builds compile exec out)
timeout 120 build/bench/inst --quick >build/bench-inst.quick.log 2>&1
check "bench/inst --quick (plain build)" [ $? -eq 0 ]
