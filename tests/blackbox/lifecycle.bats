#!/usr/bin/env bats
# The OCI lifecycle: create, start, state, kill, delete, and run (foreground and detached).

# shellcheck source=helpers.bash
load helpers

setup() {
	common_setup
}

teardown() {
	common_teardown
}

@test "run: the quick-start bundle from make-bundle.sh prints its greeting" {
	local id quick=$TEST_DIR/quickstart
	id=$(new_id)
	# As the README has it: no template, no probe.
	RUNTIME=$RUNTIME BUNDLE_TEMPLATE="" "$MAKE_BUNDLE" "$quick"
	BUNDLE=$quick ct_run "$id"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from inside the container" ]
}

@test "run: the foreground run returns the container's exit status" {
	local id
	id=$(new_id)
	set_args /bin/probe exit 42
	ct_run "$id"
	[ "$status" -eq 42 ]

	id=$(new_id)
	set_args /bin/probe exit 0
	ct_run "$id"
	[ "$status" -eq 0 ]
	# A run container is deleted when it exits.
	assert_nothing_left "$id"
}

@test "run: a container killed by SIGKILL makes run exit 137" {
	local id pid rc=0
	id=$(new_id)
	set_args /bin/probe sleep inf
	set_cgroups_path "$id"
	__rt run --bundle "$BUNDLE" "$id" >"$(ct_out "$id")" 2>&1 3>&- &
	pid=$!
	wait_status "$id" running
	rt kill "$id" KILL
	[ "$status" -eq 0 ]
	timeout 30 tail --pid="$pid" -f /dev/null
	wait "$pid" || rc=$?
	[ "$rc" -eq 137 ]
}

@test "create: init exists but the user program waits for start" {
	local id pid
	id=$(new_id)
	set_args /bin/sh -c 'echo started >/started; exec /bin/probe sleep inf'
	ct_create "$id"
	[ "$status" -eq 0 ]

	[ "$(ct_status "$id")" = created ]
	pid=$(ct_state "$id" pid)
	[ "$pid" -gt 0 ]
	[ -d "/proc/$pid" ]
	# Give a wrongly started program time to show itself.
	sleep 0.5
	[ ! -e "$BUNDLE/rootfs/started" ]
	if tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q '/bin/sh'; then
		fail "the user program runs before start"
	fi

	rt start "$id"
	[ "$status" -eq 0 ]
	wait_until 10 test -e "$BUNDLE/rootfs/started"
	[ "$(ct_status "$id")" = running ]
	# The user program replaced init in the same process.
	[ "$(ct_state "$id" pid)" = "$pid" ]
	wait_until 10 grep -q 'probe' "/proc/$pid/cmdline"
}

@test "state: JSON fields and the created -> running -> stopped transitions" {
	local id
	id=$(new_id)
	set_args /bin/probe sleep inf
	ct_create "$id"
	[ "$status" -eq 0 ]

	rt state "$id"
	[ "$status" -eq 0 ]
	jq -e --arg id "$id" --arg bundle "$BUNDLE" '
		(.ociVersion | type == "string" and length > 0)
		and .id == $id and .status == "created" and (.pid | type == "number" and . > 0)
		and .bundle == $bundle' <<<"$output"

	rt start "$id"
	[ "$status" -eq 0 ]
	[ "$(ct_status "$id")" = running ]

	rt kill "$id" KILL
	[ "$status" -eq 0 ]
	wait_status "$id" stopped
	rt state "$id"
	jq -e '.status == "stopped"' <<<"$output"

	rt delete "$id"
	[ "$status" -eq 0 ]
	assert_nothing_left "$id"
}

@test "state: a container whose process exits is stopped" {
	local id
	id=$(new_id)
	set_args /bin/probe exit 3
	ct_create "$id"
	rt start "$id"
	[ "$status" -eq 0 ]
	wait_status "$id" stopped
	rt delete "$id"
	[ "$status" -eq 0 ]
}

@test "state: of a nonexistent container fails" {
	rt state nonexistent-container
	[ "$status" -ne 0 ]
}

@test "run --detach: returns with the container running" {
	local id pid
	id=$(new_id)
	set_args /bin/probe sleep inf
	ct_run_detached "$id"
	[ "$status" -eq 0 ]
	[ "$(ct_status "$id")" = running ]
	pid=$(ct_state "$id" pid)
	grep -q 'probe' "/proc/$pid/cmdline"
	rt delete --force "$id"
	[ "$status" -eq 0 ]
	assert_nothing_left "$id"
}

@test "kill: by name KILL, by name SIGKILL and by number 9" {
	local id sig
	set_args /bin/probe sleep inf
	for sig in KILL SIGKILL 9; do
		id=$(new_id)
		ct_run_detached "$id"
		[ "$status" -eq 0 ]
		rt kill "$id" "$sig"
		[ "$status" -eq 0 ]
		wait_status "$id" stopped
		rt delete "$id"
		[ "$status" -eq 0 ]
	done
}

@test "kill: the default signal is SIGTERM, and names and numbers reach the process" {
	local id sig expect
	set_args /bin/probe signal
	for sig in "" USR1 SIGHUP 15; do
		id=$(new_id)
		ct_run_detached "$id"
		[ "$status" -eq 0 ]
		wait_until 10 grep -q ready "$(ct_out "$id")"
		if [ -z "$sig" ]; then
			rt kill "$id"
		else
			rt kill "$id" "$sig"
		fi
		[ "$status" -eq 0 ]
		wait_status "$id" stopped
		case $sig in
		"" | 15) expect=SIGTERM ;;
		USR1) expect=SIGUSR1 ;;
		SIGHUP) expect=SIGHUP ;;
		esac
		grep -qx "signal=$expect" "$(ct_out "$id")"
		rt delete "$id"
		[ "$status" -eq 0 ]
	done
}

@test "kill --all: every process of the container gets the signal" {
	local id pid1 pid2
	id=$(new_id)
	set_args /bin/probe sleep inf
	ct_run_detached "$id"
	[ "$status" -eq 0 ]
	pid1=$(ct_state "$id" pid)
	ct_exec_detached "$id" "$TEST_DIR/exec.pid" /bin/probe sleep inf
	[ "$status" -eq 0 ]
	pid2=$(cat "$TEST_DIR/exec.pid")
	[ -d "/proc/$pid2" ]

	rt kill --all "$id" KILL
	[ "$status" -eq 0 ]
	wait_status "$id" stopped
	wait_until 10 is_gone "$pid1"
	wait_until 10 is_gone "$pid2"
}

@test "delete: a created and a stopped container" {
	local id
	set_args /bin/probe exit 0
	id=$(new_id)
	ct_create "$id"
	[ "$status" -eq 0 ]
	rt delete "$id"
	[ "$status" -eq 0 ]
	assert_nothing_left "$id"

	id=$(new_id)
	ct_create "$id"
	rt start "$id"
	wait_status "$id" stopped
	rt delete "$id"
	[ "$status" -eq 0 ]
	assert_nothing_left "$id"
}

@test "delete --force: of a running container and of a nonexistent one succeeds" {
	local id
	id=$(new_id)
	set_args /bin/probe sleep inf
	ct_run_detached "$id"
	[ "$status" -eq 0 ]
	rt delete --force "$id"
	[ "$status" -eq 0 ]
	assert_nothing_left "$id"

	# containerd's shim always ends with delete --force, on a container that may be gone.
	rt delete --force "$id"
	[ "$status" -eq 0 ]
	rt delete --force never-existed
	[ "$status" -eq 0 ]
}

@test "delete --force: of a created container" {
	local id
	id=$(new_id)
	ct_create "$id"
	[ "$status" -eq 0 ]
	rt delete --force "$id"
	[ "$status" -eq 0 ]
	assert_nothing_left "$id"
}
