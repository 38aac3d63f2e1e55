"""report_files.py: the report directory both transports write (run.json, metrics, report.html)."""
import json
import os

import metrics
import report_html


def write(out, run, jobs, verdicts, m, info, say):
    """run.json, metrics.json, per-vm.csv, queue-depth.csv, clients/*.jsonl, summary.txt and
    report.html in out (the execution log is already there)."""
    cdir = os.path.join(out, "clients")
    os.makedirs(cdir, exist_ok=True)
    for c in run["clients"]:
        path = os.path.join(cdir, c["label"] + ".jsonl")
        if os.path.exists(path):       # the client's own log (local transport)
            continue
        with open(path, "w") as f:
            f.writelines(json.dumps(r) + "\n" for r in c["records"])
    with open(os.path.join(out, "run.json"), "w") as f:
        json.dump(run, f, indent=1)
    metrics.write(out, m, run, verdicts, info)
    say("report: %s/report.html (also metrics.json, execution-log.csv, per-vm.csv, "
        "queue-depth.csv, run.json, clients/, summary.txt)" % out)
    with open(os.path.join(out, "summary.txt"), "w") as f:
        f.write(say.text())
    with open(os.path.join(out, "report.html"), "w") as f:
        f.write(report_html.page(info, verdicts, m, jobs, run["samples"], say.text()))
