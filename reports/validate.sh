#!/bin/sh
# reports/validate.sh OUTDIR — validate every report in OUTDIR with real
# parsers, one line per file, exit 1 if any file fails (2: bad usage/tools).
#
#   junit.xml          xmllint well-formedness + reports/junit.xsd schema, then
#                      read by junit2json and xunit-viewer (npm), which must
#                      count the same testcases, failures and skips
#   unit/*/*.xml       xmllint well-formedness (cmocka's JUnit output)
#   results.tap        TAP 13 structure: version line, plan on line 2, test
#                      points numbered 1..N, no '#' in descriptions, YAML
#                      blocks well-formed (PyYAML if installed); then read by
#                      three consumers — prove's TAP::Parser (perl), tappy
#                      (python3-tap) and tap-parser (npm) — which must agree
#                      on tests/pass/fail/skip/YAML counts
#   results.json       json parser + the schema in docs/reports.md
#   trace/*.json       json parser + Chrome trace structure (every track
#                      named, slices with non-negative durations, B/E balanced)
#   report.html        python html.parser: balanced tags, one document, and
#                      self-contained (nothing loaded from anywhere)
set -u

usage() { echo "usage: sh reports/validate.sh OUTDIR" >&2; exit 2; }
[ $# -eq 1 ] || usage
out=$1
[ -d "$out" ] || { echo "validate: $out: not a directory" >&2; exit 2; }
here=$(dirname "$0")
for tool in xmllint python3; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "validate: $tool not found (Debian: libxml2-utils, python3)" >&2; exit 2; }
done

failed=0 checked=0
node_modules=${FL_NODE_MODULES:-$here/../build/node/node_modules}
case $node_modules in /*) ;; *) node_modules=$(pwd)/$node_modules ;; esac
consumers="$here/consumers"
# the python that has tappy (Debian's, when another python3 is first in PATH)
tappy_py=""
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import tap.loader' 2>/dev/null; then tappy_py=$p; break; fi
done
missing_consumers() { # what is missing, with the command that installs it
    m=""
    perl -MTAP::Parser -e 1 2>/dev/null || m="$m perl(TAP::Parser)"
    [ -n "$tappy_py" ] || m="$m tappy(python3-tap)"
    command -v node >/dev/null 2>&1 || m="$m node"
    [ -d "$node_modules/tap-parser" ] && [ -d "$node_modules/junit2json" ] && [ -d "$node_modules/xunit-viewer" ] \
        || m="$m npm:tap-parser,junit2json,xunit-viewer(in $node_modules)"
    [ -z "$m" ] || echo "missing consumers:$m — run: sh mk/deps.sh (as root), then sh mk/node-deps.sh"
}

# check LABEL FILE COMMAND... — runs COMMAND; its first output line is the detail.
check() {
    label=$1 file=$2; shift 2
    checked=$((checked + 1))
    if detail=$("$@" 2>&1); then
        printf 'ok   %s (%s)\n' "$file" "$(printf '%s\n' "$detail" | head -n 1)"
    else
        failed=$((failed + 1))
        printf 'FAIL %s (%s):\n' "$file" "$label"
        printf '%s\n' "$detail" | head -n 15 | sed 's/^/       /'
    fi
}

xml_junit() {
    xmllint --noout "$1" || return 1
    msg=$(xmllint --noout --schema "$here/junit.xsd" "$1" 2>&1) || {
        printf 'schema reports/junit.xsd: %s\n' "$msg"; return 1; }
    n=$(xmllint --xpath 'count(//testcase)' "$1") || return 1
    f=$(xmllint --xpath 'string(/testsuites/@failures)' "$1") || return 1
    fc=$(xmllint --xpath 'count(//testcase[failure or error])' "$1") || return 1
    sc=$(xmllint --xpath 'count(//testcase[skipped])' "$1") || return 1
    [ "$f" = "$fc" ] || { echo "testsuites@failures=$f but $fc testcases fail"; return 1; }
    m=$(missing_consumers); [ -z "$m" ] || { echo "$m"; return 1; }
    c=$(node "$consumers/junit.mjs" "$node_modules" "$1" "$n" "$fc" "$sc" 2>&1) || { echo "$c"; return 1; }
    echo "junit: $n testcases, $f failures, schema ok; $c agree"
}

# TAP: our structural check, then every consumer must report the same counts.
tap_all() {
    mine=$(py tap "$1") || { echo "$mine"; return 1; }
    want=$(printf '%s\n' "$mine" | sed -n 's/.*\[\(tests [^]]*\)\].*/\1/p')
    m=$(missing_consumers); [ -z "$m" ] || { echo "$m"; return 1; }
    for c in prove tappy tap-parser; do
        case $c in
            prove) got=$(perl "$consumers/prove.pl" "$1" 2>&1) ;;
            tappy) got=$("$tappy_py" "$consumers/tappy.py" "$1" 2>&1) ;;
            tap-parser) got=$(node "$consumers/tap_parser.mjs" "$node_modules" "$1" 2>&1) ;;
        esac || { echo "$c rejects it: $got"; return 1; }
        case $got in
            "$want"*) ;;
            *) echo "$c reads '$got', expected '$want'"; return 1 ;;
        esac
    done
    echo "$mine; prove, tappy, tap-parser agree"
}

xml_plain() {
    xmllint --noout "$1" && echo "well-formed XML"
}

py() { # KIND FILE
    python3 - "$1" "$2" <<'EOF'
import json, re, sys
from html.parser import HTMLParser

kind, path = sys.argv[1], sys.argv[2]

def fail(msg):
    print(msg)
    sys.exit(1)

def read_text():
    raw = open(path, "rb").read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        fail("not valid UTF-8: %s" % e)

def check_tap():
    lines = read_text().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0] != "TAP version 13":
        fail("line 1: expected 'TAP version 13'")
    if len(lines) < 2 or not re.match(r"^1\.\.\d+$", lines[1]):
        fail("line 2: expected the plan right after the version line (tappy needs it there)")
    try:
        import yaml
    except ImportError:
        yaml = None
    plan, seen, i, nyaml, nok, nskip = None, 0, 1, 0, 0, 0
    point = re.compile(r"^(ok|not ok)(?: (\d+))?(?: -)?(?: (.*))?$")
    while i < len(lines):
        ln, no = lines[i], i + 1
        i += 1
        if ln.strip() == "" or ln.startswith("#"):
            continue
        m = re.match(r"^1\.\.(\d+)(?: #.*)?$", ln)
        if m:
            if plan is not None:
                fail("line %d: second plan" % no)
            if seen and seen != int(m.group(1)):
                fail("line %d: trailing plan 1..%s after %d tests" % (no, m.group(1), seen))
            plan = int(m.group(1))
            continue
        if ln.startswith("Bail out!"):
            fail("line %d: bail out" % no)
        m = point.match(ln)
        if not m:
            fail("line %d: expected a test point, plan, comment or YAML block: %r" % (no, ln[:80]))
        seen += 1
        if m.group(2) is not None and int(m.group(2)) != seen:
            fail("line %d: test point %s out of order (expected %d)" % (no, m.group(2), seen))
        desc = m.group(3) or ""
        nok += m.group(1) == "ok"
        hash_at = desc.find("#")
        if hash_at >= 0 and (not re.match(r"# (SKIP|TODO)\b", desc[hash_at:])
                             or "#" in desc[hash_at + 1:]):
            fail("line %d: '#' in a description other than one SKIP/TODO directive" % no)
        nskip += hash_at >= 0 and desc[hash_at:].startswith("# SKIP")
        if i < len(lines) and lines[i] == "  ---":
            start = i + 1
            j = start
            while j < len(lines) and lines[j] != "  ...":
                if not lines[j].startswith("  "):
                    fail("line %d: YAML block line not indented by 2 spaces" % (j + 1))
                j += 1
            if j == len(lines):
                fail("line %d: YAML block not closed with '  ...'" % (i + 1))
            body = "\n".join(l[2:] for l in lines[start:j])
            if yaml is not None:
                try:
                    doc = yaml.safe_load(body)
                except yaml.YAMLError as e:
                    fail("line %d: YAML block does not parse: %s" % (i + 1, e))
                if not isinstance(doc, dict):
                    fail("line %d: YAML block is not a mapping" % (i + 1))
            else:
                for k, l in enumerate(lines[start:j]):
                    if not re.match(r"^  [A-Za-z_][A-Za-z0-9_]*: \S", l):
                        fail("line %d: not a 'key: value' YAML line" % (start + k + 1))
            nyaml += 1
            i = j + 1
    if plan is None:
        fail("no plan line")
    if plan != seen:
        fail("plan 1..%d but %d test points" % (plan, seen))
    print("TAP 13: %d test points, %d YAML blocks%s [tests %d pass %d fail %d skip %d yaml %d]"
          % (seen, nyaml, "" if yaml else " (PyYAML absent: structure only)",
             seen, nok, seen - nok, nskip, nyaml))

def check_results():
    d = json.loads(read_text())
    for k in ("schema", "suite", "counts", "cases"):
        if k not in d:
            fail("missing top-level key %r" % k)
    if d["schema"] != "faultline-results/1":
        fail("unknown schema %r" % d["schema"])
    for k in ("name", "strategy", "depth", "seed_lo", "seed_hi", "shard", "timestamp",
              "timestamp_iso", "time_s"):
        if k not in d["suite"]:
            fail("suite: missing %r" % k)
    want = {"path": str, "name": (str, type(None)), "verdict": str, "passed": bool,
            "skipped": bool, "expect_fail": bool, "runs": int, "failed_runs": int, "seed": int,
            "invariant": (str, type(None)), "message": (str, type(None)),
            "schedule": (str, type(None)), "replay": (str, type(None)),
            "time_s": (int, float), "virtual_ns": int, "trace_events": int, "trace_file": str,
            "backtrace": (str, type(None))}
    verdicts = {"pass": 0, "fail": 0, "skip": 0, "xfail": 0}
    for n, c in enumerate(d["cases"]):
        for k, t in want.items():
            if k not in c:
                fail("cases[%d]: missing %r" % (n, k))
            if not isinstance(c[k], t):
                fail("cases[%d].%s: wrong type %s" % (n, k, type(c[k]).__name__))
        if c["verdict"] not in verdicts:
            fail("cases[%d].verdict: %r" % (n, c["verdict"]))
        verdicts[c["verdict"]] += 1
    cnt = d["counts"]
    if cnt.get("cases") != len(d["cases"]):
        fail("counts.cases %r != %d cases" % (cnt.get("cases"), len(d["cases"])))
    if cnt.get("failed") != verdicts["fail"] or cnt.get("skipped") != verdicts["skip"] \
            or cnt.get("xfail") != verdicts["xfail"] \
            or cnt.get("passed") != verdicts["pass"] + verdicts["xfail"]:
        fail("counts %r do not match the cases' verdicts %r" % (cnt, verdicts))
    print("JSON: %d cases, %d failed" % (len(d["cases"]), verdicts["fail"]))

def check_trace():
    d = json.loads(read_text())
    if not isinstance(d, dict) or not isinstance(d.get("traceEvents"), list):
        fail("not the JSON object form {\"traceEvents\": [...]}")
    if d.get("displayTimeUnit") not in ("ms", "ns"):
        fail("displayTimeUnit missing or invalid")
    named, used, open_b, nx, ni = set(), set(), {}, 0, 0
    for n, e in enumerate(d["traceEvents"]):
        ph = e.get("ph")
        if ph not in ("M", "X", "B", "E", "i", "I"):
            fail("event %d: unexpected ph %r" % (n, ph))
        if not isinstance(e.get("pid"), int) or not isinstance(e.get("tid"), int):
            fail("event %d: pid/tid must be integers" % n)
        if ph == "M":
            if e.get("name") == "thread_name":
                if not isinstance(e.get("args", {}).get("name"), str):
                    fail("event %d: thread_name without args.name" % n)
                named.add(e["tid"])
            continue
        if not isinstance(e.get("ts"), (int, float)):
            fail("event %d: ts missing" % n)
        used.add(e["tid"])
        if ph == "X":
            nx += 1
            if not isinstance(e.get("dur"), (int, float)) or e["dur"] < 0:
                fail("event %d: X slice without a non-negative dur" % n)
        elif ph == "B":
            open_b[e["tid"]] = open_b.get(e["tid"], 0) + 1
        elif ph == "E":
            if open_b.get(e["tid"], 0) == 0:
                fail("event %d: E without B on tid %d" % (n, e["tid"]))
            open_b[e["tid"]] -= 1
        else:
            ni += 1
    if any(open_b.values()):
        fail("unbalanced B/E spans")
    if used - named:
        fail("tracks without thread_name metadata: %s" % sorted(used - named))
    print("trace: %d tracks, %d slices, %d instants" % (len(named), nx, ni))

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}

class Strict(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.tags, self.doctype = [], [], {}, False
        self.style = ""
    def where(self):
        return "line %d col %d" % self.getpos()
    def handle_decl(self, decl):
        self.doctype = self.doctype or decl.lower() == "doctype html"
    def check_attrs(self, tag, attrs):
        for k, v in attrs:
            v = (v or "").strip().lower()
            if k in ("src", "srcset", "data", "poster", "action", "formaction"):
                self.errors.append("%s: <%s %s=...> loads a resource" % (self.where(), tag, k))
            if k in ("href", "xlink:href") and v and not v.startswith("#"):
                self.errors.append("%s: <%s %s=%r> leaves the page" % (self.where(), tag, k, v))
        if tag in ("link", "iframe", "object", "embed", "img", "audio", "video", "base"):
            self.errors.append("%s: <%s> not allowed in a self-contained page" % (self.where(), tag))
    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self.check_attrs(tag, attrs)
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))
    def handle_startendtag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        self.check_attrs(tag, attrs)
    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            top = self.stack[-1][0] if self.stack else "nothing"
            self.errors.append("%s: </%s> closes <%s>" % (self.where(), tag, top))
            return
        self.stack.pop()
    def handle_data(self, data):
        if self.stack and self.stack[-1][0] == "style":
            self.style += data

def check_html():
    p = Strict()
    p.feed(read_text())
    p.close()
    if not p.doctype:
        p.errors.append("no <!DOCTYPE html>")
    for t in ("html", "head", "title", "body", "meta"):
        if p.tags.get(t, 0) < 1:
            p.errors.append("no <%s>" % t)
    if p.stack:
        p.errors.append("unclosed: " + ", ".join("<%s> (line %d)" % (t, l) for t, (l, c) in p.stack[-5:]))
    if re.search(r"@import|url\(\s*['\"]?(?!data:|#)", p.style):
        p.errors.append("<style> loads a resource")
    if p.errors:
        fail("; ".join(p.errors[:10]))
    print("HTML: %d elements, %d svg, self-contained" % (sum(p.tags.values()), p.tags.get("svg", 0)))

try:
    {"tap": check_tap, "results": check_results, "trace": check_trace, "html": check_html}[kind]()
except ValueError as e:
    fail("does not parse: %s" % e)
EOF
}

[ -f "$out/junit.xml" ] && check junit "$out/junit.xml" xml_junit "$out/junit.xml"
for f in "$out"/unit/*/*.xml; do
    [ -f "$f" ] && check xml "$f" xml_plain "$f"
done
[ -f "$out/results.tap" ] && check tap "$out/results.tap" tap_all "$out/results.tap"
[ -f "$out/results.json" ] && check json "$out/results.json" py results "$out/results.json"
for f in "$out"/trace/*.json; do
    [ -f "$f" ] && check trace "$f" py trace "$f"
done
[ -f "$out/report.html" ] && check html "$out/report.html" py html "$out/report.html"

if [ "$checked" -eq 0 ]; then
    echo "validate: no reports found in $out"
    exit 1
fi
echo "validate: $checked files, $failed failed"
[ "$failed" -eq 0 ]
