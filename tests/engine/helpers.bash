#!/bin/bash
# shellcheck disable=SC2154 # $status and $output are set by bats' `run`.
# Helpers for the engine suite (tests/engine/*.bats): hako's container commands, black-box.
#
# Each .bats file imports the default busybox once (engine_setup_file: `hako image default` into
# $BATS_FILE_TMPDIR/store); each test copies that store into its own --root ($ROOT) and gets its
# own --state ($STATE), both under BATS_TEST_TMPDIR, passed by the `hako` functions, which also
# put a deadline on each call. Every container id hako prints is remembered; teardown removes
# every container left (rm -f -v), then fails the test when it finds a mount under the test
# dir, a live shim (by the pid in its state dir) or a process naming the test dir, a container
# dir under <root>/containers, or a cgroup /sys/fs/cgroup/*/hako/<id> of one of its containers.
#
# Environment: HAKO (the hako binary), HAKO_TIMEOUT (seconds per hako call, default 60),
# HAKO_REQUIRE_CAPS=1 (a missing tool or capability fails instead of skipping).

ENGINE_DIR=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
TESTS_DIR=$(dirname "$ENGINE_DIR")
# shellcheck source=../lib/assert.bash
source "$TESTS_DIR/lib/assert.bash"
# shellcheck source=tests/lib/peers.bash
source "$TESTS_DIR/lib/peers.bash"

HAKO=${HAKO:?set HAKO to the hako binary}
HAKO_TIMEOUT=${HAKO_TIMEOUT:-60}
# Docker's 14 default capabilities (CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
# NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP) as /proc/PID/status shows them.
# shellcheck disable=SC2034 # used by the .bats files
DOCKER_CAPS=00000000a80425fb

# ---------------------------------------------------------------------------------------------
# Setup and teardown

# engine_setup_file: the file's busybox store, imported once and copied by each test.
engine_setup_file() {
	local store=$BATS_FILE_TMPDIR/store
	timeout 120 "$HAKO" --root "$store" --state "$BATS_FILE_TMPDIR/store-state" image default \
		>"$BATS_FILE_TMPDIR/image-default.log" 2>&1 || {
		cat "$BATS_FILE_TMPDIR/image-default.log" >&2
		return 1
	}
}

engine_setup() {
	TEST_DIR=$BATS_TEST_TMPDIR
	ROOT=$TEST_DIR/root
	STATE=$TEST_DIR/state
	: >"$TEST_DIR/.cleanup"
	: >"$TEST_DIR/.ids"
	cp -a "$BATS_FILE_TMPDIR/store" "$ROOT"
	mkdir -p "$STATE"
}

# defer CMD...: run CMD (a string for eval) in teardown, before the leak checks, last first.
defer() {
	printf '%s\n' "$*" >>"$TEST_DIR/.cleanup"
}

# remember_ids TEXT: the 64-hex container ids in TEXT, for teardown's cgroup check.
remember_ids() {
	grep -oE '\b[0-9a-f]{64}\b' <<<"$1" >>"$TEST_DIR/.ids" || true
}

# known_ids: every container id this test has seen (printed, listed or on disk).
known_ids() {
	local d
	{
		cat "$TEST_DIR/.ids"
		for d in "$ROOT"/containers/* "$STATE"/containers/*; do
			[[ "${d##*/}" =~ ^[0-9a-f]{64}$ ]] && echo "${d##*/}"
		done
	} | sort -u
}

# shim_pids: the shims' pids, from the state files they write.
shim_pids() {
	cat "$STATE"/containers/*/state.json 2>/dev/null | jq -r '.shim_pid // empty' 2>/dev/null |
		grep -E '^[1-9][0-9]*$' || true
}

# pids_naming DIR: live processes (not this shell) whose command line names DIR/ (one grep
# over /proc rather than peers_pids_under's loop: teardown runs after every test).
pids_naming() {
	local f pid
	while IFS= read -r f; do
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		[ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ] && continue
		peers_alive "$pid" && echo "$pid"
	done < <(grep -lsF -- "$1/" /proc/[0-9]*/cmdline)
}

engine_teardown() {
	local leaks=() line mp pid id dir shims
	[ -n "${TEST_DIR:-}" ] && [ -d "$TEST_DIR" ] || return 0
	cd "$TEST_DIR" || return 1
	if [ -s "$TEST_DIR/.cleanup" ]; then
		while IFS= read -r line; do
			eval "$line" || leaks+=("cleanup failed: $line")
		done < <(tac "$TEST_DIR/.cleanup")
	fi
	shims=$(shim_pids)
	# Every container the test left: removed the way a user would.
	for id in $(__hako ps -aq --no-trunc 2>/dev/null); do
		echo "$id" >>"$TEST_DIR/.ids"
		__hako rm -f -v "$id" >/dev/null 2>&1 || leaks+=("hako rm -f -v $id failed")
	done
	for pid in $shims; do
		# A shim may take a moment to go after its container.
		for _ in $(seq 50); do
			peers_alive "$pid" || break
			sleep 0.1
		done
		if peers_alive "$pid"; then
			leaks+=("shim $pid: $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")")
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done
	for pid in $(pids_naming "$TEST_DIR"); do
		leaks+=("process $pid: $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")")
		peers_end_pid "$pid" 5 || true
	done
	for dir in "$ROOT"/containers/*; do
		[ -e "$dir" ] && leaks+=("container dir $dir")
	done
	for id in $(known_ids); do
		for dir in /sys/fs/cgroup/*/hako/"$id" /sys/fs/cgroup/hako/"$id"; do
			[ -d "$dir" ] || continue
			leaks+=("cgroup $dir")
			while read -r pid; do
				kill -9 "$pid" 2>/dev/null || true
			done 2>/dev/null <"$dir/cgroup.procs"
			sleep 0.2
			find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
		done
	done
	# The shared /hako parents stay after their last container, as Docker's /docker; on cgroup
	# v1 their rmdir fails (EBUSY) while just-removed siblings are still being released, as
	# when many containers go at once. Only an empty one goes (rmdir), a few tries.
	local parent try
	for parent in /sys/fs/cgroup/*/hako /sys/fs/cgroup/hako; do
		for try in 1 2 3 4 5; do
			[ -d "$parent" ] || break
			rmdir "$parent" 2>/dev/null && break
			[ -z "$(find "$parent" -mindepth 1 -maxdepth 1 -type d)" ] || break
			sleep 0.2
		done
	done
	while IFS= read -r mp; do
		[ -n "$mp" ] || continue
		leaks+=("mount $mp")
	done < <(peers_mounts_under "$TEST_DIR")
	peers_unmount_under "$TEST_DIR" || true
	if [ ${#leaks[@]} -gt 0 ]; then
		echo "teardown: left behind by the test:" >&2
		printf '  %s\n' "${leaks[@]}" >&2
		return 1
	fi
}

setup_file() { engine_setup_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

# ---------------------------------------------------------------------------------------------
# Calling hako

# __hako ARGS...: hako with this test's store and state, under a deadline; fd 3 closed so that a
# detached shim never holds bats' output open.
__hako() {
	timeout --kill-after=5 "$HAKO_TIMEOUT" "$HAKO" --root "$ROOT" --state "$STATE" "$@" 3>&-
}

# hako ARGS...: __hako with $status and $output (stdout and stderr) as bats' `run` sets them
# (without its warnings about 126/127, which are exit codes the suite checks), logged for
# failed tests.
hako() {
	status=0
	output=$(__hako "$@" 2>&1) || status=$?
	remember_ids "$output"
	echo "hako $* (status=$status):" >&2
	echo "$output" >&2
}

# hako_split ARGS...: like hako, with stdout in $output and stderr in $stderr.
hako_split() {
	local err=$TEST_DIR/.stderr
	status=0
	output=$(__hako "$@" 2>"$err") || status=$?
	stderr=$(cat "$err")
	remember_ids "$output"
	echo "hako $* (status=$status):" >&2
	echo "$output" >&2
	[ -z "$stderr" ] || echo "stderr: $stderr" >&2
}

# hako_ok ARGS...: hako, and the call must succeed.
hako_ok() {
	hako "$@"
	[ "$status" -eq 0 ] || fail "hako $* failed with status $status"
}

# run_d ARGS...: `hako run -d ARGS`; sets $CID (the full id it printed).
run_d() {
	hako_split run -d "$@"
	[ "$status" -eq 0 ] || fail "hako run -d $* failed with status $status: $stderr"
	CID=$output
	[[ "$CID" =~ ^[0-9a-f]{64}$ ]] || fail "hako run -d printed '$CID', not an id"
}

# state_of C: inspect's State.Status.
state_of() {
	__hako inspect -f '{{.State.Status}}' "$1" 2>/dev/null
}

# wait_state C STATUS [SECONDS]: poll until inspect shows STATUS (default 15 s).
wait_state() {
	local c=$1 want=$2 deadline=$((SECONDS + ${3:-15})) got
	while :; do
		got=$(state_of "$c")
		[ "$got" = "$want" ] && return 0
		[ $SECONDS -ge $deadline ] && break
		sleep 0.1
	done
	fail "container $c: status '$got', wanted '$want' within ${3:-15}s"
}

# wait_for SECONDS CMD...: poll CMD (a string for eval) until it succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	while ! eval "$*"; do
		[ $SECONDS -ge $deadline ] && {
			fail "timed out after ${deadline}s waiting for: $*"
			return 1
		}
		sleep 0.1
	done
}

# ids_now: the full ids of all containers (ps -aq --no-trunc), sorted.
ids_now() {
	__hako ps -aq --no-trunc 2>/dev/null | sort
}

# assert_nothing_left BEFORE: no container beyond BEFORE (ids_now) and no container dir of it.
assert_nothing_left() {
	local before=$1 now dir
	now=$(ids_now)
	assert_equal "containers after a failed run" "$before" "$now" || return 1
	for dir in "$ROOT"/containers/*; do
		[ -e "$dir" ] || continue
		grep -qx "$(basename "$dir")" <<<"$before" || fail "container dir $dir left behind" || return 1
	done
}

# need_cap REASON: skip, or fail when HAKO_REQUIRE_CAPS=1 says this machine must have it.
need_cap() {
	if [ "${HAKO_REQUIRE_CAPS:-0}" = 1 ]; then
		fail "required tool or capability missing (HAKO_REQUIRE_CAPS=1): $1"
		return 1
	fi
	skip "$1"
}

# cgroup_file CONTROLLER ID FILE: the path of a container's cgroup file on the host (cgroup v1,
# else the unified hierarchy).
cgroup_file() {
	local v1=/sys/fs/cgroup/$1/hako/$2/$3
	if [ -e "$v1" ]; then echo "$v1"; else echo "/sys/fs/cgroup/hako/$2/$3"; fi
}

# ---------------------------------------------------------------------------------------------
# tmux: one private server per test (its socket under the test dir), killed in teardown.

use_tmux() {
	command -v tmux >/dev/null || need_cap "tmux is not installed (scripts/install-deps.sh)"
	TMUX_SOCK=$TEST_DIR/tmux.sock
	unset TMUX
	defer "tmux -S '$TMUX_SOCK' kill-server 2>/dev/null || true"
}

# tmux_start CMD: a 120x40 session running CMD (a shell command line) in bash.
tmux_start() {
	tmux -S "$TMUX_SOCK" -f /dev/null new-session -d -x 120 -y 40 -s t \
		"env -i PATH=$PATH TERM=xterm bash --norc --noprofile -c $(printf '%q' "$1; sleep 60")" 3>&-
}

tmux_screen() {
	tmux -S "$TMUX_SOCK" capture-pane -p -t t 2>/dev/null
}

# tmux_type KEYS...: tmux send-keys (literal text with -l, or key names).
tmux_type() {
	tmux -S "$TMUX_SOCK" send-keys -t t "$@"
}

# tmux_wait REGEX [SECONDS]: poll the pane until a line matches REGEX (default 15 s).
tmux_wait() {
	local deadline=$((SECONDS + ${2:-15}))
	while ! tmux_screen | grep -qE -- "$1"; do
		if [ $SECONDS -ge $deadline ]; then
			echo "pane never showed /$1/; it shows:" >&2
			tmux_screen >&2
			return 1
		fi
		sleep 0.1
	done
}

# ---------------------------------------------------------------------------------------------
# Assertions

# one_line: $output is a single non-empty line.
one_line() {
	local n
	n=$(grep -c . <<<"$output" || true)
	[ "$n" = 1 ] || fail "expected one line, got $n: $output"
}

# has_match_in TEXT REGEX: a line of TEXT matches REGEX (fixed-string fallback for messages).
has_match_in() {
	if ! grep -qE -- "$2" <<<"$1" && ! grep -qF -- "$2" <<<"$1"; then
		echo "expected a line matching /$2/ in:" >&2
		echo "$1" >&2
		return 1
	fi
}
