#!/bin/sh
# `make test`: every stage below adds to one tally; the closing line is
# "N passed, N failed" and the exit status is non-zero on any failure.
set -u
MAKE=${MAKE:-make}
export TALLY=build/tally
mkdir -p build out
: >"$TALLY"
jobs="-j$(nproc 2>/dev/null || echo 2)"

# Each stage's heading, and when the next begins, the time the last one took
# (wall clock, for the log reader only: nothing is judged on it).
t_stage=
stage_done() { [ -n "$t_stage" ] && printf '  (%d s)\n' "$(( $(date +%s) - t_stage ))"; t_stage=$(date +%s); }
stage() { stage_done; printf '\n== %s\n' "$*"; }
build_or_fail() { # label, make args...
    label=$1; shift
    if ! $MAKE --no-print-directory $jobs "$@" >"build/make-$label.log" 2>&1; then
        echo "fail build-$label" >>"$TALLY"
        echo "  FAIL build ($label):"; tail -n 30 "build/make-$label.log" | sed 's/^/      /'
        return 1
    fi
}

stage "test dependencies (report consumers, Chromium)"
if sh mk/deps.sh test; then echo "  ok"; else echo "fail test dependencies (mk/deps.sh test)" >>"$TALLY"; fi

stage "unit tests (plain)"
build_or_fail plain unit && sh mk/unit.sh build plain
stage "unit tests (ASan+UBSan)"
build_or_fail asan asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 sh mk/unit.sh build/asan asan
stage "unit tests (TSan)"
# Suppressions, each with its reason, live in mk/tsan.supp.
build_or_fail tsan tsan && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(pwd)/mk/tsan.supp" sh mk/unit.sh build/tsan tsan

for s in mk/stage-*.sh; do
    [ -f "$s" ] || continue
    stage "$(sed -n 's/^# stage: //p' "$s")"
    sh "$s"
done

stage_done
passed=$(awk '$1=="pass"{s+=$2} END{print s+0}' "$TALLY")
failed=$(grep -c '^fail' "$TALLY")
if [ "$failed" -gt 0 ]; then
    printf '\nfailures:\n'; sed -n 's/^fail /  /p' "$TALLY"
fi
printf '\n%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
