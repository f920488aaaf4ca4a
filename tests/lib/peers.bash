#!/bin/bash
# peers.bash: private instances of the peers hako is compared with (Debian's dockerd, containerd,
# podman, skopeo, docker-registry), for tests and benchmarks. Source it; needs root.
#
# Every instance lives under a directory the caller names, touches nothing of the host's (no
# /var/lib/docker, /etc/docker, /var/lib/containers, ~/.docker), creates no network link and no
# iptables chain, and its stop function ends it by PID, unmounts what it left under its
# directory and removes the directory. A stop function fails (returns 1, with the reason on
# stderr) when something could not be cleaned; calling it twice, or without a start, is harmless.
# One instance of each kind per shell: the functions keep their state in exported variables, so
# bats' setup_file can start one and teardown_file stop it.
#
# PEERS_RUN_DIR, when set, holds what the peers keep in /run on a standard host (dockerd's exec
# root, podman's runroot and tmp_dir) instead of DIR: a benchmark points it at a tmpfs so that
# every tool's runtime state is on the same file system as hako's --state.
#
#   dockerd_start DIR   Debian's /usr/sbin/dockerd on unix://DIR/docker.sock (data under DIR/data,
#                       exec root DIR/exec (or a short dir under /tmp when DIR is too long for the
#                       sockets containerd puts there), overlay2, cgroupfs, no bridge, no
#                       iptables), with the containerd it starts itself. Waits for the API
#                       (DOCKERD_TIMEOUT, default 60 s). Exports DOCKER_HOST, DOCKER_CONFIG
#                       (DIR/cli, so ~/.docker stays untouched), DOCKER (the CLI: /usr/bin/docker,
#                       Debian's 20.10, else /usr/local/bin/docker), DOCKERD_DIR, DOCKERD_PID.
#   docker_cli ARGS...  that CLI against that daemon.
#   dockerd_stop        SIGTERM to the pid in the pidfile, then to its containerd; SIGKILL after
#                       DOCKERD_STOP_TIMEOUT (default 30 s); unmount, remove, check leaks.
#
#   podman_env DIR      podman with everything under DIR: containers.conf (PEERS.md's ulimits,
#                       cgroupfs, file events), storage.conf (overlay, graphroot DIR/root,
#                       runroot DIR/runroot, or a short dir under /tmp when that path has 50
#                       characters or more: podman refuses longer ones). Exports CONTAINERS_CONF,
#                       CONTAINERS_STORAGE_CONF, CONTAINERS_REGISTRIES_CONF, PODMAN_DIR,
#                       PODMAN_RUNROOT.
#   podman_cli ARGS...  podman --root DIR/root --runroot $PODMAN_RUNROOT ARGS.
#   podman_clean        unmount what is left under DIR, remove DIR, unset the variables; and
#                       containers/image's blob-info cache in /var/lib/containers when it was
#                       not there before (podman and skopeo make it whatever their store).
#
#   containerd_start DIR  Debian's /usr/bin/containerd alone (no dockerd) with a private config:
#                       root DIR/root, state DIR/state, gRPC socket DIR/ctd.sock (or a short
#                       dir under /tmp when that is too long for a unix socket), the CRI plugin
#                       and the snapshotters other than overlayfs and native disabled, opt
#                       plugin under DIR/opt. Waits for the API (CONTAINERD_TIMEOUT, default
#                       30 s). Exports CONTAINERD_DIR, CONTAINERD_SOCK, CONTAINERD_STATE,
#                       CONTAINERD_PID. containerd 1.6's shims always put their sockets in
#                       /run/containerd/s (not configurable): containerd_stop removes that
#                       directory again when /run/containerd was not there before and is empty.
#   ctr_cli ARGS...     ctr -a $CONTAINERD_SOCK ARGS.
#   containerd_stop     SIGKILL and delete every task left (any namespace), remove the
#                       containers, SIGTERM containerd (SIGKILL after 10 s), end leftover shims by
#                       PID, unmount and remove DIR; fails when something could not be cleaned.
#
#   skopeo_env DIR      a policy.json accepting anything (only local transports and 127.0.0.1 are
#                       used) in DIR; exports SKOPEO_DIR.
#   skopeo_cli ARGS...  skopeo --policy DIR/policy.json ARGS, big temporary files under DIR/tmp.
#   skopeo_clean        remove DIR.
#   Transports used here: docker-archive:FILE[:REF] (what `docker save` writes; a name:tag after
#   the path picks or sets the tag), oci-archive:FILE[:REF] (an OCI layout in a tar),
#   oci:DIR[:REF], docker://127.0.0.1:PORT/NAME:TAG with --src-tls-verify=false /
#   --dest-tls-verify=false. `skopeo copy` keeps the config blob byte for byte between docker
#   and OCI forms (so the image id), compressing layers with gzip for OCI destinations (so layer
#   digests change, diff ids do not). `skopeo inspect --raw` prints the manifest, `--config` the
#   config; `skopeo inspect` without them needs a tagged image in a docker-archive.
#
#   registry_start [--tls CERT KEY] [--token REALM SERVICE ISSUER BUNDLE] DIR [HTPASSWD]
#                       Debian's docker-registry on 127.0.0.1:<a free port>, storage DIR/data;
#                       with HTPASSWD (a file of `htpasswd -Bbn USER PASS` lines) it asks for
#                       Basic credentials (auth.htpasswd; plain http, loopback only).
#                       --tls: https with that certificate and key (http.tls).
#                       --token: Bearer tokens from REALM (auth.token; BUNDLE: the PEM
#                       certificates whose keys sign the tokens).
#                       Exports REGISTRY=127.0.0.1:PORT, REGISTRY_DIR, REGISTRY_PID.
#   registry_stop       SIGTERM, SIGKILL after 10 s, remove DIR.
#
#   PEERS_LOG_DIR       when set, dockerd_stop copies the daemon's log there first.
#   peers_host_state    what a peer could leak on the host, to compare before and after: network
#                       links, iptables chains with DOCKER in them, docker's default dirs.

PEERS_DOCKERD=${PEERS_DOCKERD:-/usr/sbin/dockerd}
PEERS_REGISTRY=${PEERS_REGISTRY:-/usr/bin/docker-registry}

peers_log() {
	echo "peers: $*" >&2
}

# peers_docker_client: the docker CLI to use: Debian's, else the one in /usr/local/bin.
peers_docker_client() {
	local c
	for c in /usr/bin/docker /usr/local/bin/docker; do
		if [ -x "$c" ]; then
			echo "$c"
			return 0
		fi
	done
	return 1
}

# peers_alive PID: the process exists and is not a zombie.
peers_alive() {
	local state
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
	state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

# peers_end_pid PID SECONDS: SIGTERM, wait up to SECONDS, then SIGKILL and wait 5 s more.
peers_end_pid() {
	local pid=$1 limit=$2 deadline
	peers_alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null || true
	deadline=$((SECONDS + limit))
	while peers_alive "$pid" && [ $SECONDS -lt $deadline ]; do
		sleep 0.1
	done
	if peers_alive "$pid"; then
		peers_log "pid $pid ($(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")) ignored SIGTERM for ${limit}s: SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
		deadline=$((SECONDS + 5))
		while peers_alive "$pid" && [ $SECONDS -lt $deadline ]; do
			sleep 0.1
		done
	fi
	! peers_alive "$pid"
}

# peers_pids_under DIR...: processes whose command line names one of the DIRs (shims,
# containerd, a stray registry): the leftovers a stop function ends by PID.
peers_pids_under() {
	local p pid dir args
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ] && continue
		args=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
		for dir in "$@"; do
			if [[ "$args" == *"$dir/"* || "$args" == *"$dir "* ]]; then
				peers_alive "$pid" && echo "$pid"
				break
			fi
		done
	done
}

# peers_mounts_under DIR: mount points at or below DIR, deepest (latest) first.
peers_mounts_under() {
	awk -v dir="$1" '{ mp = $5; gsub(/\\040/, " ", mp); if (mp == dir || index(mp, dir "/") == 1) print mp }' \
		/proc/self/mountinfo | tac
}

# peers_unmount_under DIR: unmount everything at or below DIR; fails if something stays.
peers_unmount_under() {
	local dir=$1 mp
	for _ in 1 2 3; do
		while IFS= read -r mp; do
			[ -n "$mp" ] || continue
			umount "$mp" 2>/dev/null || umount -l "$mp" 2>/dev/null || true
		done < <(peers_mounts_under "$dir")
		[ -z "$(peers_mounts_under "$dir")" ] && return 0
		sleep 0.2
	done
	peers_log "mounts remain under $dir: $(peers_mounts_under "$dir" | tr '\n' ' ')"
	return 1
}

# peers_remove_dir DIR: unmount, then rm -rf; never follows a mount out of DIR.
peers_remove_dir() {
	local dir=$1
	[ -n "$dir" ] && [ -e "$dir" ] || return 0
	peers_unmount_under "$dir" || return 1
	rm -rf --one-file-system "$dir" 2>/dev/null || rm -rf --one-file-system "$dir"
}

# peers_host_state_unsorted: see peers_host_state.
peers_host_state_unsorted() {
	ip -o link show 2>/dev/null | awk -F': ' '{ print "link " $2 }' | sed 's/@.*//' | sort
	if command -v iptables >/dev/null; then
		local table
		for table in filter nat; do
			iptables -w 5 -t "$table" -S 2>/dev/null | grep -i docker | sed "s/^/iptables $table /"
		done
	fi
	local d
	for d in /var/lib/docker /var/run/docker.sock /run/docker /run/containerd /var/lib/containerd \
		/run/docker/plugins /etc/docker/key.json /var/lib/containers /run/containers /run/libpod; do
		[ -e "$d" ] && echo "path $d"
	done
	true
}

# peers_host_state: the host state a peer could leak, sorted, for comm(1).
peers_host_state() {
	peers_host_state_unsorted | LC_ALL=C sort
}

# containers/image keeps a blob-info cache in /var/lib/containers/cache for root, whatever the
# store (podman 4.3 and skopeo 1.9 have no setting for it). peers_blob_cache_note DIR records
# whether it was there before; peers_blob_cache_drop DIR removes it again if it was not.
PEERS_BLOB_CACHE=/var/lib/containers/cache/blob-info-cache-v1.boltdb
peers_blob_cache_note() {
	if [ ! -e "$PEERS_BLOB_CACHE" ]; then
		: >"$1/.no-blob-cache-before"
	fi
}
peers_blob_cache_drop() {
	[ -e "$1/.no-blob-cache-before" ] || return 0
	rm -f "$PEERS_BLOB_CACHE"
	rmdir "$(dirname "$PEERS_BLOB_CACHE")" 2>/dev/null && rmdir /var/lib/containers 2>/dev/null
	true
}

# peers_short_dir DIR NAME: DIR/NAME when socket paths below it stay under the 108-byte limit
# of unix sockets (containerd nests its sockets deep), else a fresh short dir under /tmp.
peers_short_dir() {
	local dir=$1 name=$2
	# containerd's deepest: <exec>/containerd/containerd.sock.ttrpc, plus shims' sockets.
	if [ $((${#dir} + ${#name} + 48)) -lt 100 ]; then
		mkdir -p "$dir/$name"
		echo "$dir/$name"
	else
		mktemp -d "/tmp/hako-$name.XXXXXX"
	fi
}

# ---------------------------------------------------------------------------------------------
# dockerd

dockerd_start() {
	local dir=${1:?usage: dockerd_start DIR} exec_root sock pid deadline
	if [ -n "${DOCKERD_DIR:-}" ]; then
		peers_log "dockerd_start: one is running already under $DOCKERD_DIR"
		return 1
	fi
	[ -x "$PEERS_DOCKERD" ] || {
		peers_log "dockerd_start: $PEERS_DOCKERD is missing (apt-get install docker.io)"
		return 1
	}
	DOCKER=$(peers_docker_client) || {
		peers_log "dockerd_start: no docker CLI (apt-get install docker.io)"
		return 1
	}
	mkdir -p "$dir"
	dir=$(readlink -f "$dir")
	if [ -n "${PEERS_RUN_DIR:-}" ]; then
		exec_root=$PEERS_RUN_DIR/docker-exec
		mkdir -p "$exec_root"
	else
		exec_root=$(peers_short_dir "$dir" exec)
	fi
	sock=$dir/docker.sock
	if [ ${#sock} -ge 100 ]; then
		sock=$exec_root/docker.sock
	fi
	mkdir -p "$dir/data" "$dir/cli"
	echo "$exec_root" >"$dir/exec-root"
	# The trust key would go to /etc/docker/key.json.
	printf '{"deprecated-key-path": "%s/key.json"}\n' "$dir" >"$dir/daemon.json"
	peers_host_state >"$dir/host-before"
	export DOCKERD_DIR=$dir DOCKERD_EXEC_ROOT=$exec_root DOCKER DOCKER_CONFIG=$dir/cli
	export DOCKER_HOST=unix://$sock
	# setsid: a terminal's ^C goes to the test, not to the daemon; fd 3 closed for bats.
	setsid "$PEERS_DOCKERD" -H "$DOCKER_HOST" --config-file "$dir/daemon.json" \
		--data-root "$dir/data" --exec-root "$exec_root" --pidfile "$dir/dockerd.pid" \
		--storage-driver overlay2 --exec-opt native.cgroupdriver=cgroupfs \
		--bridge=none --iptables=false --ip6tables=false --ip-masq=false --userland-proxy=false \
		</dev/null >"$dir/dockerd.log" 2>&1 3>&- &
	DOCKERD_PID=$!
	export DOCKERD_PID
	deadline=$((SECONDS + ${DOCKERD_TIMEOUT:-60}))
	until [ -S "$sock" ] && "$DOCKER" version >/dev/null 2>&1; do
		if ! peers_alive "$DOCKERD_PID"; then
			peers_log "dockerd exited while starting; its log:"
			tail -n 20 "$dir/dockerd.log" >&2
			dockerd_stop
			return 1
		fi
		if [ $SECONDS -ge $deadline ]; then
			peers_log "dockerd did not answer on $sock within ${DOCKERD_TIMEOUT:-60}s; its log:"
			tail -n 20 "$dir/dockerd.log" >&2
			dockerd_stop
			return 1
		fi
		sleep 0.1
	done
	pid=$(cat "$dir/dockerd.pid" 2>/dev/null) || true
	if [ -n "$pid" ]; then
		DOCKERD_PID=$pid
	fi
}

docker_cli() {
	"${DOCKER:?dockerd_start first}" "$@"
}

dockerd_stop() {
	local dir=${DOCKERD_DIR:-} exec_root=${DOCKERD_EXEC_ROOT:-} pid containerd="" rc=0 left
	[ -n "$dir" ] || return 0
	pid=$(cat "$dir/dockerd.pid" 2>/dev/null) || pid=${DOCKERD_PID:-}
	[ -n "$pid" ] || pid=${DOCKERD_PID:-}
	containerd=$(cat "$exec_root/containerd/containerd.pid" 2>/dev/null) || true
	# dockerd stops its own containerd on SIGTERM; the second call catches one it left.
	if [ -n "$pid" ]; then
		peers_end_pid "$pid" "${DOCKERD_STOP_TIMEOUT:-30}" || rc=1
	fi
	if [ -n "$containerd" ]; then
		peers_end_pid "$containerd" 10 || rc=1
	fi
	for pid in $(peers_pids_under "$dir" "$exec_root"); do
		peers_log "dockerd_stop: leftover process $pid: $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")"
		peers_end_pid "$pid" 5 || rc=1
	done
	# dockerd makes /run/docker/plugins whatever its exec root (moby's getPluginExecRoot):
	# removed when it was not there before and is empty (rmdir: never another daemon's plugins).
	if [ -f "$dir/host-before" ] && ! grep -qxF 'path /run/docker/plugins' "$dir/host-before"; then
		rmdir /run/docker/plugins 2>/dev/null && rmdir /run/docker 2>/dev/null
	fi
	if [ -f "$dir/host-before" ]; then
		left=$(LC_ALL=C comm -13 "$dir/host-before" <(peers_host_state) | grep -v '^link veth' || true)
		# Docker's links, chains and paths only: other users of the machine (and podman, whose
		# blob cache podman_clean handles) come and go meanwhile.
		left=$(grep -iE 'docker|containerd' <<<"$left" || true)
		if [ -n "$left" ]; then
			peers_log "dockerd_stop: left on the host: $(tr '\n' ';' <<<"$left")"
			rc=1
		fi
	fi
	if [ -n "${PEERS_LOG_DIR:-}" ]; then
		cp "$dir/dockerd.log" "$PEERS_LOG_DIR/dockerd.$$.log" 2>/dev/null || true
	fi
	if [ "$exec_root" != "$dir/exec" ]; then
		peers_remove_dir "$exec_root" || rc=1
	fi
	peers_remove_dir "$dir" || rc=1
	unset DOCKERD_DIR DOCKERD_EXEC_ROOT DOCKERD_PID DOCKER_HOST DOCKER_CONFIG
	return $rc
}

# ---------------------------------------------------------------------------------------------
# podman

podman_env() {
	local dir=${1:?usage: podman_env DIR}
	command -v podman >/dev/null || {
		peers_log "podman_env: podman is missing (apt-get install podman)"
		return 1
	}
	mkdir -p "$dir"
	dir=$(readlink -f "$dir")
	mkdir -p "$dir/root" "$dir/tmp" "$dir/networks"
	# podman refuses a runroot of 50 characters or more ("the specified runroot is longer than
	# 50 characters"): a short one under /tmp then, removed by podman_clean.
	local runroot=$dir/runroot tmp_dir=$dir/tmp
	if [ -n "${PEERS_RUN_DIR:-}" ]; then
		runroot=$PEERS_RUN_DIR/podman-runroot tmp_dir=$PEERS_RUN_DIR/podman-tmp
	elif [ ${#runroot} -ge 50 ]; then
		runroot=$(mktemp -d /tmp/hako-podman.XXXXXX)
	fi
	mkdir -p "$runroot" "$tmp_dir"
	cat >"$dir/containers.conf" <<-EOF
		[containers]
		default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$dir/events.log"
		tmp_dir = "$tmp_dir"
		static_dir = "$dir/root/libpod"
		volume_path = "$dir/root/volumes"

		[network]
		network_config_dir = "$dir/networks"
	EOF
	cat >"$dir/storage.conf" <<-EOF
		[storage]
		driver = "overlay"
		graphroot = "$dir/root"
		runroot = "$runroot"
	EOF
	# No registry is searched for short names: only local images and explicit 127.0.0.1 ones.
	printf 'unqualified-search-registries = []\nshort-name-mode = "disabled"\n' >"$dir/registries.conf"
	peers_blob_cache_note "$dir"
	export PODMAN_DIR=$dir PODMAN_RUNROOT=$runroot PODMAN_TMP_DIR=$tmp_dir \
		CONTAINERS_CONF=$dir/containers.conf \
		CONTAINERS_STORAGE_CONF=$dir/storage.conf CONTAINERS_REGISTRIES_CONF=$dir/registries.conf
}

podman_cli() {
	podman --root "${PODMAN_DIR:?podman_env first}/root" --runroot "$PODMAN_RUNROOT" "$@" 3>&-
}

podman_clean() {
	local dir=${PODMAN_DIR:-} pid rc=0
	[ -n "$dir" ] || return 0
	for pid in $(peers_pids_under "$dir" "${PODMAN_RUNROOT:-$dir}"); do
		peers_log "podman_clean: leftover process $pid: $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")"
		peers_end_pid "$pid" 5 || rc=1
	done
	peers_blob_cache_drop "$dir"
	if [ "${PODMAN_RUNROOT:-}" != "$dir/runroot" ]; then
		peers_remove_dir "$PODMAN_RUNROOT" || rc=1
	fi
	if [ -n "${PODMAN_TMP_DIR:-}" ] && [ "$PODMAN_TMP_DIR" != "$dir/tmp" ]; then
		peers_remove_dir "$PODMAN_TMP_DIR" || rc=1
	fi
	peers_remove_dir "$dir" || rc=1
	unset PODMAN_DIR PODMAN_RUNROOT PODMAN_TMP_DIR CONTAINERS_CONF CONTAINERS_STORAGE_CONF CONTAINERS_REGISTRIES_CONF
	return $rc
}

# ---------------------------------------------------------------------------------------------
# containerd

PEERS_CONTAINERD=${PEERS_CONTAINERD:-/usr/bin/containerd}

containerd_start() {
	local dir=${1:?usage: containerd_start DIR} sock_dir sock deadline
	if [ -n "${CONTAINERD_DIR:-}" ]; then
		peers_log "containerd_start: one is running already under $CONTAINERD_DIR"
		return 1
	fi
	[ -x "$PEERS_CONTAINERD" ] && command -v ctr >/dev/null || {
		peers_log "containerd_start: $PEERS_CONTAINERD or ctr is missing (apt-get install containerd)"
		return 1
	}
	mkdir -p "$dir"
	dir=$(readlink -f "$dir")
	sock_dir=$dir
	# The socket's path must fit in sun_path (108 bytes), ttrpc's ".ttrpc" suffix included.
	if [ $((${#dir} + 16)) -ge 100 ]; then
		sock_dir=$(mktemp -d /tmp/hako-ctd.XXXXXX)
	fi
	echo "$sock_dir" >"$dir/sock-dir"
	sock=$sock_dir/ctd.sock
	mkdir -p "$dir/root" "$dir/state" "$dir/opt"
	[ -e /run/containerd ] || : >"$dir/.no-run-containerd-before"
	cat >"$dir/config.toml" <<-EOF
		version = 2
		root = "$dir/root"
		state = "$dir/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs",
		  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
		  "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp",
		  "io.containerd.internal.v1.tracing"]

		[grpc]
		  address = "$sock"

		[ttrpc]
		  address = "$sock.ttrpc"

		[debug]
		  address = ""

		[metrics]
		  address = ""

		[plugins."io.containerd.internal.v1.opt"]
		  path = "$dir/opt"
	EOF
	export CONTAINERD_DIR=$dir CONTAINERD_SOCK=$sock CONTAINERD_STATE=$dir/state
	setsid "$PEERS_CONTAINERD" --config "$dir/config.toml" </dev/null >"$dir/containerd.log" 2>&1 3>&- &
	CONTAINERD_PID=$!
	export CONTAINERD_PID
	deadline=$((SECONDS + ${CONTAINERD_TIMEOUT:-30}))
	until [ -S "$sock" ] && ctr_cli version >/dev/null 2>&1; do
		if ! peers_alive "$CONTAINERD_PID" || [ $SECONDS -ge $deadline ]; then
			peers_log "containerd did not answer on $sock; its log:"
			tail -n 20 "$dir/containerd.log" >&2
			containerd_stop
			return 1
		fi
		sleep 0.1
	done
}

ctr_cli() {
	ctr -a "${CONTAINERD_SOCK:?containerd_start first}" "$@" 3>&-
}

# containerd_clear: SIGKILL every task containerd still knows, delete it and its container.
containerd_clear() {
	local ns id deadline
	for ns in $(timeout 10 ctr -a "$CONTAINERD_SOCK" namespaces ls -q 2>/dev/null); do
		for id in $(timeout 10 ctr -a "$CONTAINERD_SOCK" -n "$ns" tasks ls -q 2>/dev/null); do
			peers_log "containerd_stop: task $ns/$id was left running"
			timeout 10 ctr -a "$CONTAINERD_SOCK" -n "$ns" tasks kill -a -s SIGKILL "$id" >/dev/null 2>&1 || true
			deadline=$((SECONDS + 10))
			until timeout 10 ctr -a "$CONTAINERD_SOCK" -n "$ns" tasks delete "$id" >/dev/null 2>&1 ||
				[ $SECONDS -ge $deadline ]; do
				sleep 0.2
			done
			timeout 10 ctr -a "$CONTAINERD_SOCK" -n "$ns" tasks delete -f "$id" >/dev/null 2>&1 || true
		done
		for id in $(timeout 10 ctr -a "$CONTAINERD_SOCK" -n "$ns" containers ls -q 2>/dev/null); do
			timeout 10 ctr -a "$CONTAINERD_SOCK" -n "$ns" containers rm "$id" >/dev/null 2>&1 || true
		done
	done
}

containerd_stop() {
	local dir=${CONTAINERD_DIR:-} sock_dir rc=0 pid
	[ -n "$dir" ] || return 0
	sock_dir=$(cat "$dir/sock-dir" 2>/dev/null) || sock_dir=$dir
	if [ -n "${CONTAINERD_PID:-}" ] && peers_alive "$CONTAINERD_PID"; then
		containerd_clear
		peers_end_pid "$CONTAINERD_PID" 10 || rc=1
	fi
	# Shims outlive containerd; their command lines name its socket (-address) and state.
	for pid in $(peers_pids_under "$dir" "$sock_dir"); do
		peers_log "containerd_stop: leftover process $pid: $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")"
		peers_end_pid "$pid" 5 || rc=1
	done
	if [ -e "$dir/.no-run-containerd-before" ]; then
		rmdir /run/containerd/s /run/containerd/fifo 2>/dev/null
		rmdir /run/containerd 2>/dev/null
	fi
	if [ -n "${PEERS_LOG_DIR:-}" ]; then
		cp "$dir/containerd.log" "$PEERS_LOG_DIR/containerd.$$.log" 2>/dev/null || true
	fi
	if [ "$sock_dir" != "$dir" ]; then
		peers_remove_dir "$sock_dir" || rc=1
	fi
	peers_remove_dir "$dir" || rc=1
	unset CONTAINERD_DIR CONTAINERD_SOCK CONTAINERD_STATE CONTAINERD_PID
	return $rc
}

# ---------------------------------------------------------------------------------------------
# skopeo

skopeo_env() {
	local dir=${1:?usage: skopeo_env DIR}
	command -v skopeo >/dev/null || {
		peers_log "skopeo_env: skopeo is missing (apt-get install skopeo)"
		return 1
	}
	mkdir -p "$dir/tmp"
	dir=$(readlink -f "$dir")
	echo '{"default": [{"type": "insecureAcceptAnything"}]}' >"$dir/policy.json"
	peers_blob_cache_note "$dir"
	export SKOPEO_DIR=$dir
}

skopeo_cli() {
	# TMPDIR: where containers/image spools uncompressed or streamed archives.
	TMPDIR=${SKOPEO_DIR:?skopeo_env first}/tmp skopeo --policy "$SKOPEO_DIR/policy.json" "$@" 3>&-
}

skopeo_clean() {
	[ -n "${SKOPEO_DIR:-}" ] || return 0
	peers_blob_cache_drop "$SKOPEO_DIR"
	peers_remove_dir "$SKOPEO_DIR"
	local rc=$?
	unset SKOPEO_DIR
	return $rc
}

# ---------------------------------------------------------------------------------------------
# docker-registry

# peers_free_port: a TCP port free on 127.0.0.1 right now.
peers_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# registry_start: with REGISTRY_ACCESS_LOG=1 the registry logs every request to $REGISTRY_DIR/registry.log.
registry_start() {
	local tls_cert='' tls_key='' token=() scheme=http
	while [ $# -gt 0 ]; do
		case $1 in
		--tls)
			tls_cert=$(readlink -f "$2") tls_key=$(readlink -f "$3") scheme=https
			shift 3
			;;
		--token)
			token=("$2" "$3" "$4" "$(readlink -f "$5")")
			shift 5
			;;
		*) break ;;
		esac
	done
	local dir=${1:?usage: registry_start [--tls CERT KEY] [--token REALM SERVICE ISSUER BUNDLE] DIR [HTPASSWD]}
	local htpasswd=${2:-} port attempt deadline
	if [ -n "${REGISTRY_DIR:-}" ]; then
		peers_log "registry_start: one is running already under $REGISTRY_DIR"
		return 1
	fi
	[ -x "$PEERS_REGISTRY" ] || {
		peers_log "registry_start: $PEERS_REGISTRY is missing (apt-get install docker-registry)"
		return 1
	}
	mkdir -p "$dir/data"
	dir=$(readlink -f "$dir")
	export REGISTRY_DIR=$dir
	# A port another process takes between the probe and the bind: try again with another.
	for _ in 1 2 3; do
		port=$(peers_free_port)
		cat >"$dir/config.yml" <<-EOF
			version: 0.1
			log:
			  level: warn
			  accesslog:
			    disabled: $([ "${REGISTRY_ACCESS_LOG:-0}" = 1 ] && echo false || echo true)
			storage:
			  filesystem:
			    rootdirectory: $dir/data
			  delete:
			    enabled: true
			http:
			  addr: 127.0.0.1:$port
		EOF
		if [ -n "$tls_cert" ]; then
			printf '  tls:\n    certificate: %s\n    key: %s\n' "$tls_cert" "$tls_key" >>"$dir/config.yml"
		fi
		if [ -n "$htpasswd" ]; then
			printf 'auth:\n  htpasswd:\n    realm: hako-test\n    path: %s\n' \
				"$(readlink -f "$htpasswd")" >>"$dir/config.yml"
		fi
		if [ ${#token[@]} -gt 0 ]; then
			printf 'auth:\n  token:\n    realm: %s\n    service: %s\n    issuer: %s\n    rootcertbundle: %s\n' \
				"${token[@]}" >>"$dir/config.yml"
		fi
		setsid "$PEERS_REGISTRY" serve "$dir/config.yml" </dev/null >"$dir/registry.log" 2>&1 3>&- &
		REGISTRY_PID=$!
		export REGISTRY_PID
		echo "$REGISTRY_PID" >"$dir/registry.pid"
		deadline=$((SECONDS + ${REGISTRY_TIMEOUT:-20}))
		while peers_alive "$REGISTRY_PID" && [ $SECONDS -lt $deadline ]; do
			# Up is any HTTP answer: 200, or 401 with authentication configured.
			if python3 -c 'import ssl, sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], timeout=2, context=ssl._create_unverified_context())
except urllib.error.HTTPError as e:
    sys.exit(0 if e.code == 401 else 1)' "$scheme://127.0.0.1:$port/v2/" 2>/dev/null; then
				export REGISTRY=127.0.0.1:$port
				return 0
			fi
			sleep 0.1
		done
		peers_end_pid "$REGISTRY_PID" 5 || true
		grep -q 'address already in use' "$dir/registry.log" || break
	done
	peers_log "registry did not answer on 127.0.0.1:$port; its log:"
	tail -n 20 "$dir/registry.log" >&2
	registry_stop
	return 1
}

registry_stop() {
	local dir=${REGISTRY_DIR:-} rc=0
	[ -n "$dir" ] || return 0
	if [ -n "${REGISTRY_PID:-}" ]; then
		peers_end_pid "$REGISTRY_PID" 10 || rc=1
	fi
	peers_remove_dir "$dir" || rc=1
	unset REGISTRY REGISTRY_DIR REGISTRY_PID
	return $rc
}
