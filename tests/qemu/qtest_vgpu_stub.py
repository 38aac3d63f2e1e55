#!/usr/bin/env python3
"""qtest_vgpu_stub.py: checks QEMU's vgpu-stub device through the qtest protocol.

usage: qtest_vgpu_stub.py [--qemu BINARY] [--qemu-src DIR] TEST...
Without --qemu, builds QEMU first with qemu-vgpu/build.sh (exit 77 = skip is
passed on). TEST is one of the test_* names below without the prefix.
Exit status: 0 all passed, 1 a check failed, 77 QEMU could not be built here.
"""
import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile

SRCDIR = os.environ.get("VGPU_SRCDIR",
                        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
FIRMWARE = ["-L", "/usr/share/seabios", "-L", "/usr/share/qemu"]
BASE_ARGS = ["-machine", "q35", "-accel", "qtest", "-display", "none", "-nodefaults"] + FIRMWARE



def header_defines(*names):
    """The numeric #defines of proto/ headers: the device's contract, not a copy of it."""
    defs = {}
    for name in names:
        with open(os.path.join(SRCDIR, "proto", name), encoding="utf-8") as f:
            for m in re.finditer(r"^#define\s+(VGPU_\w+)\s+(0x[0-9a-fA-F]+|\d+)\b", f.read(), re.M):
                defs[m.group(1)] = int(m.group(2), 0)
    return defs


_D = header_defines("vgpu_identity.h", "vgpu_stub_regs.h")
VENDOR_ID, DEVICE_ID = _D["VGPU_STUB_VENDOR_ID"], _D["VGPU_STUB_DEVICE_ID"]
PCI_CLASS_DISPLAY_OTHER = _D["VGPU_STUB_CLASS"]
BAR_SIZE = _D["VGPU_STUB_BAR_SIZE"]
BAR_ADDR = 0xE0000000

# Registers (proto/vgpu_stub_regs.h).
REG_MAGIC, REG_VERSION, REG_VM_ID = _D["VGPU_STUB_REG_MAGIC"], _D["VGPU_STUB_REG_VERSION"], _D["VGPU_STUB_REG_VM_ID"]
REG_POOL_LEN, REG_PRIORITY = _D["VGPU_STUB_REG_POOL_LEN"], _D["VGPU_STUB_REG_PRIORITY"]
REG_FLAGS, REG_POOL_NAME = _D["VGPU_STUB_REG_FLAGS"], _D["VGPU_STUB_REG_POOL_NAME"]
MAGIC, VERSION = _D["VGPU_STUB_MAGIC"], _D["VGPU_STUB_VERSION"]
QEMU_TIMEOUT = 30
WORKDIR = None  # a TemporaryDirectory for sockets and logs, made by main()


class Failed(Exception):
    pass


class Qtest:
    """One QEMU process driven over -qtest unix:SOCK."""

    count = 0  # sockets made so far

    def __init__(self, qemu, device_args, log_path=None):
        Qtest.count += 1
        sock_path = os.path.join(WORKDIR.name, "qtest-%d.sock" % Qtest.count)
        srv = socket.socket(socket.AF_UNIX)
        srv.bind(sock_path)
        srv.listen(1)
        srv.settimeout(QEMU_TIMEOUT)
        args = [qemu] + BASE_ARGS + ["-qtest", "unix:" + sock_path, "-device", device_args]
        if log_path:
            args += ["-d", "guest_errors", "-D", log_path]
        print("$ " + " ".join(args))
        self.proc = subprocess.Popen(args, stderr=subprocess.PIPE, text=True)
        try:
            self.conn, _ = srv.accept()
        except socket.timeout:
            self.proc.kill()
            raise Failed("QEMU did not connect to the qtest socket in %d s: %s"
                         % (QEMU_TIMEOUT, self.proc.communicate()[1].strip()))
        finally:
            srv.close()
        self.conn.settimeout(QEMU_TIMEOUT)
        self.file = self.conn.makefile("rw")

    def cmd(self, line):
        self.file.write(line + "\n")
        self.file.flush()
        while True:
            reply = self.file.readline()
            if not reply:
                raise Failed("QEMU closed the qtest socket after '%s'" % line)
            reply = reply.strip()
            if not reply.startswith("IRQ"):
                break
        words = reply.split()
        if words[0] != "OK":
            raise Failed("qtest '%s' answered '%s'" % (line, reply))
        return int(words[1], 16) if len(words) > 1 else None

    def close(self):
        self.conn.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=QEMU_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    # PCI configuration space, mechanism #1 (bus 0 only).
    def cfg_addr(self, dev, off):
        self.cmd("outl 0xcf8 0x%x" % (0x80000000 | dev << 11 | (off & 0xFC)))

    def cfg_readl(self, dev, off):
        self.cfg_addr(dev, off)
        return self.cmd("inl 0xcfc")

    def cfg_writel(self, dev, off, val):
        self.cfg_addr(dev, off)
        self.cmd("outl 0xcfc 0x%x" % val)

    def cfg_writew(self, dev, off, val):
        self.cfg_addr(dev, off)
        self.cmd("outw 0x%x 0x%x" % (0xCFC + (off & 2), val))


fails = 0


def expect(got, want, what):
    global fails
    ok = got == want
    fails += not ok
    fmt = "%r" if isinstance(want, (str, bytes)) else "0x%x"
    print("  %s %s: got %s, want %s" % ("ok  " if ok else "FAIL", what, fmt % got, fmt % want))


def find_device(qt):
    """Scans bus 0 for 1af4:10f0; returns the device number."""
    for dev in range(32):
        if qt.cfg_readl(dev, 0x00) == DEVICE_ID << 16 | VENDOR_ID:
            print("  found %04x:%04x at 00:%02x.0" % (VENDOR_ID, DEVICE_ID, dev))
            return dev
    raise Failed("no %04x:%04x device on PCI bus 0" % (VENDOR_ID, DEVICE_ID))


def map_bar0(qt, dev):
    """Sizes BAR 0, places it at BAR_ADDR and enables memory decoding."""
    qt.cfg_writel(dev, 0x10, 0xFFFFFFFF)
    expect(qt.cfg_readl(dev, 0x10), (~(BAR_SIZE - 1)) & 0xFFFFFFFF, "BAR0 size probe (4 KiB, 32-bit memory)")
    qt.cfg_writel(dev, 0x10, BAR_ADDR)
    expect(qt.cfg_readl(dev, 0x10), BAR_ADDR, "BAR0 address")
    qt.cfg_writew(dev, 0x04, 0x0002)  # COMMAND: memory space enable
    return BAR_ADDR


def read_pool(qt, bar):
    return bytes(qt.cmd("readb 0x%x" % (bar + REG_POOL_NAME + i)) for i in range(32))


def check_identity(qt, vm_id, pool, priority):
    dev = find_device(qt)
    expect(qt.cfg_readl(dev, 0x08) >> 16, PCI_CLASS_DISPLAY_OTHER, "class code")
    expect(qt.cfg_readl(dev, 0x08) & 0xFF, _D["VGPU_STUB_REVISION"], "revision")
    bar = map_bar0(qt, dev)
    expect(qt.cmd("readl 0x%x" % (bar + REG_MAGIC)), MAGIC, "MAGIC")
    magic = bytes(qt.cmd("readb 0x%x" % (bar + REG_MAGIC + i)) for i in range(4))
    expect(magic, b"VGPU", "MAGIC as bytes")
    expect(qt.cmd("readl 0x%x" % (bar + REG_VERSION)), VERSION, "VERSION")
    expect(qt.cmd("readl 0x%x" % (bar + REG_VM_ID)), vm_id, "VM_ID")
    expect(qt.cmd("readl 0x%x" % (bar + REG_POOL_LEN)), len(pool), "POOL_LEN")
    expect(qt.cmd("readl 0x%x" % (bar + REG_PRIORITY)), priority, "PRIORITY")
    expect(qt.cmd("readl 0x%x" % (bar + REG_FLAGS)), 0, "FLAGS")
    expect(read_pool(qt, bar), pool.encode().ljust(32, b"\0"), "POOL_NAME (32 bytes, NUL-padded)")
    expect(qt.cmd("readw 0x%x" % (bar + REG_VM_ID)), vm_id & 0xFFFF, "VM_ID as 16 bits")
    for off in (0x18, 0x1C, 0x40, 0x800, BAR_SIZE - 4):
        expect(qt.cmd("readl 0x%x" % (bar + off)), 0, "reserved 0x%03x" % off)
    return bar


def test_identity(qemu):
    """Every register against the properties given; writes are ignored and logged."""
    vm_id, pool, priority = 4242, "gpu-pool_A1", 2
    log = os.path.join(WORKDIR.name, "guest-errors.log")
    qt = Qtest(qemu, "vgpu-stub,vm-id=%d,pool=%s,priority=%d" % (vm_id, pool, priority), log)
    try:
        bar = check_identity(qt, vm_id, pool, priority)
        for off in (REG_MAGIC, REG_VERSION, REG_VM_ID, REG_POOL_LEN, REG_PRIORITY, REG_FLAGS,
                    REG_POOL_NAME, 0x100):
            qt.cmd("writel 0x%x 0xdeadbeef" % (bar + off))
        qt.cmd("writeb 0x%x 0x58" % (bar + REG_POOL_NAME))
        print("  after writes to every register:")
        check_identity(qt, vm_id, pool, priority)
    finally:
        qt.close()
    with open(log) as f:
        logged = f.read()
    expect("read-only" in logged and "offset 0x10 ignored" in logged, True,
           "writes logged as guest errors (-d guest_errors)")


def test_limits(qemu):
    """Boundary values: the largest vm id, the longest pool name, the lowest priority."""
    pool = "p" * (_D["VGPU_POOL_NAME_MAX"] - 2) + "_-"
    vm_id = _D["VGPU_VM_ID_MAX"]
    qt = Qtest(qemu, "vgpu-stub,vm-id=%d,pool=%s,priority=0" % (vm_id, pool))
    try:
        check_identity(qt, vm_id, pool, 0)
    finally:
        qt.close()


def test_default_priority(qemu):
    """priority left out is 1 (medium)."""
    qt = Qtest(qemu, "vgpu-stub,vm-id=1,pool=A")
    try:
        check_identity(qt, 1, "A", 1)
    finally:
        qt.close()


BAD_PROPS = [
    ("vm-id=7,pool=A,priority=3", "'priority'"),
    ("vm-id=7,pool=A,priority=-1", "priority"),
    ("vm-id=7,pool=bad.name,priority=1", "'pool'"),
    ("vm-id=7,pool=a/b,priority=1", "'pool'"),
    ("vm-id=7,pool=%s,priority=1" % ("x" * 32), "'pool'"),
    ("vm-id=7,pool=,priority=1", "'pool'"),
    ("vm-id=7,priority=1", "'pool'"),
    ("vm-id=0,pool=A,priority=1", "'vm-id'"),
    ("vm-id=65536,pool=A,priority=1", "'vm-id'"),
    ("pool=A,priority=1", "'vm-id'"),
]


def test_bad_props(qemu):
    """QEMU refuses to start with an invalid property, naming it."""
    global fails
    for props, name in BAD_PROPS:
        args = [qemu] + BASE_ARGS + ["-device", "vgpu-stub," + props]
        try:
            p = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                               timeout=QEMU_TIMEOUT)
        except subprocess.TimeoutExpired:
            fails += 1
            print("  FAIL %s: QEMU still running after %d s, want a refusal" % (props, QEMU_TIMEOUT))
            continue
        msg = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""
        ok = p.returncode != 0 and name in msg
        fails += not ok
        print("  %s %s: exit %d, %r (want non-zero and %s)"
              % ("ok  " if ok else "FAIL", props, p.returncode, msg, name))


def test_from_store(qemu):
    """The -device argument vgpuctl gives for a registered VM shows that VM's identity."""
    vgpuctl = os.path.join(os.environ["VGPU_BUILDDIR"], "admin", "vgpuctl")
    db = os.path.join(WORKDIR.name, "vgpu.db")
    run = lambda *a: subprocess.run([vgpuctl, "--db", db] + list(a), check=True,
                                    stdout=subprocess.PIPE, text=True).stdout
    run("init")
    run("register-vm", "00000000-0000-4000-8000-00000000a777", "--name", "stubvm",
        "--vm-id", "777", "--pool", "B", "--priority", "low")
    dev = json.loads(run("--json", "show-vm", "stubvm"))["qemu_device"]
    print("  vgpuctl show-vm: -device %s" % dev)
    qt = Qtest(qemu, dev)
    try:
        check_identity(qt, 777, "B", 0)
    finally:
        qt.close()


def build_qemu(qemu_src):
    env = dict(os.environ)
    if qemu_src:
        env["QEMU_SRC"] = qemu_src
    p = subprocess.run([os.path.join(SRCDIR, "qemu-vgpu", "build.sh")], env=env,
                       stdout=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit(p.returncode)  # 77 (skip) with its reason already on stderr
    return p.stdout.strip().splitlines()[-1]


def main():
    global fails, WORKDIR
    tests = {n[len("test_"):]: f for n, f in globals().items() if n.startswith("test_")}
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--qemu", help="qemu-system-x86_64 with vgpu-stub (default: build it)")
    ap.add_argument("--qemu-src", default="", help="QEMU tree to build into (meson -Dqemu_src=)")
    ap.add_argument("tests", nargs="+", choices=sorted(tests))
    opts = ap.parse_args()
    qemu = opts.qemu or build_qemu(opts.qemu_src)
    WORKDIR = tempfile.TemporaryDirectory(prefix="vgpu-qtest-")
    for name in opts.tests:
        print("== %s: %s" % (name, tests[name].__doc__))
        try:
            tests[name](qemu)
        except Failed as e:
            fails += 1
            print("  FAIL %s" % e)
    WORKDIR.cleanup()
    print("ALL OK" if not fails else "%d FAILURES" % fails)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
