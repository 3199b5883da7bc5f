#!/bin/sh
# Runs a program N times natively (no harness), each under `timeout 2`,
# and prints how often each exit status came: rc0 passed, rc134 SIGABRT
# (a failed assert), rc124 killed by the timeout (a hang: a deadlock).
#   sh examples/pthread/stress.sh PROG [N]      (N defaults to 2000)
set -u
[ $# -ge 1 ] || { echo "usage: sh $0 PROG [N]" >&2; exit 2; }
prog=$1
n=${2:-2000}
tally=$(i=0; while [ "$i" -lt "$n" ]; do
    timeout 2 "$prog" >/dev/null 2>&1
    echo $?
    i=$((i + 1))
done | sort -n | uniq -c | awk '{ printf "rc%s=%s ", $2, $1 }')
echo "$(basename "$prog"): $tally"
