"""xen_records.py: the run record of a --transport xen-qemu demo, read from dom0's console.

dom0 (tests/xen/dom0-init.sh, demo mode) prints what the report needs as prefixed lines:
  VGPU-SAMPLE {vgpuctl --json status}       every 0.5 s while the loads run
  VGPU-FINAL {vgpuctl --json status}        once the loads are done
  VGPU-CLIENTLOG NAME {loadgen record}      each domU's client records (from its console log)
  VGPU-CLIENTLOG NAME-END channels=C jobs=J result=OK|FAIL
  VGPU-DEMO-DAEMON pid=P exit=E             vgpud after SIGTERM
  VGPU-DEMO-DAEMON-LOG LINE                 vgpud's warnings and errors
This module turns them into the run record that verify.py and metrics.py read for the local
transport (run.json's shape), so both transports get the same verdicts and report."""
import json
import re

STAMP = re.compile(r"^\[ *[0-9.]+\] ")   # run.sh's timestamp on each console line


class RecordError(Exception):
    """A line dom0 printed is not what it should be."""


def console_lines(text):
    for raw in text.splitlines():
        line = STAMP.sub("", raw).replace("\r", "")
        if line.startswith("VGPU-"):
            yield line


def live_status(doc):
    """vgpuctl's status document as vgpud's own status (pools and VMs with their live figures)."""
    pools, vms = [], []
    for p in doc.get("pools", []):
        if p.get("live"):
            pools.append(p["live"])
        vms.extend(v["live"] for v in p.get("vms", []) if v.get("live"))
    v = doc.get("vgpud", {})
    return {"uptime_ns": v.get("uptime_ns", 0), "now_ns": v.get("now_ns", 0),
            "pools": pools, "vms": vms}


def sample(st, t0_ns):
    return {"t_ns": st["now_ns"] - t0_ns, "uptime_ns": st["uptime_ns"],
            "pools": {p["name"]: {"queued": p["queued"], "completed": p["completed"],
                                  "running": (p.get("running") or {}).get("vm_id")}
                      for p in st["pools"]}}


def parse_json(line, what):
    try:
        return json.loads(line)
    except ValueError as e:
        raise RecordError("%s: %s: %.80s" % (what, e, line)) from None


def client(name, records, end):
    """One domU's client as orchestrate.finish() records it."""
    f = dict(kv.split("=", 1) for kv in end.split())
    try:
        channels, jobs = int(f["channels"]), int(f["jobs"])
    except (KeyError, ValueError):
        raise RecordError("%s: bad end line %r" % (name, end)) from None
    return {"label": name + "-busy", "vm": name, "kernel": "busy", "phase": "load",
            "channels": channels, "jobs": jobs, "expected": channels * jobs,
            "exit": 0 if f.get("result") == "OK" else "result %s" % f.get("result"),
            "cmd": ["vgpu-loadgen (in the domU)"], "summary": end, "records": records}


def read(console_text, names):
    """The run record from dom0's console text; names: the domUs expected to report."""
    statuses, final, recs, ends = [], None, {n: [] for n in names}, {}
    daemon = {"pid": 0, "status_failures": 0, "alive_at_end": False, "exit": None,
              "log_problems": []}
    for line in console_lines(console_text):
        tag, _, rest = line.partition(" ")
        if tag == "VGPU-SAMPLE":
            doc = parse_json(rest, "status sample")
            if doc.get("vgpud", {}).get("running"):
                statuses.append(live_status(doc))
            else:
                daemon["status_failures"] += 1
        elif tag == "VGPU-FINAL":
            doc = parse_json(rest, "final status")
            daemon["alive_at_end"] = bool(doc.get("vgpud", {}).get("running"))
            final = live_status(doc) if daemon["alive_at_end"] else {"now_ns": 0, "vms": []}
        elif tag == "VGPU-CLIENTLOG":
            who, _, body = rest.partition(" ")
            if who.endswith("-END") and who[:-4] in recs:
                ends[who[:-4]] = body
            elif who in recs:
                recs[who].append(parse_json(body, "%s client record" % who))
        elif tag == "VGPU-DEMO-DAEMON":
            f = dict(kv.split("=", 1) for kv in rest.split() if "=" in kv)
            daemon["pid"], daemon["exit"] = int(f.get("pid", 0)), int(f.get("exit", -1))
        elif tag == "VGPU-DEMO-DAEMON-LOG":
            daemon["log_problems"].append(rest)
    missing = [n for n in names if n not in ends]
    if missing or final is None:
        raise RecordError("dom0 printed no %s" % (
            "final status" if final is None else "client records of " + ", ".join(missing)))
    # vgpud ran to the end if it answered the final status; the exit line says how it stopped.
    t0 = statuses[0]["now_ns"] if statuses else final["now_ns"]
    return {"t0_ns": t0, "samples": [sample(s, t0) for s in statuses],
            "clients": [client(n, recs[n], ends[n]) for n in names],
            "final_status": final, "daemon": daemon}
