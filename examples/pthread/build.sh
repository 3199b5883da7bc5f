#!/bin/sh
# Builds every program of examples/pthread into OUTDIR: NAME from NAME.c,
# and NAME_fixed from the same source with -DFIXED when it has a twin.
#   sh examples/pthread/build.sh OUTDIR [CC]
# Extra flags (e.g. -fsanitize=thread) may be passed in CFLAGS_EXTRA.
set -eu
[ $# -ge 1 ] || { echo "usage: sh $0 OUTDIR [CC]" >&2; exit 2; }
out=$1
cc=${2:-${CC:-cc}}
src=$(cd "$(dirname "$0")" && pwd)
flags="-std=c11 -D_GNU_SOURCE -g -O1 -pthread -Wall -Wextra -Werror ${CFLAGS_EXTRA:-}"
mkdir -p "$out"
for c in "$src"/*.c; do
    name=$(basename "$c" .c)
    # shellcheck disable=SC2086
    $cc $flags -o "$out/$name" "$c"
    if grep -q '^#if.*FIXED' "$c"; then
        # shellcheck disable=SC2086
        $cc $flags -DFIXED -o "$out/${name}_fixed" "$c"
    fi
done
