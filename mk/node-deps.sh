#!/bin/sh
# mk/node-deps.sh — installs the npm packages that read our reports in
# `make test` (tap-parser, junit2json, xunit-viewer; versions pinned in
# mk/node/package.json and package-lock.json) into build/node/, local to
# the work tree, never global. Does nothing when that lock is installed.
set -u
dest=build/node
lock=$(dirname "$0")/node/package-lock.json
want=$(cksum <"$lock")
if [ -d "$dest/node_modules" ] && [ "$(cat "$dest/.installed" 2>/dev/null)" = "$want" ]; then
    exit 0
fi
command -v npm >/dev/null 2>&1 || {
    echo "node-deps: npm not found. Run:  sudo sh mk/deps.sh test" >&2; exit 1; }
mkdir -p "$dest"
cp "$(dirname "$0")/node/package.json" "$lock" "$dest/"
echo "node-deps: npm ci --prefix $dest"
if ! npm ci --prefix "$dest" --no-audit --no-fund --loglevel=error >build/node-deps.log 2>&1; then
    tail -n 20 build/node-deps.log >&2
    echo "node-deps: failed. Run:  npm ci --prefix $dest   (after copying mk/node/package*.json there)" >&2
    exit 1
fi
echo "$want" >"$dest/.installed"
