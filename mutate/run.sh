#!/bin/sh
# mutate/run.sh [PATCH...] — `make mutate`: mutation testing of libsv.
#
# Every mutate/patches/*.patch (or the ones named) plants one bug in libsv.
# Each is applied, one at a time, to a scratch copy of this tree
# (build/mutate/tree, its own throw-away git repository: the working tree
# is never touched), which is rebuilt; then the scenario suite runs
# (`faultline run scenarios`, known-bad included, as `make run` does) and,
# only if no scenario failed, the plain unit tests. A mutant is "caught" by
# the first failing scenarios, else by the failing unit test binaries.
# Per-mutant results: build/mutate/results.tsv; summary on stdout and in
# build/mutate/summary.md. Exit 0 when the suite caught >= 90% and suite +
# unit tests caught every mutant, else 1.
#
# Limits: a suite run longer than MUTATE_SUITE_TIMEOUT (default 300 s) is
# recorded as "hang" (caught, but a failure of the fail-fast promise).
set -u
top=$(pwd)
scratch=$top/build/mutate
tree=$scratch/tree
suite_timeout=${MUTATE_SUITE_TIMEOUT:-300}
jobs=-j${MUTATE_JOBS:-2}
if [ $# -gt 0 ]; then patches="$*"; else patches=$(ls mutate/patches/*.patch); fi

# A scratch copy of the tracked and untracked (not ignored) files.
rm -rf "$tree"
mkdir -p "$tree"
git ls-files -z --cached --others --exclude-standard | xargs -0 sh -c 'for f; do [ -f "$f" ] && printf "%s\0" "$f"; done' sh |
    tar --null -T - -cf - | tar -xf - -C "$tree"
( cd "$tree" && git init -q && git add -A && git -c user.name=mutate -c user.email=mutate@localhost commit -qm base ) || exit 2
results=$scratch/results.tsv
: >"$results"
total=0 suite=0 tests=0 missed=0 hangs=0
for p in $patches; do
    name=$(basename "$p" .patch)
    desc=$(sed -n '1s/^# //p' "$p")
    total=$((total + 1))
    ( cd "$tree" && git checkout -q -- . && git clean -qfd -e build ) || exit 2
    if ! ( cd "$tree" && git apply "$top/$p" ); then
        printf '%s\tnot-applied\t-\t%s\n' "$name" "$desc" >>"$results"
        echo "  $name: does not apply"; missed=$((missed + 1)); continue
    fi
    if ! make -C "$tree" --no-print-directory $jobs all >"$scratch/make.log" 2>&1; then
        printf '%s\tbuild\tbuild failed\t%s\n' "$name" "$desc" >>"$results"
        echo "  $name: build failed (counted as caught by the compiler)"; suite=$((suite + 1)); continue
    fi
    rm -f "$scratch/suite.json"
    t0=$(date +%s)
    ( cd "$tree" && timeout "$suite_timeout" build/faultline run scenarios --json "$scratch/suite.json" >/dev/null 2>&1 )
    rc=$? t1=$(date +%s)
    if [ "$rc" -eq 124 ]; then
        printf '%s\thang\tsuite ran over %ss\t%s\n' "$name" "$suite_timeout" "$desc" >>"$results"
        echo "  $name: HANG (suite over ${suite_timeout}s)"; suite=$((suite + 1)); hangs=$((hangs + 1)); continue
    fi
    caught=$(python3 - "$scratch/suite.json" <<'PY'
import json, sys
try: d = json.load(open(sys.argv[1]))
except Exception: print(""); sys.exit()
bad = [c for c in d["cases"] if not c["passed"]]
print(" ".join("%s[%s]" % (c["path"], c.get("invariant") or "?") for c in bad))
PY
)
    if [ -n "$caught" ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; }; then
        [ -n "$caught" ] || caught="faultline exit $rc"
        n=$(echo "$caught" | wc -w)
        first=$(echo "$caught" | cut -d' ' -f1)
        printf '%s\tsuite\t%s (%d scenarios, %ss)\t%s\n' "$name" "$first" "$n" "$((t1 - t0))" "$desc" >>"$results"
        echo "  $name: suite ($n failing, first $first, $((t1 - t0))s)"; suite=$((suite + 1)); continue
    fi
    # the suite missed it: the unit tests
    make -C "$tree" --no-print-directory $jobs unit >"$scratch/make-unit.log" 2>&1
    failing=""
    for t in "$tree"/build/tests/test_*; do
        [ -x "$t" ] || continue
        ( cd "$tree" && timeout 300 "$t" >/dev/null 2>&1 ) || failing="$failing $(basename "$t")"
    done
    if [ -n "$failing" ]; then
        printf '%s\ttests\t%s\t%s\n' "$name" "${failing# }" "$desc" >>"$results"
        echo "  $name: unit tests:$failing"; tests=$((tests + 1))
    else
        printf '%s\tmissed\t-\t%s\n' "$name" "$desc" >>"$results"
        echo "  $name: MISSED"; missed=$((missed + 1))
    fi
done
pct() { [ "$2" -gt 0 ] && echo $(( ($1 * 1000 / $2 + 5) / 10 )) || echo 0; }
s_pct=$(pct "$suite" "$total"); a_pct=$(pct $((suite + tests)) "$total")
{
    echo "| mutant | caught by | by | what it plants |"
    echo "|---|---|---|---|"
    awk -F'\t' '{printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4}' "$results"
    echo
    echo "mutants: $total; scenario suite: $suite ($s_pct%, $hangs hang); suite + unit tests: $((suite + tests)) ($a_pct%); missed: $missed"
} >"$scratch/summary.md"
echo
echo "mutants: $total; scenario suite caught $suite ($s_pct%); suite + unit tests $((suite + tests)) ($a_pct%); missed $missed; hangs $hangs"
[ "$missed" -eq 0 ] && [ $((suite * 10)) -ge $((total * 9)) ]
