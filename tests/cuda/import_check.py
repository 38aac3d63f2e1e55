#!/usr/bin/env python3
"""import_check.py [--prefix=P]... LIB PROGRAM...: every symbol starting with P (default cu)
that the programs import is exported by LIB."""
import struct
import sys

SHT_DYNSYM = 11


def dynsyms(path):
    """(name, defined) for each dynamic symbol of a 64-bit little-endian ELF file."""
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        sys.exit(f"{path}: not a 64-bit ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    for sh in sections:
        if sh[1] != SHT_DYNSYM:
            continue
        strtab = sections[sh[6]]
        for off in range(sh[4], sh[4] + sh[5], 24):
            st_name, _, _, shndx = struct.unpack_from("<IBBH", data, off)
            end = data.index(b"\0", strtab[4] + st_name)
            yield data[strtab[4] + st_name:end].decode(), shndx != 0


def main():
    prefixes = tuple(a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--prefix="))
    prefixes = prefixes or ("cu",)
    args = [a for a in sys.argv[1:] if not a.startswith("--prefix=")]
    if len(args) < 2:
        sys.exit("usage: import_check.py [--prefix=P]... LIB PROGRAM...")
    exported = {n for n, d in dynsyms(args[0]) if d}
    missing = 0
    for prog in args[1:]:
        imports = sorted(n for n, d in dynsyms(prog) if not d and n.startswith(prefixes))
        lost = [n for n in imports if n not in exported]
        for n in lost:
            print(f"FAIL {prog}: imports {n}, which {args[0]} does not export")
        print(f"{'ok  ' if not lost else 'FAIL'} {prog}: {len(imports)} {'/'.join(prefixes)}* imports")
        missing += len(lost)
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
