#!/bin/sh
# stage: benchmark smoke (--quick, ASan+UBSan)
# Not a timed test: each bench program's --quick run only checks that its
# output is sane (finite, positive, the work happened); targets are judged by
# `make bench` alone.
set -u
tally=${TALLY:-build/tally}
for b in build/asan/bench/*; do
    [ -x "$b" ] || continue
    n=$(basename "$b")
    if timeout 120 "$b" --quick >"build/bench-$n.quick.log" 2>&1; then
        echo "pass 1" >>"$tally"; printf '  ok   bench/%s --quick\n' "$n"
    else
        echo "fail bench/$n --quick" >>"$tally"; printf '  FAIL bench/%s --quick\n' "$n"; tail -n 15 "build/bench-$n.quick.log" | sed 's/^/      /'
    fi
done
