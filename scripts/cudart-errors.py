#!/usr/bin/env python3
"""cudart-errors.py: guest-cudart/cudart_errors.def from the toolkit's driver_types.h.

Usage: cudart-errors.py [--check] DRIVER_TYPES_H SRCDIR
Each cudaError_t of the header becomes X(name, value, "first sentence of its
documentation"); --check fails when the committed file differs.
"""
import os
import re
import sys

HEAD = ("/* cudart_errors.def: every cudaError_t: X(name, value, message), from the toolkit's\n"
        " * driver_types.h by scripts/cudart-errors.py. Values are the runtime ABI. */\n")


def entries(text):
    body = re.search(r"enum __device_builtin__ cudaError\s*\{(.*?)\n\};", text, re.S).group(1)
    for m in re.finditer(r"/\*\*(.*?)\*/\s*(cudaError\w*|cudaSuccess)\s*=\s*(\d+)", body, re.S):
        doc = " ".join(l.strip().lstrip("*").strip() for l in m.group(1).splitlines()).strip()
        doc = re.sub(r"\s+", " ", doc.replace("::", "").replace('"', "'"))
        first = re.split(r"(?<=[a-z)])\. ", doc)[0].rstrip(".")
        if first.startswith("\\deprecated"):
            first = "deprecated: " + first[len("\\deprecated"):].strip()
        yield m.group(2), int(m.group(3)), first


def main():
    args = [a for a in sys.argv[1:] if a != "--check"]
    if len(args) != 2:
        sys.exit("usage: cudart-errors.py [--check] DRIVER_TYPES_H SRCDIR")
    fresh = HEAD + "".join(f'X({n}, {v}, "{s}")\n' for n, v, s in entries(open(args[0]).read()))
    out = os.path.join(args[1], "guest-cudart", "cudart_errors.def")
    if "--check" in sys.argv:
        if open(out).read() != fresh:
            sys.exit(f"{out} is stale: run scripts/cudart-errors.py {args[0]} .")
        return
    open(out, "w").write(fresh)


if __name__ == "__main__":
    main()
