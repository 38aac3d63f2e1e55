"""execlog.py: read vgpud's execution log (CSV) and the load generator's per-job logs (JSON lines)."""
import csv
import json

# Columns of vgpud's --exec-log, in order (docs/demo.md).
COLUMNS = ("seq", "job_id", "pool", "vm_id", "vm_name", "priority", "aged", "channel", "nreq",
           "submit_ns", "dispatch_ns", "complete_ns", "status")
INT_COLUMNS = ("seq", "job_id", "vm_id", "priority", "aged", "nreq",
               "submit_ns", "dispatch_ns", "complete_ns")
PRIORITY_NAMES = {0: "low", 1: "medium", 2: "high"}


class LogError(Exception):
    """The log is not what vgpud writes (bad header, bad field)."""


def read_exec_log(path):
    """Return the jobs of an execution log as a list of dicts (ints where numeric).

    Raises LogError naming the line when the file is malformed."""
    jobs = []
    with open(path, newline="") as f:
        rows = csv.reader(f)
        header = next(rows, None)
        if header is None or tuple(header) != COLUMNS:
            raise LogError("%s: header is %r, expected %s" % (path, header, ",".join(COLUMNS)))
        for lineno, row in enumerate(rows, start=2):
            if not row:
                continue
            if len(row) != len(COLUMNS):
                raise LogError("%s:%d: %d fields, expected %d" % (path, lineno, len(row), len(COLUMNS)))
            job = dict(zip(COLUMNS, row))
            try:
                for k in INT_COLUMNS:
                    job[k] = int(job[k])
            except ValueError as e:
                raise LogError("%s:%d: %s" % (path, lineno, e)) from None
            jobs.append(job)
    return jobs


def write_exec_log(path, jobs):
    """Write jobs (dicts with COLUMNS) as an execution log CSV."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for j in jobs:
            w.writerow([j[k] for k in COLUMNS])


def read_client_log(path):
    """Return the load generator's job records (one JSON object a line); [] if the file is absent."""
    out = []
    try:
        with open(path) as f:
            for lineno, line in enumerate(f, start=1):
                line = line.strip()
                if not line:
                    continue
                try:
                    out.append(json.loads(line))
                except ValueError as e:
                    raise LogError("%s:%d: %s" % (path, lineno, e)) from None
    except FileNotFoundError:
        pass
    return out
