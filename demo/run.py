"""run.py: the validation run of the original report as one command (scripts/run-demo): set up, run, verify, report."""
import argparse
import os
import shutil
import sys
import tempfile
import time

import daemon as dmn
import execlog
import metrics
import orchestrate
import report_files
import report_text
import scenario as scen
import verify
import xen_qemu

QUICK_S, DEFAULT_S = 12, 40


def parse(argv):
    ap = argparse.ArgumentParser(
        prog="run-demo", description="Run VMs in pools A and B at mixed priorities against one "
        "vgpud, verify the scheduling rules from its execution log and write a report.")
    ap.add_argument("--quick", action="store_true", help="a short run (%d s of load)" % QUICK_S)
    ap.add_argument("--duration", type=float, help="seconds of load (default %d; --quick %d); "
                    "job counts scale with it" % (DEFAULT_S, QUICK_S))
    ap.add_argument("--seed", type=int, default=1, help="seed of the clients' inputs (default 1)")
    ap.add_argument("--scenario", choices=sorted(scen.SCENARIOS), default="report",
                    help="which environment and workload (default report)")
    ap.add_argument("--out", default="report", help="report directory (default ./report)")
    ap.add_argument("--transport", default="local", choices=["local", "xen-qemu"],
                    help="how the VMs reach vgpud (default local; xen-qemu boots Xen in QEMU with three domUs, a few minutes, its own fixed scenario, the same verdicts and report)")
    ap.add_argument("--executor", default="auto", choices=["auto", "cpu", "cuda"],
                    help="auto: CUDA where a GPU answers, else the CPU reference executor")
    ap.add_argument("--builddir", default=os.path.join(os.path.dirname(__file__), "..", "build"),
                    help="where vgpud, vgpuctl and vgpu-loadgen were built (default build/)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    ap.add_argument("--list-scenarios", action="store_true", help="describe the scenarios")
    return ap.parse_args(argv)


class Console:
    """Prints to stdout and keeps the text for summary.txt and the HTML page."""

    def __init__(self):
        self.lines = []

    def __call__(self, text=""):
        print(text, flush=True)
        self.lines.append(text)

    def text(self):
        return "\n".join(self.lines) + "\n"


def binaries(builddir):
    b = {"vgpud": "dom0/vgpud", "vgpuctl": "admin/vgpuctl", "loadgen": "examples/vgpu-loadgen"}
    b = {k: os.path.abspath(os.path.join(builddir, v)) for k, v in b.items()}
    missing = [p for p in b.values() if not os.access(p, os.X_OK)]
    if missing:
        raise dmn.DemoError("not built: %s (run scripts/setup, or give --builddir)"
                            % ", ".join(missing))
    return b


def save(out, work, run, jobs, verdicts, m, info, say):
    shutil.copy(os.path.join(work, "execution-log.csv"), os.path.join(out, "execution-log.csv"))
    shutil.copy(os.path.join(work, "vgpud.log"), os.path.join(out, "vgpud.log"))
    shutil.rmtree(os.path.join(out, "clients"), ignore_errors=True)
    shutil.copytree(os.path.join(work, "clients"), os.path.join(out, "clients"))
    report_files.write(out, run, jobs, verdicts, m, info, say)


def demo(a, say):
    s = scen.SCENARIOS[a.scenario]
    duration = a.duration or (QUICK_S if a.quick else DEFAULT_S)
    b = binaries(a.builddir)
    os.makedirs(a.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="vgpu-demo.")
    plan = scen.client_plan(s, duration)
    say("vgpu validation run: scenario %s (%s)" % (s["name"], s["about"]))
    say("environment: %s (SQLite store, vgpud on the local transport)" % work)
    for name, pool, prio in s["vms"]:
        cl = ["%s x%d x%d" % (c["kernel"], c["channels"], c["jobs"]) for c in plan if c["vm"] == name]
        say("  %s  pool %s  %-6s  %s" % (name, pool, prio, ", ".join(cl)))
    dmn.make_store(b["vgpuctl"], os.path.join(work, "vgpu.db"), s)
    d, st = start_daemon(b["vgpud"], work, a.executor, say)
    try:
        say("vgpud pid %d ready, executor: %s%s" % (
            d.proc.pid, st["executor"], " (no GPU: the CPU reference executor runs the kernels)"
            if st["executor"] != "cuda" else ""))
        run = orchestrate.run(b["loadgen"], d, plan, work, a.seed, duration,
                              timeout_s=max(60, 6 * duration))
    finally:
        code = d.stop()
    run["daemon"]["exit"] = code
    run["daemon"]["log_problems"] = d.log_problems()
    jobs = execlog.read_exec_log(d.exec_log)
    verdicts = verify.verify(jobs, run)
    m = metrics.compute(jobs, run, run["t0_ns"])
    say()
    say(report_text.vm_table(m))
    say()
    say(report_text.pool_lines(m))
    say()
    say("verdicts:")
    say(verify.format_verdicts(verdicts))
    ok = verify.all_ok(verdicts)
    say("result: %s" % ("every rule held" if ok else "RULES FAILED"))
    info = {"scenario": s["name"], "duration_s": duration, "seed": a.seed, "executor": st["executor"],
            "transport": "local", "vgpud_pid": d.proc.pid,
            "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "result": "pass" if ok else "fail"}
    save(a.out, work, run, jobs, verdicts, m, info, say)
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


def start_daemon(vgpud, work, executor, say):
    """vgpud with the executor asked for. The demo's own "auto" is a choice, never a
    silent fallback: the CUDA executor if a GPU answers, else the CPU reference
    executor, asked for by name (vgpud's own auto would log that as an error)."""
    db = os.path.join(work, "vgpu.db")
    if executor == "auto":
        d = dmn.Daemon(vgpud, work, db, "cuda")
        try:
            return d, d.start()
        except dmn.DemoError:
            say("no GPU answered: the demo runs on the CPU reference executor")
            executor = "cpu"
    d = dmn.Daemon(vgpud, work, db, executor)
    return d, d.start()


def main(argv=None):
    a = parse(argv)
    if a.list_scenarios:
        for s in scen.SCENARIOS.values():
            print("%-10s %s" % (s["name"], s["about"]))
        return 0
    try:
        if a.transport == "xen-qemu":
            return xen_qemu.demo(a, Console())
        return demo(a, Console())
    except (dmn.DemoError, execlog.LogError, OSError) as e:
        print("run-demo: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
