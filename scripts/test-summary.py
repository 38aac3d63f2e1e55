#!/usr/bin/env python3
"""test-summary.py: sum meson testlog.json files into 'N passed, N failed, N skipped'."""
import json
import sys

PASS = {"OK", "EXPECTEDFAIL"}
SKIP = {"SKIP"}


def main(paths):
    passed = failed = skipped = 0
    for path in paths:
        try:
            lines = open(path, encoding="utf-8").read().splitlines()
        except OSError as e:
            print(f"summary: cannot read {path}: {e}")
            failed += 1
            continue
        for line in lines:
            t = json.loads(line)
            name = f"{path.split('/')[0]}:{t['name']}"
            if t["result"] in PASS:
                passed += 1
            elif t["result"] in SKIP:
                skipped += 1
                reason = (t.get("stdout") or "").strip().splitlines()[-1:] or ["(no reason printed)"]
                print(f"SKIPPED {name}: {reason[0]}")
            else:
                failed += 1
                print(f"FAILED  {name}: {t['result']}")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
