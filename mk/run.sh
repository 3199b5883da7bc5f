#!/bin/sh
# `make run`: the scenario suite at its default seeds, reports in out/,
# scenarios in parallel on every CPU (-j; the output and reports are the
# same for any -j).
set -u
if [ ! -x build/faultline ] || [ -z "$(find scenarios -name '*.scn' 2>/dev/null | head -n 1)" ]; then
    echo "make run: no scenarios exist yet — the scenario runner (harness/) has not landed."
    echo "libsv is built in build/; try build/examples/supervise."
    exit 0
fi
mkdir -p out
exec build/faultline run scenarios -j "$(nproc 2>/dev/null || echo 2)" --junit out/junit.xml --tap out/results.tap \
    --json out/results.json --trace out/trace --html out/report.html
