#!/bin/bash
# test_completion.sh: bash completion of vgpuctl: commands, options, VMs, pools, priorities.
set -u
: "${VGPU_BUILDDIR:?}" "${VGPU_SRCDIR:?}"
V=$VGPU_BUILDDIR/admin/vgpuctl
T=$(mktemp -d "${TMPDIR:-/tmp}/vgpu-comp.XXXXXX")
trap 'rm -rf "$T"' EXIT
PASS=0 FAIL=0
check() { if eval "$2"; then PASS=$((PASS + 1)); echo "ok   $1"; else FAIL=$((FAIL + 1)); echo "FAIL $1 ($2)"; fi; }
unset VGPU_DB VGPU_CTL
# shellcheck source=/dev/null
. "$VGPU_SRCDIR/admin/vgpuctl.bash-completion"

# comp LINE: the completions bash would offer at the end of LINE (one per line, sorted).
comp() {
    read -ra COMP_WORDS <<<"$1"
    [[ $1 == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _vgpuctl
    printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

"$V" --db "$T/v.db" init >/dev/null
"$V" --db "$T/v.db" register-vm 00000000-0000-4000-8000-000000000001 --name web >/dev/null
"$V" --db "$T/v.db" register-vm 00000000-0000-4000-8000-000000000002 >/dev/null
"$V" --db "$T/v.db" add-pool gold >/dev/null

got=$(comp "$V set-p")
check "commands: set-p -> '$got'" \
    "[ '$got' = 'set-pinned-limit set-pool set-pool-limit set-priority' ]"
got=$(comp "$V --db $T/v.db set-pool-limit ")
check "pools for set-pool-limit POOL MS (from its synopsis): '$got'" "[ '$got' = 'A B gold' ]"
got=$(comp "$V --db $T/v.db set-pool-limit A ")
check "nothing offered for MS: '$got'" "[ -z '$got' ]"
all=$(comp "$V " | wc -w)
cmds=$("$V" --help | grep -c '^  [a-z]')
check "every command of --help is offered ($all = $cmds + help)" "[ $all -eq $((cmds + 1)) ]"
got=$(comp "$V xl")
check "the new xl-config command too: '$got'" "[ '$got' = 'xl-config' ]"
got=$(comp "$V --db $T/v.db show-vm ")
check "VM names and UUIDs from the given store: '$got'" \
    "[ '$got' = '00000000-0000-4000-8000-000000000001 00000000-0000-4000-8000-000000000002 web' ]"
got=$(comp "$V --db $T/v.db set-pool web ")
check "pools after a VM: '$got'" "[ '$got' = 'A B gold' ]"
got=$(comp "$V --db $T/v.db set-priority web m")
check "priorities: '$got'" "[ '$got' = 'medium' ]"
got=$(comp "$V --db $T/v.db register-vm --pool ")
check "pools after --pool: '$got'" "[ '$got' = 'A B gold' ]"
got=$(comp "$V status --")
check "status options: '$got'" "[ '$got' = '--count --ctl --db --help --interval --json --watch --yes' ]"
got=$(comp "$V update-vm web --mem")
check "update-vm options: '$got'" "[ '$got' = '--mem-quota' ]"
got=$(comp "$V --db $T/v.db set-pinned-limit ")
check "VMs for set-pinned-limit VM SIZE: '$got'" \
    "[ '$got' = '00000000-0000-4000-8000-000000000001 00000000-0000-4000-8000-000000000002 web' ]"
got=$(comp "$V --db $T/v.db set-pinned-limit web ")
check "sizes for its SIZE: '$got'" "[ '$got' = '0 1G 256M 64M' ]"
got=$(comp "$V help prov")
check "help COMMAND: '$got'" "[ '$got' = 'provision' ]"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ] && [ "$PASS" -gt 0 ]
