#!/usr/bin/env python3
"""Counts test cases in meson's test log: each TAP 'ok'/'not ok' line of a
TAP test, each non-TAP test once.  Prints 'N passed, N failed'."""
import json
import re
import sys

passed = failed = skipped = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            entry = json.loads(line)
            out = entry.get("stdout") or ""
            results = re.findall(r"^(not ok|ok)\b[^\n]*", out, re.M)
            if results:
                for r in results:
                    if "# SKIP" in r:
                        skipped += 1
                    elif r.startswith("not ok"):
                        failed += 1
                    else:
                        passed += 1
                if entry["result"] not in ("OK", "EXPECTEDFAIL", "SKIP") and not any(
                        r.startswith("not ok") for r in results):
                    failed += 1   # crashed or timed out after its last result
            elif entry["result"] == "SKIP":
                skipped += 1
            elif entry["result"] in ("OK", "EXPECTEDFAIL"):
                passed += 1
            else:
                failed += 1
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(1 if failed else 0)
