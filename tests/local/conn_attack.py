#!/usr/bin/env python3
"""conn_attack.py: attacks on vgpud's sockets before any channel exists.

usage: conn_attack.py MODE   (env: VGPU_SOCKET, VGPU_CTL, VGPUD_PID)
  manyfds  N hellos that each pass 6 descriptors: vgpud's fd count comes back
  silent   N connections that never say hello: vgpud closes them by its deadline
  notevfd  a well-formed hello whose kick fd is a pipe: refused, named
  churn    200 channels opened and closed at once: all accepted
  ctlnull  {"cmd":null} and other bad JSON on the control socket: answered, vgpud lives
  trickle  a control client that sends a byte every 300 ms: cut off within 2 s
Exit 0 when vgpud behaved; 1 with a line saying what did not hold.
"""
import array
import fcntl
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctl_status  # noqa: E402

SOCK = os.environ["VGPU_SOCKET"]
CTL = os.environ["VGPU_CTL"]
PID = int(os.environ["VGPUD_PID"])
MAGIC, VERSION = 0x4C504756, 1


def nfds():
    return len(os.listdir(f"/proc/{PID}/fd"))


def wait_until(what, cond, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    print(f"FAIL: {what} (not within {seconds} s)")
    return False


def send_with_fds(sock, data, fds):
    sock.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])


def ctl(line, timeout=5):
    return ctl_status.query(line, CTL, timeout).decode(errors="replace")


def manyfds():
    base = nfds()
    for _ in range(200):
        s = socket.socket(socket.AF_UNIX)
        s.connect(SOCK)
        evs = [os.eventfd(0) for _ in range(6)]
        send_with_fds(s, struct.pack("<IHHII64s", MAGIC, VERSION, 0, 0, 1, b"x"), evs)
        s.recv(200)  # the refusal; vgpud has handled the hello
        s.close()
        for fd in evs:
            os.close(fd)
    return wait_until(f"vgpud back to {base} fds after 200 hellos with 6 fds (now {nfds()})",
                      lambda: nfds() <= base, 5)


def silent():
    base = nfds()
    socks = []
    for _ in range(300):
        s = socket.socket(socket.AF_UNIX)
        s.connect(SOCK)
        socks.append(s)
    t0 = time.monotonic()
    ok = wait_until("vgpud closed every silent connection", lambda: all(eof(s) for s in socks), 10)
    took = time.monotonic() - t0
    ok = ok and wait_until(f"vgpud back to {base} fds (now {nfds()})", lambda: nfds() <= base, 5)
    if ok:
        print(f"300 silent connections closed by vgpud within {took:.2f} s")
    return ok


def eof(s):
    s.setblocking(False)
    try:
        return s.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def notevfd():
    memfd = os.memfd_create("ring", os.MFD_ALLOW_SEALING)
    os.ftruncate(memfd, 8 * 4096)
    fcntl.fcntl(memfd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK)
    r, w = os.pipe()
    ev = os.eventfd(0)
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(5)
    s.connect(SOCK)
    inst = os.environ.get("INSTANCE", "evil").encode()
    send_with_fds(s, struct.pack("<IHHII64s", MAGIC, VERSION, 0, 0, 1, inst), [memfd, w, ev])
    welcome = s.recv(120)
    status = struct.unpack_from("<II", welcome)[1] if len(welcome) >= 8 else None
    msg = welcome[56:].split(b"\0")[0].decode(errors="replace")
    if status in (None, 0) or "eventfd" not in msg:
        print(f"FAIL: a pipe as kick fd was not refused with a reason (status {status}, '{msg}')")
        return False
    print(f"pipe as kick fd refused: '{msg}'")
    return True


def churn():
    """200 channels opened and closed at once: each works, and the log stays short."""
    for _ in range(200):
        memfd = os.memfd_create("ring", os.MFD_ALLOW_SEALING)
        os.ftruncate(memfd, 2 * 4096)
        fcntl.fcntl(memfd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK)
        kick, notify = os.eventfd(0), os.eventfd(0)
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(5)
        s.connect(SOCK)
        send_with_fds(s, struct.pack("<IHHII64s", MAGIC, VERSION, 0, 0, 1, b"honest"), [memfd, kick, notify])
        welcome = s.recv(120)
        status = struct.unpack_from("<II", welcome)[1] if len(welcome) >= 8 else None
        s.close()
        for fd in (memfd, kick, notify):
            os.close(fd)
        if status != 0:
            print(f"FAIL: a channel was refused during the churn (status {status})")
            return False
    print("200 channels opened and closed")
    return True


def ctlnull():
    for line in [b'{"cmd":null}\n', b'{"cmd":5}\n', b'[1,2]\n', b'"status"\n', b'{"cmd":"vm-update","uuid":null}\n',
                 b'\xff\xfe\n', b'{"cmd":"vm-remove","uuid":{}}\n']:
        ans = ctl(line)
        if '"ok":false' not in ans.replace(" ", ""):
            print(f"FAIL: {line!r} answered {ans!r}")
            return False
    return '"ok":true' in ctl(b'{"cmd":"status"}\n').replace(" ", "")


def trickle():
    s = socket.socket(socket.AF_UNIX)
    s.connect(CTL)
    t0 = time.monotonic()
    s.settimeout(0.3)
    cut = False
    for ch in b'{"cmd":"status"' * 4:
        try:
            s.send(bytes([ch]))
            if s.recv(1) == b"":
                cut = True
                break
        except socket.timeout:
            continue
        except OSError:
            cut = True
            break
        else:
            cut = True
            break
    took = time.monotonic() - t0
    if not cut or took > 2.0:
        print(f"FAIL: a trickling control client was held {took:.1f} s (cut: {cut})")
        return False
    print(f"trickling control client cut off after {took:.2f} s")
    return True


if __name__ == "__main__":
    sys.exit(0 if globals()[sys.argv[1]]() else 1)
