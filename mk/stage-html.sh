#!/bin/sh
# stage: HTML report rendered in headless Chromium
# A report with real failures (the known-bad scenarios with their "expect
# fail" line removed, so they fail) is opened in headless Chromium: the DOM
# the browser built is checked (rows <-> cards, event links, marked events,
# legend; reports/consumers/html_dom.py) and a screenshot of the top of the
# page (table and first failure card) is left in build/htmlcheck/.
set -u
tally=${TALLY:-build/tally}
d=build/htmlcheck
if [ ! -x build/faultline ] || [ ! -d scenarios/known-bad ]; then echo "  (runner or scenarios not present)"; exit 0; fi
command -v chromium >/dev/null 2>&1 || {
    echo "fail html: chromium missing" >>"$tally"; echo "  FAIL chromium missing. Run: sudo sh mk/deps.sh test"; exit 0; }
rm -rf "$d"; mkdir -p "$d"
for f in restart_without_join crash_not_logged double_restart; do
    grep -v '^expect fail' "scenarios/known-bad/$f.scn" >"$d/$f.scn"
done
build/faultline run "$d"/*.scn scenarios/strategies --html "$d/report.html" >"$d/run.log" 2>&1
[ -s "$d/report.html" ] || { echo "fail html: no report written" >>"$tally"; echo "  FAIL no report"; tail -n 5 "$d/run.log"; exit 0; }
chrome() { # URL, then extra flags; a fresh profile each time, nothing fetched
    url=$1; shift
    prof=$(mktemp -d)
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$prof" "$@" "$url"
    rc=$?
    rm -rf "$prof"
    return $rc
}
url="file://$(pwd)/$d/report.html"
if chrome "$url" --dump-dom >"$d/dom.html" 2>"$d/chromium.log" && [ -s "$d/dom.html" ] &&
    out=$(python3 reports/consumers/html_dom.py "$d/dom.html" 2>&1); then
    echo "pass 1" >>"$tally"; echo "  ok   $out"
else
    echo "fail html: Chromium DOM check" >>"$tally"; echo "  FAIL Chromium DOM check: ${out:-no DOM (see $d/chromium.log)}"
fi
if chrome "$url" --window-size=1280,2000 --screenshot="$d/failure-card.png" >>"$d/chromium.log" 2>&1 &&
    [ "$(head -c 8 "$d/failure-card.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
    echo "pass 1" >>"$tally"; echo "  ok   screenshot $d/failure-card.png"
else
    echo "fail html: screenshot" >>"$tally"; echo "  FAIL screenshot (see $d/chromium.log)"
fi
