"""orchestrate.py: run the scenario's clients as separate processes against vgpud, sample its status, show progress."""
import os
import subprocess
import sys
import time

import execlog

SAMPLE_S = 0.1        # status poll period
START_LEAD_NS = 400_000_000   # first --start-at-ns this far after launch, so all clients are up


class Progress:
    """A live line on a terminal (redrawn), else a line every few seconds."""

    def __init__(self, stream=sys.stderr):
        self.stream, self.tty, self.last = stream, stream.isatty(), 0.0

    def show(self, text, force=False):
        now = time.monotonic()
        if self.tty:
            if force or now - self.last >= 0.2:
                self.stream.write("\r\033[K" + text)
                self.stream.flush()
                self.last = now
        elif force or now - self.last >= 3.0:
            self.stream.write(text + "\n")
            self.stream.flush()
            self.last = now

    def done(self):
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def client_cmd(loadgen, sock, c, start_at_ns, log, seed):
    cmd = [loadgen, "--instance", c["vm"], "--socket", sock, "--kernel", c["kernel"],
           "--jobs", str(c["jobs"]), "--channels", str(c["channels"]), "--log", log,
           "--seed", str(seed)]
    if "busy_us" in c:
        cmd += ["--busy-us", str(c["busy_us"])]
    if "size" in c:
        cmd += ["--size", str(c["size"])]
    if start_at_ns:
        cmd += ["--start-at-ns", str(start_at_ns)]
    return cmd


def launch(loadgen, daemon, clients, workdir, seed, t0_ns, duration_s):
    """Start clients; each gets its command, log path and process."""
    for i, c in enumerate(clients):
        at = t0_ns + START_LEAD_NS + int(c["start"] * duration_s * 1e9) if c["phase"] == "load" else 0
        c["log"] = os.path.join(workdir, "clients", c["label"] + ".jsonl")
        c["cmd"] = client_cmd(loadgen, daemon.sock, c, at, c["log"], seed + i)
        c["out_path"] = os.path.join(workdir, "clients", c["label"] + ".out")
        with open(c["out_path"], "w") as out:
            c["proc"] = subprocess.Popen(c["cmd"], stdout=out, stderr=subprocess.STDOUT)


def sample(daemon, t0_ns, samples, run):
    try:
        st = daemon.status()
    except (OSError, ValueError):
        run["daemon"]["status_failures"] += 1
        return None
    s = {"t_ns": time.monotonic_ns() - t0_ns, "uptime_ns": st["uptime_ns"],
         "pools": {p["name"]: {"queued": p["queued"], "completed": p["completed"],
                               "running": (p["running"] or {}).get("vm_id")}
                   for p in st["pools"]}}
    samples.append(s)
    return st


def progress_text(s, elapsed, nrunning, nclients):
    done = sum(p["completed"] for p in s["pools"].values())
    pools = "  ".join("%s: q %2d%s" % (n, p["queued"],
                                       " run VM%d" % p["running"] if p["running"] else "       ")
                      for n, p in sorted(s["pools"].items()))
    return "[%5.1f s] jobs done %5d | %s | clients running %d/%d" % (
        elapsed, done, pools, nrunning, nclients)


def run(loadgen, daemon, plan, workdir, seed, duration_s, timeout_s):
    """Run the load phase, then the verify phase; return the run record (see verify.py)."""
    os.makedirs(os.path.join(workdir, "clients"), exist_ok=True)
    run = {"clients": [], "samples": [],
           "daemon": {"pid": daemon.proc.pid, "status_failures": 0}}
    prog = Progress()
    t_start = time.monotonic()
    t0_ns = time.monotonic_ns()      # the report's time origin
    run["t0_ns"] = t0_ns
    phases = [[c for c in plan if c["phase"] == "load"], [c for c in plan if c["phase"] == "verify"]]
    st = None
    for clients in phases:
        launch(loadgen, daemon, clients, workdir, seed + len(run["clients"]), t0_ns, duration_s)
        while True:
            st = sample(daemon, t0_ns, run["samples"], run) or st
            nrunning = sum(1 for c in clients if c["proc"].poll() is None)
            if run["samples"]:
                prog.show(progress_text(run["samples"][-1], time.monotonic() - t_start,
                                        nrunning, len(clients)), force=nrunning == 0)
            if nrunning == 0 or not daemon.alive():
                break
            if time.monotonic() - t_start > timeout_s:
                print("\nrun-demo: clients still running after %d s: stopping them" % timeout_s,
                      file=sys.stderr)
                break
            time.sleep(SAMPLE_S)
        for c in clients:
            if c["proc"].poll() is None:
                c["proc"].kill()
                c["proc"].wait()
                c["exit"] = "killed (timeout)"
            else:
                c["exit"] = c["proc"].returncode
            run["clients"].append(finish(c))
        if not daemon.alive():
            break
    prog.done()
    run["final_status"] = sample(daemon, t0_ns, run["samples"], run)
    run["daemon"]["alive_at_end"] = daemon.alive()
    return run


def finish(c):
    """The client's record for run.json (no process object)."""
    with open(c["out_path"]) as f:
        out = f.read().strip()
    return {"label": c["label"], "vm": c["vm"], "kernel": c["kernel"], "phase": c["phase"],
            "channels": c["channels"], "jobs": c["jobs"], "expected": c["channels"] * c["jobs"],
            "exit": c["exit"], "cmd": c["cmd"], "summary": out.splitlines()[-1] if out else "",
            "records": execlog.read_client_log(c["log"])}
