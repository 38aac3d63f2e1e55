"""test_verify.py: the demo's verifier on synthetic execution logs: a correct log passes, each broken rule fails.

usage: test_verify.py TEST_NAME   (one meson test per function; see meson.build)"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.environ.get("VGPU_SRCDIR", "."), "demo"))
import execlog  # noqa: E402
import verify   # noqa: E402

MS = 1_000_000
VMS = {1: ("VM1", "A", 2), 2: ("VM2", "A", 1), 3: ("VM3", "A", 0),
       4: ("VM4", "B", 0), 5: ("VM5", "B", 1), 6: ("VM6", "B", 2)}


def job(seq, vm, submit, dispatch, complete, status="OK", prio=None):
    name, pool, p = VMS[vm]
    return {"seq": seq, "job_id": seq + 1, "pool": pool, "vm_id": vm, "vm_name": name,
            "priority": p if prio is None else prio, "aged": 0, "channel": "local pid 1",
            "nreq": 1, "submit_ns": submit * MS, "dispatch_ns": dispatch * MS,
            "complete_ns": complete * MS, "status": status}


def good_log():
    """Pool A: VM3 (low) runs, VM3 and VM2 queue, VM1 (high) arrives and goes first, then
    VM2, then the low ones in submit order. Pool B runs alongside, same shape."""
    a = [job(0, 3, 0, 0, 30), job(0, 3, 1, 60, 90), job(0, 3, 2, 90, 120),
         job(0, 2, 5, 40, 60), job(0, 1, 10, 30, 40)]
    b = [job(0, 4, 0, 0, 20), job(0, 4, 1, 36, 56), job(0, 5, 3, 28, 36), job(0, 6, 4, 20, 28)]
    jobs = sorted(a + b, key=lambda j: j["dispatch_ns"])
    for i, j in enumerate(jobs):
        j["seq"], j["job_id"] = i, i + 1
    return jobs


def find(jobs, vm, submit):
    return next(j for j in jobs if j["vm_id"] == vm and j["submit_ns"] == submit * MS)


def result(jobs, run=None):
    return {v["rule"]: v for v in verify.verify(jobs, run)}


def expect(jobs, failing, run=None):
    """Exactly the rules in failing fail; print both sides otherwise."""
    got = result(jobs, run)
    bad = sorted(r for r, v in got.items() if not v["ok"] and not v["skipped"])
    if bad != sorted(failing):
        print("expected failing rules %s, got %s" % (sorted(failing), bad))
        print(verify.format_verdicts(list(got.values())))
        sys.exit(1)
    print(verify.format_verdicts(list(got.values())))


def test_good_log_passes():
    expect(good_log(), [])


def test_priority_inversion_fails():
    """VM3's second low job goes before VM2's medium and VM1's high jobs, which were waiting."""
    jobs = good_log()
    low, high = find(jobs, 3, 1), find(jobs, 1, 10)
    low["dispatch_ns"], low["complete_ns"] = 30 * MS, 40 * MS
    high["dispatch_ns"], high["complete_ns"] = 60 * MS, 70 * MS
    last = find(jobs, 3, 2)
    last["dispatch_ns"], last["complete_ns"] = 70 * MS, 100 * MS
    expect(jobs, ["priority"])


def test_fifo_violation_fails():
    """The two queued low jobs of pool A go in reverse submit order."""
    jobs = good_log()
    first, second = find(jobs, 3, 1), find(jobs, 3, 2)
    first["dispatch_ns"], first["complete_ns"] = 90 * MS, 120 * MS
    second["dispatch_ns"], second["complete_ns"] = 60 * MS, 90 * MS
    expect(jobs, ["fifo"])


def test_pool_overlap_fails():
    """Two jobs of pool B run at once."""
    jobs = good_log()
    j = find(jobs, 5, 3)
    j["dispatch_ns"], j["complete_ns"] = 24 * MS, 36 * MS
    expect(jobs, ["pools"])


def test_pools_serialised_fails():
    """Pool B only ever runs while pool A is idle: the pools were not independent."""
    jobs = good_log()
    for j in jobs:
        if j["pool"] == "B":
            for k in ("submit_ns", "dispatch_ns", "complete_ns"):
                j[k] += 200 * MS
    expect(jobs, ["pools"])


def test_failed_and_duplicate_jobs_fail():
    jobs = good_log()
    jobs[2]["status"] = "INTERNAL"
    jobs[3]["job_id"] = jobs[4]["job_id"]
    expect(jobs, ["answered"])


def test_client_wrong_result_fails():
    run = fake_run(good_log())
    run["clients"][0]["records"][1]["correct"] = False
    run["clients"][0]["records"].append(dict(run["clients"][0]["records"][0]))
    expect(good_log(), ["answered"], run)


def test_daemon_restart_fails():
    run = fake_run(good_log())
    run["samples"][2]["uptime_ns"] = 1
    run["daemon"]["alive_at_end"] = False
    expect(good_log(), ["stability"], run)


def test_good_run_passes():
    expect(good_log(), [], fake_run(good_log()))


def test_cli_exit_status():
    """verify.py alone: 0 on the good log, 1 on a mis-ordered one, 2 on a malformed one."""
    src = os.path.join(os.environ.get("VGPU_SRCDIR", "."), "demo", "verify.py")
    with tempfile.TemporaryDirectory() as d:
        good, bad, junk = (os.path.join(d, n) for n in ("good.csv", "bad.csv", "junk.csv"))
        execlog.write_exec_log(good, good_log())
        jobs = good_log()
        first, second = find(jobs, 3, 1), find(jobs, 3, 2)
        first["dispatch_ns"], second["dispatch_ns"] = second["dispatch_ns"], first["dispatch_ns"]
        first["complete_ns"], second["complete_ns"] = second["complete_ns"], first["complete_ns"]
        execlog.write_exec_log(bad, jobs)
        with open(junk, "w") as f:
            f.write("seq,job\n1,2\n")
        for path, want in ((good, 0), (bad, 1), (junk, 2)):
            rc = subprocess.run([sys.executable, src, path]).returncode
            if rc != want:
                print("verify.py %s: exit %d, expected %d" % (path, rc, want))
                sys.exit(1)


def fake_run(jobs):
    """A run record in which everything went well."""
    recs = [{"instance": "VM1", "channel": 0, "job": i, "kernel": "saxpy", "submit_ns": i,
             "done_ns": i + 1, "status": 0, "correct": True} for i in range(3)]
    vms = [{"vm_id": v, "name": n, "submitted": c, "completed": c, "queued": 0, "failed": 0,
            "cancelled": 0, "overruns": 0}
           for v, (n, _, _) in VMS.items()
           for c in [sum(1 for j in jobs if j["vm_id"] == v)]]
    return {"t0_ns": 0, "clients": [{"label": "VM1.1-saxpy", "vm": "VM1", "expected": 3,
                                     "exit": 0, "records": recs}],
            "samples": [{"t_ns": i, "uptime_ns": 10 + i, "pools": {}} for i in range(5)],
            "final_status": {"vms": vms},
            "daemon": {"pid": 42, "alive_at_end": True, "status_failures": 0,
                       "log_problems": [], "exit": 0}}


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].startswith("test_") or sys.argv[1] not in globals():
        print("usage: test_verify.py TEST_NAME")
        sys.exit(2)
    globals()[sys.argv[1]]()
