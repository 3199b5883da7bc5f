#!/bin/bash -eu
# fuzz/build.sh — OSS-Fuzz / ClusterFuzzLite build script.
#
# Uses the engine's environment: $CC $CFLAGS (sanitizer and coverage flags),
# $LIB_FUZZING_ENGINE (the engine to link: -fsanitize=fuzzer, AFL++'s driver,
# honggfuzz's ...), $OUT (where binaries go). $CXX/$CXXFLAGS, when set, link
# the targets (engines are C++). Builds libsv and the harness itself, then
# writes into $OUT, for every fuzz/fuzz_<x>.c:
#   fuzz_<x>                    the target
#   fuzz_<x>_seed_corpus.zip    fuzz/corpus/fuzz_<x>/ (flat)
#   fuzz_<x>.dict               when fuzz/fuzz_<x>.dict exists
#
# Local try-out with libFuzzer:
#   CC=clang CXX=clang++ CFLAGS="-fsanitize=address,fuzzer-no-link" \
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/out fuzz/build.sh
cd "$(dirname "$0")/.."
: "${CC:=clang}" "${CFLAGS:=}" "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}" "${OUT:?set OUT}"
LINK=${CXX:-$CC}
LINKFLAGS=${CXXFLAGS:-$CFLAGS}
WORKDIR=${WORK:-$(mktemp -d)}/faultline-fuzz
mkdir -p "$OUT" "$WORKDIR/obj"

INC="-D_GNU_SOURCE -Isupervisor -Iharness -Ireports"
objs=()
for src in supervisor/*.c harness/*/*.c reports/*.c; do
    [ -f "$src" ] || continue
    [ "$src" = harness/main.c ] && continue
    o="$WORKDIR/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')"
    inc=$INC
    # libsv sees only its own headers
    case "$src" in supervisor/*) inc="-D_GNU_SOURCE -Isupervisor" ;; esac
    # shellcheck disable=SC2086
    $CC $CFLAGS -std=c11 $inc -c "$src" -o "$o"
    objs+=("$o")
done
rm -f "$WORKDIR/libdeps.a"
if [ "${#objs[@]}" -gt 0 ]; then
    ar rcs "$WORKDIR/libdeps.a" "${objs[@]}"
fi

zip_dir() { # dir zipfile: files of dir, flat
    rm -f "$2"
    if command -v zip >/dev/null 2>&1; then
        if [ -n "$(ls -A "$1" 2>/dev/null)" ]; then zip -q -j "$2" "$1"/*; fi
    else
        python3 - "$1" "$2" <<'PY'
import os, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
    for name in sorted(os.listdir(src)):
        p = os.path.join(src, name)
        if os.path.isfile(p):
            z.write(p, name)
PY
    fi
}

for src in fuzz/fuzz_*.c; do
    [ -f "$src" ] || continue
    t=$(basename "$src" .c)
    # shellcheck disable=SC2086
    $CC $CFLAGS -std=c11 $INC -c "$src" -o "$WORKDIR/$t.o"
    lib=()
    [ -f "$WORKDIR/libdeps.a" ] && lib=("$WORKDIR/libdeps.a")
    # shellcheck disable=SC2086
    $LINK $LINKFLAGS "$WORKDIR/$t.o" "${lib[@]}" $LIB_FUZZING_ENGINE -ldw -lelf -lpthread -lm -ldl -o "$OUT/$t"
    if [ -d "fuzz/corpus/$t" ]; then
        zip_dir "fuzz/corpus/$t" "$OUT/${t}_seed_corpus.zip"
    fi
    if [ -f "fuzz/$t.dict" ]; then
        cp "fuzz/$t.dict" "$OUT/$t.dict"
    fi
    echo "build.sh: $OUT/$t"
done
