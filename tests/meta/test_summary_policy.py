#!/usr/bin/env python3
"""test_summary_policy.py: scripts/test-summary.py lets only missing GPU hardware or CUDA skip."""
import json
import os
import subprocess
import sys
import tempfile

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def summarize(results):
    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, "testlog.json")
        with open(log, "w", encoding="utf-8") as f:
            for name, result, out in results:
                f.write(json.dumps({"name": name, "result": result, "stdout": out}) + "\n")
        p = subprocess.run([sys.executable, os.path.join(TOP, "scripts/test-summary.py"), log],
                           capture_output=True, text=True)
        return p.returncode, p.stdout


def main():
    bad = 0

    def check(what, cond, out):
        nonlocal bad
        print(("ok   " if cond else "FAIL ") + what)
        if not cond:
            print(out)
            bad += 1

    rc, out = summarize([("a", "OK", ""), ("cuda", "SKIP", "SKIP: no NVIDIA driver (libcuda.so.1 not found)"),
                         ("ptx", "SKIP", "SKIP: ptxas not found (no CUDA toolkit)")])
    check("GPU skips are listed and pass", rc == 0 and "1 passed, 0 failed, 2 skipped" in out
          and "SKIPPED" in out and "no NVIDIA driver" in out, out)
    rc, out = summarize([("a", "OK", ""), ("xen_e2e", "SKIP", "x\nSKIP: qemu-system-x86_64 not installed")])
    check("a skip for a missing Debian package fails the run", rc == 1 and "1 passed, 1 failed, 0 skipped"
          in out and "qemu-system-x86_64 not installed" in out, out)
    rc, out = summarize([("a", "OK", ""), ("b", "SKIP", "")])
    check("a skip with no reason fails the run", rc == 1 and "1 failed" in out, out)
    rc, out = summarize([("a", "SKIP", "SKIP: no GPU")])
    check("nothing passed fails the run", rc == 1, out)
    rc, out = summarize([("a", "OK", ""), ("b", "FAIL", "")])
    check("a failure fails the run", rc == 1 and "1 passed, 1 failed" in out, out)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
