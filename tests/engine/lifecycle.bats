#!/usr/bin/env bats
# The lifecycle: containers outlive the CLI and their shim, the exit code is read later,
# restart policies, OOM kills.

load helpers

# shim_pid_of ID: the shim's pid, from the state file it writes.
shim_pid_of() {
	jq -r .shim_pid "$STATE/containers/$1/state.json"
}

# ppid_of PID: the parent in /proc/PID/status.
ppid_of() {
	awk '/^PPid:/ {print $2}' "/proc/$1/status"
}

@test "lifecycle: a container survives the CLI; its parent is the shim" {
	run_d --name keep busybox sleep 60
	# The CLI has exited (run_d returned); the container runs on.
	hako_ok inspect -f '{{.State.Status}} {{.State.Pid}}' keep
	local pid=${output#running } shim
	[ "$pid" -gt 1 ] || fail "no pid: $output"
	peers_alive "$pid" || fail "container process $pid is gone"
	grep -q '^sleep' <(tr '\0' ' ' <"/proc/$pid/cmdline") || fail "pid $pid is not sleep"
	shim=$(shim_pid_of "$CID")
	peers_alive "$shim" || fail "shim $shim is not alive"
	assert_equal "container's parent" "$shim" "$(ppid_of "$pid")"
	# The shim is detached: its own session, not the CLI's.
	local sid
	sid=$(sed 's/.*) //' "/proc/$shim/stat" | awk '{print $4}')
	assert_equal "shim's session" "$shim" "$sid"
}

@test "lifecycle: the exit code is read later, after the shim has gone" {
	run_d --name later busybox sh -c 'sleep 0.3; exit 23'
	local shim
	shim=$(shim_pid_of "$CID")
	wait_state later exited
	wait_for 10 '! peers_alive $shim'
	hako_ok inspect -f '{{.State.ExitCode}} {{.State.Running}}' later
	assert_equal state "23 false" "$output"
	hako_ok inspect -f '{{.State.FinishedAt}}' later
	[[ "$output" =~ ^20[0-9]{2}- ]] || fail "FinishedAt: $output"
	hako_ok ps -a --filter status=exited --format '{{.Names}} {{.Status}}'
	has_match '^later Exited \(23\) '
}

@test "lifecycle: kill -9 of the shim: still running, then stop and rm -f work" {
	run_d --name orphan busybox sleep 60
	local shim pid
	shim=$(shim_pid_of "$CID")
	pid=$(__hako inspect -f '{{.State.Pid}}' orphan)
	kill -9 "$shim"
	wait_for 5 '! peers_alive $shim'
	peers_alive "$pid" || fail "the container died with its shim"
	hako_ok inspect -f '{{.State.Status}}' orphan
	assert_equal "status without a shim" running "$output"
	hako_ok ps -q
	assert_equal "ps without a shim" "${CID:0:12}" "$output"
	hako_ok stop -t 1 orphan
	wait_for 10 '! peers_alive $pid'
	hako_ok inspect -f '{{.State.Status}}' orphan
	assert_equal "status after stop" exited "$output"
	hako_ok rm -f orphan
	hako_ok ps -aq
	assert_equal "ps -aq" "" "$output"
}

@test "lifecycle: rm -f of a running container with a killed shim" {
	run_d --name orphan busybox sleep 60
	local shim pid
	shim=$(shim_pid_of "$CID")
	pid=$(__hako inspect -f '{{.State.Pid}}' orphan)
	kill -9 "$shim"
	wait_for 5 '! peers_alive $shim'
	hako_ok rm -f orphan
	wait_for 10 '! peers_alive $pid'
	hako_ok ps -aq
	assert_equal "ps -aq" "" "$output"
}

@test "lifecycle: --restart on-failure:2 restarts twice, then exited" {
	run_d --name flaky --restart on-failure:2 busybox sh -c 'echo run; exit 1'
	wait_for 20 '[ "$(__hako inspect -f "{{.State.Status}} {{.RestartCount}}" flaky)" = "exited 2" ]'
	hako_ok inspect -f '{{.State.ExitCode}}' flaky
	assert_equal exit 1 "$output"
	hako_ok logs flaky
	assert_equal "runs logged" 3 "$(grep -c '^run$' <<<"$output")"
}

@test "lifecycle: --restart always: RestartCount grows; stop ends it" {
	run_d --name crash --restart always busybox sh -c 'exit 3'
	wait_for 20 '[ "$(__hako inspect -f "{{.RestartCount}}" crash)" -ge 3 ]'
	hako_ok stop -t 1 crash
	wait_state crash exited
	local n
	n=$(__hako inspect -f '{{.RestartCount}}' crash)
	sleep 1
	assert_equal "RestartCount after stop" "$n" "$(__hako inspect -f '{{.RestartCount}}' crash)"
	assert_equal status exited "$(state_of crash)"
}

@test "lifecycle: --restart on-failure does not restart a clean exit" {
	run_d --name clean --restart on-failure busybox true
	wait_state clean exited
	sleep 0.5
	hako_ok inspect -f '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}' clean
	assert_equal state "exited 0 0" "$output"
}

@test "lifecycle: an OOM kill is OOMKilled true, exit 137" {
	run_d --name oom --memory 16m --memory-swap 16m busybox sh -c 'x=a; while true; do x=$x$x; done'
	wait_state oom exited 30
	hako_ok inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}}' oom
	assert_equal state "true 137" "$output"
}

@test "lifecycle: start a created container; start is idempotent" {
	hako_ok create --name c1 busybox sleep 60
	remember_ids "$output"
	assert_equal status created "$(state_of c1)"
	hako_ok start c1
	assert_equal "start prints" c1 "$output"
	wait_state c1 running
	hako_ok start c1
	hako rm c1
	[ "$status" -ne 0 ] || fail "rm of a running container succeeded"
	has_match 'You cannot remove a running container [0-9a-f]{64}\. Stop the container before attempting removal or force remove'
	hako_ok rm -f c1
}

@test "lifecycle: a --state path far beyond 108 bytes still reaches the shim" {
	local deep=$TEST_DIR/state-$(printf 'd%.0s' $(seq 120))
	mkdir -p "$deep"
	# This test's containers live under $deep: teardown's checks look there too.
	STATE=$deep
	run_d --name longpath busybox sleep 60
	[ "${#STATE}" -gt 120 ]
	hako_ok exec longpath echo reached
	assert_equal exec reached "$output"
	hako_ok stop -t 1 longpath
	hako_ok inspect -f '{{.State.Status}}' longpath
	assert_equal status exited "$output"
}

@test "lifecycle: --restart unless-stopped restarts a crash; stop ends it" {
	run_d --name us --restart unless-stopped busybox sh -c 'sleep 0.2; exit 2'
	wait_for 20 '[ "$(__hako inspect -f "{{.RestartCount}}" us)" -ge 1 ]'
	hako_ok stop -t 1 us
	wait_state us exited
}

@test "lifecycle: a --rm container's overlay is volatile (no sync at its end); others' are not" {
	run_d --rm busybox sleep 60
	grep " $ROOT/containers/$CID/rootfs " /proc/self/mountinfo | grep -q volatile ||
		fail "the --rm container's overlay is not volatile"
	hako_ok rm -f "$CID"
	run_d busybox sleep 60
	! grep " $ROOT/containers/$CID/rootfs " /proc/self/mountinfo | grep -q volatile ||
		fail "a kept container's overlay is volatile"
	hako_ok rm -f "$CID"
	# create --rm mounts it once to populate, start mounts it again over overlay's marker.
	hako_ok create --rm --name twice busybox echo second-mount
	hako_ok start -a twice
	assert_equal "start -a of a created --rm container" second-mount "$output"
}
