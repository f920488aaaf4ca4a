#!/usr/bin/env bats
# Bad input: each fails with a non-zero exit and a one-line error, and leaves nothing behind (no
# state entry, mount, cgroup or process). The wording differs between runtimes, so only the exit
# code and the cleanliness are asserted.

# shellcheck source=helpers.bash
load helpers

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# start_sleeper: a running container; sets ID.
start_sleeper() {
	ID=$(new_id)
	set_args /bin/probe sleep inf
	ct_run_detached "$ID"
	[ "$status" -eq 0 ]
}

@test "create: a missing bundle directory" {
	local id
	id=$(new_id)
	run __rt_detached "$id" create --bundle "$TEST_DIR/no-such-bundle" "$id"
	assert_failed_cleanly "$id"
}

@test "create: a bundle without config.json" {
	local id
	id=$(new_id)
	rm "$BUNDLE/config.json"
	run __rt_detached "$id" create --bundle "$BUNDLE" "$id"
	assert_failed_cleanly "$id"
}

@test "create: a malformed config.json" {
	local id
	id=$(new_id)
	set_cgroups_path "$id"
	# Cut the file in half.
	head -c "$(($(wc -c <"$BUNDLE/config.json") / 2))" "$BUNDLE/config.json" >"$TEST_DIR/half.json"
	mv "$TEST_DIR/half.json" "$BUNDLE/config.json"
	run __rt_detached "$id" create --bundle "$BUNDLE" "$id"
	assert_failed_cleanly "$id"
}

@test "create: a config.json that is JSON but not an object" {
	local id
	id=$(new_id)
	echo '["not", "a", "spec"]' >"$BUNDLE/config.json"
	run __rt_detached "$id" create --bundle "$BUNDLE" "$id"
	assert_failed_cleanly "$id"
}

@test "create: an unknown namespace type" {
	local id
	id=$(new_id)
	update_config '.linux.namespaces += [{"type": "no-such-namespace"}]'
	ct_create "$id"
	assert_failed_cleanly "$id"
}

@test "create: a rootfs that does not exist" {
	local id
	id=$(new_id)
	update_config '.root.path = "no-such-rootfs"'
	ct_create "$id"
	assert_failed_cleanly "$id"
}

@test "create: a namespace path that is not a namespace" {
	local id
	id=$(new_id)
	update_config ".linux.namespaces |= map(if .type == \"network\" then .path = \"$BUNDLE/config.json\" else . end)"
	ct_create "$id"
	assert_failed_cleanly "$id"
}

@test "create: a mount of an unknown filesystem type" {
	local id
	id=$(new_id)
	update_config '.mounts += [{"destination": "/bad", "type": "no-such-fs", "source": "none"}]'
	ct_create "$id"
	assert_failed_cleanly "$id"
}

@test "create: an invalid container id" {
	local id
	for id in "../escape" "with/slash" ""; do
		run __rt_detached invalid-id create --bundle "$BUNDLE" "$id"
		[ "$status" -ne 0 ]
		[ ! -e "$TEST_DIR/escape" ]
	done
	rt list -q
	[ -z "$output" ]
}

@test "create: a duplicate id fails and leaves the first container as it was" {
	local id pid
	id=$(new_id)
	ct_create "$id"
	[ "$status" -eq 0 ]
	pid=$(ct_state "$id" pid)
	run __rt_detached "$id.dup" create --bundle "$BUNDLE" "$id"
	[ "$status" -ne 0 ]
	[ "$(ct_status "$id")" = created ]
	[ "$(ct_state "$id" pid)" = "$pid" ]
	[ "$(__rt list -q)" = "$id" ]
	# Only the first container's init is around.
	[ "$(leftover_pids "$id" | grep -vx "$pid" || true)" = "" ]
}

@test "run: a program that does not exist fails and leaves nothing" {
	local id
	id=$(new_id)
	set_args /no/such/program
	ct_run "$id"
	[ "$status" -ne 0 ]
	assert_nothing_left "$id"
}

@test "kill: an invalid signal name fails and the container keeps running" {
	known_deviation '^crun version 1\.8\.' "exits 0 on an unknown signal name"
	start_sleeper
	rt kill "$ID" NOSUCHSIGNAL
	[ "$status" -ne 0 ]
	[ "$(wc -l <<<"$output")" -le 2 ]
	rt kill "$ID" 999
	[ "$status" -ne 0 ]
	[ "$(ct_status "$ID")" = running ]
}

@test "kill: a nonexistent container fails" {
	rt kill never-existed KILL
	[ "$status" -ne 0 ]
}

@test "start: of a running container fails and it keeps running" {
	start_sleeper
	rt start "$ID"
	[ "$status" -ne 0 ]
	[ "$(ct_status "$ID")" = running ]
}

@test "start: of a nonexistent container fails" {
	rt start never-existed
	[ "$status" -ne 0 ]
}

@test "delete: of a running container without --force fails and it keeps running" {
	start_sleeper
	rt delete "$ID"
	[ "$status" -ne 0 ]
	[ "$(ct_status "$ID")" = running ]
	[ -n "$(cgroup_dirs "$ID")" ]
}

@test "delete: of a nonexistent container without --force fails" {
	rt delete never-existed
	[ "$status" -ne 0 ]
}

@test "an unknown command fails" {
	rt no-such-command
	[ "$status" -ne 0 ]
}

@test "pause: of a stopped container fails and it stays stopped" {
	local id
	id=$(new_id)
	set_args /bin/probe exit 0
	ct_create "$id"
	rt start "$id"
	wait_status "$id" stopped
	rt pause "$id"
	[ "$status" -eq 1 ]
	one_line_error_on_hako
	[ "$(ct_status "$id")" = stopped ]
}

@test "pause: of a paused container fails; resume of a running one fails; the state stays" {
	requires cgroups
	start_sleeper
	rt resume "$ID"
	[ "$status" -eq 1 ]
	one_line_error_on_hako
	[ "$(ct_status "$ID")" = running ]
	rt pause "$ID"
	[ "$status" -eq 0 ]
	rt pause "$ID"
	[ "$status" -eq 1 ]
	one_line_error_on_hako
	[ "$(ct_status "$ID")" = paused ]
	rt resume "$ID"
	[ "$status" -eq 0 ]
	[ "$(ct_status "$ID")" = running ]
}

@test "pause and resume: a created container, as runc allows; it stays created" {
	requires cgroups
	local id
	id=$(new_id)
	ct_create "$id"
	[ "$status" -eq 0 ]
	rt pause "$id"
	[ "$status" -eq 0 ]
	[ "$(ct_status "$id")" = paused ]
	rt resume "$id"
	[ "$status" -eq 0 ]
	[ "$(ct_status "$id")" = created ]
}

@test "pause, resume and events: of a nonexistent container fail with one line" {
	local verb
	for verb in pause resume; do
		rt "$verb" never-existed
		[ "$status" -eq 1 ]
		one_line_error_on_hako
	done
	rt events --stats never-existed
	[ "$status" -eq 1 ]
	one_line_error_on_hako
	true
}
