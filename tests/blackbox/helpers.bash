#!/bin/bash
# shellcheck disable=SC2154 # $status and $output are set by bats' `run`.
# Helpers for the black-box runtime suite (tests/blackbox/*.bats), after runc's
# tests/integration/helpers.bash.
#
# The suite drives any OCI runtime with runc's command line, given as RUNTIME, so the same tests
# prove hako-runtime and, run against runc, prove that they test real behaviour. Every test gets:
#   - its own state root ($STATE_ROOT, passed as --root) and bundle ($BUNDLE, busybox + probe);
#   - unique container ids (new_id), each with cgroupsPath /hako-test/<id>: the suite creates and
#     removes cgroups only under hako-test;
#   - a deadline on every runtime call and every wait (timeout, wait_until);
#   - a teardown that deletes its containers with `delete --force`, kills leftover processes by
#     PID, unmounts and removes what is left, and fails the test if it found anything left behind
#     (a process, a mount under the test dir, a cgroup, a state entry).
# run.sh runs the whole suite under a subreaper (tini -s), so orphaned containers are reaped
# promptly, in a mount namespace of its own whose mounts are slaves of the host's, so a leaked
# mount never reaches the host (teardown still finds it, in that namespace).
#
# Environment: RUNTIME (the runtime binary), PROBE (the static hako-probe), RECVTTY (the static
# hako-recvtty), BUNDLE_TEMPLATE (a template bundle, see tests/lib/make-bundle.sh),
# HAKO_TEST_TOKEN (unique per run), HAKO_REQUIRE_CAPS=1 (a capability this machine should have
# fails the test when missing instead of skipping it).

BLACKBOX_DIR=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
TESTS_DIR=$(dirname "$BLACKBOX_DIR")
# shellcheck source=../lib/assert.bash
source "$TESTS_DIR/lib/assert.bash"
MAKE_BUNDLE="$TESTS_DIR/lib/make-bundle.sh"

RUNTIME=${RUNTIME:-hako-runtime}
RUNTIME=$(command -v "$RUNTIME" || echo "$RUNTIME")
PROBE=${PROBE:?set PROBE to the static hako-probe binary}
RECVTTY=${RECVTTY:-}
BUNDLE_TEMPLATE=${BUNDLE_TEMPLATE:-$BATS_RUN_TMPDIR/template}
HAKO_TEST_TOKEN=${HAKO_TEST_TOKEN:-$$}
# Deadline in seconds for one runtime call, and the default for waits: generous (calls take
# milliseconds) yet short, so that a runtime that hangs costs seconds per call, not minutes.
RT_TIMEOUT=${RT_TIMEOUT:-10}
export RUNTIME PROBE BUNDLE_TEMPLATE

# ---------------------------------------------------------------------------------------------
# Per-test setup and teardown

# common_setup: a state root, a bundle whose process is the probe, and the bookkeeping files.
common_setup() {
	TEST_DIR=$BATS_TEST_TMPDIR
	STATE_ROOT=$TEST_DIR/state
	BUNDLE=$TEST_DIR/bundle
	: >"$TEST_DIR/.containers"
	: >"$TEST_DIR/.cleanup"
	make_bundle "$BUNDLE"
}

# make_bundle DIR: a busybox bundle with the probe, normalised so that tests do not depend on
# which runtime's `spec` produced it: a writable root and runc's namespaces (pid, network, ipc,
# uts, mount; hako's spec adds cgroup), in the order the spec lists them.
make_bundle() {
	local dir=$1
	RUNTIME=$RUNTIME BUNDLE_TEMPLATE=$BUNDLE_TEMPLATE "$MAKE_BUNDLE" "$dir" "$PROBE"
	update_config '.root.readonly = false
		| .hostname = "hako-test"
		| .process.args = ["/bin/probe", "pid"]
		| .process.terminal = false
		| .linux.namespaces = [{"type": "pid"}, {"type": "network"}, {"type": "ipc"},
		                       {"type": "uts"}, {"type": "mount"}]' "$dir"
}

# add_namespace TYPE: add a new namespace of TYPE to $BUNDLE's spec, unless it has one.
add_namespace() {
	update_config ".linux.namespaces |= (if map(.type) | index(\"$1\") then . else . + [{\"type\": \"$1\"}] end)"
}

# update_config FILTER [BUNDLE]: rewrite BUNDLE/config.json (default $BUNDLE) through jq.
update_config() {
	local filter=$1 dir=${2:-$BUNDLE}
	jq "$filter" "$dir/config.json" >"$dir/config.json.new"
	mv "$dir/config.json.new" "$dir/config.json"
}

# json_array ARG...: the arguments as a JSON array of strings (jq would take "-c" in --args as
# one of its own options, so each goes in as a named --arg).
json_array() {
	local i=0 filter="" arg
	local -a jq_args=()
	for arg in "$@"; do
		jq_args+=(--arg "a$i" "$arg")
		filter+="${filter:+, }\$a$i"
		i=$((i + 1))
	done
	jq -cn "${jq_args[@]}" "[$filter]"
}

# set_args ARG...: the container's process.args.
set_args() {
	update_config ".process.args = $(json_array "$@")"
}

# defer CMD...: run CMD (a string for eval) in teardown, before the leak checks, last first.
defer() {
	printf '%s\n' "$*" >>"$TEST_DIR/.cleanup"
}

# new_id: a unique container id, recorded for teardown. Call it outside `run`.
new_id() {
	local n
	n=$(wc -l <"$TEST_DIR/.containers")
	local id="hk-${HAKO_TEST_TOKEN}-${BATS_SUITE_TEST_NUMBER}-$((n + 1))"
	echo "$id" >>"$TEST_DIR/.containers"
	echo "$id"
}

# cgroup_rel ID: the cgroupsPath the helpers give container ID.
CGROUP_PARENT=/hako-test
cgroup_rel() {
	echo "$CGROUP_PARENT/$1"
}

# set_cgroups_path ID [BUNDLE]
set_cgroups_path() {
	update_config ".linux.cgroupsPath = \"$(cgroup_rel "$1")\"" "${2:-$BUNDLE}"
}

# common_teardown: undo what the test deferred, delete its containers, then look for anything
# left behind; remove it and fail the test if there was any.
common_teardown() {
	local leaks=() line id pid mp dir
	[ -n "${TEST_DIR:-}" ] && [ -d "$TEST_DIR" ] || return 0
	cd "$TEST_DIR" || return 1

	# 1. What the test itself set up (helpers it started, mounts it made), last first.
	if [ -s "$TEST_DIR/.cleanup" ]; then
		while IFS= read -r line; do
			eval "$line" || true
		done < <(tac "$TEST_DIR/.cleanup")
	fi

	# 2. The containers, as a client would: delete --force, which must succeed even when gone.
	local ids
	ids=$( (cat "$TEST_DIR/.containers"; __rt list -q 2>/dev/null) | sort -u)
	for id in $ids; do
		__rt delete --force "$id" >/dev/null 2>&1 || true
	done

	# 3. Leftovers: processes, mounts, cgroups, state entries. Each is recorded, then removed.
	for pid in $(leftover_pids "$ids"); do
		leaks+=("process $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)")
		kill -9 "$pid" 2>/dev/null || true
	done
	wait_gone_pids "$(leftover_pids "$ids")"

	while IFS= read -r mp; do
		[ -n "$mp" ] || continue
		leaks+=("mount $mp")
		umount -l "$mp" 2>/dev/null || true
	done < <(test_mounts | tac)

	for id in $ids; do
		for dir in $(cgroup_dirs "$id"); do
			leaks+=("cgroup $dir")
			remove_cgroup "$dir"
		done
	done

	if [ -d "$STATE_ROOT" ]; then
		for id in $ids; do
			if [ -n "$(find "$STATE_ROOT" -name "$id" -print -quit 2>/dev/null)" ]; then
				leaks+=("state entry for $id under $STATE_ROOT")
			fi
		done
	fi

	if [ ${#leaks[@]} -gt 0 ]; then
		echo "teardown: left behind by the test:" >&2
		printf '  %s\n' "${leaks[@]}" >&2
		return 1
	fi
}

# proc_stat PID: sets STATE and PPID_OF from /proc/PID/stat (one read, builtins only:
# leftover_pids looks at every process and must not fork per process). Fails when PID is gone.
proc_stat() {
	local line rest
	read -r line 2>/dev/null <"/proc/$1/stat" || return 1
	# pid (comm) state ppid ...; comm may hold spaces and parentheses, so cut at the last ") ".
	rest=${line##*) }
	STATE=${rest%% *}
	rest=${rest#* }
	PPID_OF=${rest%% *}
}

# is_gone PID: the process has exited (a zombie counts as gone: the subreaper reaps it).
is_gone() {
	! proc_stat "$1" || [ "$STATE" = Z ]
}

# leftover_pids IDS: processes that belong to this test: whose root is a rootfs under the test
# dir, whose command line names the test dir, or that live in one of its cgroups. Never this
# shell or its ancestors, nor zombies (dead already; the subreaper collects them).
leftover_pids() (
	# A subshell without bats' DEBUG trap, which would run before each of its many commands.
	trap - DEBUG
	local ids=$1 p pid id rootfs found cg ancestors=" " cur=$BASHPID
	local -a rootfses=() args=()
	while [ "$cur" -gt 1 ] 2>/dev/null; do
		ancestors+="$cur "
		proc_stat "$cur" || break
		cur=$PPID_OF
	done
	for rootfs in "$TEST_DIR"/*/rootfs; do
		[ -d "$rootfs" ] && rootfses+=("$rootfs")
	done
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[[ "$ancestors" == *" $pid "* ]] && continue
		proc_stat "$pid" || continue
		[ "$STATE" = Z ] && continue
		found=0
		for rootfs in "${rootfses[@]}"; do
			# -ef follows /proc/PID/root to the process's root dentry, in any mount namespace.
			if [ "$p/root" -ef "$rootfs" ]; then
				found=1
				break
			fi
		done
		if [ $found = 0 ] && mapfile -d '' args <"$p/cmdline" 2>/dev/null; then
			[[ "${args[*]}" == *"$TEST_DIR/"* ]] && found=1
		fi
		if [ $found = 0 ] && [ -n "$ids" ]; then
			cg=""
			read -r -d '' cg <"$p/cgroup" 2>/dev/null
			for id in $ids; do
				if [[ "$cg" == *":$CGROUP_PARENT/$id"$'\n'* || "$cg" == *":$CGROUP_PARENT/$id/"* ]]; then
					found=1
					break
				fi
			done
		fi
		[ $found = 1 ] && echo "$pid"
	done
	true
)

# wait_gone_pids PIDS: wait (bounded) until the given processes have exited.
wait_gone_pids() {
	local pid deadline=$((SECONDS + 10))
	for pid in $1; do
		while ! is_gone "$pid" && [ $SECONDS -lt $deadline ]; do
			sleep 0.05
		done
	done
}

# test_mounts: mount points under the test dir, in mountinfo order.
test_mounts() {
	awk -v dir="$TEST_DIR" '{ mp = $5; gsub(/\\040/, " ", mp); if (mp == dir || index(mp, dir "/") == 1) print mp }' \
		/proc/self/mountinfo
}

# cgroup_mounts: the mount points of the cgroup file systems (v1 and v2) this process sees.
cgroup_mounts() {
	awk '{ for (i = 7; $i != "-"; i++); if ($(i + 1) == "cgroup" || $(i + 1) == "cgroup2") print $5 }' \
		/proc/self/mountinfo
}

# cgroup_dirs ID: the directories of ID's cgroup in every hierarchy (v1 and v2), deepest first.
cgroup_dirs() {
	local rel hier
	rel=$(cgroup_rel "$1")
	for hier in $(cgroup_mounts); do
		[ -d "$hier$rel" ] && find "$hier$rel" -depth -type d
	done
	true
}

# remove_cgroup DIR: kill what is in it by PID, then rmdir (bounded retries).
remove_cgroup() {
	local dir=$1 pid deadline=$((SECONDS + 10))
	while read -r pid; do
		kill -9 "$pid" 2>/dev/null || true
	done 2>/dev/null <"$dir/cgroup.procs"
	while [ $SECONDS -lt $deadline ]; do
		rmdir "$dir" 2>/dev/null && return 0
		[ -d "$dir" ] || return 0
		sleep 0.1
	done
	echo "teardown: cannot remove cgroup $dir" >&2
}

# ---------------------------------------------------------------------------------------------
# Calling the runtime

# __rt ARGS...: the runtime with this test's state root and a deadline; stdin is /dev/null.
__rt() {
	timeout --kill-after=5 "$RT_TIMEOUT" "$RUNTIME" --root "$STATE_ROOT" "$@" </dev/null
}

# rt ARGS...: __rt under bats' `run` ($status, $output), logging the call for failed tests.
rt() {
	run __rt "$@"
	echo "$(basename "$RUNTIME") $* (status=$status):" >&2
	echo "$output" >&2
}

# ct_out ID: the file that receives a detached or created container's stdout and stderr.
ct_out() {
	echo "$TEST_DIR/$1.out"
}

# __rt_detached ID ARGS...: the runtime with the container's stdio on $(ct_out ID), so no pipe
# stays open after the runtime returns; prints that file.
__rt_detached() {
	local out
	out=$(ct_out "$1")
	shift
	local rc=0
	timeout --kill-after=5 "$RT_TIMEOUT" "$RUNTIME" --root "$STATE_ROOT" "$@" </dev/null >"$out" 2>&1 || rc=$?
	cat "$out"
	return $rc
}

# ct_create ID [ARGS...]: create ID from $BUNDLE (ARGS go before the id).
ct_create() {
	local id=$1
	shift
	set_cgroups_path "$id"
	run __rt_detached "$id" create --bundle "$BUNDLE" "$@" "$id"
	echo "create $id (status=$status): $output" >&2
}

# ct_run ID [ARGS...]: run ID from $BUNDLE in the foreground.
ct_run() {
	local id=$1
	shift
	set_cgroups_path "$id"
	rt run --bundle "$BUNDLE" "$@" "$id"
}

# ct_run_detached ID [ARGS...]: run --detach.
ct_run_detached() {
	local id=$1
	shift
	set_cgroups_path "$id"
	run __rt_detached "$id" run --detach --bundle "$BUNDLE" "$@" "$id"
	echo "run -d $id (status=$status): $output" >&2
}

# ct_exec_detached ID PIDFILE ARGS...: exec --detach, the process's stdio on $(ct_out ID).exec.
ct_exec_detached() {
	local id=$1 pidfile=$2
	shift 2
	run __rt_detached "$id.exec" exec --detach --pid-file "$pidfile" "$id" "$@"
	echo "exec -d $id (status=$status): $output" >&2
}

# ct_probe ARGS...: run a fresh container whose process is `probe ARGS`; $output is its output.
ct_probe() {
	local id
	id=$(new_id)
	set_args /bin/probe "$@"
	ct_run "$id"
}

# ct_state ID FIELD: one field of `state ID`.
ct_state() {
	__rt state "$1" | jq -r ".$2"
}

# ct_status ID: the container's status, or "absent".
ct_status() {
	local s
	s=$(__rt state "$1" 2>/dev/null | jq -r .status 2>/dev/null) || s=""
	echo "${s:-absent}"
}

# wait_until SECONDS CMD...: retry CMD every 50 ms until it succeeds or the deadline passes.
wait_until() {
	local limit=$1
	shift
	local deadline=$((SECONDS + limit))
	until "$@"; do
		if [ $SECONDS -ge $deadline ]; then
			echo "wait_until: '$*' still false after ${limit}s" >&2
			return 1
		fi
		sleep 0.05
	done
}

# status_is ID STATUS
status_is() {
	[ "$(ct_status "$1")" = "$2" ]
}

# wait_status ID STATUS [SECONDS]
wait_status() {
	wait_until "${3:-$RT_TIMEOUT}" status_is "$1" "$2"
}

# ---------------------------------------------------------------------------------------------
# Assertions

# value_of KEY: the value of KEY=... in $output.
value_of() {
	sed -n "s/^$1=//p" <<<"$output" | head -n1
}

# assert_same_cgroups PID1 PID2: both processes are in the same cgroup of every hierarchy (as
# the host sees them: read from the host's cgroup namespace).
assert_same_cgroups() {
	local a b
	a=$(sort "/proc/$1/cgroup")
	b=$(sort "/proc/$2/cgroup")
	if [ "$a" != "$b" ]; then
		echo "pid $1 and pid $2 are in different cgroups:" >&2
		diff <(echo "$a") <(echo "$b") >&2
		return 1
	fi
}

# assert_failed_cleanly ID: the runtime exited non-zero, with a one-line error (hako; other
# runtimes may add log lines), and left nothing:
# no state entry, no listed container, no cgroup, no process, no mount.
assert_failed_cleanly() {
	local id=$1
	[ "$status" -ne 0 ] || fail "expected a failure, got status 0"
	# timeout(1) exits 124 at the deadline, 137 when it had to SIGKILL.
	if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
		fail "status $status: the runtime hit the deadline"
	fi
	local lines
	lines=$(grep -c . <<<"$output" || true)
	[ "$lines" -ge 1 ] || fail "expected an error message"
	# hako reports one error per failure; runc adds its init's fatal log lines for some.
	if runtime_is_hako; then
		[ "$lines" -eq 1 ] || fail "expected a one-line error, got $lines lines"
	fi
	assert_nothing_left "$id"
}

# one_line_error_on_hako: $output is a single line, for hako (runc adds log lines of its own).
one_line_error_on_hako() {
	runtime_is_hako || return 0
	[ "$(grep -c . <<<"$output")" -eq 1 ] || fail "expected a one-line error, got: $output"
}

# assert_nothing_left ID: no trace of container ID.
assert_nothing_left() {
	local id=$1
	__rt state "$id" >/dev/null 2>&1 && fail "state still answers for $id"
	if __rt list -q 2>/dev/null | grep -qxF "$id"; then fail "list still shows $id"; fi
	if [ -d "$STATE_ROOT" ] && [ -n "$(find "$STATE_ROOT" -name "$id" -print -quit)" ]; then
		fail "state entry for $id remains under $STATE_ROOT"
	fi
	[ -z "$(cgroup_dirs "$id")" ] || fail "cgroup remains: $(cgroup_dirs "$id")"
	[ -z "$(leftover_pids "$id")" ] || fail "process remains: $(leftover_pids "$id")"
	[ -z "$(test_mounts)" ] || fail "mount remains: $(test_mounts)"
}

# ---------------------------------------------------------------------------------------------
# What the machine and the runtime can do

runtime_is_hako() {
	"$RUNTIME" --version 2>/dev/null | grep -qi hako
}

runtime_name() {
	"$RUNTIME" --version 2>/dev/null | head -n1
}

# need_cap REASON: skip, or fail when HAKO_REQUIRE_CAPS=1 says this machine must have it.
need_cap() {
	if [ "${HAKO_REQUIRE_CAPS:-0}" = 1 ]; then
		fail "required capability missing (HAKO_REQUIRE_CAPS=1): $1"
		return 1
	fi
	skip "$1"
}

# requires WHAT...: capabilities the machine should have (see need_cap) and things it may lack
# (always a skip).
requires() {
	local what
	for what in "$@"; do
		case $what in
		userns)
			if [ ! -e /proc/self/ns/user ] || [ "$(cat /proc/sys/user/max_user_namespaces)" -eq 0 ]; then
				need_cap "user namespaces are not available"
			fi
			;;
		timens)
			[ -e /proc/self/ns/time ] || need_cap "time namespaces are not available"
			;;
		seccomp)
			grep -q '^Seccomp:' /proc/self/status || need_cap "seccomp is not available"
			;;
		cgroups)
			[ -d /sys/fs/cgroup/memory ] || [ -f /sys/fs/cgroup/cgroup.controllers ] ||
				need_cap "cgroups are not mounted"
			;;
		overlayfs)
			grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
				need_cap "overlayfs is not available"
			;;
		cgroup_v1)
			[ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ] ||
				skip "needs the v1 memory controller (this machine's layout)"
			;;
		apparmor)
			[ -d /sys/kernel/security/apparmor ] ||
				[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] ||
				skip "AppArmor is not loaded on this machine"
			;;
		selinux)
			[ -e /sys/fs/selinux/enforce ] || skip "SELinux is not loaded on this machine"
			;;
		swap)
			[ "$(awk 'NR > 1' /proc/swaps | wc -l)" -gt 0 ] || skip "this machine has no swap"
			;;
		negative_oom)
			(echo -1 >"/proc/$BASHPID/oom_score_adj") 2>/dev/null ||
				skip "negative oom_score_adj needs CAP_SYS_RESOURCE, which root lacks here"
			;;
		*)
			fail "BUG: unknown requirement $what"
			;;
		esac
	done
}

# runtime_features: the runtime's `features` JSON ({} when it has none).
runtime_features() {
	"$RUNTIME" features 2>/dev/null || echo '{}'
}

# requires_runtime_ns TYPE: skip for a non-hako runtime whose `features` lacks namespace TYPE
# (hako must support them all, so it is never skipped).
requires_runtime_ns() {
	runtime_is_hako && return 0
	# Without a features command (crun 1.8) the test just tries.
	if ! runtime_features | jq -e --arg ns "$1" '(.linux.namespaces // [$ns]) | index($ns)' >/dev/null; then
		skip "$(runtime_name) lacks $1 namespaces (not in its features)"
	fi
}

# spec_version_lt A B: whether OCI version A sorts before B ("1.0.2-dev" < "1.1.0").
spec_version_lt() {
	[ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "${1%%-*}" "${2%%-*}" | sort -V | head -n1)" = "${1%%-*}" ] &&
		[ "${1%%-*}" != "${2%%-*}" ]
}

# requires_runtime_spec VERSION WHAT: skip for a non-hako runtime whose features say it
# implements a runtime-spec older than VERSION, which introduced WHAT.
requires_runtime_spec() {
	runtime_is_hako && return 0
	local max
	max=$(runtime_features | jq -r '.ociVersionMax // empty')
	if [ -n "$max" ] && spec_version_lt "$max" "$1"; then
		skip "$(runtime_name) implements runtime-spec $max; $2 came in $1"
	fi
}

# allow_traversal PATH: give "others" search permission on PATH and its ancestors, so that ids
# mapped by a user namespace can reach a bundle under mktemp's 0700 directories.
allow_traversal() {
	local dir
	dir=$(readlink -f "$1")
	while [ "$dir" != / ]; do
		if [ "$(stat -c %A "$dir" | cut -c10)" = - ]; then
			chmod o+x "$dir"
		fi
		dir=$(dirname "$dir")
	done
}

# known_deviation PATTERN REASON: skip when the runtime's first --version line matches the
# extended regex PATTERN: a reference runtime that is known to differ from the spec (or from
# runc) here. Never matches hako.
known_deviation() {
	runtime_is_hako && return 0
	if runtime_name | grep -qE "$1"; then
		skip "$(runtime_name): $2"
	fi
}

# hako_only REASON: skip with "hako-only: REASON" on other runtimes.
hako_only() {
	runtime_is_hako || skip "hako-only: $1"
}
