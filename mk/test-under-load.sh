#!/bin/sh
# `make test-under-load`: `make test` three times in a row while two
# CPU-bound busy loops compete for the CPUs (what a shared CI runner or a
# busy laptop looks like). Fails when any of the three runs failed. The busy
# loops are ended on every exit path. Logs: build/test-under-load.N.log.
set -u
MAKE=${MAKE:-make}
mkdir -p build
busy() { while :; do :; done; }
busy & b1=$!
busy & b2=$!
trap 'kill "$b1" "$b2" 2>/dev/null' EXIT INT TERM
status=0
for i in 1 2 3; do
    echo "== make test under load, run $i of 3 (busy loops: $b1 $b2)"
    t0=$(date +%s)
    if $MAKE --no-print-directory test >"build/test-under-load.$i.log" 2>&1; then
        echo "   $(tail -n 1 "build/test-under-load.$i.log") ($(( $(date +%s) - t0 )) s)"
    else
        status=1
        echo "   FAILED: $(tail -n 1 "build/test-under-load.$i.log") ($(( $(date +%s) - t0 )) s)"
        sed -n '/^failures:/,$p' "build/test-under-load.$i.log" | sed 's/^/   /'
    fi
done
[ "$status" -eq 0 ] && echo "test-under-load: 3 of 3 runs passed" || echo "test-under-load: a run failed"
exit "$status"
