#!/bin/bash
# shellcheck disable=SC2154 # $status and $output are set by bats' `run`.
# Helpers for the image suite (tests/images/*.bats): hako's image commands against the peers.
#
# Every test gets its own store and state ($IMG_ROOT, $IMG_STATE under BATS_TEST_TMPDIR), passed
# as --root and --state by the `hako` function, which also puts a deadline on each call. Peers
# come from tests/lib/peers.bash: a .bats file that needs docker starts one private dockerd in
# setup_file (start_file_dockerd) and stops it in teardown_file; podman and skopeo get a private
# store per test (use_podman, use_skopeo), removed in teardown. teardown fails the test when it
# finds a mount under the test dir, or a process naming it, and removes what it found.
#
# Environment: HAKO (the hako binary), HAKO_IMAGES_RUN_DIR (run.sh's short run dir, for the
# dockerd's sockets), HAKO_TIMEOUT (seconds per hako call, default 120), HAKO_REQUIRE_CAPS=1 (a
# peer that the test list of scripts/install-deps.sh installs fails the test when missing).

IMAGES_DIR=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
TESTS_DIR=$(dirname "$IMAGES_DIR")
# shellcheck source=../lib/assert.bash
source "$TESTS_DIR/lib/assert.bash"
MAKE_ARCHIVE="$TESTS_DIR/lib/make_docker_archive.py"
ARCHIVE_INFO="$IMAGES_DIR/archive_info.py"
# shellcheck source=tests/lib/peers.bash
source "$TESTS_DIR/lib/peers.bash"

HAKO=${HAKO:?set HAKO to the hako binary}
HAKO_TIMEOUT=${HAKO_TIMEOUT:-120}
# Deadline for a peer's call (loads of small images take well under a second).
PEER_TIMEOUT=${PEER_TIMEOUT:-120}

# ---------------------------------------------------------------------------------------------
# Per-test setup and teardown

common_setup() {
	TEST_DIR=$BATS_TEST_TMPDIR
	IMG_ROOT=$TEST_DIR/root
	IMG_STATE=$TEST_DIR/state
	: >"$TEST_DIR/.cleanup"
}

# defer CMD...: run CMD (a string for eval) in teardown, before the leak checks, last first.
defer() {
	printf '%s\n' "$*" >>"$TEST_DIR/.cleanup"
}

common_teardown() {
	local leaks=() line mp pid
	[ -n "${TEST_DIR:-}" ] && [ -d "$TEST_DIR" ] || return 0
	cd "$TEST_DIR" || return 1
	if [ -s "$TEST_DIR/.cleanup" ]; then
		while IFS= read -r line; do
			eval "$line" || leaks+=("cleanup failed: $line")
		done < <(tac "$TEST_DIR/.cleanup")
	fi
	for pid in $(peers_pids_under "$TEST_DIR"); do
		leaks+=("process $pid: $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")")
		peers_end_pid "$pid" 5 || true
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

# ---------------------------------------------------------------------------------------------
# Calling hako

# __hako ARGS...: hako with this test's store and state, under a deadline.
__hako() {
	timeout --kill-after=5 "$HAKO_TIMEOUT" "$HAKO" --root "$IMG_ROOT" --state "$IMG_STATE" "$@"
}

# hako ARGS...: __hako under bats' `run` ($status, $output), logged for failed tests.
hako() {
	run __hako "$@"
	echo "hako $* (status=$status):" >&2
	echo "$output" >&2
}

# hako_ok ARGS...: hako, and the call must succeed.
hako_ok() {
	hako "$@"
	[ "$status" -eq 0 ] || fail "hako $* failed with status $status"
}

# loaded_ref: the image `hako load` (or `docker load`) reported in $output: the last tag of
# "Loaded image: REF", else the id of "Loaded image ID: sha256:...".
loaded_ref() {
	local ref
	ref=$(sed -n 's/^Loaded image: //p' <<<"$output" | tail -n1)
	[ -n "$ref" ] || ref=$(sed -n 's/^Loaded image ID: //p' <<<"$output" | tail -n1)
	[ -n "$ref" ] || {
		echo "no 'Loaded image' line in: $output" >&2
		return 1
	}
	echo "$ref"
}

# The one format the suite compares across engines: the image id, then the diff ids.
ID_LAYERS='{{.Id}} {{json .RootFS.Layers}}'

# hako_id_layers REF: "sha256:<config digest> [diff ids...]" of REF in hako's store.
hako_id_layers() {
	__hako image inspect --format "$ID_LAYERS" "$1"
}

# ---------------------------------------------------------------------------------------------
# Peers

# need_peer NAME...: skip unless the peer is installed (fail under HAKO_REQUIRE_CAPS=1: the test
# list of scripts/install-deps.sh installs them all).
need_peer() {
	local p
	for p in "$@"; do
		case $p in
		docker)
			[ -x "$PEERS_DOCKERD" ] && peers_docker_client >/dev/null ||
				need_cap "docker.io (dockerd and docker) is not installed"
			;;
		podman | skopeo)
			command -v "$p" >/dev/null || need_cap "$p is not installed"
			;;
		registry)
			[ -x "$PEERS_REGISTRY" ] || need_cap "docker-registry is not installed"
			;;
		htpasswd)
			command -v htpasswd >/dev/null || need_cap "htpasswd (apache2-utils) is not installed"
			;;
		*) fail "need_peer: unknown peer $p" ;;
		esac
	done
}

# need_cap REASON: skip, or fail when HAKO_REQUIRE_CAPS=1 says this machine must have it.
need_cap() {
	if [ "${HAKO_REQUIRE_CAPS:-0}" = 1 ]; then
		fail "required peer or capability missing (HAKO_REQUIRE_CAPS=1): $1"
		return 1
	fi
	skip "$1"
}

# start_file_dockerd: in setup_file, a private dockerd for the whole file (see peers.bash). When
# docker is not installed or does not start, the reason goes to $BATS_FILE_TMPDIR/dockerd.skip
# and need_dockerd skips (or fails) each test that needs it.
start_file_dockerd() {
	local dir
	if ! [ -x "$PEERS_DOCKERD" ] || ! peers_docker_client >/dev/null; then
		echo "docker.io (dockerd and docker) is not installed" >"$BATS_FILE_TMPDIR/dockerd.skip"
		return 0
	fi
	dir=$(mktemp -d "${HAKO_IMAGES_RUN_DIR:-/tmp}/d.XXXXXX")
	if ! dockerd_start "$dir" 2>"$BATS_FILE_TMPDIR/dockerd.err"; then
		{
			echo "dockerd did not start: "
			tail -n 5 "$BATS_FILE_TMPDIR/dockerd.err"
		} | tr '\n' ' ' >"$BATS_FILE_TMPDIR/dockerd.skip"
	fi
}

# stop_file_dockerd: in teardown_file; fails when dockerd left anything behind.
stop_file_dockerd() {
	dockerd_stop
}

# need_dockerd: the file's dockerd is up (else skip, or fail under HAKO_REQUIRE_CAPS=1).
need_dockerd() {
	if [ -s "$BATS_FILE_TMPDIR/dockerd.skip" ]; then
		need_cap "$(cat "$BATS_FILE_TMPDIR/dockerd.skip")"
	fi
	[ -n "${DOCKER_HOST:-}" ] || fail "need_dockerd: start_file_dockerd was not called in setup_file"
}

# dk ARGS...: the file's docker CLI, under a deadline.
dk() {
	timeout --kill-after=5 "$PEER_TIMEOUT" "$DOCKER" "$@" 3>&-
}

# use_podman: a private podman store for this test (removed in teardown); then pm ARGS...
use_podman() {
	need_peer podman
	podman_env "$TEST_DIR/podman"
	defer podman_clean
}
pm() {
	timeout --kill-after=5 "$PEER_TIMEOUT" podman --root "$PODMAN_DIR/root" --runroot "$PODMAN_RUNROOT" "$@" 3>&-
}

# use_skopeo: skopeo with a policy of its own (removed in teardown); then sk ARGS...
use_skopeo() {
	need_peer skopeo
	skopeo_env "$TEST_DIR/skopeo"
	defer skopeo_clean
}
sk() {
	TMPDIR=$SKOPEO_DIR/tmp timeout --kill-after=5 "$PEER_TIMEOUT" \
		skopeo --policy "$SKOPEO_DIR/policy.json" "$@" 3>&-
}

# ---------------------------------------------------------------------------------------------
# Test images, built without any engine

# busybox_rootfs DIR: Debian's static busybox with a link per applet.
busybox_rootfs() {
	local dir=$1 applet bb=${BUSYBOX:-/bin/busybox}
	"$bb" --list >/dev/null 2>&1 && ! ldd "$bb" >/dev/null 2>&1 ||
		fail "$bb is not a static busybox (apt-get install busybox-static)"
	mkdir -p "$dir"/{bin,etc,root,tmp,dev,proc,sys}
	chmod 1777 "$dir/tmp"
	cp "$bb" "$dir/bin/busybox"
	for applet in $("$bb" --list); do
		[ "$applet" = busybox ] || ln -sf busybox "$dir/bin/$applet"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$dir/etc/passwd"
	printf 'root:x:0:\n' >"$dir/etc/group"
}

# make_test_archive OUT TAG: a docker-archive of two layers (busybox; then a file, a hard link,
# a symlink, an empty directory and a deletion of /etc/group by whiteout) tagged TAG; prints the
# image id (the config digest).
make_test_archive() {
	local out=$1 tag=$2 src
	src=$(mktemp -d "$TEST_DIR/src.XXXXXX")
	busybox_rootfs "$src/base"
	mkdir -p "$src/top/etc" "$src/top/srv/empty" "$src/top/srv/data"
	echo "hello from the top layer" >"$src/top/srv/data/hello.txt"
	ln "$src/top/srv/data/hello.txt" "$src/top/srv/data/hello.link"
	ln -s data/hello.txt "$src/top/srv/hello.sym"
	chmod 0600 "$src/top/srv/data/hello.txt"
	: >"$src/top/etc/.wh.group"
	python3 "$MAKE_ARCHIVE" -o "$out" -t "$tag" --cmd /bin/sh "$src/base" "$src/top"
	rm -rf "$src"
}

# archive_info FILE: what an archive holds (docker-archive or OCI layout; plain or gzip), its
# blobs verified: JSON, see archive_info.py.
archive_info() {
	python3 "$ARCHIVE_INFO" "$1"
}

# archive_id_layers FILE [N]: "<config digest> [diff ids]" of the archive's Nth image (default 0),
# in the form of ID_LAYERS.
archive_id_layers() {
	archive_info "$1" | jq -r --argjson n "${2:-0}" '.images[$n] | "\(.config_digest) \(.diff_ids | tojson)"'
}

# ---------------------------------------------------------------------------------------------
# Registries (registry.bats, registry_more.bats, push.bats)

# registry_setup: common_setup, with no host configuration or credentials reaching the test.
registry_setup() {
	common_setup
	export HAKO_CONFIG=$TEST_DIR/hako.json HOME=$TEST_DIR/home
	unset DOCKER_CONFIG
	mkdir -p "$HOME"
}

# start_registry [--tls CERT KEY] [--token REALM SERVICE ISSUER BUNDLE] [HTPASSWD]: Debian's
# docker-registry for this test (stopped in teardown); sets $REGISTRY. REGISTRY_ACCESS_LOG=1
# keeps its request log (see registry_start in tests/lib/peers.bash).
start_registry() {
	local opts=()
	while [ $# -gt 0 ]; do
		case $1 in
		--tls) opts+=("$1" "$2" "$3"); shift 3 ;;
		--token) opts+=("$1" "$2" "$3" "$4" "$5"); shift 5 ;;
		*) break ;;
		esac
	done
	need_peer registry
	registry_start "${opts[@]}" "$TEST_DIR/registry" "$@" || fail "docker-registry did not start"
	defer registry_stop
}

# start_bg NAME CMD...: CMD in the background (stopped in teardown), its port from
# $TEST_DIR/NAME.port once it writes it; sets $BG_PORT.
start_bg() {
	local name=$1 pid
	shift
	setsid "$@" </dev/null >"$TEST_DIR/$name.out" 2>&1 &
	pid=$!
	defer "peers_end_pid $pid 5"
	local deadline=$((SECONDS + 10))
	while [ ! -s "$TEST_DIR/$name.port" ]; do
		peers_alive "$pid" || fail "$name exited: $(cat "$TEST_DIR/$name.out")"
		[ $SECONDS -lt $deadline ] || fail "$name did not start"
		sleep 0.1
	done
	BG_PORT=$(cat "$TEST_DIR/$name.port")
}

# push_test_image REF [SKOPEO ARGS]: the two-layer test image, pushed to docker://REF by skopeo.
push_test_image() {
	local ref=$1
	shift
	make_test_archive "$TEST_DIR/src.tar" hako-reg:v1 >/dev/null
	run sk copy --dest-tls-verify=false "$@" docker-archive:"$TEST_DIR/src.tar" "docker://$ref"
	[ "$status" -eq 0 ] || fail "skopeo copy to $ref failed: $output"
}

# sk_digest [SKOPEO ARGS] docker://REF: the manifest digest skopeo sees in the registry.
sk_digest() {
	sk inspect --tls-verify=false "$@" | jq -r .Digest
}

# sk_id_layers REF [CREDS ARGS]: "<config digest> [diff ids]" skopeo reads from the registry.
sk_id_layers() {
	local ref=$1
	shift
	echo "$(sk inspect --tls-verify=false --raw "$@" "docker://$ref" | jq -r .config.digest) $(
		sk inspect --tls-verify=false --config "$@" "docker://$ref" | jq -c .rootfs.diff_ids
	)"
}
