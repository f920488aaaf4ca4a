#!/usr/bin/env bats
# podman (Debian's 4.3) with `--runtime RUNTIME`: conmon calls the runtime as `create --bundle B
# --pid-file P ID` (+ `--console-socket S`), `start ID`, `exec --pid-file P --process FILE
# --detach ID`, and podman itself `kill ID SIG`, `pause`, `resume`, `delete --force ID`
# (PEERS.md), all in the runtime's default state root. One private store per file (setup_file),
# cgroupfs, no network.

setup_file() {
	load helpers
	start_file_podman
}

teardown_file() {
	load helpers
	stop_file_podman
}

setup() {
	load helpers
	common_setup
	need_client
	mapfile -t RUN_OPTS < <(pm_run_opts)
}

teardown() {
	pm_teardown
}

# start_detached NAME [ARGS...]: `podman run -d` of NAME running ARGS (default: sleep 1000).
start_detached() {
	local name=$1
	shift
	[ $# -gt 0 ] || set -- /bin/sleep 1000
	pm run -d --name "$name" "${RUN_OPTS[@]}" "$IMAGE" "$@"
	[ "$status" -eq 0 ] || fail "podman run -d $name failed"
	wait_until 10 pm_status_is "$name" running
}

# assert_runtime_root_empty: the runtime lists no container in its default root.
assert_runtime_root_empty() {
	local left
	left=$(runtime_state_entries "$(runtime_default_root)")
	[ -z "$left" ] || fail "the runtime still lists: $left"
}

@test "podman run --rm: output, exit status, nothing left" {
	local name
	name=$(new_id)
	pm run --rm --name "$name" "${RUN_OPTS[@]}" "$IMAGE" /bin/echo hi
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	name=$(new_id)
	pm run --rm --name "$name" "${RUN_OPTS[@]}" "$IMAGE" /bin/sh -c 'echo out; exit 7'
	[ "$status" -eq 7 ]
	[ "$output" = out ]
	__pm container exists "$name" && fail "container $name still exists after --rm"
	assert_runtime_root_empty
}

@test "podman run: a missing executable fails with the runtime's error, nothing left" {
	local name
	name=$(new_id)
	# Not through `run`: bats warns about its status 127 ("command not found"), which is right.
	status=0
	output=$(__pm run --rm --name "$name" "${RUN_OPTS[@]}" "$IMAGE" /bin/no-such-binary 2>&1) || status=$?
	echo "podman run /bin/no-such-binary (status=$status): $output" >&2
	[ "$status" -eq 127 ]
	[[ "$output" == *no-such-binary* ]] || fail "the error does not name the executable"
	__pm container exists "$name" && fail "container $name still exists after --rm"
	assert_runtime_root_empty
}

@test "podman run -d, then podman exec: output, exit status, cwd, user, env" {
	local name
	name=$(new_id)
	start_detached "$name"
	pm exec "$name" /bin/echo from-exec
	[ "$status" -eq 0 ]
	[ "$output" = from-exec ]
	pm exec "$name" /bin/sh -c 'exit 5'
	[ "$status" -eq 5 ]
	pm exec -w /tmp -u 1234 -e HAKO_X=1 "$name" /bin/sh -c 'echo "$PWD $(id -u) $HAKO_X"'
	[ "$status" -eq 0 ]
	[ "$output" = "/tmp 1234 1" ]
	# The exec'd processes are gone; only the init is left in the container.
	# Builtins only, so that the shell itself is the only other process.
	pm exec "$name" /bin/sh -c 'for p in /proc/[0-9]*; do read -r c <"$p/comm" && echo "$c"; done'
	[ "$status" -eq 0 ]
	assert_equal "processes in the container" "sh sleep" "$(sort <<<"$output" | tr '\n' ' ' | sed 's/ $//')"
}

@test "podman logs: the container's output, not the exec's" {
	local name
	name=$(new_id)
	start_detached "$name" /bin/sh -c 'echo started; echo to-stderr >&2; exec sleep 1000'
	pm exec "$name" /bin/echo exec-output
	[ "$status" -eq 0 ]
	wait_until 10 eval '__pm logs "$name" 2>&1 | grep -qx started'
	pm logs "$name"
	[ "$status" -eq 0 ]
	has_line started
	has_line to-stderr
	if grep -qx exec-output <<<"$output"; then fail "the exec's output is in the logs"; fi
}

@test "podman pause and unpause" {
	local name
	name=$(new_id)
	start_detached "$name"
	pm pause "$name"
	[ "$status" -eq 0 ]
	[ "$(pm_status "$name")" = paused ]
	pm unpause "$name"
	[ "$status" -eq 0 ]
	[ "$(pm_status "$name")" = running ]
	pm exec "$name" /bin/echo unpaused
	[ "$status" -eq 0 ]
	[ "$output" = unpaused ]
}

@test "podman stop -t 2: SIGTERM, then SIGKILL after the timeout" {
	local name start elapsed
	# An init that exits on SIGTERM.
	name=$(new_id)
	start_detached "$name" /bin/sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done'
	pm stop -t 2 "$name"
	[ "$status" -eq 0 ]
	[ "$(pm_status "$name")" = exited ]
	[ "$(__pm inspect --format '{{.State.ExitCode}}' "$name")" = 42 ]
	# An init that ignores it (a pid 1 without a handler): killed after the 2 s.
	name=$(new_id)
	start_detached "$name"
	start=$(date +%s%N)
	pm stop -t 2 "$name"
	elapsed=$((($(date +%s%N) - start) / 1000000))
	[ "$status" -eq 0 ]
	[ "$(pm_status "$name")" = exited ]
	[ "$(__pm inspect --format '{{.State.ExitCode}}' "$name")" = 137 ]
	[ "$elapsed" -ge 1900 ] || fail "stopped after ${elapsed} ms, before the 2 s timeout"
}

@test "podman rm: the container, its runtime state and its cgroup go" {
	local name id
	name=$(new_id)
	start_detached "$name"
	id=$(pm_full_id "$name")
	runtime_state_entries "$(runtime_default_root)" | grep -qxF "$id" ||
		fail "the runtime does not list $id in its default root"
	[ -n "$(cgroup_dirs "$PM_CGROUP_PARENT/libpod-$id")" ] || fail "no cgroup libpod-$id"
	pm stop -t 0 "$name"
	[ "$status" -eq 0 ]
	pm rm "$name"
	[ "$status" -eq 0 ]
	__pm container exists "$name" && fail "container $name remains"
	assert_runtime_root_empty
	[ -z "$(cgroup_dirs "$PM_CGROUP_PARENT/libpod-$id")" ] || fail "cgroup libpod-$id remains"
}

@test "podman run -t: a terminal through conmon's console socket" {
	local name cmd
	name=$(new_id)
	printf -v cmd '%q ' podman --root "$PODMAN_DIR/root" \
		--runroot "$PODMAN_RUNROOT" --runtime "$RUNTIME" --cgroup-manager cgroupfs \
		run -t --rm --name "$name" "${RUN_OPTS[@]}" "$IMAGE" \
		/bin/sh -c '[ -t 0 ] && [ -t 1 ] && echo stdio-is-a-tty; tty; exit 3'
	# The client must lead the terminal's foreground process group (it sets raw mode, which
	# stops a background job with SIGTTOU), so the timeout wraps script rather than the client.
	run env SHELL=/bin/sh timeout --kill-after=5 "$CLIENT_TIMEOUT" script -qec "$cmd" /dev/null </dev/null
	echo "script podman run -t (status=$status): $output" >&2
	[ "$status" -eq 3 ]
	has_line stdio-is-a-tty
	has_line /dev/pts/0
	assert_runtime_root_empty
}
