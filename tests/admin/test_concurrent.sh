#!/bin/sh
# Two vgpuctl processes changing the database at the same time: no
# "database is locked", no lost or duplicate writes.
. "$(dirname "$0")/lib.sh"
N=40
"$VGPUCTL" init >/dev/null

writer() { # $1: UUID prefix digit
    i=0
    while [ $i -lt $N ]; do
        u=$(printf '3f2a6c1e-9b7d-4e21-8c5%s-%012d' "$1" $i)
        "$VGPUCTL" register-vm "$u" --priority low || echo "register $u failed: $?"
        "$VGPUCTL" set-priority "$u" high >/dev/null || echo "set-priority $u failed: $?"
        "$VGPUCTL" set-pool "$u" B >/dev/null || echo "set-pool $u failed: $?"
        i=$((i + 1))
    done >/dev/null 2>"$TMP/writer$1.err"
}
writer 1 & P1=$!
writer 2 & P2=$!
wait $P1; wait $P2
for w in 1 2; do
    if [ -s "$TMP/writer$w.err" ]; then bad "writer $w saw errors"; head -5 "$TMP/writer$w.err"; else ok "writer $w: every command succeeded"; fi
done
if grep -qi locked "$TMP"/writer*.err; then bad "database is locked seen"; else ok "no 'database is locked'"; fi
expect "all VMs registered" "^$((2 * N))$" "$(sql "SELECT count(*) FROM vms")"
expect "vm_ids unique and dense" "^$((2 * N))\|1\|$((2 * N))$" "$(sql "SELECT count(DISTINCT vm_id), min(vm_id), max(vm_id) FROM vms")"
expect "every change applied" "^$((2 * N))$" "$(sql "SELECT count(*) FROM vms JOIN pools p USING(pool_id) WHERE priority=2 AND p.name='B'")"
expect "integrity" "^ok$" "$(sql "PRAGMA integrity_check")"
finish
