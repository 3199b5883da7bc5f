#!/bin/sh
# mk/unit.sh BUILD FLAVOUR — run every cmocka test binary of one build
# flavour. JUnit XML per binary lands in out/unit/FLAVOUR/; counts go to
# $TALLY as "pass N" / "fail NAME" lines. A binary that dies without writing
# its XML counts as one failure.
set -u
build=$1 flavour=$2
tally=${TALLY:-build/tally}
mkdir -p "out/unit/$flavour"
for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    xml="out/unit/$flavour/$name.xml"
    rm -f "$xml"
    CMOCKA_MESSAGE_OUTPUT=xml CMOCKA_XML_FILE="$xml" FL_FLAVOUR="$flavour" \
        timeout 600 "$t" >"build/$name.$flavour.log" 2>&1
    rc=$?
    tests=0 bad=0
    if [ -s "$xml" ]; then
        tests=$(sed -n 's/.*<testsuite [^>]*tests="\([0-9]*\)".*/\1/p' "$xml" | awk '{s+=$1} END {print s+0}')
        bad=$(sed -n 's/.*<testsuite [^>]*failures="\([0-9]*\)" errors="\([0-9]*\)".*/\1 \2/p' "$xml" | awk '{s+=$1+$2} END {print s+0}')
    fi
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; tests=$((tests + 1)); fi
    ok=$((tests - bad))
    echo "pass $ok" >>"$tally"
    if [ "$bad" -gt 0 ]; then
        echo "fail $flavour/$name ($bad)" >>"$tally"
        printf '  FAIL %-28s %-6s %d passed, %d failed (exit %d)\n' "$name" "$flavour" "$ok" "$bad" "$rc"
        # The account of what failed comes from this same run, never from a
        # rerun (a rerun of a flaky failure may pass and explain nothing):
        # each failing case with cmocka's message from the XML, then the
        # tail of what the binary printed.
        if [ -s "$xml" ]; then
            awk '/<testcase /{match($0, /name="[^"]*"/); name=substr($0, RSTART+6, RLENGTH-7)}
                 /<failure>|<error>/{f=1; print "failed: " name}
                 f{line=$0; gsub(/<\/?(failure|error)>|<!\[CDATA\[|\]\]>/, "", line); sub(/^[ \t]+/, "", line); if (line != "") print "  " line}
                 /<\/failure>|<\/error>/{f=0}' "$xml" | head -n 40 | sed 's/^/      /'
        fi
        echo "      output (build/$name.$flavour.log, last 30 lines):"
        tail -n 30 "build/$name.$flavour.log" | sed 's/^/        /'
    else
        printf '  ok   %-28s %-6s %d passed\n' "$name" "$flavour" "$ok"
    fi
done
