"""xen_qemu.py: run-demo --transport xen-qemu: the scenario in PV domUs under a real Xen inside QEMU.

tests/xen/xen-e2e.sh in demo mode boots Xen 4.17 + dom0 under QEMU TCG; dom0 provisions three
domUs with vgpuctl (vgpu-a pool A high, vgpu-b pool B low, vgpu-c pool A low), they load vgpud
through vgpu.ko at the same time (vgpu-loadgen, busy kernel), and dom0 prints vgpud's execution
log on the console. Here: extract it, check it with verify.py, print the verdicts."""
import os
import shutil
import subprocess
import time

import execlog
import verify

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
    verdicts = verify.verify(jobs)
    say()
    say(vm_table(jobs))
    say()
    say("verdicts (from the execution log alone; the client records stay inside the domUs):")
    say(verify.format_verdicts(verdicts))
    ok = rc == 0 and verify.all_ok(verdicts)
    say("result: %s" % ("every rule held" if ok else "RULES FAILED" if rc == 0 else
                        "the Xen harness failed (exit %d)" % rc))
    say("execution log: %s" % xlog)
    with open(os.path.join(a.out, "summary.txt"), "w") as f:
        f.write(say.text())
    return 0 if ok else 1
