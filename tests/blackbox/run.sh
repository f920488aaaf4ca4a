#!/bin/bash
# run.sh RUNTIME_BINARY PROBE_BINARY [BATS_ARGS...]: the black-box runtime suite.
#
# Runs tests/blackbox/*.bats against RUNTIME_BINARY (hako-runtime, or runc/crun as a reference),
# with PROBE_BINARY (the static hako-probe) inside the containers. Needs root. ctest calls it as
# `run.sh <hako-runtime> <hako-probe>`; by hand:
#
#   tests/blackbox/run.sh /usr/sbin/runc /tmp/probe               # everything
#   tests/blackbox/run.sh /usr/sbin/runc /tmp/probe -f 'seccomp'  # tests whose name matches
#   tests/blackbox/run.sh /usr/sbin/runc /tmp/probe tests/blackbox/cgroups.bats
#
# The suite runs under a subreaper (tini -s: PID 1 here reaps orphans late, and detached
# containers are orphans) inside a private mount namespace whose mounts are slaves of the host's:
# nothing a test or a runtime mounts can reach the host, and each test still checks that it left
# no mount, cgroup (only ever under /hako-test) or process behind. Exits non-zero if any test
# failed; prints "blackbox: N passed, N failed, N skipped" last, and appends that line to
# $HAKO_BLACKBOX_SUMMARY when set (each suite adds its own line there).
#
# Environment: HAKO_REQUIRE_CAPS=1 makes a missing capability this machine should have (user
# namespaces, seccomp, cgroups, overlayfs, time namespaces) fail instead of skip; RECVTTY names a
# built hako-recvtty (default: beside the probe, else built here with cc); HAKO_TEST_V1_ONLY=1
# hides the cgroup2 mount inside the namespace (default on for crun, which refuses this machine's
# hybrid layout); HAKO_INIT names the static hako-init for init.bats (default: the build's, in
# the runtime's sibling directory); BATS_TEST_TIMEOUT bounds each test (default 300 s).
set -euo pipefail

BLACKBOX_DIR=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
TESTS_DIR=$(dirname "$BLACKBOX_DIR")

# Second stage: inside tini and the private mount namespace.
if [ "${1:-}" = --in-namespace ]; then
	shift
	if [ "${HAKO_TEST_V1_ONLY:-0}" = 1 ] && mountpoint -q /sys/fs/cgroup/unified; then
		# A scratch tmpfs goes on top: runtimes still mkdir their "unified" cgroup, which on the
		# bare directory would land on the host's /sys/fs/cgroup tmpfs for good.
		umount -l /sys/fs/cgroup/unified
		mount -t tmpfs -o size=1m,mode=0755 hako-test-scratch /sys/fs/cgroup/unified
	fi
	exec bats "$@"
fi

usage() {
	echo "usage: run.sh RUNTIME_BINARY PROBE_BINARY [BATS_ARGS...]" >&2
	exit 2
}
[ $# -ge 2 ] || usage
RUNTIME=$(readlink -f "$1")
PROBE=$(readlink -f "$2")
shift 2

die() {
	echo "run.sh: $*" >&2
	exit 1
}
[ "$(id -u)" = 0 ] || die "the black-box suite needs root"
[ -x "$RUNTIME" ] || die "runtime $RUNTIME is not an executable"
[ -x "$PROBE" ] || die "probe $PROBE is not an executable"
for tool in bats tini jq unshare timeout; do
	command -v "$tool" >/dev/null || die "$tool is missing (apt-get install bats tini jq util-linux coreutils)"
done

RUN_DIR=$(mktemp -d /tmp/hako-blackbox.XXXXXX)
HAKO_TEST_TOKEN=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	# After an interruption: containers the tests could not delete, found by their state roots
	# and by their cgroups (named after this run's token), ended by PID.
	local root id dir pid
	for root in "$RUN_DIR"/bats-run-*/test/*/state; do
		[ -d "$root" ] || continue
		for id in $("$RUNTIME" --root "$root" list -q 2>/dev/null); do
			timeout 30 "$RUNTIME" --root "$root" delete --force "$id" >/dev/null 2>&1 || true
		done
	done
	for dir in /sys/fs/cgroup/*/hako-test/hk-"${HAKO_TEST_TOKEN:-none}"-*; do
		[ -d "$dir" ] || continue
		while read -r pid; do
			kill -9 "$pid" 2>/dev/null || true
		done 2>/dev/null <"$dir/cgroup.procs"
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null && break
			sleep 0.2
		done
	done
	# The namespace is gone, so nothing can be mounted under RUN_DIR; check before deleting.
	if grep -qF "$RUN_DIR" /proc/self/mountinfo; then
		echo "run.sh: mounts remain under $RUN_DIR; not removing it" >&2
		return
	fi
	rm -rf "$RUN_DIR"
	# The per-test cgroups are gone (teardown checked); the parents go if nobody else uses them.
	rmdir /sys/fs/cgroup/*/hako-test /sys/fs/cgroup/hako-test 2>/dev/null || true
}
trap cleanup EXIT
trap "exit 130" INT TERM

if [ -z "${RECVTTY:-}" ]; then
	if [ -x "$(dirname "$PROBE")/hako-recvtty" ]; then
		RECVTTY=$(dirname "$PROBE")/hako-recvtty
	else
		RECVTTY=$RUN_DIR/hako-recvtty
		"${CC:-cc}" -static -O2 -Wall -Wextra -o "$RECVTTY" "$TESTS_DIR/probe/recvtty.c" ||
			die "cannot build hako-recvtty"
	fi
fi

if [ -z "${HAKO_TEST_V1_ONLY:-}" ]; then
	HAKO_TEST_V1_ONLY=0
	if "$RUNTIME" --version 2>/dev/null | head -n1 | grep -q '^crun'; then
		HAKO_TEST_V1_ONLY=1
	fi
fi

# One template bundle per run; tests copy it (see tests/lib/make-bundle.sh).
BUNDLE_TEMPLATE=$RUN_DIR/template
RUNTIME=$RUNTIME BUNDLE_TEMPLATE=$BUNDLE_TEMPLATE "$TESTS_DIR/lib/make-bundle.sh" "$RUN_DIR/check" >/dev/null ||
	die "cannot make a bundle with $RUNTIME spec"
rm -rf "$RUN_DIR/check"

# hako-init for init.bats: as given, else where the build puts it beside the runtime.
HAKO_INIT=${HAKO_INIT:-$(dirname "$RUNTIME")/../hako-init/hako-init}
[ -x "$HAKO_INIT" ] && HAKO_INIT=$(readlink -f "$HAKO_INIT")

export RUNTIME PROBE RECVTTY BUNDLE_TEMPLATE HAKO_TEST_TOKEN HAKO_TEST_V1_ONLY HAKO_INIT
export TMPDIR=$RUN_DIR BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-300}

echo "# runtime: $RUNTIME ($("$RUNTIME" --version 2>/dev/null | head -n1))"
echo "# probe: $PROBE; run dir: $RUN_DIR"
# shellcheck source=../lib/run-suite.bash
source "$TESTS_DIR/lib/run-suite.bash"
run_suite blackbox "$BLACKBOX_DIR" "$0" "$@"
