#!/bin/sh
# stage: `make run` end to end, reports validated with real parsers
set -u
tally=${TALLY:-build/tally}
if [ ! -x build/faultline ] || [ ! -f reports/validate.sh ] || [ -z "$(find scenarios -name '*.scn' 2>/dev/null | head -n 1)" ]; then
    echo "  (runner or validator not present yet)"; exit 0
fi
rm -rf out/run; mkdir -p out
if ! sh mk/run.sh >build/run.log 2>&1; then
    # exit 1 = a scenario failed; the suite stage reports which. Reports must still be written.
    :
fi
for f in out/junit.xml out/results.tap out/results.json out/report.html; do
    if [ -s "$f" ]; then echo "pass 1" >>"$tally"; else echo "fail make-run: $f missing" >>"$tally"; echo "  FAIL $f missing"; fi
done
if sh reports/validate.sh out >build/validate.log 2>&1; then
    echo "pass 1" >>"$tally"; sed 's/^/  /' build/validate.log | tail -n 12
else
    echo "fail report validation" >>"$tally"; sed 's/^/      /' build/validate.log | tail -n 30
fi
