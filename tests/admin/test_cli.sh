#!/bin/sh
# vgpuctl end to end on a fresh database: every command, every bad-input case.
. "$(dirname "$0")/lib.sh"
U1=3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e51
U2=3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e52
U3=3F2A6C1E-9B7D-4E21-8C55-0A1B2C3D4E53

run "usage without command" 2
expect "usage lists commands" "register-vm" "$ERR"
run "--help" 0 --help
run "per-command --help" 0 set-priority --help
expect "per-command help synopsis" "set-priority VM PRIO" "$OUT"
run "unknown command" 2 frobnicate
run "no database yet" 1 list-vms
expect "no database message" "vgpuctl init" "$ERR"

run "init" 0 init
expect "init creates schema 3" "schema version 3" "$OUT"
expect "pools have the default job limit" "^30000$" "$(sql "SELECT job_limit_ms FROM pools WHERE name='A'")"
expect "pools A and B" "^A\|\|$" "$(sql "SELECT name,gpu,mig FROM pools ORDER BY name" | head -1)"
expect "WAL mode" "^wal$" "$(sql "PRAGMA journal_mode")"
run "init twice" 0 init

run "register-vm defaults" 0 register-vm "$U1"
expect "defaults pool A medium vm_id 1" "^1\|A\|1$" \
    "$(sql "SELECT vm_id,p.name,priority FROM vms JOIN pools p USING(pool_id) WHERE vm_uuid='$U1'")"
run "register-vm all options" 0 register-vm "$U2" --vm-id 7 --pool B --priority high \
    --name web --uid 1000 --mem-quota 512M
expect "stored all options" "^7\|B\|2\|web\|536870912\|1000$" \
    "$(sql "SELECT vm_id,p.name,priority,v.name,mem_quota,uid FROM vms v JOIN pools p USING(pool_id) WHERE vm_uuid='$U2'")"
run "register-vm upper-case UUID is stored lower-case" 0 register-vm "$U3" --priority 0
expect "uuid lower-cased" "3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e53" "$(sql "SELECT vm_uuid FROM vms WHERE vm_id=2")"

# Bad input: exit 2, a message that says what is allowed, nothing changed.
unchanged "pool C" 2 register-vm 3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e54 --pool C
expect "pool C message" "no pool 'C': pools are A, B" "$ERR"
unchanged "priority 3" 2 register-vm 3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e54 --priority 3
expect "priority message" "use low, medium or high" "$ERR"
unchanged "priority urgent" 2 set-priority web urgent
unchanged "malformed UUID" 2 register-vm 3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e5
expect "malformed UUID message" "malformed UUID" "$ERR"
unchanged "malformed UUID as VM" 2 show-vm 3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4eXX
unchanged "vm_id taken (register)" 2 register-vm 3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e54 --vm-id 7
expect "vm_id taken message" "vm_id 7 is already taken by VM $U2" "$ERR"
unchanged "vm_id taken (set-vm-id)" 2 --yes set-vm-id "$U1" 7
unchanged "vm_id taken (update-vm)" 2 update-vm "$U1" --priority high --vm-id 7
expect "update-vm is all or nothing" "^1\|1$" "$(sql "SELECT vm_id,priority FROM vms WHERE vm_uuid='$U1'")"
unchanged "vm_id 0" 2 set-vm-id web 0
unchanged "vm_id 70000" 2 set-vm-id web 70000
unchanged "unknown VM (set-pool)" 2 set-pool nosuch B
expect "unknown VM message" "unknown VM 'nosuch'" "$ERR"
unchanged "unknown VM (remove-vm)" 2 remove-vm 3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e59
unchanged "unknown VM (update-vm)" 2 update-vm nosuch --priority low
unchanged "already registered" 2 register-vm "$U1"
unchanged "name taken" 2 update-vm "$U1" --name web
unchanged "name that is a UUID" 2 register-vm 3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e54 --name "$U1"
unchanged "bad size" 2 update-vm web --mem-quota 12X
unchanged "bad uid" 2 update-vm web --uid no-such-user-here
unchanged "option not taken by command" 2 list-pools --priority high
unchanged "missing argument" 2 set-pool web
unchanged "update-vm without fields" 2 update-vm web
unchanged "bad pool name" 2 add-pool "bad pool!"
unchanged "add-pool existing" 2 add-pool A
unchanged "map-pool bad GPU" 2 map-pool A banana
unchanged "map-pool unknown pool" 2 map-pool Z 0

# Reads, text and JSON.
run "list-vms" 0 list-vms
expect "list-vms shows web" "web +B +high" "$OUT"
run "list-vms --json" 0 --json list-vms
expect "list-vms json" '"uuid": "3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e52"' "$OUT"
run "list-vms --pool B" 0 list-vms --pool B
expect "pool filter" "^ +7 " "$OUT"
run "show-vm by name" 0 show-vm web
expect "show-vm fields" "mem quota: 512M" "$OUT"
run "show-vm by UUID --json" 0 show-vm "$U2" --json
expect "show-vm json" '"priority_name": "high"' "$OUT"
run "list-pools --json" 0 list-pools --json
expect "list-pools json" '"name": "B"' "$OUT"
run "status without vgpud" 0 status
expect "status says vgpud not running" "vgpud is not running \(no control socket at $VGPU_CTL\)" "$OUT"
run "status --json" 0 status --json
expect "status json" '"running": false' "$OUT"

# Changes.
run "set-pool" 0 set-pool web A
expect "set-pool stored" "^A$" "$(sql "SELECT p.name FROM vms JOIN pools p USING(pool_id) WHERE vm_id=7")"
expect "set-pool says vgpud not running" "change is stored and applies when vgpud starts" "$OUT"
run "set-priority" 0 set-priority "$U1" HIGH
expect "set-priority stored" "^2$" "$(sql "SELECT priority FROM vms WHERE vm_uuid='$U1'")"
run "set-priority same value" 0 set-priority "$U1" 2
expect "no-op says so" "nothing to change" "$OUT"
unchanged "set-vm-id declined" 1 set-vm-id "$U1" 9
expect "set-vm-id shows current and new" "vm_id +1 -> 9" "$OUT"
run "set-vm-id --yes" 0 --yes set-vm-id "$U1" 9
expect "set-vm-id stored" "^9$" "$(sql "SELECT vm_id FROM vms WHERE vm_uuid='$U1'")"
if printf 'y\n' | "$VGPUCTL" set-vm-id "$U1" 10 >/dev/null 2>&1; then ok "set-vm-id confirmed on stdin"; else bad "set-vm-id confirmed on stdin"; fi
expect "confirmed change stored" "^10$" "$(sql "SELECT vm_id FROM vms WHERE vm_uuid='$U1'")"
run "update-vm several fields" 0 --yes update-vm web --pool B --priority low --vm-id 20 --name web2 --uid none --mem-quota 0
expect "update-vm stored" "^20\|B\|0\|web2\|0\|$" \
    "$(sql "SELECT vm_id,p.name,priority,v.name,mem_quota,uid FROM vms v JOIN pools p USING(pool_id) WHERE vm_uuid='$U2'")"
run "add-pool" 0 add-pool C
run "map-pool" 0 map-pool C GPU-3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e51 --mig MIG-3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e52
expect "map-pool stored" "^GPU-.*\|MIG-" "$(sql "SELECT gpu,mig FROM pools WHERE name='C'")"
run "set-pool to the new pool" 0 set-pool web2 C
run "map-pool none" 0 map-pool A none
run "set-pool-limit" 0 set-pool-limit C 1500
expect "set-pool-limit stored" "^1500$" "$(sql "SELECT job_limit_ms FROM pools WHERE name='C'")"
run "list-pools --json has the limit" 0 list-pools --json
expect "job_limit_ms in the JSON" '"job_limit_ms": 1500' "$OUT"
unchanged "set-pool-limit below 10 ms" 2 set-pool-limit C 9
unchanged "set-pool-limit not a number" 2 set-pool-limit C 1s
unchanged "set-pool-limit unknown pool" 2 set-pool-limit Z 1000
run "register-vm fills the lowest free vm_id" 0 register-vm 3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e54
expect "lowest free vm_id" "^1$" "$(sql "SELECT vm_id FROM vms WHERE vm_uuid='3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e54'")"
run "remove-vm" 0 remove-vm web2
expect "remove-vm deleted" "^0$" "$(sql "SELECT count(*) FROM vms WHERE vm_uuid='$U2'")"

# The database's own constraints hold against any writer.
for stmt in "INSERT INTO vms(vm_uuid,vm_id,pool_id,priority,mem_quota,created,updated) VALUES ('3f2a6c1e-9b7d-4e21-8c55-0a1b2c3d4e5a',99,42,1,0,0,0)" \
            "UPDATE vms SET priority=3" "UPDATE vms SET vm_id=0" "UPDATE vms SET vm_uuid='x'" \
            "UPDATE vms SET vm_id=10" "UPDATE pools SET job_limit_ms=0" \
            "UPDATE pools SET job_limit_ms=3600001"; do
    before=$(db_dump)
    if sqlite3 "$VGPU_DB" "PRAGMA foreign_keys=ON; $stmt" 2>/dev/null; then bad "schema refuses: $stmt"; else ok "schema refuses: $stmt"; fi
    [ "$before" = "$(db_dump)" ] || bad "schema refusal changed the database"
done

# scan-vms without a hypervisor says so.
XENSTORED_PATH="$TMP/no-such-socket" "$VGPUCTL" scan-vms >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc = 1 ]; then ok "scan-vms without hypervisor (exit 1)"; else bad "scan-vms without hypervisor: exit $rc"; fi
expect "scan-vms message" "no hypervisor reachable|without Xen support" "$(cat "$TMP/err")"
finish
