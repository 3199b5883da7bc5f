#!/bin/sh
# Builds every program of examples/race twice into OUTDIR: NAME (plain cc)
# and NAME.inst (`faultline cc`, memory accesses as scheduling points), and
# the fixed twins NAME_fixed, NAME_fixed.inst from the same source with
# -DFIXED.
#   sh examples/race/build.sh OUTDIR [FAULTLINE] [CC]
set -eu
[ $# -ge 1 ] || { echo "usage: sh $0 OUTDIR [FAULTLINE] [CC]" >&2; exit 2; }
out=$1
fl=${2:-build/faultline}
cc=${3:-${CC:-cc}}
src=$(cd "$(dirname "$0")" && pwd)
flags="-std=c11 -D_GNU_SOURCE -g -O1 -pthread -Wall -Wextra -Werror"
mkdir -p "$out"
for c in "$src"/*.c; do
    name=$(basename "$c" .c)
    for v in "" _fixed; do
        d=""; [ -z "$v" ] || d=-DFIXED
        # shellcheck disable=SC2086
        $cc $flags $d -o "$out/$name$v" "$c"
        # shellcheck disable=SC2086
        "$fl" cc $flags $d -o "$out/$name$v.inst" "$c"
    done
done
