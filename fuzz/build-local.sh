#!/bin/sh
# fuzz/build-local.sh fuzz|fuzz-merge|build — libFuzzer on this machine (clang).
#
#   make fuzz         build every fuzz/fuzz_*.c with libFuzzer + ASan + UBSan
#                     into build/fuzz-clang/, then run each for FUZZ_TIME
#                     seconds (default 60) on fuzz/corpus/<target>/ and print
#                     runs, execs/s and coverage per target.
#   make fuzz-merge   minimise each fuzz/corpus/<target>/ with -merge=1 into a
#                     fresh directory and replace the corpus with it (files
#                     named regress-* are kept as they are).
#
# Environment:
#   FUZZ_TIME=60        seconds per target (fuzz)
#   FUZZ_TARGETS="..."  only these targets (names like fuzz_core), default all
#   FUZZ_GROW=1         fuzz: write new inputs into the repo corpus itself
#                       (default: into build/fuzz-clang/new/<target>/)
#   FUZZ_MERGE_NEW=1    fuzz-merge: also fold in build/fuzz-clang/new/<target>/
#   FUZZ_ARGS="..."     extra libFuzzer flags for every run
#   CLANG=clang         the compiler
# Crashes, leaks and timeouts land in build/fuzz-clang/artifacts/<target>/;
# reproduce one with build/fuzz-clang/<target> FILE (see docs/fuzzing.md).
# Exit status: 0 when every target built and ran without a finding.
set -u
mode=${1:-fuzz}
cd "$(dirname "$0")/.." || exit 2
CLANG=${CLANG:-clang}
out=build/fuzz-clang
FUZZ_TIME=${FUZZ_TIME:-60}
FUZZ_ARGS=${FUZZ_ARGS:-}

if ! command -v "$CLANG" >/dev/null 2>&1; then
    echo "fuzz: $CLANG not found; libFuzzer needs clang (apt-get install clang)." >&2
    echo "fuzz: without clang, 'make test' still replays every corpus with gcc." >&2
    exit 2
fi

san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
cflags="-std=c11 -g -O1 -D_GNU_SOURCE $san"
mkdir -p "$out/obj" "$out/new" "$out/artifacts" "$out/merge"

# ---- build: the libraries once (instrumented, not linked with the engine),
# ---- then every target against them.
build() {
    rm -f "$out/libdeps.a"
    objs=""
    for src in supervisor/*.c harness/*/*.c reports/*.c; do
        [ -f "$src" ] || continue
        [ "$src" = harness/main.c ] && continue
        o="$out/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')"
        # libsv sees only its own headers
        inc="-Isupervisor -Iharness -Ireports"
        case "$src" in supervisor/*) inc="-Isupervisor" ;; esac
        if ! $CLANG $cflags $inc -fsanitize=fuzzer-no-link -c "$src" -o "$o"; then
            echo "fuzz: build of $src failed" >&2
            return 1
        fi
        objs="$objs $o"
    done
    if [ -n "$objs" ]; then ar rcs "$out/libdeps.a" $objs || return 1; fi
    for src in fuzz/fuzz_*.c; do
        [ -f "$src" ] || continue
        t=$(basename "$src" .c)
        selected "$t" || continue
        if ! $CLANG $cflags -Isupervisor -Iharness -Ireports -fsanitize=fuzzer "$src" $( [ -f "$out/libdeps.a" ] && echo "$out/libdeps.a") \
                -ldw -lelf -lpthread -lm -ldl -o "$out/$t"; then
            echo "fuzz: build of $t failed" >&2
            return 1
        fi
    done
    echo "fuzz: built $(ls fuzz/fuzz_*.c 2>/dev/null | wc -l) target(s) into $out/"
}

selected() { # target name
    [ -z "${FUZZ_TARGETS:-}" ] && return 0
    for x in $FUZZ_TARGETS; do [ "$x" = "$1" ] && return 0; done
    return 1
}

targets() {
    for src in fuzz/fuzz_*.c; do
        [ -f "$src" ] || continue
        t=$(basename "$src" .c)
        selected "$t" && echo "$t"
    done
}

dict_arg() { [ -f "fuzz/$1.dict" ] && echo "-dict=fuzz/$1.dict"; }

# "runs execs/s cov ft corpus" from a libFuzzer log.
stats() {
    # clang 14 says number_of_executed_units, newer ones ..._runs
    runs=$(sed -n 's/^stat::number_of_executed_\(runs\|units\): *//p' "$1" | tail -n 1)
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$1" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$1" | tail -n 1 | sed 's/cov: //')
    ft=$(grep -o 'ft: [0-9]*' "$1" | tail -n 1 | sed 's/ft: //')
    corp=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$1" | tail -n 1 | sed 's/corp: //')
    echo "${runs:-?} ${eps:-?} ${cov:-?} ${ft:-?} ${corp:-?}"
}

run_fuzz() {
    status=0
    printf '%-16s %-8s %10s %8s %6s %6s %-12s\n' target result runs execs/s cov ft corpus
    for t in $(targets); do
        corpus=fuzz/corpus/$t
        mkdir -p "$corpus" "$out/artifacts/$t"
        if [ "${FUZZ_GROW:-0}" = 1 ]; then
            dirs="$corpus"
        else
            mkdir -p "$out/new/$t"
            dirs="$out/new/$t $corpus"
        fi
        log=$out/$t.log
        # shellcheck disable=SC2046,SC2086
        "$out/$t" -max_total_time="$FUZZ_TIME" -print_final_stats=1 -timeout=10 \
            -rss_limit_mb=2048 -artifact_prefix="$out/artifacts/$t/" $(dict_arg "$t") \
            $FUZZ_ARGS $dirs >"$log" 2>&1
        rc=$?
        res=ok
        if [ "$rc" -ne 0 ]; then res=FINDING; status=1; fi
        set -- $(stats "$log")
        printf '%-16s %-8s %10s %8s %6s %6s %-12s\n' "$t" "$res" "$1" "$2" "$3" "$4" "$5"
        if [ "$rc" -ne 0 ]; then
            grep -m 3 -E 'ERROR|SUMMARY|fuzz_[a-z]*:|Test unit written' "$log" | sed 's/^/    /'
            echo "    full log: $log; artifacts: $out/artifacts/$t/"
        fi
    done
    return $status
}

run_merge() {
    status=0
    for t in $(targets); do
        corpus=fuzz/corpus/$t
        [ -d "$corpus" ] || { echo "fuzz-merge: $t: no corpus"; continue; }
        fresh=$out/merge/$t
        rm -rf "$fresh"; mkdir -p "$fresh"
        extra=""
        [ "${FUZZ_MERGE_NEW:-0}" = 1 ] && [ -d "$out/new/$t" ] && extra="$out/new/$t"
        before=$(find "$corpus" -type f | wc -l)
        # shellcheck disable=SC2046,SC2086
        if "$out/$t" -merge=1 -timeout=10 -rss_limit_mb=2048 $(dict_arg "$t") $FUZZ_ARGS \
                "$fresh" "$corpus" $extra >"$out/$t.merge.log" 2>&1 \
                && [ -n "$(ls -A "$fresh")" ]; then
            # regression inputs of fixed findings keep their names
            for r in "$corpus"/regress-*; do [ -f "$r" ] && cp "$r" "$fresh"/; done
            find "$corpus" -type f -delete
            cp "$fresh"/* "$corpus"/
            after=$(find "$corpus" -type f | wc -l)
            echo "fuzz-merge: $t: $before -> $after inputs"
        else
            status=1
            echo "fuzz-merge: $t: merge failed, corpus left as it was (log $out/$t.merge.log)"
        fi
    done
    return $status
}

case "$mode" in
build) build ;;
fuzz) build && run_fuzz ;;
fuzz-merge) build && run_merge ;;
*) echo "usage: $0 fuzz|fuzz-merge|build" >&2; exit 2 ;;
esac
