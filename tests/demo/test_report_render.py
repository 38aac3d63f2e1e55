"""test_report_render.py: a short demo run's report.html renders in headless Chromium without network,
and the screenshot shows the page: mostly not blank, the verdict colour and every VM's colour.

Exit 77 (meson: skipped) when chromium is not installed."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.environ.get("VGPU_SRCDIR", "."), "demo"))
import png_check  # noqa: E402
import svg        # noqa: E402

SKIP = 77


def hexrgb(h):
    return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))


def screenshot(html, png, tmp):
    """Chromium with no network: in a new network namespace where unshare works, and with
    every background fetch off."""
    cmd = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--user-data-dir=" + os.path.join(tmp, "profile"),
           "--screenshot=" + png, "--window-size=1280,1800", "file://" + html]
    if shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"]).returncode == 0:
        cmd = ["unshare", "-n"] + cmd
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=90)
    if r.returncode != 0 or not os.path.exists(png):
        print("chromium exited %d, no screenshot; its output:\n%s" % (r.returncode, r.stdout))
        sys.exit(1)


def main():
    if not shutil.which("chromium"):
        print("SKIP: chromium is not installed (scripts/packages.txt lists it; run scripts/setup)")
        return SKIP
    src, build = os.environ["VGPU_SRCDIR"], os.environ["VGPU_BUILDDIR"]
    with tempfile.TemporaryDirectory(prefix="vgpu-render.") as tmp:
        out = os.path.join(tmp, "report")
        r = subprocess.run([sys.executable, os.path.join(src, "demo", "run.py"), "--duration",
                            "3", "--builddir", build, "--out", out])
        if r.returncode != 0:
            print("FAIL: run.py --duration 3 exited %d, expected 0" % r.returncode)
            return 1
        html = os.path.join(out, "report.html")
        with open(html) as f:
            text = f.read()
        for bad in ("http://", "https://", "<script", "<link", "@import", "url("):
            if bad in text:
                print("FAIL: report.html contains %r: it must be self-contained" % bad)
                return 1
        png = os.path.join(tmp, "shot.png")
        screenshot(html, png, tmp)
        w, h, count = png_check.colours(png)
        total = sum(count.values())
        white = count.get((255, 255, 255), 0)
        print("screenshot %dx%d: %d colours, %.1f%% not white" % (w, h, len(count),
                                                                 100.0 * (total - white) / total))
        fails = []
        if (total - white) < total * 0.05 or len(count) < 50:
            fails.append("the screenshot is (nearly) blank")
        if count.get(hexrgb("#c8f0c8"), 0) < 20:
            fails.append("no PASS verdict colour #c8f0c8 in the screenshot")
        for i in range(7):
            c = svg.VM_COLOURS[i]
            if count.get(hexrgb(c), 0) < 10:
                fails.append("VM%d's colour %s: %d pixels, expected >= 10"
                             % (i + 1, c, count.get(hexrgb(c), 0)))
        for f in fails:
            print("FAIL: " + f)
        return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
