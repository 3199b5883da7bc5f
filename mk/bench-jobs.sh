#!/bin/sh
# Bench row: the scenario suite's speed-up of `faultline run -j 2` over
# `-j 1` (same binary, same suite, interleaved ABAB, median of 3 rounds),
# printed as one ROW line (protocol: bench/bench.h). Target >= 1.7 on 2+
# CPUs. --quick: one round of a few scenarios, sanity only (no target).
set -u
build=${BENCH_BUILD:-${BUILD:-build}}
fl=$build/faultline
rounds=3 paths=scenarios target=">=" goal=1.7
[ "${1:-}" = "--quick" ] && { rounds=1; paths=scenarios/races; }
[ -x "$fl" ] || { echo "bench-jobs: $fl missing" >&2; exit 1; }
t() { # seconds (float) of one run
    s=$(date +%s.%N); "$fl" run $paths -j "$1" --timeout 120s >/dev/null 2>&1; e=$(date +%s.%N)
    echo "$e - $s" | bc -l
}
j1="" j2=""
for r in $(seq "$rounds"); do
    a=$(t 1); b=$(t 2)
    echo "round $r: -j 1 $a s, -j 2 $b s" >&2
    j1="$j1 $a" j2="$j2 $b"
done
med() { echo "$@" | tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
m1=$(med $j1) m2=$(med $j2)
ratio=$(echo "$m1 / $m2" | bc -l)
ncpu=$(nproc 2>/dev/null || echo 1)
met=$(echo "$ratio >= $goal" | bc -l)
[ "$met" = 1 ] && met=yes || met=no
[ "$ncpu" -lt 2 ] && met=- target=info
[ "$rounds" = 1 ] && met=- target=info
printf 'ROW\tjobs.speedup\tsuite wall time, -j 2 vs -j 1 (median of %d)\t%.3f\t%.2f s (-j 2)\t%.3f\t%.2f s (-j 1)\t%.3f\t%.2fx\t%s\t%s\t>= %sx on 2 CPUs\t%s\n' \
    "$rounds" "$m2" "$m2" "$m1" "$m1" "$ratio" "$ratio" "$target" "$goal" "$goal" "$met"
