"""verify.py: check the scheduling rules against an execution log and a run's records; one verdict per rule.

Usable alone: python3 demo/verify.py EXEC_LOG.csv [--run run.json] prints the verdicts and exits 1
if any rule failed (docs/demo.md describes each rule and how it is checked)."""
import argparse
import bisect
import json
import sys

import execlog

MAX_SHOWN = 3          # violations quoted per rule
IDLE_BOUND_NS = 500_000_000  # a pool with queued work must dispatch within this (liveness)


def verdict(rule, title, problems, evidence, skipped=None):
    """One rule's result: ok unless problems; evidence says what was exercised."""
    return {"rule": rule, "title": title, "ok": not problems and not skipped,
            "skipped": skipped, "problems": problems[:MAX_SHOWN], "nproblems": len(problems),
            "evidence": evidence}


def by_pool(jobs):
    """Dispatched jobs grouped by pool, each list in dispatch order."""
    pools = {}
    for j in jobs:
        if j["dispatch_ns"]:
            pools.setdefault(j["pool"], []).append(j)
    for lst in pools.values():
        lst.sort(key=lambda j: (j["dispatch_ns"], j["seq"]))
    return pools


def name(j):
    return "job %d (%s, %s, seq %d)" % (j["job_id"], j["vm_name"],
                                        execlog.PRIORITY_NAMES.get(j["priority"], j["priority"]),
                                        j["seq"])


def waiting_at(level, t):
    """A job of level (sorted by submit, with prefix max of dispatch) waiting at time t, or None."""
    subs, best = level
    i = bisect.bisect_left(subs, t)       # jobs submitted strictly before t
    if i == 0 or best[i - 1]["dispatch_ns"] <= t:
        return None
    return best[i - 1]


def check_priority(jobs):
    """No job is dispatched while a higher-priority job of its pool waits (aged jobs excepted)."""
    problems, exercised = [], 0
    for pool, lst in by_pool(jobs).items():
        levels = {}
        for p in range(3):
            lv = sorted((j for j in lst if j["priority"] == p), key=lambda j: j["submit_ns"])
            best, cur = [], None
            for j in lv:
                if cur is None or j["dispatch_ns"] > cur["dispatch_ns"]:
                    cur = j
                best.append(cur)
            levels[p] = ([j["submit_ns"] for j in lv], best)
        for j in lst:
            t = j["dispatch_ns"]
            for p in range(j["priority"] + 1, 3):
                k = waiting_at(levels[p], t)
                if k and not (j["aged"] and j["submit_ns"] < k["submit_ns"]):
                    problems.append("pool %s: %s dispatched at %d while higher %s (submitted %d) "
                                    "waited until %d" % (pool, name(j), t, name(k), k["submit_ns"],
                                                         k["dispatch_ns"]))
            if any(waiting_at(levels[p], t) for p in range(j["priority"])):
                exercised += 1
    if not problems and exercised == 0:
        problems.append("never exercised: no dispatch had a lower-priority job waiting")
    return verdict("priority", "priority order within each pool", problems,
                   "%d dispatches chose a higher priority over waiting lower-priority work" % exercised)


def check_fifo(jobs):
    """Within a pool and priority, jobs are dispatched in submit order."""
    problems, exercised = [], 0
    for pool, lst in by_pool(jobs).items():
        for p in range(3):
            latest = prev = None   # latest submit dispatched so far; previous dispatch
            for j in (j for j in lst if j["priority"] == p):
                if latest and j["submit_ns"] < latest["submit_ns"]:
                    problems.append("pool %s: %s (submitted %d) dispatched after %s (submitted %d)"
                                    % (pool, name(j), j["submit_ns"], name(latest),
                                       latest["submit_ns"]))
                elif prev and j["submit_ns"] < prev["dispatch_ns"]:
                    exercised += 1      # j was queued behind prev: order mattered
                prev = j
                if latest is None or j["submit_ns"] > latest["submit_ns"]:
                    latest = j
    if not problems and exercised == 0:
        problems.append("never exercised: no two jobs of one priority waited at once")
    return verdict("fifo", "FIFO within a priority", problems,
                   "%d dispatches had an earlier job of the same priority queued ahead" % exercised)


def check_pools(jobs):
    """One job at a time per pool, pools run at the same time, an idle pool serves its queue."""
    problems = []
    pools = by_pool(jobs)
    for pool, lst in pools.items():
        prev = None
        for j in lst:
            if prev and j["dispatch_ns"] < prev["complete_ns"]:
                problems.append("pool %s: %s dispatched at %d while %s ran until %d"
                                % (pool, name(j), j["dispatch_ns"], name(prev), prev["complete_ns"]))
            start = max(j["submit_ns"], prev["complete_ns"] if prev else 0)
            if j["dispatch_ns"] - start > IDLE_BOUND_NS:
                problems.append("pool %s idle %.3f s with %s queued" % (
                    pool, (j["dispatch_ns"] - start) / 1e9, name(j)))
            if not prev or j["complete_ns"] > prev["complete_ns"]:
                prev = j
    cross, overlap_ns = {}, 0
    names = sorted(pools)
    for a in names:
        runs = pools[a]
        starts = [j["dispatch_ns"] for j in runs]
        for b in names:
            if a == b:
                continue
            n = 0
            for j in pools[b]:
                i = bisect.bisect_right(starts, j["dispatch_ns"]) - 1
                if i >= 0 and runs[i]["complete_ns"] > j["dispatch_ns"]:
                    n += 1
                    overlap_ns += min(runs[i]["complete_ns"], j["complete_ns"]) - j["dispatch_ns"]
            cross["%s while %s busy" % (b, a)] = n
    if len(names) >= 2 and not any(cross.values()):
        problems.append("pools never ran at the same time: %s" % cross)
    ev = "; ".join("pool %s dispatched %d times while %s ran" % (k.split()[0], v, k.split()[2])
                   for k, v in sorted(cross.items())) + "; overlap %.2f s" % (overlap_ns / 1e9)
    return verdict("pools", "pools served independently", problems, ev)


def check_answered(jobs, run):
    """Every job in the log is unique and OK; every client job answered once and correct."""
    problems = []
    seqs = sorted(j["seq"] for j in jobs)
    if seqs != list(range(len(seqs))):
        problems.append("dispatch seq is not 0..%d without gaps or repeats" % (len(seqs) - 1))
    ids = [j["job_id"] for j in jobs]
    if len(set(ids)) != len(ids):
        problems.append("%d job ids appear more than once" % (len(ids) - len(set(ids))))
    for j in jobs:
        if j["status"] != "OK":
            problems.append("%s ended %s" % (name(j), j["status"]))
        elif not j["submit_ns"] <= j["dispatch_ns"] <= j["complete_ns"]:
            problems.append("%s has times out of order" % name(j))
    nclient = 0
    for c in (run or {}).get("clients", []):
        seen = {}
        for r in c["records"]:
            key = (r.get("channel"), r.get("job"))
            seen[key] = seen.get(key, 0) + 1
            if r.get("status") != 0 or r.get("correct") is not True:
                problems.append("%s channel %s job %s: status %s, correct %s" % (
                    c["label"], key[0], key[1], r.get("status"), r.get("correct")))
        nclient += len(c["records"])
        dup = [k for k, n in seen.items() if n > 1]
        if dup:
            problems.append("%s: jobs answered more than once: %s" % (c["label"], dup[:3]))
        if len(seen) != c["expected"]:
            problems.append("%s: %d of %d jobs answered" % (c["label"], len(seen), c["expected"]))
        if c["exit"] != 0:
            problems.append("%s exited %s" % (c["label"], c["exit"]))
    final = (run or {}).get("final_status")
    if final:
        for vm in final["vms"]:
            n = sum(1 for j in jobs if j["vm_id"] == vm["vm_id"])
            if vm["completed"] != n or vm["submitted"] != n or vm["queued"]:
                problems.append("%s: vgpud counts submitted %d, completed %d, queued %d; log has %d"
                                % (vm["name"], vm["submitted"], vm["completed"], vm["queued"], n))
    ev = "%d vgpud jobs in the log" % len(jobs)
    if run:
        ev += ", %d client jobs checked against CPU results" % nclient
    return verdict("answered", "every request answered exactly once, correctly", problems, ev)


def check_stability(run):
    """vgpud kept one pid and its uptime, lost no channel, failed nothing, stopped cleanly."""
    if not run:
        return verdict("stability", "no daemon restart or channel loss", [], "",
                       skipped="needs the run's records (--run)")
    problems = []
    d = run["daemon"]
    if not d["alive_at_end"]:
        problems.append("vgpud (pid %d) was not alive at the end" % d["pid"])
    up = [s["uptime_ns"] for s in run["samples"]]
    if any(b < a for a, b in zip(up, up[1:])):
        problems.append("vgpud uptime went backwards: it restarted")
    if d["status_failures"]:
        problems.append("%d status queries failed" % d["status_failures"])
    for vm in (run.get("final_status") or {}).get("vms", []):
        for k in ("failed", "cancelled", "overruns"):
            if vm.get(k):
                problems.append("%s: %s = %d" % (vm["name"], k, vm[k]))
    for line in d["log_problems"]:
        problems.append("vgpud said: %s" % line)
    if d["exit"] != 0:
        problems.append("vgpud exited %s on SIGTERM" % d["exit"])
    bad = [c["label"] for c in run["clients"] if c["exit"] != 0]
    if bad:
        problems.append("clients that did not exit 0: %s" % ", ".join(bad))
    return verdict("stability", "no daemon restart or channel loss", problems,
                   "vgpud pid %d for %.1f s, %d status samples, %d clients exited 0" % (
                       d["pid"], up[-1] / 1e9 if up else 0, len(up),
                       sum(1 for c in run["clients"] if c["exit"] == 0)))


def verify(jobs, run=None):
    """All verdicts, in the order they are printed."""
    return [check_priority(jobs), check_fifo(jobs), check_pools(jobs),
            check_answered(jobs, run), check_stability(run)]


def all_ok(verdicts):
    return all(v["ok"] or v["skipped"] for v in verdicts)


def format_verdicts(verdicts):
    lines = []
    for v in verdicts:
        word = "SKIP" if v["skipped"] else ("PASS" if v["ok"] else "FAIL")
        lines.append("  %s  %-48s %s" % (word, v["title"], v["skipped"] or v["evidence"]))
        for p in v["problems"]:
            lines.append("          - %s" % p)
        if v["nproblems"] > len(v["problems"]):
            lines.append("          - ... %d more" % (v["nproblems"] - len(v["problems"])))
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Check vgpud's execution log against the scheduling rules.")
    ap.add_argument("exec_log", help="execution log CSV written by vgpud --exec-log")
    ap.add_argument("--run", help="run.json written by the demo (clients, daemon, samples)")
    a = ap.parse_args(argv)
    try:
        jobs = execlog.read_exec_log(a.exec_log)
    except (OSError, execlog.LogError) as e:
        print("verify: %s" % e, file=sys.stderr)
        return 2
    run = None
    if a.run:
        with open(a.run) as f:
            run = json.load(f)
    verdicts = verify(jobs, run)
    print(format_verdicts(verdicts))
    return 0 if all_ok(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
