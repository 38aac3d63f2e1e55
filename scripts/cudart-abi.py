#!/usr/bin/env python3
"""cudart-abi.py: guest-cudart's ABI tables from the toolkit's driver_types.h.

Usage: cudart-abi.py [--check] DRIVER_TYPES_H SRCDIR
Writes guest-cudart/cudart_errors.def (each cudaError_t as X(name, value,
"first sentence of its documentation")) and guest-cudart/cudart_structs.def
(the members of the structs programs pass, in order, as
X(struct, type, name, array-suffix)), so that libcudart builds without the
toolkit. --check fails when the committed files differ; it exits 77 (SKIP)
when the header is absent or comes from another CUDA version than the one
the files were made from (named in their first lines).
"""
import os
import re
import sys

STRUCTS = ("cudaDeviceProp", "cudaFuncAttributes")


def errors(text):
    body = re.search(r"enum __device_builtin__ cudaError\s*\{(.*?)\n\};", text, re.S).group(1)
    for m in re.finditer(r"/\*\*(.*?)\*/\s*(cudaError\w*|cudaSuccess)\s*=\s*(\d+)", body, re.S):
        doc = " ".join(l.strip().lstrip("*").strip() for l in m.group(1).splitlines()).strip()
        doc = re.sub(r"\s+", " ", doc.replace("::", "").replace('"', "'"))
        first = re.split(r"(?<=[a-z)])\. ", doc)[0].rstrip(".")
        if first.startswith("\\deprecated"):
            first = "deprecated: " + first[len("\\deprecated"):].strip()
        yield f'X({m.group(2)}, {m.group(3)}, "{first}")'


def members(text, name):
    body = re.search(r"struct __device_builtin__ %s\s*\{(.*?)\n\};" % name, text, re.S).group(1)
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    for m in re.finditer(r"([A-Za-z_][\w ]*?)\s+(\w+)\s*(\[\d+\])?\s*;", body):
        yield f"X({name}, {' '.join(m.group(1).split())}, {m.group(2)}, {m.group(3) or ''})"


def toolkit_version(header):
    cuda_h = os.path.join(os.path.dirname(header), "cuda.h")
    m = re.search(r"#define CUDA_VERSION (\d+)", open(cuda_h).read()) if os.path.exists(cuda_h) else None
    return m.group(1) if m else "unknown"


def made_from(path):
    m = re.search(r"Made from CUDA (\w+)'s", open(path).read(400)) if os.path.exists(path) else None
    return m.group(1) if m else None


def render(header):
    text = open(header).read()
    head = ("/* %s: %s.\n * Made from CUDA " + toolkit_version(header) +
            "'s driver_types.h by scripts/cudart-abi.py: the runtime's ABI. */\n")
    errs = head % ("cudart_errors.def", "every cudaError_t as X(name, value, message)")
    errs += "".join(e + "\n" for e in errors(text))
    structs = head % ("cudart_structs.def", "struct members in order as X(struct, type, name, array)")
    structs += "".join(m + "\n" for s in STRUCTS for m in members(text, s))
    return {"cudart_errors.def": errs, "cudart_structs.def": structs}


def skip_unless_comparable(header, committed):
    if not os.path.exists(header):
        print(f"SKIP: no CUDA toolkit header at {header}")
        sys.exit(77)
    ours, theirs = made_from(committed), toolkit_version(header)
    if ours and ours != theirs:
        print(f"SKIP: the toolkit is CUDA {theirs}; the .def files come from CUDA {ours}")
        sys.exit(77)


def main():
    args = [a for a in sys.argv[1:] if a != "--check"]
    if len(args) != 2:
        sys.exit("usage: cudart-abi.py [--check] DRIVER_TYPES_H SRCDIR")
    if "--check" in sys.argv:
        skip_unless_comparable(args[0], os.path.join(args[1], "guest-cudart", "cudart_errors.def"))
    for name, fresh in render(args[0]).items():
        out = os.path.join(args[1], "guest-cudart", name)
        if "--check" in sys.argv:
            if not os.path.exists(out) or open(out).read() != fresh:
                sys.exit(f"{out} is stale: run scripts/cudart-abi.py {args[0]} .")
        else:
            open(out, "w").write(fresh)


if __name__ == "__main__":
    main()
