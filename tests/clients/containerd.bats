#!/usr/bin/env bats
# containerd (Debian's 1.6) driving the runtime through `ctr`: the io.containerd.runc.v2 shim
# calls it as `--root R --log FILE --log-format json create --bundle B --pid-file P ID`, `start`,
# `exec --process FILE --detach --pid-file P`, `ps --format json`, `pause`, `resume`, `kill ID N`,
# `delete` and `delete --force` (PEERS.md). One private containerd per file (setup_file).

setup_file() {
	load helpers
	start_file_containerd
}

teardown_file() {
	load helpers
	stop_file_containerd
}

setup() {
	load helpers
	common_setup
	need_client
}

teardown() {
	ctr_teardown
}

# run_opts: ctr_run_opts as an array.
run_opts() {
	mapfile -t RUN_OPTS < <(ctr_run_opts)
}

# start_sleeper ID [ARGS...]: `ctr run -d` of ID running ARGS (default: sleep 1000).
start_sleeper() {
	local id=$1
	shift
	[ $# -gt 0 ] || set -- /bin/sleep 1000
	run_opts
	ctr_ run -d "${RUN_OPTS[@]}" "$IMAGE" "$id" "$@"
	[ "$status" -eq 0 ] || fail "ctr run -d $id failed"
	wait_until 10 ctr_task_is "$id" RUNNING
}

# task_pid ID: the task's init pid (a host pid) from `ctr task ls`.
task_pid() {
	__ctr task ls | awk -v id="$1" '$1 == id { print $2 }'
}

# assert_no_runtime_state ID: the runtime lists no container ID under the shim's state root.
assert_no_runtime_state() {
	if runtime_state_entries "$CTR_RUNTIME_ROOT/$CTR_NS" | grep -qxF "$1"; then
		fail "the runtime still lists $1 under $CTR_RUNTIME_ROOT/$CTR_NS"
	fi
	[ ! -e "$CTR_RUNTIME_ROOT/$CTR_NS/$1" ] || fail "state dir $CTR_RUNTIME_ROOT/$CTR_NS/$1 remains"
}

@test "ctr run --rm: output, exit status, nothing left" {
	local id
	id=$(new_id)
	run_opts
	ctr_ run --rm "${RUN_OPTS[@]}" "$IMAGE" "$id" /bin/echo hi
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	assert_no_runtime_state "$id"
	__ctr container info "$id" >/dev/null 2>&1 && fail "container $id still exists after --rm"
	[ -z "$(cgroup_dirs "$CGROUP_PARENT/$id")" ] || fail "cgroup of $id remains: $(cgroup_dirs "$CGROUP_PARENT/$id")"

	id=$(new_id)
	ctr_ run --rm "${RUN_OPTS[@]}" "$IMAGE" "$id" /bin/sh -c 'echo out; echo err >&2; exit 7'
	[ "$status" -eq 7 ]
	has_line out
	has_line err
	assert_no_runtime_state "$id"
}

@test "ctr run: a missing executable fails with the runtime's error, nothing left" {
	local id
	id=$(new_id)
	run_opts
	ctr_ run --rm "${RUN_OPTS[@]}" "$IMAGE" "$id" /bin/no-such-binary
	[ "$status" -ne 0 ]
	# The shim reads the runtime's error from its json log and containerd passes it on.
	[[ "$output" == *no-such-binary* ]] || fail "the error does not name the executable"
	assert_no_runtime_state "$id"
}

@test "ctr run -d, then ctr task exec: output and exit status" {
	local id
	id=$(new_id)
	start_sleeper "$id"
	run_opts
	ctr_ task exec --exec-id x --fifo-dir "$TEST_DIR/fifo" "$id" /bin/echo from-exec
	[ "$status" -eq 0 ]
	[ "$output" = from-exec ]
	# A second exec with the same id once the first is gone; its exit status comes back.
	ctr_ task exec --exec-id x --fifo-dir "$TEST_DIR/fifo" "$id" /bin/sh -c 'cat /proc/1/cmdline | tr "\0" " "; exit 5'
	[ "$status" -eq 5 ]
	[ "$output" = "/bin/sleep 1000 " ]
	ctr_ task exec --exec-id y --fifo-dir "$TEST_DIR/fifo" --cwd /tmp --user 1234 "$id" /bin/sh -c 'echo "$PWD $(id -u)"'
	[ "$status" -eq 0 ]
	[ "$output" = "/tmp 1234" ]
}

@test "ctr task ps: host pids of the container's processes, in its cgroup" {
	local id pid pids p
	id=$(new_id)
	start_sleeper "$id" /bin/sh -c 'sleep 1001 & exec sleep 1000'
	pid=$(task_pid "$id")
	[ -n "$pid" ] && [ -d "/proc/$pid" ]
	wait_until 10 eval '[ "$(__ctr task ps "$id" | tail -n +2 | wc -l)" -eq 2 ]'
	pids=$(__ctr task ps "$id" | awk 'NR > 1 { print $1 }' | sort -n)
	grep -qxF "$pid" <<<"$pids" || fail "task ps lacks the init $pid: $pids"
	for p in $pids; do
		grep -q "^[0-9]*:memory:$CGROUP_PARENT/$id\$" "/proc/$p/cgroup" ||
			fail "pid $p is not in the memory cgroup $CGROUP_PARENT/$id: $(cat "/proc/$p/cgroup")"
		[[ "$(tr '\0' ' ' <"/proc/$p/cmdline")" == "sleep 100"[01]" " ]] ||
			fail "pid $p is not one of the sleeps: $(tr '\0' ' ' <"/proc/$p/cmdline")"
	done
}

@test "ctr task pause and resume" {
	local id
	id=$(new_id)
	start_sleeper "$id"
	ctr_ task pause "$id"
	[ "$status" -eq 0 ]
	[ "$(ctr_task_status "$id")" = PAUSED ]
	[ "$(cat "/sys/fs/cgroup/freezer$CGROUP_PARENT/$id/freezer.state" 2>/dev/null || echo FROZEN)" = FROZEN ]
	ctr_ task resume "$id"
	[ "$status" -eq 0 ]
	[ "$(ctr_task_status "$id")" = RUNNING ]
	run_opts
	ctr_ task exec --exec-id after --fifo-dir "$TEST_DIR/fifo" "$id" /bin/echo resumed
	[ "$status" -eq 0 ]
	[ "$output" = resumed ]
}

@test "ctr task kill -s SIGKILL, task delete, container rm" {
	local id pid
	id=$(new_id)
	start_sleeper "$id"
	pid=$(task_pid "$id")
	ctr_ task kill -s SIGKILL "$id"
	[ "$status" -eq 0 ]
	wait_until 10 ctr_task_is "$id" STOPPED
	wait_until 10 eval '! [ -d /proc/'"$pid"' ] || grep -q "^State:.*Z" /proc/'"$pid"'/status'
	ctr_ task delete "$id"
	[ "$status" -eq 0 ]
	[[ "$output" == *137* ]] || fail "task delete does not report exit code 137"
	[ "$(ctr_task_status "$id")" = absent ]
	assert_no_runtime_state "$id"
	ctr_ container rm "$id"
	[ "$status" -eq 0 ]
	__ctr container info "$id" >/dev/null 2>&1 && fail "container $id remains"
	[ -z "$(cgroup_dirs "$CGROUP_PARENT/$id")" ] || fail "cgroup of $id remains"
}

@test "ctr task kill: SIGTERM reaches the container's init" {
	local id
	id=$(new_id)
	start_sleeper "$id" /bin/sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done'
	ctr_ task kill "$id"
	[ "$status" -eq 0 ]
	wait_until 10 ctr_task_is "$id" STOPPED
	ctr_ task delete "$id"
	[ "$status" -eq 0 ]
	[[ "$output" == *"exit code 42"* ]] || fail "task delete does not report exit code 42"
	assert_no_runtime_state "$id"
}

@test "ctr run -t: a terminal, and the exit status through it" {
	local id cmd
	id=$(new_id)
	run_opts
	printf -v cmd '%q ' ctr -a "$CONTAINERD_SOCK" -n "$CTR_NS" \
		run -t --rm "${RUN_OPTS[@]}" "$IMAGE" "$id" /bin/sh -c '[ -t 0 ] && [ -t 1 ] && echo stdio-is-a-tty; tty; exit 3'
	# The client must lead the terminal's foreground process group (it sets raw mode, which
	# stops a background job with SIGTTOU), so the timeout wraps script rather than the client.
	run env SHELL=/bin/sh timeout --kill-after=5 "$CLIENT_TIMEOUT" script -qec "$cmd" /dev/null </dev/null
	echo "script ctr run -t (status=$status): $output" >&2
	[ "$status" -eq 3 ]
	has_line /dev/pts/0
	has_line stdio-is-a-tty
	assert_no_runtime_state "$id"
}

@test "the runtime's state root holds no container after the file's tests" {
	# Every test above removed its containers; the shim's runtime state root must be empty.
	local left
	left=$(runtime_state_entries "$CTR_RUNTIME_ROOT/$CTR_NS")
	[ -z "$left" ] || fail "the runtime still lists: $left"
	[ -d "$CTR_RUNTIME_ROOT/$CTR_NS" ] || fail "the shim never used $CTR_RUNTIME_ROOT/$CTR_NS"
	[ -z "$(find "$CTR_RUNTIME_ROOT/$CTR_NS" -mindepth 1 -maxdepth 1 -not -name '.*')" ] ||
		fail "entries remain: $(ls "$CTR_RUNTIME_ROOT/$CTR_NS")"
}
