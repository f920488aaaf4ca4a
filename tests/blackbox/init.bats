#!/usr/bin/env bats
# hako-init (`--init`) as the container's PID 1, bind-mounted read-only at /sbin/hako-init as
# the engine does: exit codes, zombie reaping, signal forwarding, exec failures.

# shellcheck disable=SC2016 # the container scripts are single-quoted on purpose
# shellcheck source=helpers.bash
load helpers

setup() {
	[ -x "${HAKO_INIT:-}" ] || skip "set HAKO_INIT to the built hako-init (run.sh looks beside the runtime)"
	common_setup
	update_config ".mounts += [{\"destination\": \"/sbin/hako-init\", \"type\": \"bind\",
		\"source\": \"$HAKO_INIT\", \"options\": [\"rbind\", \"ro\"]}]"
}

teardown() {
	common_teardown
}

# init_run ID ARGS...: run ID in the foreground with hako-init as PID 1 starting ARGS.
init_run() {
	local id=$1
	shift
	set_args /sbin/hako-init "$@"
	ct_run "$id"
}

# init_run_127 ID ARGS...: init_run, expecting exit 127 (bats warns about 127 unless told).
init_run_127() {
	local id=$1
	shift
	set_args /sbin/hako-init "$@"
	set_cgroups_path "$id"
	bats_require_minimum_version 1.5.0
	run -127 __rt run --bundle "$BUNDLE" "$id"
	echo "run $id (status=$status): $output" >&2
}

@test "init: the child's exit code is the container's" {
	local id
	id=$(new_id)
	init_run "$id" -- sh -c 'exit 3'
	[ "$status" -eq 3 ]
	# Without the "--" too, as tini.
	id=$(new_id)
	init_run "$id" sh -c 'echo "pid=$PPID"; exit 0'
	[ "$status" -eq 0 ]
	# The child's parent is hako-init, PID 1 of the container.
	has_line pid=1
}

@test "init: a child killed by SIGKILL exits 137" {
	local id
	id=$(new_id)
	init_run "$id" -- sh -c 'kill -KILL $$'
	[ "$status" -eq 137 ]
}

@test "init: orphaned grandchildren are reaped" {
	local id
	id=$(new_id)
	# Each subshell exits at once, so its sleep is reparented to PID 1 and exits there; with no
	# reaper it would stay a zombie. Report every zombie seen after they all exited.
	init_run "$id" -- sh -c '
		for i in 1 2 3 4 5; do (sleep 0.1 &); done
		sleep 1
		for f in /proc/[0-9]*/stat; do
			read -r line <"$f" 2>/dev/null || continue
			rest=${line##*) }
			[ "${rest%% *}" = Z ] && echo "zombie: $line"
		done
		echo checked'
	[ "$status" -eq 0 ]
	has_line checked
	[ "$(grep -c '^zombie' <<<"$output")" -eq 0 ]
}

# start_init ID ARGS...: run ID in the background (its output in $(ct_out ID)); sets RUN_PID.
start_init() {
	local id=$1
	shift
	set_args /sbin/hako-init "$@"
	set_cgroups_path "$id"
	__rt run --bundle "$BUNDLE" "$id" >"$(ct_out "$id")" 2>&1 3>&- &
	RUN_PID=$!
	defer "kill -9 $RUN_PID 2>/dev/null"
}

# output_has ID TEXT
output_has() {
	grep -qxF -- "$2" "$(ct_out "$1")"
}

# finish ID: wait for the backgrounded run; sets $status and $output.
finish() {
	timeout 30 tail --pid="$RUN_PID" -f /dev/null
	status=0
	wait "$RUN_PID" || status=$?
	output=$(cat "$(ct_out "$1")")
	echo "run $1 (status=$status): $output" >&2
}

@test "init: SIGTERM from the host reaches the child's trap" {
	local id pid
	id=$(new_id)
	start_init "$id" -- sh -c 'trap "echo got TERM; exit 7" TERM; echo ready; while :; do sleep 0.1; done'
	wait_until 10 output_has "$id" ready
	pid=$(ct_state "$id" pid)
	# hako-init is the process the runtime started: PID 1 inside.
	[ "$(awk '/^NSpid:/ { print $NF }' "/proc/$pid/status")" = 1 ]
	kill -TERM "$pid"
	finish "$id"
	[ "$status" -eq 7 ]
	has_line "got TERM"
}

@test "init: SIGHUP, SIGUSR1 and SIGINT are forwarded too" {
	local id pid sig
	id=$(new_id)
	start_init "$id" -- sh -c 'for s in HUP USR1 INT; do trap "echo got $s" $s; done
		trap "echo got TERM; exit 0" TERM; echo ready; while :; do sleep 0.1; done'
	wait_until 10 output_has "$id" ready
	pid=$(ct_state "$id" pid)
	for sig in HUP USR1 INT; do
		kill -"$sig" "$pid"
		wait_until 10 output_has "$id" "got $sig"
	done
	kill -TERM "$pid"
	finish "$id"
	[ "$status" -eq 0 ]
}

@test "init: -g signals the child's whole process group" {
	local id pid
	id=$(new_id)
	# The grandchild only hears the signal if it goes to the group.
	start_init "$id" -g -- sh -c 'trap "echo outer" TERM
		sh -c "trap \"echo inner; exit 0\" TERM; echo ready; while :; do sleep 0.1; done" &
		wait; wait; exit 0'
	wait_until 10 output_has "$id" ready
	pid=$(ct_state "$id" pid)
	kill -TERM "$pid"
	finish "$id"
	[ "$status" -eq 0 ]
	has_line outer
	has_line inner
}

@test "init: a program that does not exist exits 127 with a message" {
	local id
	id=$(new_id)
	init_run_127 "$id" -- /no/such/program
	has_line "hako-init: exec /no/such/program: no such file or directory"
	# A name searched on PATH, too.
	id=$(new_id)
	init_run_127 "$id" no-such-command
	has_line "hako-init: exec no-such-command: no such file or directory"
}

@test "init: a program that cannot be executed exits 126 with a message" {
	local id
	id=$(new_id)
	init_run "$id" -- /etc/passwd
	[ "$status" -eq 126 ]
	has_line "hako-init: exec /etc/passwd: permission denied"
}

@test "init: no program is a usage error" {
	local id
	id=$(new_id)
	init_run "$id" --
	[ "$status" -eq 1 ]
	[[ "$output" == *"usage: hako-init"* ]]
}
