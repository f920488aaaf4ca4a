#!/bin/bash
# run.sh HAKO_BINARY [BATS_ARGS...]: the black-box suite of hako's container engine.
#
# Runs tests/engine/*.bats against HAKO_BINARY (the `hako` CLI; hako-shim and hako-init are found
# beside it, as in the build tree): run, interactive shells through tmux, detached servers with
# logs and exec, the lifecycle (containers outliving the CLI and their shim, restart policies,
# OOM kills), concurrency, volumes, ps and inspect. Each test has its own --root and --state and
# removes every container it made. Needs root. ctest calls it as `run.sh <hako>`; by hand:
#
#   tests/engine/run.sh build/release/src/cmd/hako/hako                     # everything
#   tests/engine/run.sh build/release/src/cmd/hako/hako -f 'exit code'      # names that match
#   tests/engine/run.sh build/release/src/cmd/hako/hako tests/engine/run.bats
#
# Like tests/blackbox/run.sh: under a subreaper (tini -s: detached shims are orphans) in a
# private mount namespace whose mounts are slaves of the host's, so no mount a test or hako
# makes reaches the host; each test still checks that it left no mount, shim, container dir or
# cgroup behind. Exits non-zero if any test failed or none ran; prints "engine: N passed, N
# failed, N skipped" last, and appends that line to $HAKO_BLACKBOX_SUMMARY when set.
#
# Environment: HAKO_REQUIRE_CAPS=1 makes a missing tool or capability (tmux, script, cgroup
# files) fail instead of skip; BATS_TEST_TIMEOUT bounds each test (default 120 s);
# HAKO_TIMEOUT bounds each hako call (default 60 s).
set -euo pipefail

ENGINE_DIR=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")

# Second stage: inside tini and the private mount namespace.
if [ "${1:-}" = --in-namespace ]; then
	shift
	exec bats "$@"
fi

usage() {
	echo "usage: run.sh HAKO_BINARY [BATS_ARGS...]" >&2
	exit 2
}
[ $# -ge 1 ] || usage
HAKO=$(readlink -f "$1")
shift

die() {
	echo "run.sh: $*" >&2
	exit 1
}
[ "$(id -u)" = 0 ] || die "the engine suite needs root"
[ -x "$HAKO" ] || die "hako $HAKO is not an executable"
for tool in bats tini jq unshare timeout; do
	command -v "$tool" >/dev/null || die "$tool is missing (scripts/install-deps.sh)"
done

RUN_DIR=$(mktemp -d /tmp/hako-engine.XXXXXX)
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	# After an interruption: containers the tests could not remove (rm -f through their own
	# store), then shims and containers' processes still naming the run dir, ended by PID, and
	# the cgroups of the containers found.
	local state root id ids=() p pid args dir
	for state in "$RUN_DIR"/bats-run-*/test/*/state; do
		[ -d "$state" ] || continue
		root=$(dirname "$state")/root
		for id in $(timeout 30 "$HAKO" --root "$root" --state "$state" ps -aq --no-trunc 2>/dev/null); do
			ids+=("$id")
			timeout 30 "$HAKO" --root "$root" --state "$state" rm -f -v "$id" >/dev/null 2>&1 || true
		done
		for dir in "$state"/containers/*; do
			[ -e "$dir" ] && ids+=("$(basename "$dir")")
		done
	done
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[ "$pid" = $$ ] && continue
		args=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
		[[ "$args" == *"$RUN_DIR/"* ]] || continue
		[[ "$args" == *"run.sh"* ]] && continue
		kill -KILL "$pid" 2>/dev/null || true
	done
	for id in "${ids[@]}"; do
		for dir in /sys/fs/cgroup/*/hako/"$id" /sys/fs/cgroup/hako/"$id"; do
			[ -d "$dir" ] || continue
			while read -r pid; do
				kill -9 "$pid" 2>/dev/null || true
			done 2>/dev/null <"$dir/cgroup.procs"
			for _ in 1 2 3 4 5 6 7 8 9 10; do
				find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null && break
				sleep 0.2
			done
		done
	done
	# hako leaves its /hako parents in place (as Docker its /docker); the suite's go if empty.
	rmdir /sys/fs/cgroup/*/hako /sys/fs/cgroup/hako 2>/dev/null || true
	# The namespace is gone, so nothing can be mounted under RUN_DIR; check before deleting.
	if grep -qF "$RUN_DIR" /proc/self/mountinfo; then
		echo "run.sh: mounts remain under $RUN_DIR; not removing it" >&2
		return
	fi
	rm -rf "$RUN_DIR"
}
trap cleanup EXIT
trap "exit 130" INT TERM

export HAKO
export TMPDIR=$RUN_DIR BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-120}
# The suite passes --root and --state; a caller's defaults must not leak into it.
unset HAKO_ROOT HAKO_STATE HAKO_SHIM HAKO_INIT TMUX

echo "# hako: $HAKO ($("$HAKO" --version 2>/dev/null | head -n1 || true))"
echo "# run dir: $RUN_DIR"
# shellcheck source=../lib/run-suite.bash
source "$(dirname "$ENGINE_DIR")/lib/run-suite.bash"
run_suite engine "$ENGINE_DIR" "$0" "$@"
