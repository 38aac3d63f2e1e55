#!/bin/sh
# test_metrics.sh: vgpud --metrics passes promtool, and a real Prometheus on loopback scrapes it
# and answers a query for a counter this test moved.
. "$VGPU_SRCDIR/tests/local/lib.sh"
{ command -v promtool >/dev/null && command -v prometheus >/dev/null; } ||
    { echo "SKIP: promtool/prometheus not installed (Debian package prometheus)"; exit 77; }
PROM_PID=""
trap 'cleanup_all' EXIT
cleanup_all() {
    [ -n "$PROM_PID" ] && kill "$PROM_PID" 2>/dev/null && wait "$PROM_PID" 2>/dev/null
    cleanup
}

# get URL: the body on stdout; exit 1 unless HTTP 200 (loopback only, 5 s at most).
get() {
    python3 - "$1" <<'PY'
import sys, urllib.request
try:
    sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())
except Exception as e:
    sys.stderr.write("%s: %s\n" % (sys.argv[1], e)); sys.exit(1)
PY
}
# code METHOD URL: the HTTP status code.
code() {
    python3 - "$1" "$2" <<'PY'
import sys, urllib.request, urllib.error
try:
    print(urllib.request.urlopen(urllib.request.Request(sys.argv[2], method=sys.argv[1]), timeout=5).status)
except urllib.error.HTTPError as e:
    print(e.code)
PY
}
# sample NAME LABELMATCH: the value of the first sample of NAME whose labels contain LABELMATCH.
sample() { get "$M/metrics" | sed -n "s/^$1{[^}]*$2[^}]*} \\([0-9.]*\\)\$/\\1/p" | head -n 1; }

vm "$(uuid 1)" --name scraped --pool B --priority high --mem-quota 64M

# Off by default: no endpoint, no log line.
start_vgpud
check "no metrics endpoint unless asked" "! grep -q 'metrics:' '$T/vgpud.log'"
kill "$VGPUD_PID"; wait "$VGPUD_PID"; VGPUD_PID=""

out=$("$VGPUD" --metrics 'nohost:x' 2>&1); rc=$?
check "--metrics with a bad address is bad usage (exit 2): rc=$rc" "[ $rc -eq 2 ]"
check "... and says what is expected" "echo '$out' | grep -q 'expected PORT, IPV4:PORT or \[IPV6\]:PORT'"

start_vgpud --metrics 0
port() { sed -n 's|.*metrics: serving http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$T/vgpud.log"; }
check "vgpud logs the loopback address it serves" "wait_for 10 test -n \"\$(port)\""
M=http://127.0.0.1:$(port)
check "GET /metrics answers 200" "[ \"\$(code GET $M/metrics)\" = 200 ]"
check "another path answers 404" "[ \"\$(code GET $M/nosuch)\" = 404 ]"
check "POST answers 405" "[ \"\$(code POST $M/metrics)\" = 405 ]"

"$LOADGEN" --instance scraped --jobs 5 >"$T/lg1.out" 2>&1
check "loadgen ran its jobs" "[ $? -eq 0 ]"
get "$M/metrics" >"$T/m1.txt"
check "promtool check metrics accepts the output" "promtool check metrics <'$T/m1.txt' >'$T/promtool.out' 2>&1 || { cat '$T/promtool.out'; false; }"
n1=$(sample vgpu_vm_jobs_completed_total 'vm="scraped"')
check "the VM's completed-jobs counter moved: $n1" "[ -n '$n1' ] && [ '$n1' -gt 0 ]"
st=$(status_json | jget "[v for v in d['vms'] if v['name']=='scraped'][0]['completed']")
check "it equals vgpud's status (completed=$st)" "[ '$n1' = '$st' ]"
h1=$(sample vgpu_vm_run_seconds_count 'vm="scraped"')
inf=$(sample vgpu_vm_run_seconds_bucket 'le="+Inf"')
check "run-time histogram counts every completed job ($h1, +Inf $inf)" "[ '$h1' = '$n1' ] && [ '$inf' = '$n1' ]"
ws=$(sample vgpu_vm_worker_starts_total 'vm="scraped"')
check "the VM's worker start is counted ($ws)" "[ -n '$ws' ] && [ '$ws' -ge 1 ]"
check "the quota is exported (64 MiB)" "[ \"\$(sample vgpu_vm_memory_quota_bytes 'vm=\"scraped\"')\" = 67108864 ]"
check "pool B counts the VM's jobs" "[ \"\$(sample vgpu_pool_jobs_submitted_total 'pool=\"B\"')\" -ge '$n1' ]"

# A real Prometheus on loopback scrapes vgpud every second.
pport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$T/prometheus.yml" <<EOC
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: vgpud
    static_configs:
      - targets: ['127.0.0.1:$(port)']
EOC
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
    --web.listen-address="127.0.0.1:$pport" >"$T/prometheus.log" 2>&1 &
PROM_PID=$!
P=http://127.0.0.1:$pport
# promq VALUE: Prometheus answers the query for the VM's counter with VALUE.
promq() {
    get "$P/api/v1/query?query=vgpu_vm_jobs_completed_total%7Bvm%3D%22scraped%22%7D" |
        python3 -c "import json,sys; r=json.load(sys.stdin)['data']['result']; sys.exit(0 if r and r[0]['value'][1]=='$1' else 1)"
}
check "Prometheus answers the counter's value ($n1) from its scrape" "wait_for 60 promq $n1 || { tail -n 20 '$T/prometheus.log'; false; }"
"$LOADGEN" --instance scraped --jobs 3 >"$T/lg2.out" 2>&1
n2=$(sample vgpu_vm_jobs_completed_total 'vm="scraped"')
check "more jobs move the counter ($n1 -> $n2)" "[ '$n2' -gt '$n1' ]"
check "Prometheus follows it ($n2)" "wait_for 30 promq $n2"
up() {
    get "$P/api/v1/query?query=up%7Bjob%3D%22vgpud%22%7D" |
        python3 -c "import json,sys; r=json.load(sys.stdin)['data']['result']; sys.exit(0 if r[0]['value'][1]=='1' else 1)"
}
check "Prometheus sees the target up" "up"
# Every query docs/operations.md offers is valid PromQL that this Prometheus evaluates.
docq() {
    python3 - "$VGPU_SRCDIR/docs/operations.md" "$P" <<'PY'
import json, re, sys, urllib.parse, urllib.request
doc, base = open(sys.argv[1]).read(), sys.argv[2]
qs = re.findall(r"^\| [^|]+ \| `([^`]+)` \|$", doc.split("### Example queries")[1].split("###")[0], re.M)
bad = []
for q in qs:
    u = base + "/api/v1/query?query=" + urllib.parse.quote(q)
    try:
        r = json.load(urllib.request.urlopen(u, timeout=5))
        if r["status"] != "success": bad.append(q)
    except Exception as e:
        bad.append("%s (%s)" % (q, e))
print("%d queries, failed: %s" % (len(qs), bad))
sys.exit(0 if qs and not bad else 1)
PY
}
check "the example queries of docs/operations.md evaluate" "docq"
check "vgpud is still alive" "vgpud_alive"
kill "$PROM_PID" && wait "$PROM_PID" 2>/dev/null
PROM_PID=""
kill "$VGPUD_PID"
wait "$VGPUD_PID"
rc=$?
VGPUD_PID=""
check "vgpud stops cleanly (exit 0; in the ASan build: no leaks): rc=$rc" "[ $rc -eq 0 ] || { tail -n 30 '$T/vgpud.log'; false; }"
finish
