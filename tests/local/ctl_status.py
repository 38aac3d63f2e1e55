#!/usr/bin/env python3
"""ctl_status.py: print vgpud's status JSON from its control socket ($VGPU_CTL).

As a module: query(LINE) sends one request line and returns the answer line;
the local tests' Python helpers use it instead of a socket loop of their own.
"""
import os
import socket
import sys


def query(line=b'{"cmd":"status"}\n', path=None, timeout=5):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    try:
        s.connect(path or os.environ["VGPU_CTL"])
        s.sendall(line)
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
        return buf
    finally:
        s.close()


if __name__ == "__main__":
    sys.stdout.write(query().decode())
