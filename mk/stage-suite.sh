#!/bin/sh
# stage: scenario suite and known-bad set (under ASan+UBSan)
# Each scenario file is one test: it passes when all its seeds pass, or, for
# scenarios/known-bad/, when it fails for the invariant it names.
set -u
tally=${TALLY:-build/tally}
fl=build/asan/faultline
if [ -z "$(find scenarios -name '*.scn' 2>/dev/null | head -n 1)" ]; then
    echo "  (no scenarios yet)"; exit 0
fi
if [ ! -x "$fl" ]; then echo "fail suite-build" >>"$tally"; echo "  FAIL: $fl missing"; exit 0; fi
mkdir -p out/asan
ASAN_OPTIONS=detect_leaks=1 "$fl" run scenarios --json out/asan/results.json >build/suite.log 2>&1
rc=$?
if [ "$rc" -gt 1 ] || [ ! -s out/asan/results.json ]; then
    echo "fail suite (exit $rc)" >>"$tally"; tail -n 30 build/suite.log | sed 's/^/      /'; exit 0
fi
python3 - "$tally" out/asan/results.json <<'PY'
import json, sys
tally, path = sys.argv[1], sys.argv[2]
d = json.load(open(path))
ok = [c for c in d["cases"] if c["passed"]]
bad = [c for c in d["cases"] if not c["passed"]]
with open(tally, "a") as t:
    t.write("pass %d\n" % len(ok))
    for c in bad:
        t.write("fail scenario %s (%s)\n" % (c["path"], c.get("invariant")))
kb = sum(1 for c in d["cases"] if c.get("expect_fail"))
print("  %d scenarios passed (%d known-bad failed as planted), %d failed" % (len(ok), kb, len(bad)))
for c in bad:
    print("  FAIL %s: %s\n       %s" % (c["path"], c.get("invariant"), c.get("replay")))
PY
