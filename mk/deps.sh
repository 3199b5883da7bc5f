#!/bin/sh
# mk/deps.sh [test] — checks the Debian packages the build needs (with
# "test": also what `make test` needs to read the reports the way their
# consumers do: prove's TAP::Parser, tappy, node/npm for tap-parser,
# junit2json and xunit-viewer, headless Chromium for the HTML report).
# Installs them when run as root, otherwise stops with the one command to
# run. With "test" it then installs the npm consumers into build/node
# (mk/node-deps.sh).
missing=""
have_hdr() { [ -f "/usr/include/$1" ]; }
have_hdr cmocka.h || missing="$missing libcmocka-dev"
have_hdr elfutils/libdwfl.h || missing="$missing libdw-dev"
command -v xmllint >/dev/null 2>&1 || missing="$missing libxml2-utils"
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkgconf"
# man pages: go-md2man renders docs/*.md into faultline(1), libsv(3); make
# test checks them with groff (docs/architecture.md, "Man pages")
command -v go-md2man >/dev/null 2>&1 || missing="$missing go-md2man"
command -v groff >/dev/null 2>&1 || missing="$missing groff-base"
command -v readelf >/dev/null 2>&1 || missing="$missing binutils"
# `faultline cc` runs clang (its ThreadSanitizer pass is the instrumentation;
# docs/architecture.md, "Memory-access scheduling points")
command -v clang >/dev/null 2>&1 || missing="$missing clang"
if [ "${1:-}" = test ]; then
    perl -MTAP::Parser -e 1 >/dev/null 2>&1 || missing="$missing perl"
    /usr/bin/python3 -c 'import tap.loader, yaml' >/dev/null 2>&1 || missing="$missing python3-tap python3-yaml"
    command -v node >/dev/null 2>&1 || missing="$missing nodejs"
    command -v npm >/dev/null 2>&1 || missing="$missing npm"
    command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
fi
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "deps: installing$missing"
        export DEBIAN_FRONTEND=noninteractive
        { apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing; } >/dev/null 2>&1 || {
            echo "deps: apt-get install$missing failed" >&2; exit 1; }
    else
        echo "deps: missing packages. Run:  sudo apt-get install -y$missing" >&2
        exit 1
    fi
fi
[ "${1:-}" = test ] || exit 0
exec sh "$(dirname "$0")/node-deps.sh"
