#!/bin/sh
# stage: fuzz corpus replay (gcc, ASan+UBSan)
# Every file of fuzz/corpus/<target>/ replayed through build/asan/fuzz/<target>.
set -u
tally=${TALLY:-build/tally}
found=0
for bin in build/asan/fuzz/fuzz_*; do
    [ -x "$bin" ] || continue
    found=1
    t=$(basename "$bin")
    dir=fuzz/corpus/$t
    [ -d "$dir" ] || { echo "fail $t: no corpus" >>"$tally"; echo "  FAIL $t: no corpus in $dir"; continue; }
    n=$(find "$dir" -type f | wc -l)
    if ASAN_OPTIONS=detect_leaks=1 timeout 600 "$bin" "$dir" >"build/$t.replay.log" 2>&1; then
        echo "pass 1" >>"$tally"; printf '  ok   %-22s %d inputs\n' "$t" "$n"
    else
        echo "fail $t corpus replay" >>"$tally"; printf '  FAIL %-22s\n' "$t"; tail -n 20 "build/$t.replay.log" | sed 's/^/      /'
    fi
done
[ "$found" = 1 ] || echo "  (no fuzz targets yet)"
