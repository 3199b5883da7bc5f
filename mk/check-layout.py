#!/usr/bin/env python3
"""Holds docs/architecture.md's module table true to the tree (issue 10).

Checks, over harness/: every .c file lives in a module folder (harness/main.c
excepted); no file includes another module's private header (*_int.h);
each module includes exactly the modules its table row names under "uses";
the declared graph has no cycle; every fl_/FL_ name a public header declares
carries its module's prefix (the module's handle type may be the bare
prefix, fl_world). Prints one line per problem; exit 1 if any."""
import glob, os, re, sys

root = sys.argv[1] if len(sys.argv) > 1 else '.'
os.chdir(root)
bad = []
doc = open('docs/architecture.md').read()
rows = re.findall(r'^\| `harness/([a-z]+)/` \| `([a-zA-Z_]+)` \| [^|]* \| ([^|]*) \|$', doc, re.M)
if not rows:
    sys.exit('check-layout: no module table in docs/architecture.md')
table = {m: (pfx, set() if uses.strip() in ('—', '-', '') else {u.strip() for u in uses.split(',')})
         for m, pfx, uses in rows}
modules = set(table)

for f in glob.glob('harness/**/*.c', recursive=True):
    if f != 'harness/main.c' and (f.count('/') != 2 or f.split('/')[1] not in modules):
        bad.append('%s: not in a module folder named in docs/architecture.md' % f)
for d in glob.glob('harness/*/'):
    if d.split('/')[1] not in modules:
        bad.append('%s: module folder missing from the table in docs/architecture.md' % d)

LIBSV = {'sv.h', 'sv_plat.h'}
REPORTS = {'report.h'}
actual = {m: set() for m in modules}
for f in sorted(glob.glob('harness/*/*.[ch]')):
    m = f.split('/')[1]
    if m not in modules:
        continue
    for n, line in enumerate(open(f), 1):
        mo = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
        if not mo:
            continue
        inc = mo.group(1)
        if '/' in inc:
            d, h = inc.split('/', 1)
            if d != m:
                if h.endswith('_int.h'):
                    bad.append('%s:%d: includes %s, a private header of module %s' % (f, n, inc, d))
                if d in modules:
                    actual[m].add(d)
                    if h != 'fl_%s.h' % d:
                        bad.append('%s:%d: includes %s; other modules include only fl_%s.h' % (f, n, inc, d))
                else:
                    bad.append('%s:%d: includes %s: no such module' % (f, n, inc))
        elif inc in LIBSV:
            actual[m].add('libsv')
        elif inc in REPORTS:
            actual[m].add('reports')
        elif inc.endswith('_int.h') and os.path.exists(os.path.join(os.path.dirname(f), inc)):
            pass
        elif os.path.exists(os.path.join(os.path.dirname(f), inc)):
            pass
        else:
            bad.append('%s:%d: includes "%s": name a module header by its path' % (f, n, inc))

for m in sorted(modules):
    decl = table[m][1]
    for d in sorted(actual[m] - decl):
        bad.append('harness/%s: uses %s, which its row in docs/architecture.md does not name' % (m, d))
    for d in sorted(decl - actual[m]):
        bad.append('harness/%s: its row names %s, which it does not include' % (m, d))

# cycles in the declared graph
state = {}
def visit(m, path):
    if state.get(m) == 1:
        bad.append('dependency cycle: ' + ' -> '.join(path + [m]))
        return
    if state.get(m) == 2:
        return
    state[m] = 1
    for d in table.get(m, ('', set()))[1]:
        if d in modules:
            visit(d, path + [m])
    state[m] = 2
for m in sorted(modules):
    visit(m, [])

# public names carry the prefix
report_names = set(re.findall(r'\b(?:fl|FL)_[A-Za-z0-9_]+', open('reports/report.h').read()))
def declared(text):
    names = set(re.findall(r'^#define\s+((?:fl|FL)_\w+)', text, re.M))
    names |= set(re.findall(r'\}\s*((?:fl|FL)_\w+)\s*;', text))
    names |= set(re.findall(r'typedef\s+[^;{]*?\b((?:fl|FL)_\w+)\s*;', text))
    names |= set(re.findall(r'typedef\s+[^;]*\(\s*\*\s*((?:fl|FL)_\w+)\s*\)', text))
    names |= set(re.findall(r'^\s+((?:fl|FL)_[A-Z0-9_]+)\s*(?:=[^,\n]*)?,', text, re.M))
    names |= set(re.findall(r'^[A-Za-z_][\w \*]*?\b((?:fl|FL)_\w+)\s*\(', text, re.M))
    names |= set(re.findall(r'^extern\s[^;]*\b((?:fl|FL)_\w+)\s*;', text, re.M))
    return names
for m, (pfx, _) in sorted(table.items()):
    h = 'harness/%s/fl_%s.h' % (m, m)
    if not os.path.exists(h):
        bad.append('%s: module %s has no public header' % (h, m))
        continue
    text = re.sub(r'/\*.*?\*/', '', open(h).read(), flags=re.S)
    for name in sorted(declared(text)):
        # the module's own handle type may be the bare prefix (fl_world, fl_scenario)
        if name.lower().startswith(pfx.lower()) or name.lower() == pfx.lower().rstrip('_') or name.upper() == pfx.upper().rstrip('_') + '_H':
            continue
        if name in report_names:
            continue
        bad.append('%s: %s does not carry the module prefix %s' % (h, name, pfx))

for b in bad:
    print(b)
print('check-layout: %d modules, %d problems' % (len(modules), len(bad)))
sys.exit(1 if bad else 0)
