"""reports/consumers/tappy.py FILE — read a TAP file with tappy (python3-tap,
the Python TAP consumer) and print "tests N pass P fail F skip S yaml Y".
Exit 1 when tappy's rules reject the file (version or plan placement, plan
count), when it leaves a line unparsed, or when a failure's YAML block does
not load."""
import sys

from tap.loader import Loader
from tap.parser import Parser

path = sys.argv[1]
unknown = [str(l) for l in Parser().parse_file(path) if l.category == "unknown"]
errors, n, ok, fail, skip, yaml = [], 0, 0, 0, 0, 0
for t in Loader().load_suite_from_file(path):
    line = t._line
    if line.number is None:  # one of tappy's rule errors, as a fake test
        errors.append(line.description)
        continue
    n += 1
    if line.skip:
        skip += 1
    if line.ok or line.todo:
        ok += 1
        continue
    fail += 1
    if isinstance(line.yaml_block, dict) and "scenario" in line.yaml_block:
        yaml += 1
    else:
        errors.append("test %d: YAML block missing or unreadable" % line.number)
if unknown:
    errors.append("unparsed lines, e.g. %r" % unknown[0][:80])
if errors:
    print("; ".join(errors[:5]))
    sys.exit(1)
print("tests %d pass %d fail %d skip %d yaml %d" % (n, ok, fail, skip, yaml))
