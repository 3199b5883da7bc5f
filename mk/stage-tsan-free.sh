#!/bin/sh
# stage: free-running scenarios under TSan (true concurrency, real races)
# The controlled scheduler serialises threads, which hides data races between
# non-seam memory accesses; here the same scenarios run with real concurrency
# (--strategy free: seeded random delays at scheduling points) in the TSan
# build, so ThreadSanitizer sees libsv and the harness race for real. TSan
# exits 66 on a report; any non-zero exit fails the stage.
set -u
tally=${TALLY:-build/tally}
fl=build/tsan/faultline
[ -x "$fl" ] || { echo "fail tsan-free-build" >>"$tally"; echo "  FAIL $fl missing"; exit 0; }
dirs="scenarios/strategies scenarios/races scenarios/unstopped scenarios/nesting"
n=$(find $dirs -name '*.scn' | wc -l)
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(pwd)/mk/tsan.supp" \
    "$fl" run $dirs --strategy free --seeds 2 >build/tsan-free.log 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then
    echo "pass $n" >>"$tally"; echo "  ok   $n scenarios, free-running under TSan: $(tail -n 1 build/tsan-free.log)"
else
    echo "fail tsan-free (exit $rc)" >>"$tally"; echo "  FAIL free-running under TSan (exit $rc)"; tail -n 30 build/tsan-free.log | sed 's/^/      /'
fi
