#!/usr/bin/env bats
# Security properties that cut across the spec: the runtime binary stays out of the container's
# reach (CVE-2019-5736), seccomp user notification reaches its listener, LSM fields are refused
# clearly where no LSM is loaded, and only the fds asked for cross into the container.

# shellcheck source=helpers.bash
load helpers

setup() {
	common_setup
}

teardown() {
	common_teardown
}

@test "CVE-2019-5736: the runtime binary cannot be written through a container's /proc/PID/exe" {
	local id pid before attacker
	id=$(new_id)
	before=$(sha256sum "$RUNTIME" | cut -d' ' -f1)
	set_args /bin/probe pid
	ct_create "$id"
	[ "$status" -eq 0 ]
	pid=$(ct_state "$id" pid)
	# The attack: while the container's init is still the runtime, keep an O_PATH handle on its
	# exe; once the runtime no longer runs (the init has exec'd the user's program), reopen the
	# handle for writing. Opening is the whole test: nothing is ever written.
	python3 - "$pid" "$TEST_DIR/go" "$TEST_DIR/holding" >"$TEST_DIR/attack" 2>&1 <<-'PY' &
		import os, sys, time
		fd = os.open("/proc/%s/exe" % sys.argv[1], os.O_PATH)
		open(sys.argv[3], "w").close()
		deadline = time.time() + 30
		while not os.path.exists(sys.argv[2]) and time.time() < deadline:
		    time.sleep(0.02)
		try:
		    os.close(os.open("/proc/self/fd/%d" % fd, os.O_WRONLY))
		    print("writable")
		except OSError as e:
		    print("refused errno=%d" % e.errno)
	PY
	attacker=$!
	defer "kill $attacker 2>/dev/null || true"
	wait_until 30 test -e "$TEST_DIR/holding"
	# From inside the container too, through a process exec'd next to the waiting init.
	rt exec "$id" /bin/probe write /proc/1/exe
	[[ "$output" == *"write=E"* ]] || fail "writing /proc/1/exe from inside succeeded: $output"
	rt start "$id"
	[ "$status" -eq 0 ]
	wait_status "$id" stopped
	touch "$TEST_DIR/go"
	wait "$attacker" || true
	cat "$TEST_DIR/attack" >&2
	grep -q '^refused' "$TEST_DIR/attack"
	rt delete --force "$id"
	[ "$(sha256sum "$RUNTIME" | cut -d' ' -f1)" = "$before" ]
}

@test "seccomp: SCMP_ACT_NOTIFY hands the listener fd and the state to listenerPath" {
	requires seccomp
	local sock="$TEST_DIR/listener.sock" state="$TEST_DIR/listener.state" pid
	"$TESTS_DIR/lib/seccomp-listener.py" "$sock" "$state" 100 &
	pid=$!
	defer "kill $pid 2>/dev/null; wait $pid 2>/dev/null || true"
	wait_until 10 test -e "$sock.ready"
	update_config ".linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\",
		\"listenerPath\": \"$sock\", \"listenerMetadata\": \"hako-test\",
		\"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
	ct_probe syscall mkdir /notified
	has_line syscall.mkdir=ENETDOWN
	jq -e '.ociVersion and .metadata == "hako-test" and (.fds | index("seccompFd")) and .state.id' "$state"
}

@test "apparmorProfile without AppArmor loaded: a clear error, nothing left" {
	if grep -qs Y /sys/module/apparmor/parameters/enabled; then
		skip "AppArmor is loaded here: the profile would be applied"
	fi
	known_deviation runc "runc ignores apparmorProfile when AppArmor is off"
	known_deviation crun "crun ignores apparmorProfile when AppArmor is off"
	local id
	id=$(new_id)
	update_config '.process.apparmorProfile = "hako-test-profile"'
	ct_run "$id"
	assert_failed_cleanly "$id"
	[[ "$output" == *apparmorProfile* ]]
}

@test "selinuxLabel without SELinux loaded: a clear error, nothing left" {
	if [ -e /sys/fs/selinux/enforce ]; then
		skip "SELinux is loaded here: the label would be applied"
	fi
	known_deviation runc "runc ignores selinuxLabel when SELinux is off"
	known_deviation crun "crun ignores selinuxLabel when SELinux is off"
	local id
	id=$(new_id)
	update_config '.process.selinuxLabel = "system_u:system_r:container_t:s0"'
	ct_run "$id"
	assert_failed_cleanly "$id"
	[[ "$output" == *selinuxLabel* ]]
}

@test "--preserve-fds: exactly the fds asked for reach the container" {
	local id
	id=$(new_id)
	set_args /bin/probe fds
	set_cgroups_path "$id"
	# fds 3 and 4 open in the caller; only 3 is passed on.
	run bash -c "exec 3</dev/null 4</dev/null; timeout 60 '$RUNTIME' --root '$STATE_ROOT' run --preserve-fds 1 --bundle '$BUNDLE' '$id' </dev/null"
	echo "$output" >&2
	[ "$status" -eq 0 ]
	[ "$output" = "fds=0,1,2,3" ]
}

@test "a created container's init keeps the runtime's fds out of the container's reach" {
	local id
	id=$(new_id)
	set_args /bin/probe pid
	ct_create "$id"
	[ "$status" -eq 0 ]
	# The runtime holds cgroup directory fds until the init has joined; a process in the
	# container must never reach them (or anything else) through /proc/1/fd.
	rt exec "$id" /bin/sh -c 'ls -l /proc/1/fd/ 2>&1; for f in /proc/1/fd/*; do cat "$f/../cgroup.procs" 2>/dev/null && echo REACHED; done; true'
	[ "$status" -eq 0 ]
	[[ "$output" != *"/sys/fs/cgroup"* ]] || fail "the container sees a host cgroup fd: $output"
	[[ "$output" != *REACHED* ]] || fail "the container reached a host cgroup through /proc/1/fd"
}

@test "a bind mount at /dev: the runtime writes no device node or link into the host directory" {
	known_deviation runc "runc 1.1.5 writes into a bind-mounted host /dev"
	local id host_dev="$TEST_DIR/hostdev"
	id=$(new_id)
	mkdir "$host_dev"
	touch "$host_dev/marker"
	update_config ".mounts |= map(select(.destination != \"/dev\" and (.destination | startswith(\"/dev/\") | not)))
		| .mounts += [{\"destination\": \"/dev\", \"type\": \"bind\", \"source\": \"$host_dev\", \"options\": [\"rbind\"]}]
		| .linux.maskedPaths = [] | .linux.readonlyPaths = []"
	set_args /bin/true
	ct_run "$id"
	[ "$status" -eq 0 ]
	[ "$(ls -A "$host_dev")" = marker ] || fail "the host directory changed: $(ls -A "$host_dev")"
}

@test "sysctl: a network namespace joined by path that is the host's own is refused" {
	local id
	id=$(new_id)
	update_config ".linux.namespaces |= map(if .type == \"network\" then .path = \"/proc/$$/ns/net\" else . end)
		| .linux.sysctl = {\"net.ipv4.ip_forward\": \"$(cat /proc/sys/net/ipv4/ip_forward)\"}"
	ct_run "$id"
	assert_failed_cleanly "$id"
}

@test "hooks leave no signal disposition behind in the container's process" {
	local id
	id=$(new_id)
	update_config '.hooks = {"createContainer": [{"path": "/bin/true"}], "startContainer": [{"path": "/bin/true"}]}'
	set_args /bin/probe read /proc/self/status
	ct_run "$id"
	[ "$status" -eq 0 ]
	has_line "SigIgn:	0000000000000000"
	has_line "SigBlk:	0000000000000000"
}

@test "exec into a paused container fails at once" {
	requires cgroups
	local id
	id=$(new_id)
	set_args /bin/probe sleep inf
	ct_run_detached "$id"
	[ "$status" -eq 0 ]
	rt pause "$id"
	[ "$status" -eq 0 ]
	rt exec "$id" /bin/true
	[ "$status" -ne 0 ]
	rt resume "$id"
	[ "$status" -eq 0 ]
}

@test "a relative bind source is relative to the bundle, not the caller's directory" {
	local id
	id=$(new_id)
	mkdir "$BUNDLE/shared"
	echo from-the-bundle >"$BUNDLE/shared/file"
	update_config '.mounts += [{"destination": "/data", "type": "bind", "source": "shared", "options": ["rbind", "ro"]}]'
	set_args /bin/probe read /data/file
	cd /
	ct_run "$id"
	[ "$status" -eq 0 ]
	[ "$output" = from-the-bundle ]
}
