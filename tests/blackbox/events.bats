#!/usr/bin/env bats
# What a runtime reports about a container and about itself: events (stats and OOM, runc's JSON),
# ps (table and --format json), features (runtime-spec features.md). Values are checked against
# what the test made happen inside the container and against the host's cgroup files.

# shellcheck source=helpers.bash
load helpers

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# start_sleeper: a detached container running `probe sleep inf`; sets ID and PID.
start_sleeper() {
	ID=$(new_id)
	set_args /bin/probe sleep inf
	ct_run_detached "$ID"
	[ "$status" -eq 0 ]
	PID=$(ct_state "$ID" pid)
}

# host_cgroup DIR-CONTROLLER ID: the container's v1 cgroup directory for a controller.
host_cgroup() {
	echo "/sys/fs/cgroup/$1$(cgroup_rel "$2")"
}

# events_bg OUT ARGS...: `events ARGS` in the background, its stdout in OUT; sets EVENTS_PID.
# The runtime itself is the background job (no timeout(1) in between), so the test can look at
# its fds; teardown kills it by PID should the test not have waited for it.
events_bg() {
	local out=$1
	shift
	"$RUNTIME" --root "$STATE_ROOT" events "$@" >"$out" 2>"$out.err" </dev/null &
	EVENTS_PID=$!
	defer "kill -9 $EVENTS_PID 2>/dev/null; wait $EVENTS_PID 2>/dev/null"
}

# lines_at_least FILE N
lines_at_least() {
	[ "$(grep -c . "$1" 2>/dev/null || true)" -ge "$2" ]
}

# wait_exit PID: wait (bounded) for a background job; its exit status.
wait_exit() {
	wait_until 15 is_gone "$1" || return 124
	local rc=0
	wait "$1" || rc=$?
	return $rc
}

# runs_sleeper PID: the process has exec'd `probe sleep` (its shell's work is done).
runs_sleeper() {
	tr '\0' ' ' <"/proc/$1/cmdline" | grep -q '^/bin/probe sleep'
}

@test "events --stats: one stats event in runc's shape holding the container's usage" {
	requires cgroups cgroup_v1
	ID=$(new_id)
	update_config '.linux.resources.pids = {"limit": 100} | .linux.resources.memory = {"limit": 268435456}'
	# 32 MiB in the container's /dev/shm (tmpfs) are charged to its memory cgroup.
	set_args /bin/sh -c 'head -c 33554432 /dev/zero >/dev/shm/fill && exec /bin/probe sleep inf'
	ct_run_detached "$ID"
	[ "$status" -eq 0 ]
	PID=$(ct_state "$ID" pid)
	wait_until 10 runs_sleeper "$PID"
	ct_exec_detached "$ID" "$TEST_DIR/exec.pid" /bin/probe sleep inf
	[ "$status" -eq 0 ]

	rt events --stats "$ID"
	[ "$status" -eq 0 ]
	[ "$(grep -c . <<<"$output")" -eq 1 ]
	jq -e --arg id "$ID" '.type == "stats" and .id == $id' <<<"$output"
	# runc's types.Stats field names and types.
	jq -e '.data | (.cpu.usage | (.kernel | type == "number") and (.user | type == "number"))
		and (.cpu.throttling | type == "object")
		and (.memory.usage | (.limit | type == "number") and (.failcnt | type == "number"))
		and (.memory.swap.limit | type == "number") and (.memory.kernel.limit | type == "number")
		and (.memory.raw | type == "object") and (.blkio | type == "object")
		and (.hugetlb | type == "object")' <<<"$output"
	# What the container did: 32 MiB of shmem, two processes, some CPU time.
	jq -e '.data.memory.usage.usage > 33554432 and .data.memory.raw.shmem >= 33554432
		and .data.memory.cache >= 33554432 and .data.memory.usage.max >= .data.memory.usage.usage' <<<"$output"
	jq -e '.data.pids.current == 2 and .data.pids.limit == 100' <<<"$output"
	jq -e '.data.cpu.usage.total > 0 and (.data.cpu.usage.percpu | add) == .data.cpu.usage.total' <<<"$output"
	# The host's files say the same.
	[ "$(jq .data.pids.current <<<"$output")" = "$(cat "$(host_cgroup pids "$ID")/pids.current")" ]
	[ "$(jq .data.memory.usage.limit <<<"$output")" = 268435456 ]
	[ "$(cat "$(host_cgroup memory "$ID")/memory.limit_in_bytes")" = 268435456 ]
}

@test "events: a stats event every --interval until the container is gone, then exit 0" {
	requires cgroups
	start_sleeper
	local out=$TEST_DIR/events.out t0
	t0=$(date +%s%N)
	events_bg "$out" --interval 200ms "$ID"
	wait_until 10 lines_at_least "$out" 3
	# Three ticks of 200 ms cannot come in less than 600 ms.
	[ $((($(date +%s%N) - t0) / 1000000)) -ge 600 ]
	jq -e --arg id "$ID" '.type == "stats" and .id == $id and .data.pids.current == 1' "$out"

	rt kill "$ID" KILL
	[ "$status" -eq 0 ]
	wait_status "$ID" stopped
	if runtime_is_hako; then
		# hako stops streaming when the container stops; runc only when its cgroup goes.
		wait_exit "$EVENTS_PID"
	else
		rt delete "$ID"
		wait_exit "$EVENTS_PID"
	fi
	[ ! -s "$out.err" ] || { cat "$out.err" >&2; false; }
}

# has_event_fd PID: the process holds an eventfd (v1 OOM notification) or an inotify fd (v2).
has_event_fd() {
	find "/proc/$1/fd" -lname 'anon_inode:*' -printf '%l\n' 2>/dev/null | grep -qE 'eventfd|inotify'
}

@test "events: an OOM kill in the container is an oom event" {
	requires cgroups
	update_config '.linux.resources.memory = {"limit": 33554432}'
	if [ -f /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ]; then
		update_config '.linux.resources.memory.swap = 33554432'
	fi
	start_sleeper
	local out=$TEST_DIR/events.out
	events_bg "$out" --interval 1h "$ID"
	wait_until 10 has_event_fd "$EVENTS_PID"
	# awk doubles a string until the kernel kills it at the 32 MiB limit.
	rt exec "$ID" /bin/awk 'BEGIN { s = "0123456789abcdef"; while (1) s = s s }'
	[ "$status" -ne 0 ]
	wait_until 10 grep -q '"oom"' "$out"
	jq -e --arg id "$ID" 'select(.type == "oom") | .id == $id' "$out"
	# The container's init is untouched and the stream goes on.
	[ "$(ct_status "$ID")" = running ]
	! is_gone "$EVENTS_PID"
	rt delete --force "$ID"
	wait_exit "$EVENTS_PID"
}

@test "events: a missing container, a stopped one and a bad --interval fail with one line" {
	rt events --stats never-existed
	[ "$status" -eq 1 ]
	[ "$(grep -c . <<<"$output")" -eq 1 ]
	rt events never-existed
	[ "$status" -eq 1 ]

	local id
	id=$(new_id)
	set_args /bin/probe exit 0
	ct_create "$id"
	rt start "$id"
	wait_status "$id" stopped
	rt events --stats "$id"
	[ "$status" -eq 1 ]
	one_line_error_on_hako
	[ "$(ct_status "$id")" = stopped ]

	start_sleeper
	rt events --interval soon "$ID"
	[ "$status" -ne 0 ]
	[ "$(ct_status "$ID")" = running ]
}

@test "ps --format json: exactly the init and an exec'd process, as the cgroup lists them" {
	requires cgroups
	start_sleeper
	ct_exec_detached "$ID" "$TEST_DIR/exec.pid" /bin/probe sleep inf
	[ "$status" -eq 0 ]
	local exec_pid want
	exec_pid=$(cat "$TEST_DIR/exec.pid")
	want=$(jq -cn --argjson a "$PID" --argjson b "$exec_pid" '[$a, $b] | sort')
	rt ps --format json "$ID"
	[ "$status" -eq 0 ]
	[ "$(jq -c sort <<<"$output")" = "$want" ]
	local cg
	cg=$(host_cgroup pids "$ID")
	[ -d "$cg" ] || cg=/sys/fs/cgroup/unified$(cgroup_rel "$ID")
	[ "$(sort -n "$cg/cgroup.procs" | jq -sc .)" = "$want" ]
	# Inside, the container sees the same two sleepers (and the shell that looks).
	rt exec "$ID" /bin/sh -c 'for f in /proc/[0-9]*/cmdline; do tr "\0" " " <"$f"; echo; done'
	[ "$status" -eq 0 ]
	[ "$(grep -c '^/bin/probe sleep inf' <<<"$output")" -eq 2 ]
}

@test "ps: ps -ef rows of the container's processes only, and ps arguments after the id" {
	start_sleeper
	ct_exec_detached "$ID" "$TEST_DIR/exec.pid" /bin/probe sleep inf
	[ "$status" -eq 0 ]
	local exec_pid
	exec_pid=$(cat "$TEST_DIR/exec.pid")
	rt ps "$ID"
	[ "$status" -eq 0 ]
	head -n1 <<<"$output" | grep -qE '^UID +PID +PPID'
	[ "$(tail -n +2 <<<"$output" | awk '{ print $2 }' | sort -n | tr '\n' ' ')" = \
		"$(printf '%s\n' "$PID" "$exec_pid" | sort -n | tr '\n' ' ')" ]

	rt ps "$ID" -o pid,args
	[ "$status" -eq 0 ]
	head -n1 <<<"$output" | grep -qE '^ *PID +COMMAND'
	[ "$(tail -n +2 <<<"$output" | grep -c 'probe sleep inf')" -eq 2 ]

	# Without a PID column the rows cannot be filtered: an error.
	rt ps "$ID" -o comm
	[ "$status" -ne 0 ]
	rt ps never-existed
	[ "$status" -ne 0 ]
}

@test "features: the keys of runtime-spec features.md, with the right types" {
	rt features
	if [ "$status" -ne 0 ] && ! runtime_is_hako; then
		skip "$(runtime_name) has no features command"
	fi
	[ "$status" -eq 0 ]
	jq -e '(.ociVersionMin | type == "string") and (.ociVersionMax | type == "string")
		and (.hooks | type == "array") and (.mountOptions | type == "array")
		and (.linux.namespaces | type == "array") and (.linux.capabilities | type == "array")
		and ([.linux.cgroup | .v1, .v2, .systemd, .systemdUser] | all(type == "boolean"))
		and (.linux.seccomp | (.enabled | type == "boolean") and ([.actions, .operators, .archs]
			| all(type == "array")))
		and (.linux.apparmor.enabled | type == "boolean")
		and (.linux.selinux.enabled | type == "boolean")' <<<"$output"
	# Added to the spec after runc 1.1: knownFlags, supportedFlags, intelRdt, mountExtensions.
	if runtime_is_hako; then
		jq -e '(.linux.seccomp | [.knownFlags, .supportedFlags] | all(type == "array"))
			and (.linux.intelRdt.enabled | type == "boolean")
			and (.linux.mountExtensions.idmap.enabled | type == "boolean")
			and (.annotations | type == "object")' <<<"$output"
	fi
}

@test "features: hako says exactly what it implements and this host has" {
	hako_only "the values are hako's"
	rt features
	[ "$status" -eq 0 ]
	jq -e '.hooks == ["prestart", "createRuntime", "createContainer", "startContainer",
			"poststart", "poststop"]
		and .linux.namespaces == ["cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"]
		and .linux.cgroup == {"v1": true, "v2": true, "systemd": false, "systemdUser": false,
			"rdma": false}
		and .linux.intelRdt.enabled == false and .linux.mountExtensions.idmap.enabled == true
		and (.mountOptions | index("tmpcopyup") == null and index("rro") == null)
		and ((.mountOptions | sort) == .mountOptions)' <<<"$output"
	# Every capability this kernel has.
	[ "$(jq '.linux.capabilities | length' <<<"$output")" -ge $(($(cat /proc/sys/kernel/cap_last_cap) + 1)) ]
	jq -e '.linux.capabilities | index("CAP_SYS_ADMIN") != null and index("CAP_CHECKPOINT_RESTORE") != null' <<<"$output"
	# seccomp: this machine's architecture; supported flags are known ones, and the one that
	# needs libseccomp 2.6 is known but not supported.
	local arch
	case $(uname -m) in
	x86_64) arch=SCMP_ARCH_X86_64 ;;
	aarch64) arch=SCMP_ARCH_AARCH64 ;;
	*) arch=SCMP_ARCH_$(uname -m | tr a-z A-Z) ;;
	esac
	jq -e --arg arch "$arch" '.linux.seccomp | .enabled and (.archs | index($arch) != null)
		and (.actions | index("SCMP_ACT_NOTIFY") != null)
		and (.operators | length) == 7
		and (.supportedFlags - .knownFlags) == []
		and (.knownFlags | index("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") != null)
		and (.supportedFlags | index("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == null)' <<<"$output"
	jq -e '.annotations["io.github.seccomp.libseccomp.version"] | test("^[0-9]+\\.[0-9]+\\.[0-9]+$")' <<<"$output"
	# The LSMs are reported as this host has them.
	local aa=false se=false
	{ [ -d /sys/kernel/security/apparmor ] || [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]; } && aa=true
	[ -e /sys/fs/selinux/enforce ] && se=true
	jq -e --argjson aa "$aa" --argjson se "$se" \
		'.linux.apparmor.enabled == $aa and .linux.selinux.enabled == $se' <<<"$output"
}

@test "features: the seccomp archs, actions and flags it lists are accepted in a profile" {
	requires seccomp
	known_deviation '^runc version 1\.1\.' "lists big-endian archs that libseccomp cannot add beside the native one (EDOM)"
	local features
	features=$(runtime_features)
	jq -e '.linux.seccomp.archs | length > 0' <<<"$features" || skip "$(runtime_name) lists no seccomp archs"
	# One rarely used syscall per action (NOTIFY needs a listener: left out); ERRNO on getcwd
	# shows the filter is in force.
	local profile
	profile=$(jq -c '.linux.seccomp as $s | {
		defaultAction: "SCMP_ACT_ALLOW", architectures: $s.archs,
		flags: ($s.supportedFlags // []),
		syscalls: ([$s.actions[] | select(. != "SCMP_ACT_NOTIFY" and . != "SCMP_ACT_ALLOW")]
			| to_entries | map({names: [["acct", "vhangup", "swapon", "swapoff", "kexec_load",
				"init_module", "delete_module", "syslog", "quotactl"][.key]], action: .value})
			+ [{names: ["getcwd"], action: "SCMP_ACT_ERRNO", errnoRet: 1}])}' <<<"$features")
	update_config ".linux.seccomp = $profile"
	ct_probe cwd
	# probe exits 1 on the refused call; that it printed the errno shows the container ran.
	[ "$status" -eq 1 ]
	[ "$output" = cwd=EPERM ]
}

@test "features: every mount option it lists is accepted on a tmpfs" {
	known_deviation '^runc version 1\.1\.' "hands \"defaults\" to the kernel as mount data (EINVAL)"
	local features opts
	features=$(runtime_features)
	# remount and bind mean other kinds of mount, idmap and ridmap need a bind (userns.bats); each
	# other option gets a tmpfs of its own.
	opts=$(jq -c '[.mountOptions // [] | .[] | select(. != "remount" and . != "bind" and . != "rbind"
		and . != "idmap" and . != "ridmap")]' <<<"$features")
	[ "$(jq length <<<"$opts")" -gt 0 ] || skip "$(runtime_name) lists no mount options"
	update_config ".mounts += ($opts | to_entries | map({destination: \"/opt/m\(.key)\",
		type: \"tmpfs\", source: \"tmpfs\", options: [.value]}))"
	ct_probe pid
	[ "$status" -eq 0 ]
}
