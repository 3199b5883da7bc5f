"""reports/consumers/html_dom.py DOM.html — checks the DOM headless Chromium
built from report.html (chromium --dump-dom): every failing row links to its
card and the card links back; every event reference in a message points at
an event line that exists; named events are marked in the event list and on
the timeline; every timeline has a legend entry for the start marker. Prints
one line; exit 1 with the problems otherwise."""
import re
import sys
from html.parser import HTMLParser


class Dom(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.hrefs, self.rows, self.classes = set(), [], [], []
        self.legend_start = 0
        self._in_legend = 0
        self._li_text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        cls = (a.get("class") or "").split()
        self.classes.append((tag, tuple(cls), a.get("id")))
        if tag == "a" and a.get("href", "").startswith("#"):
            self.hrefs.append((a["href"][1:], tuple(cls)))
        if tag == "tr" and "fail" in cls:
            self.rows.append(a.get("id"))
        if tag == "ul" and "legend" in cls:
            self._in_legend += 1
        if tag == "li" and self._in_legend:
            self._li_text = ""

    def handle_endtag(self, tag):
        if tag == "ul" and self._in_legend:
            self._in_legend -= 1
        if tag == "li" and self._in_legend and self._li_text.startswith("start ("):
            self.legend_start += 1

    def handle_data(self, data):
        if self._in_legend:
            self._li_text += data


d = Dom()
d.feed(open(sys.argv[1], encoding="utf-8").read())
bad = []
cards = [i for i in d.ids if re.fullmatch(r"case-\d+", i)]
if not d.rows:
    bad.append("no failing rows (the check needs a report with failures)")
for r in d.rows:
    n = (r or "").replace("row-", "")
    if ("case-" + n, ("jump",)) not in d.hrefs:
        bad.append("row %s has no 'details' link to #case-%s" % (r, n))
    if "case-" + n not in d.ids:
        bad.append("row %s: no card case-%s" % (r, n))
    elif ("row-" + n, ("back",)) not in d.hrefs:
        bad.append("card case-%s has no link back to #row-%s" % (n, n))
for target, cls in d.hrefs:
    if target not in d.ids:
        bad.append("link to #%s, which does not exist" % target)
evrefs = [t for t, c in d.hrefs if "evref" in c]
hl_lines = [i for t, c, i in d.classes if t == "span" and "evl" in c and "hl" in c]
hl_marks = [i for t, c, i in d.classes if t == "g" and "ev" in c and "hl" in c]
if not evrefs or not hl_lines or not hl_marks:
    bad.append("named events: %d links, %d marked lines, %d marked timeline markers"
               % (len(evrefs), len(hl_lines), len(hl_marks)))
for t in evrefs:
    if t not in hl_lines:
        bad.append("message names #%s but that event line is not marked" % t)
if d.legend_start < len(cards):
    bad.append("%d timelines but %d legends with the start marker" % (len(cards), d.legend_start))
if bad:
    print("; ".join(bad[:8]))
    sys.exit(1)
print("Chromium DOM: %d failing rows linked both ways, %d event links, %d marked lines, "
      "%d marked markers, start marker in every legend"
      % (len(d.rows), len(evrefs), len(hl_lines), len(hl_marks)))
