#!/usr/bin/env python3
"""mk/man.py DOC.md OUT VERSION — a man page from one page of docs/, so that
the guide and the man page have one source (docs/architecture.md, "Man
pages"). The doc names its page in comments near the top:

    <!-- man: faultline(1) faultline - one line for NAME -->
    <!-- man-see-also: libsv(3) -->

and is otherwise plain Markdown. It is rewritten into man(7) structure:

    the "# Title" line             dropped (the page's title is NAME(SEC))
    a code block opening the doc   SYNOPSIS; the rest of the preamble: DESCRIPTION
    "## Heading" / "### Heading"   section (.SH, upper case) / subsection (.SS)
    [text](#anchor), [text](x.md)  text (links mean nothing in a man page)

then rendered by go-md2man (Debian package go-md2man), and the roff tidied
where go-md2man 2.0.2 falls short (see tidy()). Every non-ASCII character
becomes a groff escape (\\[uXXXX]), so the page renders on any man(1).
Exit 0, or 1 with one line on stderr naming the problem."""
import os, re, shutil, subprocess, sys

def die(msg):
    sys.stderr.write(msg + "\n")
    sys.exit(1)

if len(sys.argv) != 4:
    die("usage: mk/man.py DOC.md OUT VERSION")
doc, out, version = sys.argv[1:]
try:
    lines = open(doc, encoding="utf-8").read().split("\n")
except OSError as e:
    die("mk/man.py: %s: %s" % (doc, e.strerror))
if not shutil.which("go-md2man"):
    die("mk/man.py: go-md2man not found: install the Debian package go-md2man (make deps does, as root)")

head = see = None
for n, l in enumerate(lines, 1):
    m = re.match(r"<!-- man: ([a-z0-9_-]+)\(([1-9])\) (.*\S) *-->$", l)
    if m and head is None:
        head = m.groups()
    m = re.match(r"<!-- man-see-also: (.*\S) *-->$", l)
    if m and see is None:
        see = m.group(1)
if head is None:
    die("%s:1: expected a line '<!-- man: NAME(SECTION) NAME - what it is -->' naming the man page" % doc)
name, sec, what = head
try:
    date = subprocess.run(["git", "log", "-1", "--format=%cs", "--", doc], capture_output=True, text=True).stdout.strip()
except OSError:
    date = ""
manual = {"1": "User Commands", "3": "Library Functions Manual"}.get(sec, "")


def strip_links(s):
    return re.sub(r"\[([^]]*)\]\([^)]*\)", r"\1", s)


def markdown():
    """The doc rewritten for go-md2man. Besides the structure above, it works
    around blackfriday's lists: a code block after a list, or inside a list
    item, would be swallowed into the item's paragraph. So a list is ended
    (an empty HTML comment) before a code block at column 0, and a code
    block indented inside an item is lifted out of the list together with
    the rest of that item."""
    md = ['%% %s %s "%s" "%s" "%s"' % (name.upper(), sec, date, version, manual), "", "# NAME", "", what, ""]
    code = False      # inside a fence
    lift = 0          # the indent removed from a lifted code block and its item
    inlist = False    # the last block was a list
    title = False
    pre = False       # in the preamble (between the title and the first "## ")
    started = False   # the preamble's first block was seen
    synopsis = False
    desc = False
    for l in lines:
        if not code and l.startswith("<!-- man"):
            continue
        fence = re.match(r"( *)```", l)
        if fence:
            ind = len(fence.group(1))
            if not code:
                if pre and not started:
                    md += ["# SYNOPSIS", ""]
                    synopsis = True
                if ind and inlist:
                    md += ["", "<!-- -->", ""]
                    lift = ind
                elif inlist:
                    md += ["<!-- -->", ""]
                inlist = False
            started = True
            code = not code
            md.append(l[lift:] if l[:lift].strip() == "" else l)
            if not code and synopsis:
                md += ["", "# DESCRIPTION", ""]
                synopsis, desc = False, True
            continue
        if code:
            md.append(l[lift:] if l[:lift].strip() == "" else l)
            continue
        if not title and l.startswith("# "):
            title = pre = True
            continue
        if l.startswith("## "):
            if pre and not desc:
                md += ["# DESCRIPTION", ""]
            pre = inlist = False
            lift = 0
            md.append("# " + l[3:].replace("`", "").upper())
            continue
        if l.startswith("### "):
            inlist = False
            lift = 0
            md.append("## " + l[4:].replace("`", ""))
            continue
        if pre and not started and l.strip():
            md += ["# DESCRIPTION", ""]
            started = desc = True
        item = re.match(r"(?:[-*+]|[0-9]+\.) ", l)
        if lift:
            if item:            # the lifted item's list goes on: a new list
                md.append("")
                lift = 0
            elif l[:lift].strip() == "":
                l = l[lift:]
            else:
                lift = 0
        if item:
            inlist = True
        elif l.strip() and not l.startswith(" ") and not lift:
            inlist = False
        md.append(strip_links(l))
    if see:
        md += ["", "# SEE ALSO", "", see]
    return "\n".join(md) + "\n"


def vis(s):  # visible length: roff font escapes removed
    return len(re.sub(r"\\f[BRIPC]|\\fC", "", s))


def tidy(roff):
    """go-md2man 2.0.2 leaves: code lines starting with "." or "'" (read as
    requests); a long table cell whose "T}" is not followed by its tab;
    tables that never wrap. Code lines get a leading \\&; table rows are
    re-emitted: a column other than the last keeps cells of up to 24
    columns on one line, else is that wide (or as its longest word) and
    wraps; the last column is expanded to the line width and wraps; wrapped
    cells are left-aligned text blocks. Every "-" becomes "\\-"."""
    lines = roff.split("\n")
    out = []
    i = 0
    while i < len(lines):
        l = lines[i]
        if l == ".nf":
            out.append(l)
            i += 1
            while i < len(lines) and lines[i] != ".fi":
                t = lines[i]
                out.append("\\&" + t if t[:1] in (".", "'") else t)
                i += 1
            continue
        if l == ".TS":
            out.append(l)
            i += 1
            box = lines[i]
            while not lines[i].endswith("."):
                i += 1
            i += 1
            body = []
            while lines[i] != ".TE":
                body.append(lines[i])
                i += 1
            text = "\n".join(body)
            text = re.sub(r"T\{\n(.*?)\nT\}\n?", lambda m: m.group(1).replace("\n", " ") + "\x00", text, flags=re.S)
            text = text.replace("\x00\t", "\t").replace("\x00", "\n")
            rows = [r.split("\t") for r in text.split("\n") if r != ""]
            ncol = max(len(r) for r in rows)
            width = []
            for k in range(ncol - 1):
                col = [re.sub(r"\\f[BRIPC]|\\fC", "", r[k]) for r in rows if k < len(r)]
                longest = max(len(c) for c in col)
                word = max(len(w) for c in col for w in (c.split() or [""]))
                width.append(0 if longest <= 24 else max(24, word))
            out.append(box)
            out.append(" ".join(["lw(%dn)" % w if w else "l" for w in width] + ["lx"]) + " .")
            for r in rows:
                cells = []
                for k, c in enumerate(r):
                    wrap = (vis(c) > width[k] > 0) if k < ncol - 1 else vis(c) > 12
                    cells.append("T{\n.na\n%s\nT}" % c if wrap else c)
                out.append("\t".join(cells))
            out.append(".TE")
            i += 1
            continue
        out.append(l)
        i += 1
    # "-" is a hyphen to groff (U+2010 on a UTF-8 terminal, a break point);
    # every one of ours is an ASCII minus: options, paths, commands to copy.
    minus = lambda t: re.sub(r"(?<!\\)-", r"\\-", t)
    for k, l in enumerate(out):
        if l.startswith(".") and " " in l:
            req, arg = l.split(" ", 1)
            out[k] = req + " " + minus(arg)
        elif not l.startswith("."):
            out[k] = minus(l)
    s = "\n".join(out)
    return "".join(c if ord(c) < 128 else "\\[u%04X]" % ord(c) for c in s)


r = subprocess.run(["go-md2man"], input=markdown(), capture_output=True, text=True)
warn = [w for w in r.stderr.splitlines() if "HTMLBlock" not in w]  # our list-ending comments
if r.returncode != 0 or warn:
    die("mk/man.py: go-md2man failed on %s: %s" % (doc, "; ".join(warn) or "exit %d" % r.returncode))
os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
tmp = "%s.tmp.%d" % (out, os.getpid())
with open(tmp, "w", encoding="ascii") as f:
    f.write(tidy(r.stdout))
os.replace(tmp, out)
