#!/usr/bin/env python3
"""test-summary.py: sum meson testlog.json files into 'N passed, N failed, N skipped'."""
import json
import re
import sys

PASS = {"OK", "EXPECTEDFAIL"}
SKIP = {"SKIP"}
# The only reasons a test may skip: hardware or vendor software that
# scripts/setup cannot install from Debian's packages. Any other skip is a
# failure: something scripts/setup should have installed is missing.
HARDWARE = re.compile(r"no (NVIDIA )?GPU|no NVIDIA driver|no CUDA toolkit", re.I)


def skip_reason(t):
    """The line a skipped test printed with its reason (its last 'SKIP' line, else its last line)."""
    lines = ((t.get("stdout") or "") + "\n" + (t.get("stderr") or "")).strip().splitlines()
    marked = [ln.strip() for ln in lines if "SKIP" in ln]
    return (marked or lines or ["(no reason printed)"])[-1]


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
                reason = skip_reason(t)
                if HARDWARE.search(reason):
                    skipped += 1
                    print(f"SKIPPED {name}: {reason}")
                else:
                    failed += 1
                    print(f"FAILED  {name}: skipped, but not for missing GPU hardware or CUDA: {reason}"
                          " -- install what it names (scripts/packages.txt, scripts/setup)")
            else:
                failed += 1
                print(f"FAILED  {name}: {t['result']}")
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
