#!/usr/bin/env python3
"""import_check.py LIB PROGRAM...: every cu* symbol the programs import is exported by LIB."""
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
    if len(sys.argv) < 3:
        sys.exit("usage: import_check.py LIB PROGRAM...")
    exported = {n for n, d in dynsyms(sys.argv[1]) if d}
    missing = 0
    for prog in sys.argv[2:]:
        imports = sorted(n for n, d in dynsyms(prog) if not d and n.startswith("cu"))
        lost = [n for n in imports if n not in exported]
        for n in lost:
            print(f"FAIL {prog}: imports {n}, which {sys.argv[1]} does not export")
        print(f"{'ok  ' if not lost else 'FAIL'} {prog}: {len(imports)} cu* imports")
        missing += len(lost)
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
