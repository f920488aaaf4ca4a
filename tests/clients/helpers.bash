#!/bin/bash
# shellcheck disable=SC2154 # $status and $output are set by bats' `run`.
# Helpers for the client suite (tests/clients/*.bats): containerd and podman driving an OCI
# runtime ($RUNTIME: hako-runtime, or runc/crun as a reference).
#
# Clients come from tests/lib/peers.bash. A .bats file starts its client once in setup_file
# (start_file_containerd, start_file_podman: a private containerd or podman store, with the
# busybox image imported from a docker-archive built here, no registry) and stops it in
# teardown_file; when the client is missing or does not start, the reason goes to
# $BATS_FILE_TMPDIR/client.skip and need_client skips each test (fails under
# HAKO_REQUIRE_CAPS=1). Every container id is new_id's (named after the run's token), every
# client call has a deadline, and each test's teardown removes its containers through the client,
# then fails the test if a container, a runtime state entry, a process, a mount or a cgroup of
# them is left (removing it).
#
# Environment: RUNTIME (the runtime binary), HAKO_TEST_TOKEN (unique per run),
# HAKO_CLIENTS_RUN_DIR (run.sh's short run dir), CLIENT_TIMEOUT (seconds per client call,
# default 60), HAKO_REQUIRE_CAPS=1.

CLIENTS_DIR=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
TESTS_DIR=$(dirname "$CLIENTS_DIR")
# shellcheck source=../lib/assert.bash
source "$TESTS_DIR/lib/assert.bash"
MAKE_ARCHIVE="$TESTS_DIR/lib/make_docker_archive.py"
# shellcheck source=../lib/peers.bash
source "$TESTS_DIR/lib/peers.bash"

RUNTIME=${RUNTIME:?set RUNTIME to the runtime binary}
HAKO_TEST_TOKEN=${HAKO_TEST_TOKEN:-$$}
CLIENT_TIMEOUT=${CLIENT_TIMEOUT:-60}
# The image every test runs, imported under this name.
IMAGE=docker.io/library/busybox:hako-test
# containerd's namespace; ctr run's default cgroupsPath is /<namespace>/<id>, so /hako-test/<id>.
CTR_NS=hako-test
CGROUP_PARENT=/hako-test

# ---------------------------------------------------------------------------------------------
# Per-test setup and teardown

common_setup() {
	TEST_DIR=$BATS_TEST_TMPDIR
	: >"$TEST_DIR/.containers"
	: >"$TEST_DIR/.cleanup"
}

# defer CMD...: run CMD (a string for eval) in teardown, before the leak checks, last first.
defer() {
	printf '%s\n' "$*" >>"$TEST_DIR/.cleanup"
}

# new_id: a unique container id (or name), recorded for teardown. Call it outside `run`.
new_id() {
	local n id
	n=$(wc -l <"$TEST_DIR/.containers")
	id="hk-${HAKO_TEST_TOKEN}-${BATS_SUITE_TEST_NUMBER}-$((n + 1))"
	echo "$id" >>"$TEST_DIR/.containers"
	echo "$id"
}

# run_deferred: what the test deferred, last first.
run_deferred() {
	local line
	[ -s "$TEST_DIR/.cleanup" ] || return 0
	while IFS= read -r line; do
		eval "$line" || true
	done < <(tac "$TEST_DIR/.cleanup")
}

# report_leaks WHAT...: fail the teardown when anything was found.
report_leaks() {
	[ $# -eq 0 ] && return 0
	echo "teardown: left behind by the test:" >&2
	printf '  %s\n' "$@" >&2
	return 1
}

# cgroup_mounts: the mount points of the cgroup file systems (v1 and v2) this process sees.
cgroup_mounts() {
	awk '{ for (i = 7; $i != "-"; i++); if ($(i + 1) == "cgroup" || $(i + 1) == "cgroup2") print $5 }' \
		/proc/self/mountinfo
}

# cgroup_dirs REL: the directories of cgroup REL in every hierarchy, deepest first.
cgroup_dirs() {
	local hier
	for hier in $(cgroup_mounts); do
		[ -d "$hier$1" ] && find "$hier$1" -depth -type d
	done
	true
}

# cgroup_pids REL: the processes in cgroup REL or below, in any hierarchy.
cgroup_pids() {
	local dir
	for dir in $(cgroup_dirs "$1"); do
		cat "$dir/cgroup.procs" 2>/dev/null
	done | sort -u
}

# remove_cgroup REL: SIGKILL what is in it (by PID), then rmdir every directory (bounded).
remove_cgroup() {
	local pid dir deadline=$((SECONDS + 10))
	for pid in $(cgroup_pids "$1"); do
		kill -9 "$pid" 2>/dev/null || true
	done
	for dir in $(cgroup_dirs "$1"); do
		until rmdir "$dir" 2>/dev/null || [ ! -d "$dir" ] || [ $SECONDS -ge $deadline ]; do
			sleep 0.1
		done
	done
}

# runtime_default_root: where the runtime keeps state when no --root is given (podman passes
# none): runc's /run/runc, crun's /run/crun, hako's /run/hako-runtime; run.sh's tmpfs on /run.
runtime_default_root() {
	if runtime_is_hako; then
		echo /run/hako-runtime
	else
		echo "/run/$(basename "$RUNTIME")"
	fi
}

runtime_is_hako() {
	"$RUNTIME" --version 2>/dev/null | grep -qi hako
}

# runtime_state_entries ROOT: the container ids the runtime lists under ROOT.
runtime_state_entries() {
	[ -d "$1" ] || return 0
	timeout 10 "$RUNTIME" --root "$1" list -q 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------------
# Clients

# need_cap REASON: skip, or fail when HAKO_REQUIRE_CAPS=1 says this machine must have it.
need_cap() {
	if [ "${HAKO_REQUIRE_CAPS:-0}" = 1 ]; then
		fail "required client or capability missing (HAKO_REQUIRE_CAPS=1): $1"
		return 1
	fi
	skip "$1"
}

# need_client: the file's client is up (else skip, or fail under HAKO_REQUIRE_CAPS=1).
need_client() {
	if [ -s "$BATS_FILE_TMPDIR/client.skip" ]; then
		need_cap "$(cat "$BATS_FILE_TMPDIR/client.skip")"
	fi
}

# busybox_archive OUT: a one-layer docker-archive of Debian's static busybox, tagged $IMAGE.
busybox_archive() {
	local out=$1 src applet bb=${BUSYBOX:-/bin/busybox}
	"$bb" --list >/dev/null 2>&1 && ! ldd "$bb" >/dev/null 2>&1 ||
		fail "$bb is not a static busybox (apt-get install busybox-static)" || return 1
	src=$(mktemp -d "$BATS_FILE_TMPDIR/rootfs.XXXXXX")
	mkdir -p "$src"/{bin,etc,root,tmp,dev,proc,sys}
	chmod 1777 "$src/tmp"
	cp "$bb" "$src/bin/busybox"
	for applet in $("$bb" --list); do
		[ "$applet" = busybox ] || ln -sf busybox "$src/bin/$applet"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$src/etc/passwd"
	printf 'root:x:0:\n' >"$src/etc/group"
	python3 "$MAKE_ARCHIVE" -o "$out" -t "$IMAGE" --cmd /bin/sh "$src" >/dev/null
	local rc=$?
	rm -rf "$src"
	return $rc
}

# file_skip REASON: in setup_file, make every test of the file skip (or fail) with REASON.
file_skip() {
	echo "$*" | tr '\n' ' ' >"$BATS_FILE_TMPDIR/client.skip"
}

# ---------------------------------------------------------------------------------------------
# containerd (ctr)

# start_file_containerd: in setup_file, a private containerd with $IMAGE imported into $CTR_NS.
start_file_containerd() {
	local dir
	if ! [ -x "$PEERS_CONTAINERD" ] || ! command -v ctr >/dev/null; then
		file_skip "containerd is not installed (apt-get install containerd)"
		return 0
	fi
	dir=$(mktemp -d "${HAKO_CLIENTS_RUN_DIR:-/tmp}/ctd.XXXXXX")
	if ! containerd_start "$dir" 2>"$BATS_FILE_TMPDIR/containerd.err"; then
		file_skip "containerd did not start: $(tail -n 5 "$BATS_FILE_TMPDIR/containerd.err")"
		return 0
	fi
	# Where the shim tells the runtime to keep its state (--runc-root): under containerd's state.
	export CTR_RUNTIME_ROOT=$CONTAINERD_STATE/runtime
	busybox_archive "$BATS_FILE_TMPDIR/busybox.tar" || return 1
	timeout 120 ctr -a "$CONTAINERD_SOCK" -n "$CTR_NS" images import "$BATS_FILE_TMPDIR/busybox.tar" \
		>"$BATS_FILE_TMPDIR/import.out" 2>&1 || {
		cat "$BATS_FILE_TMPDIR/import.out" >&2
		return 1
	}
}

stop_file_containerd() {
	containerd_stop
}

# __ctr ARGS...: ctr against the file's containerd, in $CTR_NS, under a deadline.
__ctr() {
	timeout --kill-after=5 "$CLIENT_TIMEOUT" ctr -a "$CONTAINERD_SOCK" -n "$CTR_NS" "$@" </dev/null 3>&-
}

# ctr_ ARGS...: __ctr under bats' `run` ($status, $output), logged for failed tests.
ctr_() {
	run __ctr "$@"
	echo "ctr $* (status=$status):" >&2
	echo "$output" >&2
}

# The options every `ctr run` and `ctr task exec` of the suite gets: the runtime under test and
# its state root, and the stdio fifos in the test's dir (ctr's default is /run/containerd/fifo).
ctr_run_opts() {
	printf '%s\n' --runc-binary "$RUNTIME" --runc-root "$CTR_RUNTIME_ROOT" --fifo-dir "$TEST_DIR/fifo"
}

# ctr_task_status ID: STATUS of ID in `ctr task ls` (RUNNING, PAUSED, STOPPED), or "absent".
ctr_task_status() {
	local s
	s=$(__ctr task ls 2>/dev/null | awk -v id="$1" '$1 == id { print $3 }')
	echo "${s:-absent}"
}

# ctr_teardown: remove the test's tasks and containers through ctr, then look for leftovers.
ctr_teardown() {
	local leaks=() id pid mp
	[ -n "${TEST_DIR:-}" ] && [ -d "$TEST_DIR" ] || return 0
	[ -n "${CONTAINERD_SOCK:-}" ] || return 0
	run_deferred
	for id in $(<"$TEST_DIR/.containers"); do
		if [ "$(ctr_task_status "$id")" != absent ]; then
			__ctr task kill -a -s SIGKILL "$id" >/dev/null 2>&1 || true
			wait_until 10 ctr_task_is "$id" STOPPED || true
			__ctr task delete -f "$id" >/dev/null 2>&1 || true
		fi
		__ctr container rm "$id" >/dev/null 2>&1 || true
	done
	for id in $(<"$TEST_DIR/.containers"); do
		__ctr container info "$id" >/dev/null 2>&1 && leaks+=("containerd container $id")
		if runtime_state_entries "$CTR_RUNTIME_ROOT/$CTR_NS" | grep -qxF "$id" ||
			[ -e "$CTR_RUNTIME_ROOT/$CTR_NS/$id" ]; then
			leaks+=("runtime state entry $CTR_RUNTIME_ROOT/$CTR_NS/$id")
			timeout 10 "$RUNTIME" --root "$CTR_RUNTIME_ROOT/$CTR_NS" delete --force "$id" >/dev/null 2>&1 || true
			rm -rf "${CTR_RUNTIME_ROOT:?}/$CTR_NS/$id"
		fi
		for pid in $(cgroup_pids "$CGROUP_PARENT/$id"); do
			leaks+=("process $pid in cgroup $CGROUP_PARENT/$id: $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")")
		done
		[ -n "$(cgroup_dirs "$CGROUP_PARENT/$id")" ] && leaks+=("cgroup $CGROUP_PARENT/$id")
		remove_cgroup "$CGROUP_PARENT/$id"
		while IFS= read -r mp; do
			[ -n "$mp" ] || continue
			leaks+=("mount $mp")
			umount -l "$mp" 2>/dev/null || true
		done < <(peers_mounts_under "$CONTAINERD_STATE/io.containerd.runtime.v2.task/$CTR_NS/$id")
	done
	while IFS= read -r mp; do
		[ -n "$mp" ] || continue
		leaks+=("mount $mp")
	done < <(peers_mounts_under "$TEST_DIR")
	peers_unmount_under "$TEST_DIR" >/dev/null 2>&1 || true
	report_leaks "${leaks[@]}"
}

# ctr_task_is ID STATUS
ctr_task_is() {
	[ "$(ctr_task_status "$1")" = "$2" ]
}

# ---------------------------------------------------------------------------------------------
# podman

# start_file_podman: in setup_file, a private podman store with $IMAGE loaded.
start_file_podman() {
	if ! command -v podman >/dev/null || ! command -v conmon >/dev/null; then
		file_skip "podman is not installed (apt-get install podman)"
		return 0
	fi
	podman_env "$BATS_FILE_TMPDIR/podman" || return 1
	# Podman's containers go under /hako-test/pm-<token>/libpod-<id>, conmon under .../conmon.
	export PM_CGROUP_PARENT=$CGROUP_PARENT/pm-$HAKO_TEST_TOKEN-$$
	busybox_archive "$BATS_FILE_TMPDIR/busybox.tar" || return 1
	__pm load -i "$BATS_FILE_TMPDIR/busybox.tar" >"$BATS_FILE_TMPDIR/load.out" 2>&1 || {
		cat "$BATS_FILE_TMPDIR/load.out" >&2
		return 1
	}
}

stop_file_podman() {
	local rc=0
	[ -n "${PODMAN_DIR:-}" ] || return 0
	__pm rm -a -f -t 0 >/dev/null 2>&1 || rc=1
	podman_clean || rc=1
	remove_cgroup "${PM_CGROUP_PARENT:?}"
	[ -z "$(cgroup_dirs "$PM_CGROUP_PARENT")" ] || rc=1
	return $rc
}

# __pm ARGS...: podman with the file's store and the runtime under test, under a deadline.
# No --runtime-flag root=...: podman 4.3 drops it from the `container cleanup` it runs when a
# container exits, whose `delete --force` then looks in the runtime's default root.
__pm() {
	timeout --kill-after=5 "$CLIENT_TIMEOUT" podman --root "$PODMAN_DIR/root" --runroot "$PODMAN_RUNROOT" \
		--runtime "$RUNTIME" --cgroup-manager cgroupfs "$@" </dev/null 3>&-
}

# pm ARGS...: __pm under bats' `run`, logged for failed tests.
pm() {
	run __pm "$@"
	echo "podman $* (status=$status):" >&2
	echo "$output" >&2
}

# pm_run_opts: what every `podman run` of the suite gets: no network (no netavark or CNI
# needed), the cgroup parent under /hako-test.
pm_run_opts() {
	printf '%s\n' --network none --cgroup-parent "$PM_CGROUP_PARENT"
}

# pm_status NAME: .State.Status of NAME, or "absent".
pm_status() {
	local s
	s=$(__pm inspect --format '{{.State.Status}}' "$1" 2>/dev/null) || s=""
	echo "${s:-absent}"
}

pm_status_is() {
	[ "$(pm_status "$1")" = "$2" ]
}

# pm_full_id NAME: the container's full id (the runtime's container id).
pm_full_id() {
	__pm inspect --format '{{.Id}}' "$1"
}

# pm_teardown: remove the test's containers through podman, then look for leftovers: any
# container in the runtime's state root (the file's tests run one after another, and podman is
# the only user of that root), conmon and container processes, mounts, container cgroups.
pm_teardown() {
	local leaks=() name id pid mp root dir
	[ -n "${TEST_DIR:-}" ] && [ -d "$TEST_DIR" ] || return 0
	[ -n "${PODMAN_DIR:-}" ] || return 0
	run_deferred
	for name in $(<"$TEST_DIR/.containers"); do
		__pm rm -f -t 0 "$name" >/dev/null 2>&1 || true
	done
	for name in $(<"$TEST_DIR/.containers"); do
		__pm container exists "$name" && leaks+=("podman container $name")
	done
	root=$(runtime_default_root)
	for id in $(runtime_state_entries "$root"); do
		leaks+=("runtime state entry $root/$id")
		timeout 10 "$RUNTIME" delete --force "$id" >/dev/null 2>&1 || true
	done
	for dir in $(cgroup_dirs "$PM_CGROUP_PARENT" | grep '/libpod-[0-9a-f]*$' | sort -u); do
		leaks+=("cgroup $dir: $(tr '\n' ' ' 2>/dev/null <"$dir/cgroup.procs")")
	done
	for id in $(cgroup_dirs "$PM_CGROUP_PARENT" | sed -n 's|.*/libpod-\([0-9a-f]*\)$|\1|p' | sort -u); do
		remove_cgroup "$PM_CGROUP_PARENT/libpod-$id"
	done
	for pid in $(peers_pids_under "$PODMAN_DIR/root/overlay-containers"); do
		leaks+=("process $pid: $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")")
		peers_end_pid "$pid" 5 || true
	done
	# The image's merged overlay and each container's shm are mounted only while it runs.
	while IFS= read -r mp; do
		[[ "$mp" == */merged || "$mp" == */userdata/* ]] || continue
		leaks+=("mount $mp")
		umount -l "$mp" 2>/dev/null || true
	done < <(peers_mounts_under "$PODMAN_DIR/root"; peers_mounts_under "$PODMAN_RUNROOT")
	report_leaks "${leaks[@]}"
}

# ---------------------------------------------------------------------------------------------
# Waits and assertions

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

# has_line TEXT: $output has TEXT as a whole line; from a tty, carriage returns and the "^@"
# that the terminal echoes for a NUL byte ctr writes first are ignored.
has_line() {
	if ! tr -d '\r' <<<"$output" | sed 's/^\^@//' | grep -qxF -- "$1"; then
		echo "expected the line '$1' in:" >&2
		echo "$output" >&2
		return 1
	fi
}

