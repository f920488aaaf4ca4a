#!/usr/bin/env bats
# The process: rlimits, oomScoreAdj, umask, cwd, env, user and groups, capabilities,
# noNewPrivileges, sysctls and LSM labels, each checked from inside with the probe.

# shellcheck source=helpers.bash
load helpers

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# caps_hex CAP...: the /proc/self/status mask of the named capabilities.
caps_hex() {
	local mask=0 cap bit
	for cap in "$@"; do
		bit=$(capability_bit "$cap")
		mask=$((mask | (1 << bit)))
	done
	printf '%016x\n' "$mask"
}

capability_bit() {
	case $1 in
	CAP_CHOWN) echo 0 ;;
	CAP_DAC_OVERRIDE) echo 1 ;;
	CAP_FOWNER) echo 3 ;;
	CAP_KILL) echo 5 ;;
	CAP_SETGID) echo 6 ;;
	CAP_SETUID) echo 7 ;;
	CAP_NET_BIND_SERVICE) echo 10 ;;
	CAP_NET_RAW) echo 13 ;;
	CAP_SYS_ADMIN) echo 21 ;;
	CAP_AUDIT_WRITE) echo 29 ;;
	*) fail "BUG: unknown capability $1" ;;
	esac
}

@test "rlimits: RLIMIT_NOFILE within the hard limit, and RLIMIT_CORE" {
	local hard
	hard=$(ulimit -Hn)
	local nofile=$((hard < 20000 ? hard : 20000))
	update_config ".process.rlimits = [
		{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1234, \"hard\": $nofile},
		{\"type\": \"RLIMIT_CORE\", \"soft\": 4096, \"hard\": 8192}]"
	ct_probe rlimits
	[ "$status" -eq 0 ]
	has_line "RLIMIT_NOFILE=1234:$nofile"
	has_line RLIMIT_CORE=4096:8192
}

@test "rlimits: above the caller's hard limit fails cleanly" {
	# Raising a hard limit needs CAP_SYS_RESOURCE, which root lacks on this machine.
	if (ulimit -Hn $(($(ulimit -Hn) + 1))) 2>/dev/null; then
		skip "this process may raise its hard RLIMIT_NOFILE"
	fi
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 1048576}]'
	local id
	id=$(new_id)
	set_args /bin/probe rlimits
	ct_run "$id"
	assert_failed_cleanly "$id"
}

@test "oomScoreAdj: a positive value" {
	update_config '.process.oomScoreAdj = 500'
	ct_probe oom
	[ "$status" -eq 0 ]
	has_line oom_score_adj=500
}

@test "oomScoreAdj: a negative value" {
	requires negative_oom
	update_config '.process.oomScoreAdj = -500'
	ct_probe oom
	[ "$status" -eq 0 ]
	has_line oom_score_adj=-500
}

@test "umask" {
	update_config '.process.user.umask = 63'
	ct_probe ids
	[ "$status" -eq 0 ]
	has_line umask=0077
}

@test "cwd" {
	mkdir -p "$BUNDLE/rootfs/work/dir"
	update_config '.process.cwd = "/work/dir"'
	ct_probe cwd
	[ "$status" -eq 0 ]
	has_line cwd=/work/dir
}

@test "env: exactly the spec's variables reach the process" {
	update_config '.process.env = ["PATH=/bin", "FOO=bar", "WITH_EQUALS=a=b", "EMPTY="]'
	ct_probe env
	[ "$status" -eq 0 ]
	has_line PATH=/bin
	has_line FOO=bar
	has_line WITH_EQUALS=a=b
	has_line EMPTY=
	# Nothing of the runtime's own environment leaks in (HOME may be added, as runc does).
	if grep -vqE '^(PATH|FOO|WITH_EQUALS|EMPTY|HOME)=' <<<"$output"; then
		fail "unexpected variables: $(grep -vE '^(PATH|FOO|WITH_EQUALS|EMPTY|HOME)=' <<<"$output")"
	fi
}

@test "user: uid, gid and additionalGids" {
	update_config '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [2000, 2001]}'
	ct_probe ids
	[ "$status" -eq 0 ]
	has_line uid=1000
	has_line euid=1000
	has_line gid=1001
	has_line egid=1001
	local groups
	groups=$(value_of groups | tr ',' '\n' | sort -n | tr '\n' ' ')
	# runc sets exactly additionalGids; the primary gid may be listed as well.
	[ "$groups" = "2000 2001 " ] || [ "$groups" = "1001 2000 2001 " ]
}

@test "capabilities: only CAP_NET_BIND_SERVICE in all five sets" {
	update_config '.process.capabilities = {
		"bounding": ["CAP_NET_BIND_SERVICE"], "effective": ["CAP_NET_BIND_SERVICE"],
		"permitted": ["CAP_NET_BIND_SERVICE"], "inheritable": ["CAP_NET_BIND_SERVICE"],
		"ambient": ["CAP_NET_BIND_SERVICE"]}'
	ct_probe caps
	[ "$status" -eq 0 ]
	local want
	want=$(caps_hex CAP_NET_BIND_SERVICE)
	[ "$want" = 0000000000000400 ]
	has_line "CapEff=$want"
	has_line "CapPrm=$want"
	has_line "CapBnd=$want"
	has_line "CapInh=$want"
	has_line "CapAmb=$want"
}

@test "capabilities: each set as spec'd, for a non-root user through ambient" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW"],
		"permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"inheritable": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"effective": ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"ambient": ["CAP_NET_BIND_SERVICE"]}'
	ct_probe caps
	[ "$status" -eq 0 ]
	has_line "CapBnd=$(caps_hex CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE CAP_NET_RAW)"
	has_line "CapInh=$(caps_hex CAP_KILL CAP_NET_BIND_SERVICE)"
	has_line "CapAmb=$(caps_hex CAP_NET_BIND_SERVICE)"
	# After execve a non-root process keeps only its ambient set in permitted and effective.
	has_line "CapPrm=$(caps_hex CAP_NET_BIND_SERVICE)"
	has_line "CapEff=$(caps_hex CAP_NET_BIND_SERVICE)"
}

@test "capabilities: none at all" {
	update_config '.process.capabilities = {}'
	ct_probe caps
	[ "$status" -eq 0 ]
	has_line CapEff=0000000000000000
	has_line CapBnd=0000000000000000
}

@test "noNewPrivileges: true and false" {
	update_config '.process.noNewPrivileges = true'
	ct_probe caps
	[ "$status" -eq 0 ]
	has_line NoNewPrivs=1

	update_config '.process.noNewPrivileges = false'
	ct_probe caps
	[ "$status" -eq 0 ]
	has_line NoNewPrivs=0
}

@test "sysctl: net.ipv4.ip_forward in the container's network namespace" {
	local before
	before=$(cat /proc/sys/net/ipv4/ip_forward)
	local want=$((1 - before))
	update_config ".linux.sysctl = {\"net.ipv4.ip_forward\": \"$want\"}"
	ct_probe sysctl net.ipv4.ip_forward
	[ "$status" -eq 0 ]
	has_line "net.ipv4.ip_forward=$want"
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$before" ]
}

@test "sysctl: kernel.shmmax in the container's ipc namespace" {
	local before
	before=$(cat /proc/sys/kernel/shmmax)
	update_config '.linux.sysctl = {"kernel.shmmax": "68719476736"}'
	ct_probe sysctl kernel.shmmax
	[ "$status" -eq 0 ]
	has_line kernel.shmmax=68719476736
	[ "$(cat /proc/sys/kernel/shmmax)" = "$before" ]
}

@test "sysctl: one outside the container's namespaces is refused" {
	# kernel.* other than the ipc ones is host-wide: a runtime must not write it.
	local id
	id=$(new_id)
	# The host's own value: even a runtime that wrongly writes it changes nothing on the host.
	local before
	before=$(cat /proc/sys/kernel/panic)
	update_config ".linux.sysctl = {\"kernel.panic\": \"$before\"}"
	set_args /bin/probe sysctl kernel.panic
	ct_run "$id"
	assert_failed_cleanly "$id"
	[ "$(cat /proc/sys/kernel/panic)" = "$before" ]
}

@test "AppArmor profile" {
	requires apparmor
	update_config '.process.apparmorProfile = "unconfined"'
	ct_probe read /proc/self/attr/current
	[ "$status" -eq 0 ]
}

@test "SELinux label" {
	requires selinux
	update_config '.process.selinuxLabel = "system_u:system_r:container_t:s0"'
	ct_probe read /proc/self/attr/current
	[ "$status" -eq 0 ]
}
