#!/bin/sh
# `make bench`: run every bench program (build/bench/*), collect the ROW lines
# each prints (protocol in bench/bench.h), print ONE table
#   figure | ours | floor or peer | ratio | target | met?
# and write out/bench.json atomically (temp file + rename).
# Each program's stderr (per-round figures) goes to out/bench/NAME.log.
# Exit 0 when every program ran and produced sane figures — a missed target
# is reported, not an error; 1 when a program failed or timed out.
# BENCH_ONLY="queue sched" runs a subset; BENCH_BUILD (or BUILD) picks the
# build directory (default build).
set -u
build=${BENCH_BUILD:-${BUILD:-build}}
out=out
mkdir -p "$out/bench"
rows="$out/bench/rows.tsv"
: >"$rows"

# Known programs first, in this order, with a time cap each (seconds; the
# sum stays well inside make bench's five minutes). Others found later.
order="restart queue sched bugfind"
cap() {
    case $1 in
    restart) echo 60 ;; queue) echo 40 ;; sched) echo 60 ;; bugfind) echo 110 ;;
    inst) echo 150 ;; search) echo 200 ;; reduce) echo 240 ;; interpose) echo 120 ;; children) echo 60 ;; *) echo 30 ;;
    esac
}
list=""
for n in $order; do [ -x "$build/bench/$n" ] && list="$list $n"; done
for p in "$build"/bench/*; do
    [ -f "$p" ] && [ -x "$p" ] || continue
    n=$(basename "$p")
    case " $order " in *" $n "*) ;; *) list="$list $n" ;; esac
done
[ -n "${BENCH_ONLY:-}" ] && list=$BENCH_ONLY
if [ -z "$list" ]; then
    echo "make bench: no bench programs in $build/bench" >&2
    exit 1
fi

cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n 1)
ncpu=$(nproc 2>/dev/null || echo "?")
kernel=$(uname -sr)
load0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
t0=$(date +%s)

echo "bench: ${cpu:-unknown CPU}, $ncpu CPUs, $kernel, load $load0"
status=0
for n in $list; do
    p="$build/bench/$n"
    log="$out/bench/$n.log"
    if [ ! -x "$p" ]; then
        printf 'ROW\t%s.missing\t%s: program not built\tnan\t-\tnan\t-\tnan\tn/a\tinfo\t0\t-\tno\n' \
            "$n" "$n" >>"$rows"
        status=1
        continue
    fi
    s=$(date +%s)
    printf '  %-10s ' "$n"
    timeout "$(cap "$n")" "$p" >"$out/bench/$n.rows" 2>"$log"
    rc=$?
    grep '^ROW	' "$out/bench/$n.rows" >>"$rows"
    if [ "$rc" -ne 0 ]; then
        why="exit $rc"
        [ "$rc" -eq 124 ] && why="timed out after $(cap "$n") s"
        printf 'ROW\t%s.failed\t%s: %s (see %s)\tnan\t-\tnan\t-\tnan\tn/a\tinfo\t0\t-\tno\n' \
            "$n" "$n" "$why" "$log" >>"$rows"
        status=1
        echo "FAILED ($why; $log)"
    else
        echo "$(($(date +%s) - s)) s"
    fi
done
# the suite's -j speed-up (a shell row, not a bench/ program)
if [ -z "${BENCH_ONLY:-}" ] || case " $BENCH_ONLY " in *" jobs "*) true ;; *) false ;; esac; then
    printf '  %-10s ' jobs
    s=$(date +%s)
    if timeout 300 sh mk/bench-jobs.sh >"$out/bench/jobs.rows" 2>"$out/bench/jobs.log"; then
        grep '^ROW	' "$out/bench/jobs.rows" >>"$rows"; echo "$(($(date +%s) - s)) s"
    else
        status=1; echo "FAILED (see $out/bench/jobs.log)"
    fi
fi
load1=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
secs=$(($(date +%s) - t0))

echo
awk -F'\t' '
function w(i, s) { if (length(s) > W[i]) W[i] = length(s) }
BEGIN { H[1] = "figure"; H[2] = "ours"; H[3] = "floor or peer"; H[4] = "ratio"; H[5] = "target"; H[6] = "met?"
        for (i = 1; i <= 6; i++) W[i] = length(H[i]) }
$1 == "ROW" { n++; C[n,1] = $3; C[n,2] = $5; C[n,3] = $7; C[n,4] = $9; C[n,5] = $12; C[n,6] = $13
              for (i = 1; i <= 6; i++) w(i, C[n,i])
              if ($13 == "yes") met++; if ($13 == "yes" || $13 == "no") judged++ }
function line(a1, a2, a3, a4, a5, a6) {
    printf "%-*s | %*s | %-*s | %*s | %-*s | %s\n", W[1], a1, W[2], a2, W[3], a3, W[4], a4, W[5], a5, a6 }
END {
    line(H[1], H[2], H[3], H[4], H[5], H[6])
    s = ""; for (i = 1; i <= 6; i++) { d = ""; for (j = 0; j < W[i]; j++) d = d "-"; s = s d (i < 6 ? "-+-" : "") }
    print s
    for (r = 1; r <= n; r++) line(C[r,1], C[r,2], C[r,3], C[r,4], C[r,5], C[r,6])
    printf "\n%d of %d targets met\n", met, judged
}' "$rows"

# out/bench.json, written atomically.
tmp="$out/bench.json.tmp.$$"
awk -F'\t' -v cpu="$cpu" -v ncpu="$ncpu" -v kernel="$kernel" -v load0="$load0" -v load1="$load1" \
    -v commit="$commit" -v started="$started" -v secs="$secs" -v status="$status" '
function js(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/\t/, " ", s); return "\"" s "\"" }
function num(s) { return (s ~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/) ? s : "null" }
$1 == "ROW" {
    met = ($13 == "yes") ? "true" : ($13 == "no") ? "false" : "null"
    if ($13 == "yes") nmet++; if ($13 == "yes" || $13 == "no") njudged++
    r = sprintf("    {\"id\": %s, \"figure\": %s, \"ours\": %s, \"ours_text\": %s, \"ref\": %s, \"ref_text\": %s, \"ratio\": %s, \"ratio_text\": %s, \"target_op\": %s, \"target\": %s, \"target_text\": %s, \"met\": %s}",
        js($2), js($3), num($4), js($5), num($6), js($7), num($8), js($9), js($10), num($11), js($12), met)
    rows = rows (rows == "" ? "" : ",\n") r
}
END {
    printf "{\n  \"version\": 1,\n  \"started\": %s,\n  \"commit\": %s,\n  \"duration_s\": %d,\n", js(started), js(commit), secs
    printf "  \"machine\": {\"cpu\": %s, \"nproc\": %s, \"kernel\": %s, \"loadavg_start\": %s, \"loadavg_end\": %s},\n", js(cpu), num(ncpu), js(kernel), js(load0), js(load1)
    printf "  \"all_programs_ran\": %s,\n  \"targets\": %d,\n  \"targets_met\": %d,\n", (status == 0 ? "true" : "false"), njudged, nmet
    printf "  \"rows\": [\n%s\n  ]\n}\n", rows
}' "$rows" >"$tmp" && mv -f "$tmp" "$out/bench.json"
echo "bench: $secs s; table rows in $rows, JSON in $out/bench.json, logs in $out/bench/"
exit "$status"
