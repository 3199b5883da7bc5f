#!/bin/sh
# stage: harness layout (one folder per module, includes match docs/architecture.md)
set -u
tally=${TALLY:-build/tally}
if python3 mk/check-layout.py . >build/layout.log 2>&1; then
    echo "pass 1" >>"$tally"; printf '  ok   %s\n' "$(tail -n 1 build/layout.log)"
else
    echo "fail harness layout" >>"$tally"; echo "  FAIL harness layout:"; sed 's/^/      /' build/layout.log | tail -n 30
fi
