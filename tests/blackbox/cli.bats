#!/usr/bin/env bats
# The rest of runc's command line: list, ps, exec, spec, features, and the global options
# containerd and Podman pass (--root, --log, --log-format json, --debug, --pid-file).

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

@test "list: the table and --format json and -q" {
	start_sleeper
	rt list
	[ "$status" -eq 0 ]
	# runc's header; crun says NAME and BUNDLE PATH.
	head -n1 <<<"$output" | grep -E '^(ID|NAME) +PID +STATUS +BUNDLE'
	grep -E "^$ID +$PID +running +$BUNDLE " <<<"$output"

	rt list --format json
	[ "$status" -eq 0 ]
	jq -e --arg id "$ID" --argjson pid "$PID" --arg bundle "$BUNDLE" '
		type == "array" and length == 1
		and (.[0] | .id == $id and .pid == $pid and .status == "running" and .bundle == $bundle)' <<<"$output"

	rt list -q
	[ "$status" -eq 0 ]
	[ "$output" = "$ID" ]
}

@test "list: an empty state root lists nothing" {
	rt list --format json
	[ "$status" -eq 0 ]
	# runc prints null for no containers; an empty array is as good.
	jq -e '. == null or . == []' <<<"$output"
	rt list -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "ps: the table and --format json show the container's processes" {
	start_sleeper
	rt ps "$ID"
	[ "$status" -eq 0 ]
	head -n1 <<<"$output" | grep -w PID
	grep -w "$PID" <<<"$output"

	rt ps --format json "$ID"
	[ "$status" -eq 0 ]
	jq -e --argjson pid "$PID" 'type == "array" and index($pid) != null' <<<"$output"
}

@test "exec: runs in the container's namespaces, returns its exit status" {
	start_sleeper
	rt exec "$ID" /bin/probe pid
	[ "$status" -eq 0 ]
	[ "$(value_of pid)" -gt 1 ]

	rt exec "$ID" /bin/probe ns
	[ "$status" -eq 0 ]
	local ns
	for ns in mnt net ipc uts pid; do
		[ "$(value_of "$ns")" = "$(readlink "/proc/$PID/ns/$ns")" ]
	done

	rt exec "$ID" /bin/probe exit 7
	[ "$status" -eq 7 ]
}

@test "exec: --env, --cwd, --user and --process" {
	start_sleeper
	rt exec --env FOO=bar --cwd /tmp --user 1000:1000 "$ID" /bin/sh -c \
		'/bin/probe env; /bin/probe cwd; /bin/probe ids'
	[ "$status" -eq 0 ]
	has_line FOO=bar
	has_line cwd=/tmp
	has_line uid=1000
	has_line gid=1000

	jq '.process | .args = ["/bin/probe", "env"] | .env += ["FROM_PROCESS_FILE=1"]' \
		"$BUNDLE/config.json" >"$TEST_DIR/process.json"
	rt exec --process "$TEST_DIR/process.json" "$ID"
	[ "$status" -eq 0 ]
	has_line FROM_PROCESS_FILE=1
}

@test "exec: --detach --pid-file, and orphans are reaped by the container's init" {
	start_sleeper
	ct_exec_detached "$ID" "$TEST_DIR/exec.pid" /bin/probe sleep inf
	[ "$status" -eq 0 ]
	local pid
	pid=$(cat "$TEST_DIR/exec.pid")
	[ -d "/proc/$pid" ]
	[ "$(readlink "/proc/$pid/ns/pid")" = "$(readlink "/proc/$PID/ns/pid")" ]

	# probe's `sleep` as init reaps orphans; in the container's pid namespace they go to it.
	rt exec "$ID" /bin/probe zombies
	[ "$status" -eq 0 ]
	has_line orphan_ppid=1
	has_line reaped=1
}

@test "exec: the process is in the container's cgroup in every hierarchy" {
	requires cgroups
	start_sleeper
	ct_exec_detached "$ID" "$TEST_DIR/exec.pid" /bin/probe sleep inf
	[ "$status" -eq 0 ]
	local pid
	pid=$(cat "$TEST_DIR/exec.pid")
	# v1 and cgroup2 lines alike (hako moves the exec'd child itself: "0" into each v1 tasks
	# file, clone3 into the cgroup2 directory); the hierarchy lines are the init's.
	assert_same_cgroups "$PID" "$pid"
	grep -q ":/hako-test/$ID\$" "/proc/$pid/cgroup"
}

@test "exec: into a stopped or nonexistent container fails" {
	rt exec never-existed /bin/probe pid
	[ "$status" -ne 0 ]

	local id
	id=$(new_id)
	set_args /bin/probe exit 0
	ct_create "$id"
	rt start "$id"
	wait_status "$id" stopped
	rt exec "$id" /bin/probe pid
	[ "$status" -ne 0 ]
}

@test "create --pid-file: holds the init pid" {
	local id
	id=$(new_id)
	ct_create "$id" --pid-file "$TEST_DIR/ct.pid"
	[ "$status" -eq 0 ]
	[ "$(cat "$TEST_DIR/ct.pid")" = "$(ct_state "$id" pid)" ]
}

@test "the container's process inherits no file descriptor of the runtime" {
	local id
	id=$(new_id)
	set_args /bin/probe fds
	ct_run "$id"
	[ "$status" -eq 0 ]
	[ "$output" = "fds=0,1,2" ]
}

@test "spec and spec --rootless: valid JSON configs" {
	mkdir "$TEST_DIR/spec" "$TEST_DIR/rootless"
	(cd "$TEST_DIR/spec" && __rt spec)
	jq -e '(.ociVersion | type == "string") and (.process.args | length > 0)
		and .root.path == "rootfs" and (.linux.namespaces | map(.type) | index("mount") != null)' \
		"$TEST_DIR/spec/config.json"

	(cd "$TEST_DIR/rootless" && __rt spec --rootless)
	# A user namespace; runc also writes the caller's id mappings, crun leaves them to run time.
	jq -e '(.linux.namespaces | map(.type) | index("user") != null)
		and ((.linux.uidMappings | length) == (.linux.gidMappings | length))' \
		"$TEST_DIR/rootless/config.json"

	# spec does not overwrite an existing config.
	cp "$TEST_DIR/spec/config.json" "$TEST_DIR/spec/before.json"
	run bash -c "cd '$TEST_DIR/spec' && $(printf %q "$RUNTIME") spec"
	[ "$status" -ne 0 ]
	cmp "$TEST_DIR/spec/config.json" "$TEST_DIR/spec/before.json"
}

@test "features: prints JSON" {
	rt features
	if [ "$status" -ne 0 ] && ! runtime_is_hako; then
		skip "$(runtime_name) has no features command"
	fi
	[ "$status" -eq 0 ]
	jq -e '(.ociVersionMin | type == "string") and (.ociVersionMax | type == "string")' <<<"$output"
}

@test "--log FILE --log-format json: errors are JSON lines, as containerd reads them" {
	run __rt --log "$TEST_DIR/log.json" --log-format json state never-existed
	[ "$status" -ne 0 ]
	[ -s "$TEST_DIR/log.json" ]
	# One JSON object per entry (runc omits the final newline); an error-level one has a message.
	jq -se 'length > 0 and (map(select(.level == "error" and (.msg | length > 0))) | length > 0)' \
		"$TEST_DIR/log.json"
}

@test "--debug: accepted by create, start and delete" {
	local id
	id=$(new_id)
	set_args /bin/probe exit 0
	set_cgroups_path "$id"
	run __rt_detached "$id" --debug create --bundle "$BUNDLE" "$id"
	[ "$status" -eq 0 ]
	rt --debug start "$id"
	[ "$status" -eq 0 ]
	wait_status "$id" stopped
	rt --debug delete "$id"
	[ "$status" -eq 0 ]
}
