#!/usr/bin/env bats
# hako pause/unpause, top, stats, rename, update, port and container prune: Docker's output and
# errors, with values read back from the kernel (the freezer stops a counter, the cgroup files
# hold the updated limits, top's PIDs are the host's). Standalone: its own --root/--state.
# Run as root: bats tests/engine/commands1.bats

setup_file() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (containers, cgroups, mounts)"
	export HAKO=${HAKO:-$BATS_TEST_DIRNAME/../../build/release/src/cmd/hako/hako}
	HAKO=$(readlink -f "$HAKO")
	[ -x "$HAKO" ] || skip "no hako binary at $HAKO (build it first)"
	# Short: the shim's socket path must stay usable (it is reached through /proc/self/fd too).
	export C1_DIR
	C1_DIR=$(mktemp -d /tmp/hako-c1.XXXXXX)
	"$HAKO" --root "$C1_DIR/root" --state "$C1_DIR/state" image default >/dev/null
}

teardown_file() {
	[ -n "${C1_DIR:-}" ] || return 0
	remove_all
	local left
	left=$(grep -F " $C1_DIR/" /proc/self/mountinfo || true)
	rm -rf "$C1_DIR"
	[ -z "$left" ] || {
		echo "mounts left behind: $left" >&2
		return 1
	}
}

teardown() {
	remove_all
}

h() { "$HAKO" --root "$C1_DIR/root" --state "$C1_DIR/state" "$@"; }

remove_all() {
	local ids
	ids=$(h ps -aq --no-trunc 2>/dev/null) || return 0
	[ -z "$ids" ] || h rm -f $ids >/dev/null 2>&1 || true
}

fail() {
	echo "$@" >&2
	return 1
}

expect() { # expect WHAT WANT GOT
	[ "$2" == "$3" ] || fail "$1: expected [$2], got [$3]"
}

id_of() { h inspect --format '{{.Id}}' "$1"; }

# The container's cgroup directory in one v1 hierarchy, from the runtime's state.
cgroup_dir() { # cgroup_dir CONTAINER HIERARCHY
	local id
	id=$(id_of "$1")
	jq -r --arg h "$2" '.cgroupPaths[] | select(.hierarchy == $h) | .path' \
		"$C1_DIR/state/runtime/$id/state.json"
}

# A counter the container bumps ten times a second, read from its writable layer.
counter() { cat "$C1_DIR/root/containers/$(id_of "$1")/upper/n" 2>/dev/null || echo 0; }

start_counter() {
	# Written aside and renamed: a reader of upper/n never sees it truncated and empty.
	h run -d --name "$1" busybox sh -c 'i=0; while :; do i=$((i+1)); echo $i >/n.new; mv /n.new /n; sleep 0.1; done' >/dev/null
	local t=0
	while [ "$(counter "$1")" -lt 2 ] && [ $t -lt 50 ]; do sleep 0.1; t=$((t + 1)); done
}

@test "pause freezes a container, unpause thaws it, with Docker's errors" {
	start_counter tick
	local id
	id=$(id_of tick)
	run h pause tick
	expect "pause output" "tick" "$output"
	expect "pause status" 0 "$status"
	[[ "$(h ps --format '{{.Status}}' --filter name=tick)" == "Up "*" (Paused)" ]] || fail "ps: $(h ps)"
	expect "inspect status" paused "$(h inspect --format '{{.State.Status}}' tick)"
	local a b
	a=$(counter tick)
	sleep 0.6
	b=$(counter tick)
	expect "frozen counter" "$a" "$b"
	run h pause tick
	expect "pause twice status" 1 "$status"
	expect "pause twice" "Error response from daemon: Container $id is already paused" "$output"
	run h unpause tick
	expect "unpause output" "tick" "$output"
	sleep 0.6
	b=$(counter tick)
	[ "$b" -gt "$a" ] || fail "counter did not move after unpause: $a -> $b"
	run h unpause tick
	expect "unpause twice status" 1 "$status"
	expect "unpause twice" "Error response from daemon: Container $id is not paused" "$output"
	run h container pause nope tick
	expect "missing one status" 1 "$status"
	expect "missing one" "tick" "$(h unpause nope tick 2>/dev/null)"
	expect "missing one error" "Error response from daemon: No such container: nope" "$(h pause nope tick 2>&1 >/dev/null)"
	h unpause tick >/dev/null
	h stop -t 0 tick >/dev/null
	run h pause tick
	expect "stopped" "Error response from daemon: Container $id is not running" "$output"
	expect "stopped status" 1 "$status"
}

@test "stop and rm -f of a paused container work" {
	start_counter frozen
	h pause frozen >/dev/null
	run h stop -t 1 frozen
	expect "stop paused" "frozen" "$output"
	expect "exited" exited "$(h inspect --format '{{.State.Status}}' frozen)"
	h start frozen >/dev/null
	h pause frozen >/dev/null
	# A SIGKILL reaches a frozen container once it is thawed: kill thaws it, as dockerd.
	run h kill frozen
	expect "kill paused" "frozen" "$output"
	run h wait frozen
	expect "killed" 137 "$output"
	h start frozen >/dev/null
	h pause frozen >/dev/null
	run h rm -f frozen
	expect "rm -f paused" 0 "$status"
}

@test "top lists the container's processes with their host pids" {
	# sh execs its last command: two processes, sleep 1001 the init.
	h run -d --name topc busybox sh -c 'sleep 1000 & sleep 1001' >/dev/null
	local pid
	pid=$(h inspect --format '{{.State.Pid}}' topc)
	[ "$pid" -gt 1 ] || fail "no pid: $pid"
	sleep 0.3
	run h top topc
	expect "status" 0 "$status"
	read -ra header <<<"${lines[0]}"
	expect "header" "UID PID PPID C STIME TTY TIME CMD" "${header[*]}"
	# Docker's layout: columns of at least 20, 3 spaces apart.
	[[ "${lines[0]}" == "UID                 PID                 PPID  "* ]] || fail "layout: ${lines[0]}"
	expect "rows" 3 "${#lines[@]}"
	local pids
	pids=$(printf '%s\n' "${lines[@]:1}" | awk '{print $2}' | sort -n | tr '\n' ' ')
	[[ " $pids" == *" $pid "* ]] || fail "init $pid not in [$pids]"
	printf '%s\n' "${lines[@]:1}" | grep -q 'sleep 1001$' || fail "no sleep 1001: $output"
	# ps's own options.
	run h top topc -o pid,comm
	expect "custom status" 0 "$status"
	read -ra header <<<"${lines[0]}"
	expect "custom header" "PID COMMAND" "${header[*]}"
	expect "custom rows" 3 "${#lines[@]}"
	run h container top topc -o comm
	expect "no pid column status" 1 "$status"
	expect "no pid column" "Error response from daemon: Couldn't find PID field in ps output" "$output"
	h stop -t 0 topc >/dev/null
	run h top topc
	expect "stopped status" 1 "$status"
	expect "stopped" "Error response from daemon: Container $(id_of topc) is not running" "$output"
	run h top nope
	expect "missing" "Error response from daemon: No such container: nope" "$output"
}

@test "stats --no-stream: Docker's columns, limits and pids, without a terminal" {
	h run -d --name busy --memory 64m busybox sh -c 'while :; do :; done' >/dev/null
	h run -d --name idle busybox sleep 1000 >/dev/null
	h create --name notrun busybox true >/dev/null
	run h stats --no-stream
	expect "status" 0 "$status"
	read -ra header <<<"${lines[0]}"
	expect "header" "CONTAINER ID NAME CPU % MEM USAGE / LIMIT MEM % NET I/O BLOCK I/O PIDS" "${header[*]}"
	expect "rows (running only)" 3 "${#lines[@]}"
	local row
	row=$(printf '%s\n' "${lines[@]}" | grep ' busy ')
	[[ "$row" == "$(id_of busy | cut -c1-12) "* ]] || fail "id: $row"
	[[ "$row" == *" / 64MiB "* ]] || fail "memory limit: $row"
	[[ "$row" =~ \ 0B\ /\ 0B\  ]] || fail "net i/o of a --network none container: $row"
	local cpu
	cpu=$(h stats --no-stream --format '{{.CPUPerc}}' busy)
	[[ "$cpu" =~ ^[0-9]+\.[0-9]{2}%$ ]] || fail "cpu: $cpu"
	[ "${cpu%%.*}" -ge 5 ] || fail "a busy loop uses under 5% cpu: $cpu"
	expect "pids" "idle 1" "$(h stats --no-stream --format '{{.Name}} {{.PIDs}}' idle)"
	expect "container column" "idle $(id_of idle | cut -c1-12)" \
		"$(h stats --no-stream --format '{{.Container}} {{.ID}}' idle)"
	expect "no-trunc" "$(id_of idle)" "$(h stats --no-stream --no-trunc --format '{{.ID}}' idle)"
	# A container that is not running: zeros, as Docker.
	expect "not running" "notrun 0.00% 0B / 0B 0" \
		"$(h stats --no-stream --format '{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}' notrun)"
	run h stats --no-stream -a --format '{{.Name}}'
	expect "-a" "$(printf 'busy\nidle\nnotrun' | sort)" "$(sort <<<"$output")"
	run h stats --no-stream idle nope
	expect "missing status" 1 "$status"
	expect "missing" "Error response from daemon: No such container: nope" "$output"
}

@test "stats streams a table every second; on a terminal it redraws in place" {
	h run -d --name s1 busybox sleep 1000 >/dev/null
	run timeout 3.5 "$HAKO" --root "$C1_DIR/root" --state "$C1_DIR/state" stats s1
	local tables
	tables=$(grep -c '^CONTAINER ID' <<<"$output")
	[ "$tables" -ge 2 ] || fail "expected at least 2 tables, got $tables: $output"
	[[ "$output" != *$'\033'* ]] || fail "escape codes without a terminal"
	run script -qec "timeout 3.5 $HAKO --root $C1_DIR/root --state $C1_DIR/state stats s1" /dev/null
	[[ "$output" == *$'\033[2J\033[H'* ]] || fail "no clear+home on a terminal: $output"
}

@test "rename: the new name everywhere, Docker's errors" {
	h run -d --name old busybox sleep 1000 >/dev/null
	h create --name other busybox true >/dev/null
	local id
	id=$(id_of old)
	run h rename old new
	expect "status" 0 "$status"
	expect "output" "" "$output"
	expect "ps" "new" "$(h ps --format '{{.Names}}')"
	expect "inspect" "/new" "$(h inspect --format '{{.Name}}' "$id")"
	# The renamed container is still managed by its shim.
	run h stop -t 0 new
	expect "stop by new name" "new" "$output"
	run h rename new new
	expect "same status" 1 "$status"
	expect "same" "$(printf 'Error response from daemon: Renaming a container with the same name as its current name\nError: failed to rename container named new')" "$output"
	run h rename new other
	expect "conflict status" 1 "$status"
	expect "conflict" "Error response from daemon: Error when allocating new name: Conflict. The container name \"/other\" is already in use by container \"$(id_of other)\". You have to remove (or rename) that container to be able to reuse that name." "${lines[0]}"
	run h rename new 'bad name'
	expect "invalid" "Error response from daemon: Error when allocating new name: Invalid container name (/bad name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed" "${lines[0]}"
	run h rename nope x1
	expect "missing" "$(printf 'Error response from daemon: No such container: nope\nError: failed to rename container named nope')" "$output"
	run h rename new ' '
	expect "empty status" 1 "$status"
	expect "empty" "Error: Neither old nor new names may be empty" "$output"
	# The old name is free again.
	h create --name old busybox true >/dev/null
}

@test "update applies limits to a running container and keeps them for the next start" {
	h run -d --name up --memory 64m busybox sleep 1000 >/dev/null
	local id mem pids cpu
	id=$(id_of up)
	mem=$(cgroup_dir up memory)
	pids=$(cgroup_dir up pids)
	cpu=$(cgroup_dir up cpu)
	[ -n "$cpu" ] || cpu=$(cgroup_dir up cpu,cpuacct)
	expect "before" 67108864 "$(cat "$mem/memory.limit_in_bytes")"
	# Raising the limit above the current memory+swap (128m) works: swap goes first.
	run h update --memory 256m --pids-limit 50 --cpus 0.5 --cpu-shares 512 up
	expect "output" "up" "$output"
	expect "status" 0 "$status"
	expect "memory" 268435456 "$(cat "$mem/memory.limit_in_bytes")"
	expect "pids" 50 "$(cat "$pids/pids.max")"
	expect "quota" 50000 "$(cat "$cpu/cpu.cfs_quota_us")"
	expect "shares" 512 "$(cat "$cpu/cpu.shares")"
	expect "inspect" "268435456 50 500000000 512" \
		"$(h inspect --format '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}}' up)"
	expect "config.json" "268435456 50 50000" \
		"$(jq -r '.linux.resources | "\(.memory.limit) \(.pids.limit) \(.cpu.quota)"' "$C1_DIR/root/containers/$id/config.json")"
	# Lowering works too; -1 lifts the pids limit.
	h update -m 32m --pids-limit -1 up >/dev/null
	expect "lowered" 33554432 "$(cat "$mem/memory.limit_in_bytes")"
	expect "unlimited pids" max "$(cat "$pids/pids.max")"
	# A restart applies what was recorded.
	h stop -t 0 up >/dev/null
	h update --memory 48m --restart on-failure:3 up >/dev/null
	expect "policy" "on-failure 3" "$(h inspect --format '{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}' up)"
	h start up >/dev/null
	mem=$(cgroup_dir up memory)
	expect "after restart" 50331648 "$(cat "$mem/memory.limit_in_bytes")"
	expect "pids after restart" max "$(cat "$(cgroup_dir up pids)/pids.max")"
}

@test "update: Docker's errors for bad values and conflicts, nothing changed" {
	h run -d --name ue busybox sleep 1000 >/dev/null
	local id
	id=$(id_of ue)
	run h update --memory 12x ue
	expect "bad size status" 1 "$status"
	expect "bad size" "hako: invalid argument \"12x\" for \"-m, --memory\" flag: invalid size: '12x'" "$output"
	run h update ue
	expect "no flags status" 1 "$status"
	expect "no flags" "hako: you must provide one or more flags when using this command" "$output"
	run h update --memory 1m ue
	expect "min memory" "Error response from daemon: Minimum memory limit allowed is 6MB" "$output"
	h update --cpus 1 ue >/dev/null
	run h update --cpu-quota 20000 ue
	expect "cpu conflict status" 1 "$status"
	expect "cpu conflict" "Error response from daemon: Cannot update container $id: Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set" "$output"
	run h update --cpus abc ue
	expect "bad cpus" "hako: invalid argument \"abc\" for \"--cpus\" flag: failed to parse abc as a rational number" "$output"
	run h update --cpuset-cpus 4096 ue
	expect "cpuset" "Error response from daemon: Requested CPUs are not available - requested 4096, available: $(cat /sys/fs/cgroup/cpuset/cpuset.cpus)." "$output"
	run h update --restart sometimes ue
	expect "bad restart status" 1 "$status"
	[ "${#lines[@]}" -eq 1 ] || fail "one line: $output"
	run h update --memory 64m nope
	expect "missing" "Error response from daemon: No such container: nope" "$output"
	expect "unchanged" "0 1000000000" "$(h inspect ue | jq -r '.[0].HostConfig | "\(.Memory) \(.NanoCpus)"')"
	h run -d --rm --name auto busybox sleep 1000 >/dev/null
	run h update --restart always auto
	expect "autoremove" "Error response from daemon: Cannot update container $(id_of auto): Restart policy cannot be updated because AutoRemove is enabled for the container" "$output"
}

@test "port: no published ports; a named one is Docker's error" {
	h run -d --name pc busybox sleep 1000 >/dev/null
	run h port pc
	expect "status" 0 "$status"
	expect "empty" "" "$output"
	run h port pc 80
	expect "named status" 1 "$status"
	expect "named" "Error: No public port '80/tcp' published for pc" "$output"
	run h container port pc 53/udp
	expect "udp" "Error: No public port '53/udp' published for pc" "$output"
	run h port nope
	expect "missing status" 1 "$status"
	expect "missing" "Error: No such container: nope" "$output"
}

@test "container prune removes the stopped containers after Docker's prompt" {
	h run -d --name keep busybox sleep 1000 >/dev/null
	h create --name created busybox true >/dev/null
	h run --name exited busybox sh -c 'echo data >/f' >/dev/null
	h run --name labelled --label tier=db busybox true >/dev/null
	local created exited labelled
	created=$(id_of created)
	exited=$(id_of exited)
	labelled=$(id_of labelled)
	run h container prune <<<"n"
	expect "prompt" "WARNING! This will remove all stopped containers.
Are you sure you want to continue? [y/N] " "$output"
	expect "nothing removed" 4 "$(h ps -aq | wc -l)"
	run h container prune -f --filter label=tier=db
	expect "label filter" "$(printf 'Deleted Containers:\n%s\n\nTotal reclaimed space: 0B' "$labelled")" "$output"
	run h container prune --filter 'until=2000-01-01T00:00:00Z' -f
	expect "until filter" "Total reclaimed space: 0B" "$output"
	run h container prune --filter bogus=1 -f
	expect "bad filter status" 1 "$status"
	expect "bad filter" "Error response from daemon: Invalid filter 'bogus'" "$output"
	run h container prune <<<"y"
	expect "status" 0 "$status"
	[[ "$output" == *"Deleted Containers:"* ]] || fail "no list: $output"
	for id in "$created" "$exited"; do
		grep -qx "$id" <<<"$output" || fail "$id not listed: $output"
	done
	# The writable layer held a 5-byte file.
	expect "space" "Total reclaimed space: 5B" "${lines[-1]}"
	expect "left" "keep" "$(h ps -a --format '{{.Names}}')"
	[ ! -d "$C1_DIR/root/containers/$created" ] || fail "created container's dir is left"
}
