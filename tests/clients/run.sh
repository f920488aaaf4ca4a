#!/bin/bash
# run.sh RUNTIME_BINARY [BATS_ARGS...]: third-party clients driving an OCI runtime.
#
# Runs tests/clients/*.bats: Debian's containerd (a private one per .bats file, through `ctr
# run --runc-binary RUNTIME_BINARY`, i.e. the io.containerd.runc.v2 shim) and podman (`podman
# --runtime RUNTIME_BINARY`, i.e. conmon, with a private store) run busybox containers with
# RUNTIME_BINARY as their runtime. The same suite passes with runc (and crun), which shows that
# it tests behaviour. Needs root. ctest calls it as `run.sh <hako-runtime>`; by hand:
#
#   tests/clients/run.sh build/release/src/cmd/hako-runtime/hako-runtime
#   tests/clients/run.sh /usr/sbin/runc -f 'exec'                      # names that match
#   tests/clients/run.sh /usr/sbin/runc tests/clients/podman.bats
#
# Like tests/blackbox/run.sh: under a subreaper (tini -s) in a private mount namespace whose
# mounts are slaves of the host's. There, a tmpfs covers /run, so that what the clients and the
# runtime put in their fixed places (containerd's shim sockets in /run/containerd/s, podman's
# runtime state in the runtime's default root, /run/hako-runtime or /run/runc) stays private and
# goes with the namespace; each test still checks that it left no container, state entry,
# process, mount or cgroup (only ever under /hako-test) behind. Exits non-zero if any test
# failed or none ran; prints "clients: N passed, N failed, N skipped" last, and appends that line
# to $HAKO_BLACKBOX_SUMMARY when set.
#
# Environment: HAKO_REQUIRE_CAPS=1 makes a missing client (containerd, podman: both in
# scripts/install-deps.sh's test list) fail instead of skip; HAKO_TEST_V1_ONLY=1 hides the
# cgroup2 mount inside the namespace (default on for crun, which refuses this machine's hybrid
# layout); BATS_TEST_TIMEOUT bounds each test (default 300 s); CLIENT_TIMEOUT each client call
# (default 60 s).
set -euo pipefail

CLIENTS_DIR=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")

# Second stage: inside tini and the private mount namespace.
if [ "${1:-}" = --in-namespace ]; then
	shift
	mount -t tmpfs -o mode=0755,size=64m hako-clients-run /run
	mkdir -p /run/lock
	if [ "${HAKO_TEST_V1_ONLY:-0}" = 1 ] && mountpoint -q /sys/fs/cgroup/unified; then
		# A scratch tmpfs on top: runtimes still mkdir their "unified" cgroup, which on the bare
		# directory would land on the host's /sys/fs/cgroup tmpfs for good.
		umount -l /sys/fs/cgroup/unified
		mount -t tmpfs -o size=1m,mode=0755 hako-test-scratch /sys/fs/cgroup/unified
	fi
	exec bats "$@"
fi

usage() {
	echo "usage: run.sh RUNTIME_BINARY [BATS_ARGS...]" >&2
	exit 2
}
[ $# -ge 1 ] || usage
RUNTIME=$(readlink -f "$1")
shift

die() {
	echo "run.sh: $*" >&2
	exit 1
}
[ "$(id -u)" = 0 ] || die "the client suite needs root"
[ -x "$RUNTIME" ] || die "runtime $RUNTIME is not an executable"
for tool in bats tini jq unshare timeout python3 script; do
	command -v "$tool" >/dev/null || die "$tool is missing (scripts/install-deps.sh)"
done

# Short: containerd's sockets go below it.
RUN_DIR=$(mktemp -d /tmp/hako-clients.XXXXXX)
HAKO_TEST_TOKEN=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
had_blob_cache=0
[ -e /var/lib/containers/cache/blob-info-cache-v1.boltdb ] && had_blob_cache=1

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	# After an interruption: peers whose teardown did not run (containerd, shims, conmon), found by
	# their command lines naming the run dir, and containers by their cgroups (this run's token),
	# ended by PID.
	local p pid args dir
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[ "$pid" = $$ ] && continue
		args=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
		[[ "$args" == *"$RUN_DIR/"* ]] || continue
		[[ "$args" == *"run.sh"* ]] && continue
		kill -KILL "$pid" 2>/dev/null || true
	done
	for dir in /sys/fs/cgroup/*/hako-test/*"${HAKO_TEST_TOKEN:-none}"*; do
		[ -d "$dir" ] || continue
		find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null | while read -r pid; do
			kill -9 "$pid" 2>/dev/null || true
		done
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null && break
			sleep 0.2
		done
	done
	if [ "$had_blob_cache" = 0 ]; then
		rm -f /var/lib/containers/cache/blob-info-cache-v1.boltdb
		rmdir /var/lib/containers/cache 2>/dev/null && rmdir /var/lib/containers 2>/dev/null
	fi
	# The namespace is gone, so nothing can be mounted under RUN_DIR; check before deleting.
	if grep -qF "$RUN_DIR" /proc/self/mountinfo; then
		echo "run.sh: mounts remain under $RUN_DIR; not removing it" >&2
		return
	fi
	rm -rf "$RUN_DIR"
	rmdir /sys/fs/cgroup/*/hako-test 2>/dev/null || true
}
trap cleanup EXIT
trap "exit 130" INT TERM

if [ -z "${HAKO_TEST_V1_ONLY:-}" ]; then
	HAKO_TEST_V1_ONLY=0
	if "$RUNTIME" --version 2>/dev/null | head -n1 | grep -q '^crun'; then
		HAKO_TEST_V1_ONLY=1
	fi
fi

export RUNTIME HAKO_TEST_TOKEN HAKO_TEST_V1_ONLY HAKO_CLIENTS_RUN_DIR=$RUN_DIR
export TMPDIR=$RUN_DIR BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-300}
unset CONTAINERD_ADDRESS CONTAINERD_NAMESPACE CONTAINERS_CONF CONTAINERS_STORAGE_CONF

echo "# runtime: $RUNTIME ($("$RUNTIME" --version 2>/dev/null | head -n1 || true))"
echo "# run dir: $RUN_DIR"
# shellcheck source=../lib/run-suite.bash
source "$(dirname "$CLIENTS_DIR")/lib/run-suite.bash"
run_suite clients "$CLIENTS_DIR" "$0" "$@"
