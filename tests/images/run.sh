#!/bin/bash
# run.sh HAKO_BINARY [BATS_ARGS...]: the black-box suite of hako's image commands.
#
# Runs tests/images/*.bats against HAKO_BINARY (the `hako` CLI: load, save, images, image
# inspect, rmi, tag, import, prune, system df/check, image default, pull, push, login), each
# test with its own --root and --state, and checks the archives it writes against the real
# peers: Debian's dockerd (a private one per .bats file, see tests/lib/peers.bash), podman,
# skopeo (each with a private store) and docker-registry (one per test). Needs root. ctest
# calls it as `run.sh <hako>`; by hand:
#
#   tests/images/run.sh build/release/src/cmd/hako/hako                    # everything
#   tests/images/run.sh build/release/src/cmd/hako/hako -f 'skopeo'        # names that match
#   tests/images/run.sh build/release/src/cmd/hako/hako tests/images/interop.bats
#
# Like tests/blackbox/run.sh: under a subreaper (tini -s) in a private mount namespace whose
# mounts are slaves of the host's, so no mount a test, hako or a peer makes reaches the host;
# each test still checks that it left no mount or process behind. Exits non-zero if any test
# failed or none ran; prints "images: N passed, N failed, N skipped" last, and appends that line
# to $HAKO_BLACKBOX_SUMMARY when set.
#
# Environment: HAKO_REQUIRE_CAPS=1 makes a missing peer (docker.io, podman, skopeo, all in
# scripts/install-deps.sh's test list) or capability fail instead of skip; BATS_TEST_TIMEOUT
# bounds each test (default 300 s); HAKO_TIMEOUT bounds each hako call (default 120 s).
set -euo pipefail

IMAGES_DIR=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")

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
[ "$(id -u)" = 0 ] || die "the image suite needs root"
[ -x "$HAKO" ] || die "hako $HAKO is not an executable"
for tool in bats tini jq unshare timeout python3; do
	command -v "$tool" >/dev/null || die "$tool is missing (scripts/install-deps.sh)"
done

# Short, so that the sockets containerd nests under a dockerd's exec root fit in 108 bytes.
RUN_DIR=$(mktemp -d /tmp/hako-images.XXXXXX)
# What the peers may create on the host whatever their private dirs; removed after the run when
# absent before and empty (see peers.bash).
had_plugins=0 had_blob_cache=0
[ -e /run/docker/plugins ] && had_plugins=1
[ -e /var/lib/containers/cache/blob-info-cache-v1.boltdb ] && had_blob_cache=1

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	# After an interruption: peers whose teardown did not run (dockerd, its containerd, a
	# registry), found by their command lines naming the run dir, ended by PID.
	local p pid args
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[ "$pid" = $$ ] && continue
		args=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
		[[ "$args" == *"$RUN_DIR/"* ]] || continue
		[[ "$args" == *"run.sh"* ]] && continue
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 50); do
			[ -d "$p" ] || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
	done
	if [ "$had_plugins" = 0 ]; then
		rmdir /run/docker/plugins 2>/dev/null && rmdir /run/docker 2>/dev/null
	fi
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
}
trap cleanup EXIT
trap "exit 130" INT TERM

export HAKO HAKO_IMAGES_RUN_DIR=$RUN_DIR
export TMPDIR=$RUN_DIR BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-300}
# The suite passes --root and --state; a caller's defaults must not leak into it.
unset HAKO_ROOT HAKO_STATE DOCKER_HOST DOCKER_CONFIG CONTAINERS_CONF CONTAINERS_STORAGE_CONF

echo "# hako: $HAKO ($("$HAKO" --version 2>/dev/null | head -n1 || true))"
echo "# run dir: $RUN_DIR"
# shellcheck source=../lib/run-suite.bash
source "$(dirname "$IMAGES_DIR")/lib/run-suite.bash"
run_suite images "$IMAGES_DIR" "$0" "$@"
