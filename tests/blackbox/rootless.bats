#!/usr/bin/env bats
# Rootless containers: an unprivileged user runs a bundle made by `spec --rootless`. Each test
# creates a throwaway user with a subordinate id range (removed in teardown, also on failure)
# and runs the runtime as that user with setpriv.

# shellcheck source=helpers.bash
load helpers

SUB_START=500000
SUB_COUNT=65536

setup() {
	common_setup
	requires userns
	command -v useradd >/dev/null && command -v setpriv >/dev/null ||
		skip "useradd and setpriv (passwd, util-linux) are missing"
	RL_USER=hkrl${HAKO_TEST_TOKEN}${BATS_SUITE_TEST_NUMBER}
	# No automatic subordinate range: ours is given explicitly below.
	useradd --no-create-home --shell /usr/sbin/nologin --user-group \
		-K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$RL_USER"
	defer "userdel $RL_USER"
	usermod --add-subuids "$SUB_START-$((SUB_START + SUB_COUNT - 1))" \
		--add-subgids "$SUB_START-$((SUB_START + SUB_COUNT - 1))" "$RL_USER"
	defer "usermod --del-subuids $SUB_START-$((SUB_START + SUB_COUNT - 1)) --del-subgids $SUB_START-$((SUB_START + SUB_COUNT - 1)) $RL_USER"
	RL_UID=$(id -u "$RL_USER")
	RL_GID=$(id -g "$RL_USER")
	# The user's own runtime dir: the default state root of both hako ($XDG/hako-runtime) and
	# runc ($XDG/runc).
	RL_XDG=$TEST_DIR/xdg
	mkdir -m 0700 "$RL_XDG"
	chown "$RL_UID:$RL_GID" "$RL_XDG"
	make_rootless_bundle
	# Runs before the user is removed (last deferred, first run): its containers go first.
	defer "rl_cleanup"
}

teardown() {
	common_teardown
}

# as_user CMD...: CMD as the throwaway user, with its runtime dir and a deadline.
as_user() {
	setpriv --reuid "$RL_UID" --regid "$RL_GID" --init-groups \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin XDG_RUNTIME_DIR="$RL_XDG" HOME="$RL_XDG" \
		timeout --kill-after=5 "$RT_TIMEOUT" "$@" </dev/null
}

# rl_rt ARGS...: the runtime as the user, under bats' `run`, logged for failed tests.
rl_rt() {
	run as_user "$RUNTIME" "$@"
	echo "$(basename "$RUNTIME") $* as $RL_USER (status=$status):" >&2
	echo "$output" >&2
}

# rl_run_detached ID ARGS...: `run --detach` as the user, the container's stdio on a file (a
# pipe would stay open after the runtime returns).
__rl_detached() {
	local out rc=0
	out=$(ct_out "$1")
	shift
	as_user "$RUNTIME" "$@" >"$out" 2>&1 || rc=$?
	cat "$out"
	return $rc
}
rl_run_detached() {
	local id=$1
	shift
	run __rl_detached "$id" run --detach "$@" "$id"
	echo "run -d $id as $RL_USER (status=$status): $output" >&2
}

# rl_cleanup: delete the user's containers (teardown's own pass only knows $STATE_ROOT).
rl_cleanup() {
	local id
	for id in $(as_user "$RUNTIME" list -q 2>/dev/null); do
		as_user "$RUNTIME" delete --force "$id" >/dev/null 2>&1 || true
	done
	pkill_user_processes
}

# pkill_user_processes: any process still running as the user, ended by PID.
pkill_user_processes() {
	local pid
	for pid in $(ps -o pid= -u "$RL_UID" 2>/dev/null); do
		kill -9 "$pid" 2>/dev/null || true
	done
	wait_gone_pids "$(ps -o pid= -u "$RL_UID" 2>/dev/null)"
}

# make_rootless_bundle: $RL_BUNDLE from `spec --rootless` run by the user, with $BUNDLE's
# busybox rootfs (owned by the host's root, readable by all).
make_rootless_bundle() {
	RL_BUNDLE=$TEST_DIR/rl
	mkdir "$RL_BUNDLE"
	chown "$RL_UID:$RL_GID" "$RL_BUNDLE"
	allow_traversal "$RL_BUNDLE"
	(cd "$RL_BUNDLE" && as_user "$RUNTIME" spec --rootless)
	mv "$BUNDLE/rootfs" "$RL_BUNDLE/rootfs"
	mkdir -p "$RL_BUNDLE/rootfs/shared"
	update_config '.process.terminal = false | .root.readonly = false
		| .hostname = "rootless" | .process.args = ["/bin/probe", "ids"]' "$RL_BUNDLE"
	chmod 0644 "$RL_BUNDLE/config.json"
}

@test "rootless: the caller's id is root inside" {
	local id
	id=$(new_id)
	BUNDLE=$RL_BUNDLE set_args /bin/sh -c '/bin/probe ids; /bin/probe read /proc/self/uid_map; /bin/probe read /proc/self/gid_map; /bin/probe hostname'
	rl_rt run --bundle "$RL_BUNDLE" "$id"
	[ "$status" -eq 0 ]
	has_line uid=0
	has_line gid=0
	grep -qE "^ +0 +$RL_UID +1\$" <<<"$output"
	grep -qE "^ +0 +$RL_GID +1\$" <<<"$output"
	has_line hostname=rootless
}

@test "rootless: only the own id mapped: setgroups is denied" {
	local id pid
	id=$(new_id)
	BUNDLE=$RL_BUNDLE set_args /bin/probe sleep inf
	rl_run_detached "$id" --bundle "$RL_BUNDLE"
	[ "$status" -eq 0 ]
	pid=$(as_user "$RUNTIME" state "$id" | jq -r .pid)
	[ "$(cat "/proc/$pid/setgroups")" = deny ]
	[ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = "$RL_UID" ]
	rl_rt delete --force "$id"
	[ "$status" -eq 0 ]
}

@test "rootless: exec joins the container, kill and delete work" {
	local id
	id=$(new_id)
	BUNDLE=$RL_BUNDLE set_args /bin/probe sleep inf
	rl_run_detached "$id" --bundle "$RL_BUNDLE"
	[ "$status" -eq 0 ]
	rl_rt exec "$id" /bin/sh -c '/bin/probe ids; /bin/probe pid'
	[ "$status" -eq 0 ]
	has_line uid=0
	[ "$(value_of pid)" -gt 1 ]
	rl_rt kill "$id" KILL
	[ "$status" -eq 0 ]
	wait_until 10 eval '[ "$(as_user "$RUNTIME" state "$id" | jq -r .status)" = stopped ]'
	rl_rt delete "$id"
	[ "$status" -eq 0 ]
}

@test "rootless: the default state root is \$XDG_RUNTIME_DIR/hako-runtime" {
	hako_only "runc's is \$XDG_RUNTIME_DIR/runc"
	local id
	id=$(new_id)
	BUNDLE=$RL_BUNDLE set_args /bin/probe sleep inf
	rl_run_detached "$id" --bundle "$RL_BUNDLE"
	[ "$status" -eq 0 ]
	[ -f "$RL_XDG/hako-runtime/$id/state.json" ]
	[ "$(stat -c %u "$RL_XDG/hako-runtime")" = "$RL_UID" ]
	rl_rt delete --force "$id"
	[ "$status" -eq 0 ]
	[ ! -e "$RL_XDG/hako-runtime/$id" ]
}

@test "rootless: ranges beyond the own id go through newuidmap/newgidmap" {
	command -v newuidmap >/dev/null || skip "newuidmap (package uidmap) is missing"
	local shared=$TEST_DIR/shared id
	mkdir -m 1777 "$shared"
	allow_traversal "$shared"
	update_config ".linux.uidMappings = [{\"containerID\": 0, \"hostID\": $RL_UID, \"size\": 1},
			{\"containerID\": 1, \"hostID\": $SUB_START, \"size\": $SUB_COUNT}]
		| .linux.gidMappings = [{\"containerID\": 0, \"hostID\": $RL_GID, \"size\": 1},
			{\"containerID\": 1, \"hostID\": $SUB_START, \"size\": $SUB_COUNT}]
		| .process.user = {\"uid\": 1000, \"gid\": 1000}
		| .mounts += [{\"destination\": \"/shared\", \"type\": \"bind\", \"source\": \"$shared\",
			\"options\": [\"rbind\", \"nosuid\", \"nodev\"]}]" "$RL_BUNDLE"
	BUNDLE=$RL_BUNDLE set_args /bin/sh -c '/bin/probe ids; /bin/probe read /proc/self/uid_map; /bin/probe write /shared/made; /bin/probe stat /shared/made'
	id=$(new_id)
	rl_rt run --bundle "$RL_BUNDLE" "$id"
	[ "$status" -eq 0 ]
	has_line uid=1000
	grep -qE "^ +0 +$RL_UID +1\$" <<<"$output"
	grep -qE "^ +1 +$SUB_START +$SUB_COUNT\$" <<<"$output"
	has_line write=OK
	# Container uid 1000 is subordinate id SUB_START + 999 on the host.
	[ "$(stat -c %u:%g "$shared/made")" = "$((SUB_START + 999)):$((SUB_START + 999))" ]
}

@test "rootless: a range not in /etc/subuid is refused, nothing left" {
	command -v newuidmap >/dev/null || skip "newuidmap (package uidmap) is missing"
	update_config ".linux.uidMappings = [{\"containerID\": 0, \"hostID\": $RL_UID, \"size\": 1},
			{\"containerID\": 1, \"hostID\": 900000, \"size\": 10}]" "$RL_BUNDLE"
	local id
	id=$(new_id)
	rl_rt run --bundle "$RL_BUNDLE" "$id"
	[ "$status" -ne 0 ]
	if runtime_is_hako; then
		grep -q "newuidmap failed" <<<"$output"
		[ ! -e "$RL_XDG/hako-runtime/$id" ]
	fi
	[ -z "$(ps -o pid= -u "$RL_UID")" ]
}

@test "rootless: files of the host's root show as the overflow id" {
	BUNDLE=$RL_BUNDLE set_args /bin/sh -c '/bin/probe stat /bin/probe; /bin/probe write /made'
	rl_rt run --bundle "$RL_BUNDLE" "$(new_id)"
	has_line uid=65534
	has_line write=EACCES
}
