# Helpers for the admin suite's shell tests (sourced). Needs $VGPUCTL.
# shellcheck shell=sh
set -u
: "${VGPUCTL:?set VGPUCTL to the vgpuctl binary}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vgpu-admin-test.XXXXXX")
export VGPU_DB="$TMP/vgpu.db" VGPU_CTL="$TMP/vgpud.ctl"
PASS=0
FAIL=0
cleanup_hooks=""
run_cleanup_hooks() { for h in $cleanup_hooks; do $h; done; }
trap 'run_cleanup_hooks; rm -rf "$TMP"' EXIT

ok() { PASS=$((PASS + 1)); echo "ok   $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $*"; }

# run NAME EXPECTED_RC CMD...: run vgpuctl, keep stdout/stderr in $OUT/$ERR.
run() {
    name=$1 want=$2
    shift 2
    "$VGPUCTL" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    got=$?
    OUT=$(cat "$TMP/out") ERR=$(cat "$TMP/err")
    if [ "$got" = "$want" ]; then ok "$name (exit $got)"; else
        bad "$name: exit $got, expected $want"; echo "  stdout: $OUT"; echo "  stderr: $ERR"; fi
}

# expect NAME PATTERN TEXT: TEXT contains PATTERN (grep -E).
expect() {
    if printf '%s\n' "$3" | grep -Eq -- "$2"; then ok "$1"; else
        bad "$1: expected /$2/ in:"; printf '%s\n' "$3" | sed 's/^/  | /'; fi
}

db_dump() { sqlite3 "$VGPU_DB" .dump | md5sum; }

# unchanged NAME EXPECTED_RC CMD...: the command fails and the database is unchanged.
unchanged() {
    before=$(db_dump)
    run "$@"
    after=$(db_dump)
    if [ "$before" = "$after" ]; then ok "$1: database unchanged"; else
        bad "$1: database changed"; fi
}

sql() { sqlite3 "$VGPU_DB" "$1"; }

finish() {
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ]
}
