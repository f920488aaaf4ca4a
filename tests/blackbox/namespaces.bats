#!/usr/bin/env bats
# Namespaces, each checked from inside the container with the probe.

# shellcheck source=helpers.bash
load helpers

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# host_ns TYPE: this shell's namespace link.
host_ns() {
	readlink "/proc/self/ns/$1"
}

@test "pid namespace: the process is pid 1" {
	ct_probe pid
	[ "$status" -eq 0 ]
	has_line pid=1
	has_line ppid=0
}

@test "uts namespace: hostname" {
	update_config '.hostname = "probe-host"'
	ct_probe hostname
	[ "$status" -eq 0 ]
	has_line hostname=probe-host
	[ "$(hostname)" != probe-host ]
}

@test "uts namespace: domainname" {
	requires_runtime_spec 1.1.0 "domainname"
	update_config '.hostname = "probe-host" | .domainname = "probe.example"'
	ct_probe hostname
	[ "$status" -eq 0 ]
	has_line domainname=probe.example
	[ "$(domainname)" != probe.example ]
}

@test "ipc, mount, net and uts namespaces are new" {
	ct_probe ns
	[ "$status" -eq 0 ]
	local ns
	for ns in ipc mnt net uts pid; do
		[ -n "$(value_of "$ns")" ]
		[ "$(value_of "$ns")" != "$(host_ns "$ns")" ]
	done
}

@test "ipc namespace: the host's SysV shared memory is not visible" {
	command -v ipcmk >/dev/null || skip "ipcmk (util-linux) is missing"
	local shmid
	shmid=$(ipcmk -M 4096 | grep -o '[0-9]*$')
	defer "ipcrm -m $shmid"
	grep -qw "$shmid" /proc/sysvipc/shm
	ct_probe read /proc/sysvipc/shm
	[ "$status" -eq 0 ]
	if awk 'NR > 1 {print $2}' <<<"$output" | grep -qx "$shmid"; then
		fail "the host's segment $shmid is visible inside"
	fi
}

@test "net namespace: only lo" {
	ct_probe net
	[ "$status" -eq 0 ]
	has_line ifaces=lo
}

@test "cgroup namespace: the container's cgroup is its root" {
	add_namespace cgroup
	ct_probe cgroup
	[ "$status" -eq 0 ]
	[ "$(value_of cgroup)" != "$(host_ns cgroup)" ]
	# Every hierarchy shows "/", none the host path.
	if grep -q hako-test <<<"$output"; then
		fail "the host cgroup path is visible inside a cgroup namespace"
	fi
	grep -qE '^[0-9]+:memory:/$' <<<"$output"
}

@test "without a cgroup namespace the host cgroup path shows" {
	local id
	id=$(new_id)
	set_args /bin/probe cgroup
	ct_run "$id"
	[ "$status" -eq 0 ]
	grep -qE "^[0-9]+:memory:$(cgroup_rel "$id")\$" <<<"$output"
}

@test "time namespace: linux.timeOffsets shift monotonic and boottime" {
	requires timens
	requires_runtime_ns time
	known_deviation '^crun version 1\.8\.' "cannot start a container in a new time namespace here (write to sync socket: connection reset)"
	add_namespace time
	update_config '.linux.timeOffsets = {"monotonic": {"secs": 864000, "nanosecs": 0},
		                        "boottime": {"secs": 1728000, "nanosecs": 0}}'
	local host_mono host_boot
	# The host's clocks, read by the same probe just before.
	host_mono=$("$PROBE" clock | sed -n 's/^monotonic=//p')
	host_boot=$("$PROBE" clock | sed -n 's/^boottime=//p')
	ct_probe clock
	[ "$status" -eq 0 ]
	# Allow a minute of slack for a slow machine.
	[ "$(value_of monotonic)" -ge $((host_mono + 864000 - 1)) ]
	[ "$(value_of monotonic)" -le $((host_mono + 864000 + 60)) ]
	[ "$(value_of boottime)" -ge $((host_boot + 1728000 - 1)) ]
	[ "$(value_of boottime)" -le $((host_boot + 1728000 + 60)) ]
	# /proc/uptime follows the namespace's boottime.
	[ "$(value_of uptime)" -ge $((host_boot + 1728000 - 1)) ]
}

@test "user namespace: one mapping; root inside, the mapped id outside" {
	requires userns
	add_namespace user
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	allow_traversal "$BUNDLE/rootfs"
	local id pid
	id=$(new_id)
	set_args /bin/probe sleep inf
	ct_run_detached "$id"
	[ "$status" -eq 0 ]
	pid=$(ct_state "$id" pid)
	# The host sees the mapped ids.
	[ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = 100000 ]
	[ "$(awk '/^Gid:/ {print $2}' "/proc/$pid/status")" = 100000 ]
	[ "$(readlink "/proc/$pid/ns/user")" != "$(host_ns user)" ]
	grep -qE '^ +0 +100000 +65536$' "/proc/$pid/uid_map"

	rt exec "$id" /bin/probe ids
	[ "$status" -eq 0 ]
	has_line uid=0
	has_line gid=0
	has_line euid=0

	# An exec'd process joins the container's cgroups too, user namespace and all.
	ct_exec_detached "$id" "$TEST_DIR/exec.pid" /bin/probe sleep inf
	[ "$status" -eq 0 ]
	assert_same_cgroups "$pid" "$(cat "$TEST_DIR/exec.pid")"
}

@test "joining namespaces by path: a second container shares the first's net, ipc and uts" {
	local first second pid
	first=$(new_id)
	update_config '.hostname = "first-host"'
	set_args /bin/probe sleep inf
	ct_run_detached "$first"
	[ "$status" -eq 0 ]
	pid=$(ct_state "$first" pid)

	local bundle2=$TEST_DIR/second
	make_bundle "$bundle2"
	update_config "del(.hostname)
		| .linux.namespaces |= map(
			if .type == \"network\" then .path = \"/proc/$pid/ns/net\"
			elif .type == \"ipc\" then .path = \"/proc/$pid/ns/ipc\"
			elif .type == \"uts\" then .path = \"/proc/$pid/ns/uts\"
			else . end)
		| .process.args = [\"/bin/sh\", \"-c\", \"/bin/probe ns; /bin/probe hostname\"]" "$bundle2"
	second=$(new_id)
	BUNDLE=$bundle2 ct_run "$second"
	[ "$status" -eq 0 ]
	[ "$(value_of net)" = "$(readlink "/proc/$pid/ns/net")" ]
	[ "$(value_of ipc)" = "$(readlink "/proc/$pid/ns/ipc")" ]
	[ "$(value_of uts)" = "$(readlink "/proc/$pid/ns/uts")" ]
	has_line hostname=first-host
	# The namespaces not joined are its own.
	[ "$(value_of mnt)" != "$(readlink "/proc/$pid/ns/mnt")" ]
	[ "$(value_of pid)" != "$(readlink "/proc/$pid/ns/pid")" ]
}
