#!/usr/bin/env bats
# linux.resources on this machine's hybrid layout (every controller on v1 but hugetlb, alone on
# cgroup2), read back inside the container (probe cgroupfile finds the file through the
# container's cgroup mounts and /proc/self/cgroup) and on the host.

# shellcheck source=helpers.bash
load helpers

setup() {
	requires cgroups
	common_setup
}

teardown() {
	common_teardown
}

# host_cgroup_file CONTROLLER FILE ID: the value on the host, for a v1 controller.
host_cgroup_file() {
	cat "/sys/fs/cgroup/$1$(cgroup_rel "$3")/$2"
}

@test "memory: the limit is in force inside and on the host" {
	requires cgroup_v1
	update_config '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432}'
	local id
	id=$(new_id)
	set_args /bin/sh -c '/bin/probe cgroupfile memory memory.limit_in_bytes;
		/bin/probe cgroupfile memory memory.soft_limit_in_bytes; /bin/probe sleep inf'
	ct_run_detached "$id"
	[ "$status" -eq 0 ]
	wait_until 10 grep -q soft_limit "$(ct_out "$id")"
	output=$(cat "$(ct_out "$id")")
	has_line memory.limit_in_bytes=67108864
	has_line memory.soft_limit_in_bytes=33554432
	[ "$(host_cgroup_file memory memory.limit_in_bytes "$id")" = 67108864 ]
}

@test "memory: memory+swap limit" {
	requires cgroup_v1
	[ -f /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ] || skip "no swap accounting on this machine"
	update_config '.linux.resources.memory = {"limit": 67108864, "swap": 134217728}'
	ct_probe cgroupfile memory memory.memsw.limit_in_bytes
	[ "$status" -eq 0 ]
	has_line memory.memsw.limit_in_bytes=134217728
}

@test "memory: kernel memory limit" {
	local major minor
	IFS=. read -r major minor _ <<<"$(uname -r)"
	if [ "$major" -gt 5 ] || { [ "$major" -eq 5 ] && [ "$minor" -ge 16 ]; }; then
		skip "kernel memory cgroup limits are removed from this kernel ($(uname -r))"
	fi
	update_config '.linux.resources.memory = {"limit": 67108864, "kernel": 33554432}'
	ct_probe cgroupfile memory memory.kmem.limit_in_bytes
	[ "$status" -eq 0 ]
	has_line memory.kmem.limit_in_bytes=33554432
}

@test "pids: the limit is in force: fork fails with EAGAIN past it" {
	update_config '.linux.resources.pids = {"limit": 10}'
	set_args /bin/sh -c '/bin/probe cgroupfile pids pids.max; /bin/probe fork 20'
	local id
	id=$(new_id)
	ct_run "$id"
	[ "$status" -eq 0 ]
	has_line pids.max=10
	has_line fork=EAGAIN
	# sh and the probe count too.
	[ "$(value_of forked)" -lt 10 ]
}

@test "cpu: shares, quota and period" {
	requires cgroup_v1
	update_config '.linux.resources.cpu = {"shares": 512, "quota": 50000, "period": 100000}'
	set_args /bin/sh -c '/bin/probe cgroupfile cpu cpu.shares; /bin/probe cgroupfile cpu cpu.cfs_quota_us;
		/bin/probe cgroupfile cpu cpu.cfs_period_us'
	local id
	id=$(new_id)
	ct_run "$id"
	[ "$status" -eq 0 ]
	has_line cpu.shares=512
	has_line cpu.cfs_quota_us=50000
	has_line cpu.cfs_period_us=100000
}

@test "cpuset: cpus and mems, and the process's affinity follows" {
	requires cgroup_v1
	local last=$(($(nproc) - 1))
	update_config ".linux.resources.cpu = {\"cpus\": \"$last\", \"mems\": \"0\"}"
	set_args /bin/sh -c '/bin/probe cgroupfile cpuset cpuset.cpus; /bin/probe cgroupfile cpuset cpuset.mems;
		/bin/probe affinity'
	local id
	id=$(new_id)
	ct_run "$id"
	[ "$status" -eq 0 ]
	has_line "cpuset.cpus=$last"
	has_line cpuset.mems=0
	has_line "cpus=$last"
}

@test "devices: a device the rules deny cannot be opened; an allow rule opens it" {
	[ -c /dev/kmsg ] || skip "this machine has no /dev/kmsg"
	# /dev/kmsg (c 1:11) is in no runtime's default allow list. Opening it write-only needs no
	# capability, so only the device cgroup decides.
	update_config '.mounts += [{"destination": "/dev/kmsg", "type": "bind", "source": "/dev/kmsg", "options": ["bind"]}]'
	ct_probe open /dev/kmsg w
	[ "$status" -ne 0 ]
	has_line open=EPERM

	update_config '.linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
	ct_probe open /dev/kmsg w
	[ "$status" -eq 0 ]
	has_line open=OK
}

@test "hugetlb: the limit on this hybrid layout (hugetlb alone on cgroup2)" {
	[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2 MiB huge pages on this machine"
	local v1=0
	[ -f /sys/fs/cgroup/hugetlb/hugetlb.2MB.limit_in_bytes ] && v1=1
	if [ $v1 = 0 ] && ! runtime_is_hako; then
		skip "$(runtime_name) cannot set hugetlb limits with hugetlb on cgroup2 in a hybrid layout"
	fi
	update_config '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
	local id
	id=$(new_id)
	set_args /bin/probe sleep inf
	ct_run_detached "$id"
	[ "$status" -eq 0 ]
	if [ $v1 = 1 ]; then
		[ "$(host_cgroup_file hugetlb hugetlb.2MB.limit_in_bytes "$id")" = 4194304 ]
	else
		[ "$(cat "/sys/fs/cgroup/unified$(cgroup_rel "$id")/hugetlb.2MB.max")" = 4194304 ]
	fi
}

@test "blkio: weight" {
	requires cgroup_v1
	[ -f /sys/fs/cgroup/blkio/blkio.weight ] || [ -f /sys/fs/cgroup/blkio/blkio.bfq.weight ] ||
		skip "no blkio weight on this machine (the disk uses mq-deadline, not bfq)"
	update_config '.linux.resources.blockIO = {"weight": 500}'
	ct_probe cgroupfile blkio blkio.weight
	[ "$status" -eq 0 ]
	has_line blkio.weight=500
}

@test "pause and resume: the freezer state follows" {
	requires cgroup_v1
	local id
	id=$(new_id)
	set_args /bin/probe sleep inf
	ct_run_detached "$id"
	[ "$status" -eq 0 ]
	rt pause "$id"
	[ "$status" -eq 0 ]
	[ "$(ct_status "$id")" = paused ]
	[ "$(host_cgroup_file freezer freezer.state "$id")" = FROZEN ]
	rt resume "$id"
	[ "$status" -eq 0 ]
	[ "$(ct_status "$id")" = running ]
	[ "$(host_cgroup_file freezer freezer.state "$id")" = THAWED ]
}

@test "update: new limits are read back inside the container; a bad value changes nothing" {
	requires cgroup_v1
	local id
	id=$(new_id)
	update_config '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 50}'
	set_args /bin/probe sleep inf
	ct_run_detached "$id"
	[ "$status" -eq 0 ]
	rt update --memory 134217728 --pids-limit 20 "$id"
	[ "$status" -eq 0 ]
	rt exec "$id" /bin/cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max
	[ "$status" -eq 0 ]
	[ "$(sed -n 1p <<<"$output")" = 134217728 ]
	[ "$(sed -n 2p <<<"$output")" = 20 ]
	echo '{"cpu": {"shares": 512}}' >"$TEST_DIR/resources.json"
	rt update --resources "$TEST_DIR/resources.json" "$id"
	[ "$status" -eq 0 ]
	[ "$(host_cgroup_file cpu cpu.shares "$id")" = 512 ]
	# A value the kernel refuses: a clear error, and the limit stays as it was.
	rt update --memory-swap 1 "$id"
	[ "$status" -ne 0 ]
	[ "$(host_cgroup_file memory memory.limit_in_bytes "$id")" = 134217728 ]
	rt update --resources /nonexistent.json "$id"
	[ "$status" -ne 0 ]
}

@test "delete: removes the container's cgroup in every hierarchy" {
	local id
	id=$(new_id)
	set_args /bin/probe sleep inf
	ct_run_detached "$id"
	[ "$status" -eq 0 ]
	[ -n "$(cgroup_dirs "$id")" ]
	rt delete --force "$id"
	[ "$status" -eq 0 ]
	[ -z "$(cgroup_dirs "$id")" ]
}
