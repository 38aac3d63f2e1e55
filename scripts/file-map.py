#!/usr/bin/env python3
"""file-map.py: the file map in docs/architecture.md, made from each source file's first comment.

usage: scripts/file-map.py [--check] [TOP]
Every .c and .h file of the folders below opens with a comment that says what it is
("/* chan.c: ... */"); this writes those lines, one table per folder, between the
file-map markers of docs/architecture.md. --check only compares: exit 1 (and say
what to run) when the map is stale, for the meta suite.
"""
import os
import re
import sys

FOLDERS = ["proto", "sched", "store", "dom0", "dom0/transport", "ptx", "guest-lib", "guest-cuda", "guest-cudart",
           "admin"]
BEGIN = "<!-- file-map begin: scripts/file-map.py writes this part -->"
END = "<!-- file-map end -->"


def summary(path):
    """The first sentence of the file's opening comment, without its own name."""
    with open(path, errors="replace") as f:
        head = f.read(2000)
    m = re.match(r"\s*/\*(.*?)\*/", head, re.S)
    if not m:
        return None
    text = " ".join(l.strip().lstrip("*").strip() for l in m.group(1).splitlines())
    text = re.sub(r"\s+", " ", text).strip()
    name = os.path.basename(path)
    if text.startswith(name + ":"):
        text = text[len(name) + 1:].strip()
    first = re.split(r"(?<=\.)\s", text, maxsplit=1)[0]
    return first.replace("|", "\\|")


def file_map(top):
    out, missing = [BEGIN, ""], []
    for folder in FOLDERS:
        names = sorted(n for n in os.listdir(os.path.join(top, folder)) if n.endswith((".c", ".h")))
        out += ["**%s/**" % folder, "", "| file | what it is |", "|---|---|"]
        for n in names:
            s = summary(os.path.join(top, folder, n))
            if not s:
                missing.append("%s/%s" % (folder, n))
                s = "(no opening comment)"
            out.append("| `%s` | %s |" % (n, s))
        out.append("")
    out.append(END)
    return "\n".join(out), missing


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    top = os.path.abspath(args[0] if args else os.path.join(os.path.dirname(__file__), ".."))
    doc = os.path.join(top, "docs", "architecture.md")
    with open(doc) as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        print("docs/architecture.md: no file-map markers", file=sys.stderr)
        return 1
    new_map, missing = file_map(top)
    for m in missing:
        print("%s: opens with no comment saying what it is" % m, file=sys.stderr)
    new = text[:text.index(BEGIN)] + new_map + text[text.index(END) + len(END):]
    if check:
        if new != text or missing:
            print("docs/architecture.md: the file map is stale: run scripts/file-map.py",
                  file=sys.stderr)
            return 1
        print("docs/architecture.md: the file map matches the tree")
        return 0
    with open(doc, "w") as f:
        f.write(new)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
