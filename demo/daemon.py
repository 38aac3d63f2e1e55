"""daemon.py: the demo's environment: a config store made with vgpuctl and one vgpud, started, queried, stopped."""
import json
import os
import signal
import socket
import subprocess
import time

import scenario as scen


class DemoError(Exception):
    """Setting up or talking to vgpud failed; the message says what and what to do."""


def ctl_query(path, request, timeout=2.0):
    """Send one JSON request on vgpud's control socket; return the decoded answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(path)
        s.sendall((json.dumps(request) + "\n").encode())
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    return json.loads(buf.decode())


def make_store(vgpuctl, db, scenario):
    """Create the SQLite config store and register the scenario's VMs in it."""
    cmds = [[vgpuctl, "--db", db, "init"]]
    for name, pool, prio in scenario["vms"]:
        cmds.append([vgpuctl, "--db", db, "--ctl", db + ".no-ctl", "register-vm",
                     scen.vm_uuid(name), "--name", name, "--pool", pool, "--priority", prio,
                     "--vm-id", name[2:]])
    for cmd in cmds:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            raise DemoError("%s failed (exit %d):\n%s" % (" ".join(cmd), r.returncode, r.stdout))


class Daemon:
    """One vgpud on the local transport, in workdir, logging to workdir/vgpud.log."""

    def __init__(self, vgpud, workdir, db, executor):
        self.sock = os.path.join(workdir, "vgpud.sock")
        self.ctl = os.path.join(workdir, "vgpud.ctl")
        self.exec_log = os.path.join(workdir, "execution-log.csv")
        self.log_path = os.path.join(workdir, "vgpud.log")
        self.cmd = [vgpud, "--db", db, "--socket", self.sock, "--ctl", self.ctl,
                    "--transport", "local", "--exec-log", self.exec_log,
                    "--executor", executor, "--log-level", "info"]
        self.proc = None

    def start(self, ready_timeout=15.0):
        """Start vgpud and wait until its control socket answers status; return that status."""
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(self.cmd, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + ready_timeout
        while True:
            if self.proc.poll() is not None:
                raise DemoError("vgpud exited %d at start; its log (%s):\n%s" % (
                    self.proc.returncode, self.log_path, self.log_text()))
            try:
                st = ctl_query(self.ctl, {"cmd": "status"})
                if st.get("ok"):
                    return st
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise DemoError("vgpud did not answer status on %s within %.0f s; its log:\n%s"
                                % (self.ctl, ready_timeout, self.log_text()))
            time.sleep(0.05)

    def status(self):
        return ctl_query(self.ctl, {"cmd": "status"})

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=15.0):
        """SIGTERM vgpud and wait for it; return its exit status (None if it had to be killed)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return None
        return self.proc.returncode

    def log_text(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""

    def log_problems(self):
        """vgpud's log lines at error level, or about broken channels."""
        return [l for l in self.log_text().splitlines()
                if ": error:" in l or ": crit" in l or "broken" in l]
