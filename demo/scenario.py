"""scenario.py: the demo's environments: which VMs sit in which pool at which priority, and who submits what when."""

# A VM: name, pool, priority; vm_id is the number in its name.
# A client: one vgpu-loadgen process acting as a VM.
#   kernel, channels, busy_us/size: passed through to vgpu-loadgen;
#   start: when its first job goes, as a fraction of the run's duration (all clients of
#          one start value begin at the same CLOCK_MONOTONIC instant: --start-at-ns);
#   share: the part of the duration its pool should spend on it, which sets --jobs
#          from cost_ms, a rough cost of one of its jobs on the CPU executor;
#   phase: "load" runs concurrently; "verify" runs alone after the load, with known results.

REPORT = {
    "name": "report",
    "about": "the original report: VM1-VM3 in pool A, VM4-VM6 in pool B, mixed priorities, "
             "low-priority queues built first, then high-priority bursts; VM7 verifies at the end",
    "vms": [("VM1", "A", "high"), ("VM2", "A", "medium"), ("VM3", "A", "low"),
            ("VM4", "B", "low"), ("VM5", "B", "medium"), ("VM6", "B", "high"),
            ("VM7", "A", "medium")],
    "clients": [
        {"vm": "VM3", "kernel": "busy", "busy_us": 30000, "channels": 3, "start": 0.0,
         "share": 0.45, "cost_ms": 31},
        {"vm": "VM4", "kernel": "busy", "busy_us": 20000, "channels": 3, "start": 0.0,
         "share": 0.45, "cost_ms": 21},
        {"vm": "VM2", "kernel": "mix", "channels": 2, "start": 0.1, "share": 0.15, "cost_ms": 1},
        {"vm": "VM5", "kernel": "matmul", "size": 48, "channels": 2, "start": 0.1,
         "share": 0.15, "cost_ms": 3},
        {"vm": "VM1", "kernel": "busy", "busy_us": 5000, "channels": 4, "start": 0.3,
         "share": 0.15, "cost_ms": 6},
        {"vm": "VM6", "kernel": "busy", "busy_us": 8000, "channels": 4, "start": 0.4,
         "share": 0.15, "cost_ms": 9},
        {"vm": "VM6", "kernel": "saxpy", "channels": 1, "start": 0.4, "share": 0.02, "cost_ms": 1},
        {"vm": "VM7", "kernel": "vector_add", "channels": 1, "phase": "verify", "jobs": 4},
        {"vm": "VM7", "kernel": "saxpy", "channels": 1, "phase": "verify", "jobs": 4},
    ],
}

FIFO = {
    "name": "fifo",
    "about": "FIFO within a priority: every pool-A VM at medium with several channels each; "
             "pool B two low streams and a medium one",
    "vms": [("VM1", "A", "medium"), ("VM2", "A", "medium"), ("VM3", "A", "medium"),
            ("VM4", "B", "low"), ("VM5", "B", "low"), ("VM6", "B", "medium"),
            ("VM7", "A", "medium")],
    "clients": [
        {"vm": "VM1", "kernel": "busy", "busy_us": 10000, "channels": 3, "start": 0.0,
         "share": 0.25, "cost_ms": 11},
        {"vm": "VM2", "kernel": "busy", "busy_us": 15000, "channels": 3, "start": 0.0,
         "share": 0.25, "cost_ms": 16},
        {"vm": "VM3", "kernel": "mix", "channels": 3, "start": 0.1, "share": 0.2, "cost_ms": 3},
        {"vm": "VM4", "kernel": "busy", "busy_us": 10000, "channels": 2, "start": 0.0,
         "share": 0.25, "cost_ms": 11},
        {"vm": "VM5", "kernel": "busy", "busy_us": 10000, "channels": 2, "start": 0.0,
         "share": 0.25, "cost_ms": 11},
        {"vm": "VM6", "kernel": "vector_add", "channels": 2, "start": 0.2, "share": 0.1,
         "cost_ms": 1},
        {"vm": "VM7", "kernel": "vector_add", "channels": 1, "phase": "verify", "jobs": 4},
        {"vm": "VM7", "kernel": "saxpy", "channels": 1, "phase": "verify", "jobs": 4},
    ],
}

ISOLATION = {
    "name": "isolation",
    "about": "pool isolation: pool A flooded with long kernels at every priority, pool B "
             "light short work that must not wait for pool A",
    "vms": [("VM1", "A", "high"), ("VM2", "A", "medium"), ("VM3", "A", "low"),
            ("VM4", "B", "low"), ("VM5", "B", "medium"), ("VM6", "B", "high"),
            ("VM7", "B", "medium")],
    "clients": [
        {"vm": "VM1", "kernel": "busy", "busy_us": 40000, "channels": 2, "start": 0.2,
         "share": 0.3, "cost_ms": 41},
        {"vm": "VM2", "kernel": "busy", "busy_us": 50000, "channels": 2, "start": 0.1,
         "share": 0.3, "cost_ms": 51},
        {"vm": "VM3", "kernel": "busy", "busy_us": 50000, "channels": 3, "start": 0.0,
         "share": 0.3, "cost_ms": 51},
        {"vm": "VM4", "kernel": "vector_add", "channels": 2, "start": 0.0, "share": 0.05,
         "cost_ms": 1},
        {"vm": "VM5", "kernel": "saxpy", "channels": 2, "start": 0.0, "share": 0.05, "cost_ms": 1},
        {"vm": "VM6", "kernel": "busy", "busy_us": 2000, "channels": 2, "start": 0.3,
         "share": 0.1, "cost_ms": 3},
        {"vm": "VM7", "kernel": "vector_add", "channels": 1, "phase": "verify", "jobs": 4},
        {"vm": "VM7", "kernel": "saxpy", "channels": 1, "phase": "verify", "jobs": 4},
    ],
}

SCENARIOS = {s["name"]: s for s in (REPORT, FIFO, ISOLATION)}


def vm_uuid(name):
    """A fixed UUID per demo VM (VM3 -> ...-000000000003)."""
    return "00000000-0000-4000-8000-%012d" % int(name[2:])


def client_plan(scenario, duration_s):
    """The clients with jobs per channel worked out for duration_s; each gets a label."""
    plan, seen = [], {}
    for c in scenario["clients"]:
        c = dict(c)
        c.setdefault("phase", "load")
        c.setdefault("start", 0.0)
        if "jobs" not in c:
            per_channel = c["share"] * duration_s * 1000.0 / c["cost_ms"] / c["channels"]
            c["jobs"] = max(2, int(round(per_channel)))
        seen[c["vm"]] = seen.get(c["vm"], 0) + 1
        c["label"] = "%s.%d-%s" % (c["vm"], seen[c["vm"]], c["kernel"])
        plan.append(c)
    return plan
