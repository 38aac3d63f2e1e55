"""xen_qemu.py: run-demo --transport xen-qemu: the scenario in PV domUs under a real Xen inside QEMU.

tests/xen/xen-e2e.sh in demo mode boots Xen 4.17 + dom0 under QEMU TCG; dom0 provisions three
domUs with vgpuctl (vgpu-a pool A high, vgpu-b pool B low, vgpu-c pool A low), they load vgpud
through vgpu.ko at the same time (vgpu-loadgen, busy kernel), and dom0 prints vgpud's execution
log, status samples and the domUs' client records on the console. Here: extract them, check
them with verify.py and write the same report as the local transport (report.html, metrics.json)."""
import os
import shutil
import subprocess
import time

import execlog
import metrics
import report_files
import verify
import xen_records

VMS = (("vgpu-a", "A", "high"), ("vgpu-b", "B", "low"), ("vgpu-c", "A", "low"))
SHOWN = ("== ", "VGPU-DEMO", "XENTEST", "FAIL", "SKIP", "prepare ", "qemu exit", "RULE BROKEN",
         "jobs in")


def vm_table(jobs):
    """Per VM: pool, priority, jobs, p50/max wait (ms) from the execution log alone."""
    rows = {}
    for j in jobs:
        if j["dispatch_ns"]:
            rows.setdefault((j["vm_name"], j["pool"], j["priority"]), []).append(
                (j["dispatch_ns"] - j["submit_ns"]) / 1e6)
    out = ["VM      pool prio    jobs | wait ms p50    max"]
    for (name, pool, prio), w in sorted(rows.items()):
        w.sort()
        out.append("%-7s %-4s %-6s %5d | %10.2f %6.2f" % (
            name, pool, execlog.PRIORITY_NAMES.get(prio, prio), len(w), w[len(w) // 2], w[-1]))
    return "\n".join(out)


def demo(a, say):
    """Run the Xen harness in demo mode, verify its execution log. Returns the exit status."""
    src = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
    os.makedirs(a.out, exist_ok=True)
    xlog = os.path.abspath(os.path.join(a.out, "execution-log.csv"))
    say("vgpu validation run under Xen 4.17 in QEMU (TCG): three PV domUs, vgpu.ko, vgpud in dom0")
    for name, pool, prio in VMS:
        say("  %s  pool %s  %-6s  busy x2 channels x12 jobs (vgpu-loadgen in the domU)" % (name, pool, prio))
    if a.scenario != "report" or a.duration or a.quick:
        say("note: --transport xen-qemu runs its fixed three-domU scenario; --scenario, --duration "
            "and --quick apply to the local transport")
    env = dict(os.environ, VGPU_SRCDIR=src, VGPU_BUILDDIR=os.path.abspath(a.builddir),
               VGPU_XEN_MODE="demo", VGPU_XEN_BACKEND="vgpud", VGPU_XEN_EXECLOG=xlog)
    env.setdefault("TIMEOUT", "420")
    t0 = time.monotonic()
    p = subprocess.Popen(["bash", os.path.join(src, "tests", "xen", "xen-e2e.sh")], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with open(os.path.join(a.out, "xen-e2e.out"), "w") as keep:
        for line in p.stdout:
            keep.write(line)
            if any(k in line for k in SHOWN):
                say(line.rstrip())
    rc = p.wait()
    console = os.path.join(os.path.abspath(a.builddir), "tests", "xen", "lab", "run.log")
    if os.path.exists(console):
        shutil.copy(console, os.path.join(a.out, "console.log"))
    say("Xen harness: exit %d after %.0f s (output: %s/xen-e2e.out, console: %s/console.log)" % (
        rc, time.monotonic() - t0, a.out, a.out))
    if rc == 77:
        say("run-demo: transport xen-qemu is not available here (see the SKIP line above)")
        return 2
    if not os.path.exists(xlog) or os.path.getsize(xlog) == 0:
        say("run-demo: no execution log came back from dom0")
        return 1
    jobs = execlog.read_exec_log(xlog)
    try:
        with open(os.path.join(a.out, "console.log"), errors="replace") as f:
            run = xen_records.read(f.read(), [n for n, _, _ in VMS])
    except (OSError, xen_records.RecordError) as e:
        say("run-demo: the run's records did not come back from dom0 (%s): verdicts from the "
            "execution log alone" % e)
        run = None
    verdicts = verify.verify(jobs, run)
    say()
    say(vm_table(jobs))
    say()
    say("verdicts (the execution log, and the client records brought out of the domUs):")
    say(verify.format_verdicts(verdicts))
    ok = rc == 0 and run is not None and verify.all_ok(verdicts)
    say("result: %s" % ("every rule held" if ok else "RULES FAILED" if rc == 0 else
                        "the Xen harness failed (exit %d)" % rc))
    say("execution log: %s" % xlog)
    if run is None:
        with open(os.path.join(a.out, "summary.txt"), "w") as f:
            f.write(say.text())
        return 1
    m = metrics.compute(jobs, run, run["t0_ns"])
    info = {"scenario": "xen-qemu (three PV domUs)", "duration_s": round(m["span_s"], 1),
            "seed": "-", "executor": "cpu-reference", "transport": "xen (Xen 4.17 in QEMU TCG)",
            "vgpud_pid": run["daemon"]["pid"], "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "result": "pass" if ok else "fail"}
    report_files.write(a.out, run, jobs, verdicts, m, info, say)
    return 0 if ok else 1
