#!/usr/bin/env python3
"""cuda-surface.py [--check] SRCDIR: docs/cuda.md's table of the exported driver API, from the code.

The rows come from guest-cuda/cu_exports.def (what cuGetProcAddress and
the loader find) and the VCU_ALIAS lines, the notes from the comment just
above each function's definition in guest-cuda/*.c. Without --check the table in docs/cuda.md
is rewritten; with it, the script exits 1 if the table is stale.
"""
import glob
import os
import re
import sys

BEGIN, END = "<!-- surface:begin (scripts/cuda-surface.py) -->", "<!-- surface:end -->"


def exports(src):
    rows = {}
    for line in open(os.path.join(src, "guest-cuda/cu_exports.def")):
        m = re.match(r"X\((\w+), (\d+), (\w+)\)", line)
        if m:
            rows.setdefault(m.group(1), []).append((int(m.group(2)), m.group(3)))
    return rows


def notes(src):
    """symbol -> the comment above its definition, on one line."""
    out = {}
    for path in sorted(glob.glob(os.path.join(src, "guest-cuda/*.c"))):
        text = open(path).read()
        for m in re.finditer(r"(?:/\*((?:(?!\*/).)*)\*/\n)?VCU_API CUresult (\w+)\(", text, re.S):
            if m.group(1):
                words = " ".join(w.strip(" *") for w in m.group(1).split("\n"))
                out[m.group(2)] = re.sub(r"\s+", " ", words).strip()
    return out


def aliases(src):
    """symbol -> the names it is also exported as (VCU_ALIAS)."""
    out = {}
    for path in sorted(glob.glob(os.path.join(src, "guest-cuda/*.c"))):
        for m in re.finditer(r"^VCU_ALIAS\((\w+), (\w+)\);", open(path).read(), re.M):
            out.setdefault(m.group(2), []).append(m.group(1))
    return out


def version(v):
    return f"{v // 1000}.{v % 1000 // 10}"


def table(src):
    n, al = notes(src), aliases(src)
    lines = ["| function | symbols (from CUDA version; + per-thread stream variant) | notes |",
             "|---|---|---|"]
    for name, syms in exports(src).items():
        cells = ", ".join(f"`{s}` ({version(v)})" + "".join(f" + `{a}`" for a in al.get(s, []))
                          for v, s in syms)
        note = " ".join(dict.fromkeys(n[s] for _, s in syms if s in n))
        lines.append(f"| `{name}` | {cells} | {note.replace('|', '/')} |")
    return "\n".join(lines)


def main():
    args = [a for a in sys.argv[1:] if a != "--check"]
    if len(args) != 1:
        sys.exit("usage: cuda-surface.py [--check] SRCDIR")
    doc = os.path.join(args[0], "docs/cuda.md")
    text = open(doc).read()
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    fresh = text[:start] + "\n" + table(args[0]) + "\n" + text[end:]
    if "--check" in sys.argv:
        if fresh != text:
            sys.exit("docs/cuda.md: the surface table is stale: run scripts/cuda-surface.py .")
        print("docs/cuda.md: the surface table matches guest-cuda/")
        return
    open(doc, "w").write(fresh)


if __name__ == "__main__":
    main()
