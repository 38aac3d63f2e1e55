"""svg.py: inline SVG for the report: the per-pool timeline of jobs and the queue-depth plots."""
from xml.sax.saxutils import escape

VM_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
              "#7f7f7f", "#bcbd22", "#17becf"]
PRIO_ROW = {2: 0, 1: 1, 0: 2}     # within a lane: high on top


def vm_colour(vm_id):
    return VM_COLOURS[(vm_id - 1) % len(VM_COLOURS)]


def axis(x0, width, y, span_s, ticks=10):
    out = ['<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333"/>' % (x0, y, x0 + width, y)]
    for i in range(ticks + 1):
        x = x0 + width * i / ticks
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#333"/>' % (x, y, x, y + 4))
        out.append('<text x="%.1f" y="%d" font-size="10" text-anchor="middle">%.1f s</text>'
                   % (x, y + 15, span_s * i / ticks))
    return out


def timeline(jobs, pools, t0_ns, span_s, width=1180):
    """One lane per pool, one row per priority (high on top), a rect per job from dispatch
    to complete in its VM's colour."""
    x0, lane_h, row_h, top = 60, 66, 20, 10
    plot_w = width - x0 - 10
    scale = plot_w / max(span_s, 1e-9)
    out = []
    for i, p in enumerate(pools):
        y = top + i * lane_h
        out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="#f4f4f4"/>'
                   % (x0, y, plot_w, lane_h - 6))
        out.append('<text x="5" y="%d" font-size="13" font-weight="bold">pool %s</text>'
                   % (y + lane_h / 2, escape(p)))
        for prio, row in PRIO_ROW.items():
            out.append('<text x="5" y="%d" font-size="9" fill="#666">%s</text>'
                       % (y + row * row_h + 14, ("high", "med", "low")[row]))
    for j in jobs:
        if not j["dispatch_ns"] or j["pool"] not in pools:
            continue
        y = top + pools.index(j["pool"]) * lane_h + PRIO_ROW.get(j["priority"], 2) * row_h + 2
        x = x0 + (j["dispatch_ns"] - t0_ns) / 1e9 * scale
        w = max(0.6, (j["complete_ns"] - j["dispatch_ns"]) / 1e9 * scale)
        out.append('<rect x="%.2f" y="%d" width="%.2f" height="%d" fill="%s"><title>%s job %d seq %d: %s, wait %.2f ms, run %.2f ms'
                   '</title></rect>' % (
                       x, y, w, row_h - 4, vm_colour(j["vm_id"]),
                       escape(j["vm_name"]), j["job_id"], j["seq"], j["status"],
                       (j["dispatch_ns"] - j["submit_ns"]) / 1e6,
                       (j["complete_ns"] - j["dispatch_ns"]) / 1e6))
    h = top + len(pools) * lane_h
    out += axis(x0, plot_w, h, span_s)
    return '<svg width="%d" height="%d" role="img">%s</svg>' % (
        width, h + 22, "\n".join(out))


def depth_plot(series, span_s, samples=None, width=1180, height=150, colour="#1f77b4"):
    """Step plot of one pool's queue depth [(t_s, depth)]; samples [(t_s, depth)] as dots."""
    x0, top, plot_w, plot_h = 60, 10, width - 70, height - 40
    ymax = max([d for _, d in series] + [d for _, d in samples or []] + [1])
    sx = plot_w / max(span_s, 1e-9)
    sy = plot_h / ymax
    pts, prev = [], 0
    for t, d in series:
        pts.append("%.1f,%.1f" % (x0 + t * sx, top + plot_h - prev * sy))
        pts.append("%.1f,%.1f" % (x0 + t * sx, top + plot_h - d * sy))
        prev = d
    pts.append("%.1f,%.1f" % (x0 + plot_w, top + plot_h - prev * sy))
    out = ['<rect x="%d" y="%d" width="%d" height="%d" fill="#fafafa" stroke="#ccc"/>'
           % (x0, top, plot_w, plot_h),
           '<polyline fill="none" stroke="%s" stroke-width="1.2" points="%s"/>'
           % (colour, " ".join(pts))]
    for t, d in samples or []:
        out.append('<circle cx="%.1f" cy="%.1f" r="1.6" fill="#d62728"/>'
                   % (x0 + t * sx, top + plot_h - d * sy))
    for v in sorted({0, ymax // 2, ymax}):
        out.append('<text x="%d" y="%.1f" font-size="10" text-anchor="end">%d</text>'
                   % (x0 - 4, top + plot_h - v * sy + 3, v))
    out += axis(x0, plot_w, top + plot_h, span_s)
    return '<svg width="%d" height="%d" role="img">%s</svg>' % (
        width, height, "\n".join(out))
