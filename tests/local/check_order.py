#!/usr/bin/env python3
"""check_order.py LOG.csv: check vgpud's execution log against the scheduling rules."""
import csv
import sys


def main(path):
    jobs = [r for r in csv.DictReader(open(path)) if r["status"] != "CANCELLED"]
    for r in jobs:
        for k in ("priority", "submit_ns", "dispatch_ns", "complete_ns", "seq"):
            r[k] = int(r[k])
    errors = []
    pools = {}
    for r in jobs:
        pools.setdefault(r["pool"], []).append(r)
    for name, pj in pools.items():
        pj.sort(key=lambda r: r["dispatch_ns"])
        for j in pj:
            waiting = [k for k in pj if k["submit_ns"] < j["dispatch_ns"] < k["dispatch_ns"]]
            for k in waiting:
                if k["priority"] > j["priority"] and j["aged"] == "0":
                    errors.append(f"pool {name}: job {j['job_id']} (prio {j['priority']}) "
                                  f"dispatched while job {k['job_id']} (prio {k['priority']}) waited")
                if k["priority"] == j["priority"] and k["submit_ns"] < j["submit_ns"]:
                    errors.append(f"pool {name}: FIFO broken: job {j['job_id']} before older "
                                  f"job {k['job_id']} of the same priority")
        for a, b in zip(pj, pj[1:]):
            if b["dispatch_ns"] < a["complete_ns"]:
                errors.append(f"pool {name}: jobs {a['job_id']} and {b['job_id']} overlap")
    if len(pools) > 1:
        a, b = list(pools.values())[:2]
        overlap = any(x["dispatch_ns"] < y["complete_ns"] and y["dispatch_ns"] < x["complete_ns"]
                      for x in a for y in b)
        if not overlap:
            errors.append("pools never ran at the same time")
    for e in errors[:20]:
        print("RULE BROKEN:", e)
    print(f"{len(jobs)} jobs in {len(pools)} pools checked, {len(errors)} violations")
    return 1 if errors or not jobs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
