"""report_html.py: the self-contained HTML report (inline CSS and SVG; no scripts, no external resources)."""
from html import escape

import svg

CSS = """
body { font-family: sans-serif; margin: 20px; color: #222; background: #fff; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 26px; }
table { border-collapse: collapse; font-size: 13px; }
td, th { border: 1px solid #ccc; padding: 3px 7px; text-align: right; }
th { background: #eee; } td.l, th.l { text-align: left; }
.pass { background: #c8f0c8; font-weight: bold; } .fail { background: #f6c0c0; font-weight: bold; }
.skip { background: #eee; } .problem { color: #a00; font-size: 12px; }
.key span { display: inline-block; margin-right: 14px; font-size: 13px; }
.key i { display: inline-block; width: 14px; height: 12px; margin-right: 4px; vertical-align: middle; }
pre { background: #f6f6f6; padding: 8px; font-size: 12px; }
"""


def verdict_rows(verdicts):
    rows = []
    for v in verdicts:
        word, cls = (("SKIP", "skip") if v["skipped"] else
                     ("PASS", "pass") if v["ok"] else ("FAIL", "fail"))
        probs = "".join('<div class="problem">%s</div>' % escape(p) for p in v["problems"])
        rows.append('<tr><td class="%s">%s</td><td class="l">%s</td><td class="l">%s%s</td></tr>'
                    % (cls, word, escape(v["title"]), escape(v["skipped"] or v["evidence"]), probs))
    return "\n".join(rows)


def vm_rows(m):
    rows = []
    for v in m["per_vm"]:
        cells = [v["requests"], v["jobs"], v["completed"], v["failed"]]
        cells += ["%.2f" % v[k][q] for k in ("wait_ms", "latency_ms") for q in ("p50", "p95", "p99")]
        cells += ["%.2f" % v["busy_s"], v["client_jobs"], "%.2f" % v["client_latency_ms"]["p50"],
                  "%.2f" % v["client_latency_ms"]["p99"]]
        rows.append('<tr><td class="l"><i style="display:inline-block;width:10px;height:10px;'
                    'background:%s"></i> %s</td><td>%s</td><td>%s</td>%s</tr>' % (
                        svg.vm_colour(v["vm_id"]), escape(v["vm"]), escape(v["pool"]),
                        escape(v["priority"] or ""), "".join("<td>%s</td>" % c for c in cells)))
    return "\n".join(rows)


def key(m):
    vms = "".join('<span><i style="background:%s"></i>%s (%s, %s)</span>' % (
        svg.vm_colour(v["vm_id"]), escape(v["vm"]), escape(v["pool"]), escape(v["priority"] or ""))
        for v in m["per_vm"])
    return ('<div class="key">%s<span>outline: thick black = high, thin grey = medium, '
            'none = low</span></div>' % vms)


def page(info, verdicts, m, jobs, samples, console):
    """The whole report as one HTML string."""
    ok = all(v["ok"] or v["skipped"] for v in verdicts)
    pools = [p["pool"] for p in m["per_pool"]]
    plots = []
    for i, p in enumerate(m["per_pool"]):
        pts = [(s["t_ns"] / 1e9, s["pools"][p["pool"]]["queued"]) for s in samples
               if p["pool"] in s["pools"]]
        plots.append("<h3>pool %s (max %d queued)</h3>%s" % (
            escape(p["pool"]), p["max_queued"],
            svg.depth_plot(p["queue_depth"], m["span_s"], pts, colour=svg.VM_COLOURS[i])))
    facts = "".join("<tr><th class='l'>%s</th><td class='l'>%s</td></tr>" % (escape(k), escape(str(v)))
                    for k, v in info.items())
    return """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>vgpu validation run: %(result)s</title>
<style>%(css)s</style></head><body>
<h1>vgpu validation run &mdash; <span class="%(cls)s">%(result)s</span></h1>
<table>%(facts)s</table>
<h2>Verdicts</h2>
<table><tr><th>result</th><th class="l">rule</th><th class="l">evidence</th></tr>%(verdicts)s</table>
<h2>Timeline (dispatch to completion, one lane per pool)</h2>
%(key)s
%(timeline)s
<h2>Queue depth over time (line: exact, from the execution log; dots: vgpud status samples)</h2>
%(plots)s
<h2>Per VM</h2>
<table><tr><th class="l">VM</th><th>pool</th><th>priority</th><th>requests</th><th>jobs</th>
<th>completed</th><th>failed</th><th>wait p50 ms</th><th>wait p95</th><th>wait p99</th>
<th>latency p50 ms</th><th>latency p95</th><th>latency p99</th><th>busy s</th>
<th>client jobs</th><th>client latency p50 ms</th><th>client p99</th></tr>
%(vms)s</table>
<h2>Console output</h2>
<pre>%(console)s</pre>
</body></html>
""" % {"result": "ALL RULES HELD" if ok else "RULES FAILED", "cls": "pass" if ok else "fail",
       "css": CSS, "facts": facts, "verdicts": verdict_rows(verdicts), "key": key(m),
       "timeline": svg.timeline(jobs, pools, m["t0_ns"], m["span_s"]), "plots": "\n".join(plots),
       "vms": vm_rows(m), "console": escape(console)}
