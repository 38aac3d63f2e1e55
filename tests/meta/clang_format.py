#!/usr/bin/env python3
"""clang_format.py: the folders listed below are formatted as .clang-format says.

Each folder in FORMATTED is checked whole (its .c and .h files, found on
disk, so new files are covered). A folder joins the list in the commit
after the one that formats it: `clang-format -i DIR/*.[ch]`, in a commit
of its own. Exit 0 when all conform, 1 with clang-format's findings.
"""
import os
import shutil
import subprocess
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# Folders that conform; add one here once it has been formatted.
FORMATTED = ["sched", "store", "proto", "dom0", "guest-lib", "guest-cuda", "guest-cudart", "ptx",
             "admin", "examples", "bench", "tests"]


def sources(folder):
    out = []
    for d, _, names in os.walk(os.path.join(TOP, folder)):
        out += [os.path.join(d, n) for n in sorted(names) if n.endswith((".c", ".h"))]
    return sorted(out)


def main():
    if shutil.which("clang-format") is None:
        print("FAIL clang-format is not installed (Debian package clang-format; run scripts/setup)")
        return 1
    bad = 0
    for folder in FORMATTED:
        files = sources(folder)
        if not files:
            print(f"FAIL {folder}/: no C sources found (moved? update FORMATTED)")
            bad += 1
            continue
        out = subprocess.run(["clang-format", "--dry-run", "--Werror", "--style=file"] + files,
                             cwd=TOP, capture_output=True, text=True)
        ok = out.returncode == 0
        print(f"{'ok  ' if ok else 'FAIL'} {folder}/: {len(files)} files checked against "
              ".clang-format")
        if not ok:
            bad += 1
            print(out.stderr[-4000:], end="")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
