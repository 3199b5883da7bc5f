#!/bin/sh
# Checks the Debian packages the build needs; installs them when run as root,
# otherwise stops with the one command to run.
missing=""
have_hdr() { [ -f "/usr/include/$1" ]; }
have_hdr cmocka.h || missing="$missing libcmocka-dev"
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
[ -n "$missing" ] || exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "deps: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq $missing; } >/dev/null 2>&1 || {
        echo "deps: apt-get install$missing failed" >&2; exit 1; }
    exit 0
fi
echo "deps: missing packages. Run:  sudo apt-get install -y$missing" >&2
exit 1
