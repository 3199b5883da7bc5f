#!/bin/sh
# stage: make install, then build a program against the installed libsv with pkg-config
# What a user of the library does: install, compile examples/supervise.c
# with `pkg-config --cflags --libs sv` against the shared library, run it.
set -u
tally=${TALLY:-build/tally}
pfx=$(mktemp -d /tmp/faultline-install.XXXXXX)
trap 'rm -rf "$pfx"' EXIT
ok=1
${MAKE:-make} --no-print-directory -s install PREFIX="$pfx" >build/install.log 2>&1 || ok=0
for f in lib/libsv.a lib/libsv.so include/sv.h include/sv_plat.h lib/pkgconfig/sv.pc bin/faultline; do
    [ -f "$pfx/$f" ] || { echo "  missing $pfx/$f"; ok=0; }
done
if [ "$ok" = 1 ]; then
    flags=$(PKG_CONFIG_PATH="$pfx/lib/pkgconfig" pkg-config --cflags --libs sv) || ok=0
    cc -std=c11 -D_GNU_SOURCE -Wall -Werror examples/supervise.c $flags -lpthread \
        -Wl,-rpath,"$pfx/lib" -o "$pfx/supervise" >>build/install.log 2>&1 || ok=0
fi
if [ "$ok" = 1 ]; then
    "$pfx/supervise" >"$pfx/log" 2>&1 && grep -q ' restarted ' "$pfx/log" || ok=0
fi
if [ "$ok" = 1 ]; then echo "pass 1" >>"$tally"; echo "  ok   install + pkg-config build of examples/supervise against libsv.so"
else echo "fail make install / pkg-config" >>"$tally"; echo "  FAIL install stage"; tail -n 20 build/install.log | sed 's/^/      /'; fi
