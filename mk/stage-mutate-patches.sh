#!/bin/sh
# stage: mutation patches still apply (git apply --check; `make mutate` runs them)
# Every planted libsv bug in mutate/patches/ must apply cleanly to the
# current libsv, or the mutation set has rotted. One pass per patch.
set -u
tally=${TALLY:-build/tally}
n=0 bad=0
for p in mutate/patches/*.patch; do
    [ -f "$p" ] || continue
    n=$((n + 1))
    if ! head -n 1 "$p" | grep -q '^# .'; then
        echo "fail mutate patch $p (no one-line description header)" >>"$tally"; bad=$((bad + 1))
        echo "  FAIL $p: the first line must be \"# what the bug is\""; continue
    fi
    if git apply --check "$p" 2>build/mutate-check.log; then
        echo "pass 1" >>"$tally"
    else
        echo "fail mutate patch $p (does not apply)" >>"$tally"; bad=$((bad + 1))
        echo "  FAIL $p does not apply:"; sed 's/^/      /' build/mutate-check.log | head -n 5
    fi
done
echo "  $((n - bad)) of $n mutation patches apply cleanly"
