#!/bin/sh
# stage: make install, then build programs against the installed SDK with pkg-config
# What a user does, outside this tree: install into a temp prefix, then
#  - libsv: compile examples/supervise.c with `pkg-config --cflags --libs sv`
#    against the shared library, run it;
#  - faultline: copy examples/user_worker.c and its scenarios to a directory
#    outside the tree, compile with `pkg-config --cflags --libs faultline`
#    alone (shared, rpath), run the buggy scenario (exit 1, a replay line
#    naming this binary, the replay fails the same way) and the fixed one
#    (exit 0);
#  - every installed faultline header compiles on its own with those flags;
#  - libsv.so and libfaultline.so carry SONAME libNAME.so.MAJOR, installed as
#    libNAME.so.MAJOR.MINOR.PATCH with the two symlinks (readelf -d);
#  - the man pages faultline(1) and libsv(3) are installed and render with
#    groff -t -man -ww (every warning on) without a diagnostic, and
#    faultline(1) names every option that `faultline --help` lists.
# One tally line per check.
set -u
tally=${TALLY:-build/tally}
log=build/install.log
pfx=$(mktemp -d /tmp/faultline-install.XXXXXX)
usr=$(mktemp -d /tmp/faultline-user.XXXXXX)
trap 'rm -rf "$pfx" "$usr"' EXIT
: >"$log"
check() { # label, then a command; its output goes to the log
    label=$1; shift
    printf '%s\n' "-- $label" >>"$log"
    if "$@" >>"$log" 2>&1; then echo "pass 1" >>"$tally"; printf '  ok   %s\n' "$label"
    else echo "fail install: $label" >>"$tally"; printf '  FAIL %s\n' "$label"; tail -n 15 "$log" | sed 's/^/      /'; fi
}
ver() { sed -n "s/^#define $1 \"\\([0-9.]*\\)\"\$/\\1/p" "$2"; }
SV_VERSION=$(ver SV_VERSION supervisor/sv.h)
FL_VERSION=$(ver FL_CLI_VERSION harness/cli/fl_cli.h)
PC="env PKG_CONFIG_PATH=$pfx/lib/pkgconfig pkg-config"

if ! ${MAKE:-make} --no-print-directory -s install PREFIX="$pfx" >>"$log" 2>&1; then
    echo "fail make install" >>"$tally"; echo "  FAIL make install PREFIX=$pfx"; tail -n 20 "$log" | sed 's/^/      /'
    exit 0
fi

files_present() {
    miss=0
    for f in lib/libsv.a lib/libfaultline.a include/sv.h include/sv_plat.h include/faultline/report.h \
        lib/pkgconfig/sv.pc lib/pkgconfig/faultline.pc bin/faultline \
        share/man/man1/faultline.1 share/man/man3/libsv.3; do
        [ -f "$pfx/$f" ] || { echo "missing $pfx/$f"; miss=1; }
    done
    for h in harness/*/fl_*.h; do
        [ -f "$pfx/include/faultline/${h#harness/}" ] || { echo "missing $pfx/include/faultline/${h#harness/}"; miss=1; }
    done
    [ "$miss" = 0 ]
}
check "make install: libraries, headers, pkg-config files, faultline, man pages" files_present

# libNAME.so -> libNAME.so.MAJOR -> libNAME.so.MAJOR.MINOR.PATCH, SONAME libNAME.so.MAJOR
soname_ok() { # lib version
    lib=$1 v=$2 major=${2%%.*}
    [ -n "$v" ] || { echo "$lib: no version found in its header"; return 1; }
    d=$pfx/lib
    [ -f "$d/$lib.so.$v" ] && [ ! -L "$d/$lib.so.$v" ] || { echo "$d/$lib.so.$v: not a file"; return 1; }
    [ "$(readlink "$d/$lib.so.$major")" = "$lib.so.$v" ] || { echo "$d/$lib.so.$major: not a symlink to $lib.so.$v"; return 1; }
    [ "$(readlink "$d/$lib.so")" = "$lib.so.$major" ] || { echo "$d/$lib.so: not a symlink to $lib.so.$major"; return 1; }
    readelf -d "$d/$lib.so.$v" | grep -q "(SONAME).*\[$lib\.so\.$major\]" ||
        { echo "$d/$lib.so.$v: SONAME is not $lib.so.$major:"; readelf -d "$d/$lib.so.$v" | grep SONAME; return 1; }
}
check "libsv.so.$SV_VERSION: SONAME libsv.so.${SV_VERSION%%.*}, symlinks" soname_ok libsv "$SV_VERSION"
check "libfaultline.so.$FL_VERSION: SONAME libfaultline.so.${FL_VERSION%%.*}, symlinks" soname_ok libfaultline "$FL_VERSION"
check "libfaultline.so.$FL_VERSION needs libsv.so.${SV_VERSION%%.*}" \
    sh -c 'readelf -d "$1" | grep -q "(NEEDED).*\[libsv\.so\.$2\]"' _ "$pfx/lib/libfaultline.so.$FL_VERSION" "${SV_VERSION%%.*}"
check "faultline.pc: version $FL_VERSION, -I\${includedir}/faultline, -lfaultline -lsv" sh -c '
    [ "$($1 --modversion faultline)" = "$2" ] && $1 --cflags faultline | grep -q -- "-I$3/include/faultline" &&
    $1 --libs faultline | grep -q -- "-lfaultline -lsv" && ! grep -q -- "--wrap" "$3/lib/pkgconfig/faultline.pc"' \
    _ "$PC" "$FL_VERSION" "$pfx"

# libsv alone
sv_example() {
    flags=$($PC --cflags --libs sv) || return 1
    cc -std=c11 -D_GNU_SOURCE -Wall -Werror examples/supervise.c $flags -lpthread \
        -Wl,-rpath,"$pfx/lib" -o "$usr/supervise" || return 1
    "$usr/supervise" >"$usr/supervise.log" 2>&1 && grep -q ' restarted ' "$usr/supervise.log"
}
check "libsv: examples/supervise.c built with pkg-config sv, runs, restarts" sv_example

# Every installed faultline header on its own, with the pc file's flags only.
headers_alone() {
    flags=$($PC --cflags faultline) || return 1
    for h in "$pfx"/include/faultline/report.h "$pfx"/include/faultline/*/fl_*.h; do
        rel=${h#"$pfx/include/faultline/"}
        printf '#include "%s"\n' "$rel" >"$usr/h.c"
        cc -std=c11 -Wall -Werror -fsyntax-only $flags "$usr/h.c" || { echo "$rel does not compile alone"; return 1; }
    done
}
check "every installed faultline header compiles alone with pkg-config --cflags faultline" headers_alone

# A user's own faultline binary, built outside the tree.
cp examples/user_worker.c examples/user_worker.scn examples/user_worker_fixed.scn "$usr/"
build_user() {
    flags=$($PC --cflags --libs faultline) || return 1
    (cd "$usr" && cc -std=c11 -D_GNU_SOURCE -Wall -Werror user_worker.c $flags -Wl,-rpath,"$pfx/lib" -o user_worker) || return 1
    readelf -d "$usr/user_worker" | grep -q '(NEEDED).*\[libfaultline\.so\.' ||
        { echo "user_worker is not linked against libfaultline.so"; return 1; }
}
check "user_worker.c built out of tree with only pkg-config --cflags --libs faultline (shared, rpath)" build_user
buggy() {
    out=$(cd "$usr" && ./user_worker run user_worker.scn 2>&1); rc=$?
    printf '%s\n' "$out" | tail -n 8
    [ "$rc" -eq 1 ] || { echo "exit $rc, expected 1"; return 1; }
    S=$(printf '%s\n' "$out" | sed -n 's/^  replay:    user_worker replay user_worker.scn --schedule \(fl1:[^ ]*\)$/\1/p' | head -n 1)
    [ -n "$S" ] || { echo "no replay line naming user_worker"; return 1; }
    r=$(cd "$usr" && ./user_worker replay user_worker.scn --schedule "$S" 2>&1); rc=$?
    [ "$rc" -eq 1 ] && printf '%s\n' "$r" | grep -q '^FAIL user_worker.scn (seed [0-9]*): expectation$' ||
        { echo "replay: exit $rc"; printf '%s\n' "$r" | tail -n 5; return 1; }
}
sdk_makefile() {
    mkdir -p "$usr/mk" && cp examples/sdk/Makefile examples/user_worker.c "$usr/mk/" &&
        env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS PKG_CONFIG_PATH="$pfx/lib/pkgconfig" ${MAKE:-make} -s -C "$usr/mk" &&
        (cd "$usr/mk" && ./user_worker check "$usr/user_worker_fixed.scn")
}
check "examples/sdk/Makefile builds it too (pkg-config only)" sdk_makefile
check "installed user_worker: buggy scenario fails (exit 1) with its own replay line, which replays" buggy
check "installed user_worker: fixed scenario passes (exit 0)" sh -c 'cd "$1" && ./user_worker run user_worker_fixed.scn' _ "$usr"

# Man pages: installed, render cleanly, faultline(1) covers the --help options.
render() {
    for p in "$pfx/share/man/man1/faultline.1" "$pfx/share/man/man3/libsv.3"; do
        w=$(groff -t -man -Tutf8 -ww -z "$p" 2>&1)
        [ -z "$w" ] || { echo "$p:"; printf '%s\n' "$w"; return 1; }
        groff -t -man -Tutf8 -P-cbou "$p" 2>/dev/null | grep -q '^NAME' || { echo "$p: no NAME section"; return 1; }
    done
}
check "man pages faultline(1), libsv(3) render with groff -ww without a diagnostic" render
options_covered() {
    # the page's text: minus signs and font changes undone
    page=$(sed -e 's/\\-/-/g' -e 's/\\f[BRIPC]//g' "$pfx/share/man/man1/faultline.1")
    help=$("$pfx/bin/faultline" --help; for c in run explore replay shrink check list exec; do "$pfx/bin/faultline" "$c" --help; done)
    opts=$(printf '%s\n' "$help" | grep -o -- '--[a-z][a-z-]*' | sort -u)
    [ -n "$opts" ] || { echo "faultline --help lists no options"; return 1; }
    echo "options in --help:" $opts
    miss=""
    for o in $opts; do
        printf '%s\n' "$page" | grep -q -- "$o\\b" || miss="$miss $o"
    done
    [ -z "$miss" ] || { echo "faultline(1) does not mention:$miss"; return 1; }
    for c in run explore replay shrink check list; do
        printf '%s' "$page" | grep -q "faultline $c" || { echo "faultline(1) does not show 'faultline $c'"; return 1; }
    done
}
check "faultline(1) names every command and every option of faultline --help" options_covered
