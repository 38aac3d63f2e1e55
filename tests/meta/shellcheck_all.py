#!/usr/bin/env python3
"""shellcheck_all.py: every shell script in the tree passes shellcheck.

Finds the scripts the way a reader would, so a new one is covered without
a list to update: any file git knows (tracked or new, not ignored) whose
name ends in .sh, .bash or .bash-completion, or whose first line is a
sh/bash/dash shebang (#!/bin/sh, #!/usr/bin/env bash, #!/bin/busybox sh).
shellcheck reads the repo's .shellcheckrc (sourced helpers are followed).
A finding is fixed in the script, or disabled on its line with a comment
that gives the reason. Exit 0 when all pass, 1 with shellcheck's findings.
"""
import os
import re
import shutil
import subprocess
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHEBANG = re.compile(rb"^#!\s*\S*\b(?:env\s+|busybox\s+)?(?:ba|da)?sh\b")
BASH_NAMES = (".bash", ".bash-completion")
# Scripts that must be found: proves the discovery itself works.
KNOWN = {"scripts/test", "scripts/setup", "tests/local/lib.sh", "debian/vgpud.postinst",
         "admin/hooks/xapi-vm-pre-start", "admin/vgpuctl.bash-completion"}


def tree_files():
    out = subprocess.run(["git", "-C", TOP, "ls-files", "--cached", "--others",
                          "--exclude-standard"], capture_output=True, text=True)
    if out.returncode != 0:  # not a checkout: walk the tree
        return sorted(os.path.relpath(os.path.join(d, f), TOP)
                      for d, _, fs in os.walk(TOP) if "/.git" not in d for f in fs)
    return out.stdout.split()


def is_shell(path):
    full = os.path.join(TOP, path)
    if not os.path.isfile(full) or os.path.islink(full):
        return False
    if path.endswith(".sh") or path.endswith(BASH_NAMES):
        return True
    with open(full, "rb") as f:
        return SHEBANG.match(f.readline()) is not None


def main():
    if shutil.which("shellcheck") is None:
        print("FAIL shellcheck is not installed (Debian package shellcheck; run scripts/setup)")
        return 1
    scripts = [p for p in tree_files() if is_shell(p)]
    missing = sorted(KNOWN - set(scripts))
    if missing:
        print(f"FAIL script discovery missed {', '.join(missing)}")
        return 1
    bash = [p for p in scripts if p.endswith(BASH_NAMES)]
    rest = [p for p in scripts if p not in bash]
    bad = 0
    for shell, files in (("bash", bash), (None, rest)):
        if not files:
            continue
        cmd = ["shellcheck", "-f", "gcc"] + (["-s", shell] if shell else []) + ["--"] + files
        out = subprocess.run(cmd, cwd=TOP, capture_output=True, text=True)
        if out.returncode != 0:
            bad += 1
            print(out.stdout + out.stderr, end="")
    print(f"{'FAIL' if bad else 'ok  '} shellcheck over {len(scripts)} shell scripts")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
