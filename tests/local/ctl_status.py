#!/usr/bin/env python3
"""ctl_status.py: print vgpud's status JSON from its control socket ($VGPU_CTL)."""
import os
import socket
import sys

s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(os.environ["VGPU_CTL"])
s.sendall(b'{"cmd":"status"}\n')
buf = b""
while not buf.endswith(b"\n"):
    chunk = s.recv(65536)
    if not chunk:
        break
    buf += chunk
sys.stdout.write(buf.decode())
