#!/usr/bin/env python3
"""embed.py: turn a file into a C header holding its bytes plus a NUL (a PTX image is a C string)."""
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: embed.py INPUT OUTPUT SYMBOL")
    src, out, sym = sys.argv[1:]
    data = open(src, "rb").read() + b"\0"
    lines = [", ".join("0x%02x" % b for b in data[i:i + 16]) for i in range(0, len(data), 16)]
    with open(out, "w") as f:
        f.write("/* %s: generated from %s by embed.py; do not edit. */\n" % (out.split("/")[-1], src.split("/")[-1]))
        f.write("#include <stddef.h>\n")
        f.write("static const unsigned char %s[] = {\n    %s\n};\n" % (sym, ",\n    ".join(lines)))
        f.write("static const size_t %s_len = sizeof(%s); /* NUL included */\n" % (sym, sym))


if __name__ == "__main__":
    main()
