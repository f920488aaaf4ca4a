#!/bin/bash
# spec_run.sh: the OCI config.json hako builds for the default busybox image, run by
# hako-runtime AND crun, checked from inside the container: Docker's capabilities, seccomp
# mode 2, masked and read-only paths, environment, hostname, user and groups, mounts.
#   tests/engine/spec_run.sh [BUILD_DIR]     (root; default build/release)
# Everything lives under one temp dir and its own --root/--state; the trap removes it all
# (containers by `delete --force`, then the overlay and the image mount).
set -euo pipefail
B=$(readlink -f "${1:-build/release}")
HAKO=$B/src/cmd/hako/hako
TOOL=$B/src/engine/hako-spec-tool
RUNTIMES=("$B/src/cmd/hako-runtime/hako-runtime" "$(command -v crun || true)")
[ "$(id -u)" = 0 ] || { echo "skip: needs root"; exit 0; }
for f in "$HAKO" "$TOOL" "${RUNTIMES[0]}"; do [ -x "$f" ] || { echo "missing $f" >&2; exit 1; }; done

T=$(mktemp -d /tmp/hako-spec-run.XXXXXX)
ID=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
fails=0
# crun 1.8 refuses hybrid cgroup hosts like this one ("cgroups in hybrid mode not supported"):
# it runs in a private mount namespace whose /sys/fs/cgroup shows the v1 hierarchies only.
V1_ONLY='set -e
old=$(mktemp -d /tmp/hako-cg.XXXXXX)
mount --rbind /sys/fs/cgroup "$old"
mount -t tmpfs -o mode=755 tmpfs /sys/fs/cgroup
for d in "$old"/*; do
	n=${d##*/}
	[ "$n" = unified ] && continue
	mkdir -p "/sys/fs/cgroup/$n" && mount --bind "$d" "/sys/fs/cgroup/$n"
done
umount -l "$old" && rmdir "$old"
exec "$@"'
in_ns() { # runtime args...
	if [ "$(basename "$1")" = crun ] && [ -d /sys/fs/cgroup/unified ]; then
		timeout 30 unshare -m --propagation private bash -c "$V1_ONLY" _ "$@"
	else
		timeout 30 "$@"
	fi
}
cleanup() {
	for rt in "${RUNTIMES[@]}"; do
		[ -n "$rt" ] && in_ns "$rt" --root "$T/rt-$(basename "$rt")" delete --force "$ID" >/dev/null 2>&1 || true
	done
	mountpoint -q "$T/rootfs" && umount "$T/rootfs"
	"$HAKO" --root "$T/root" --state "$T/state" image unmount busybox >/dev/null 2>&1 || true
	rm -rf "$T"
}
trap cleanup EXIT

"$HAKO" --root "$T/root" --state "$T/state" image default >/dev/null
LOWER=$("$HAKO" --root "$T/root" --state "$T/state" image mount busybox)
"$HAKO" --root "$T/root" --state "$T/state" image inspect busybox |
	python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)[0]["Config"]))' >"$T/image.json"
# The engine gives each container an overlay over the image (its upper dir takes the mount
# targets the runtime creates); the test does the same.
mkdir -p "$T/rootfs" "$T/upper" "$T/work" "$T/ctr"
mount -t overlay overlay -o "lowerdir=$LOWER,upperdir=$T/upper,workdir=$T/work" "$T/rootfs"

# -u nobody --group-add 10 -h spec-test -e FOO=bar -w /tmp --cap-add SYS_TIME --cap-drop NET_RAW
cat >"$T/create.json" <<'JSON'
{"Cmd": ["sh", "-c", "grep -E '^(Cap|Seccomp|NoNewPrivs)' /proc/self/status; id; hostname; echo cwd=$(pwd); env | sort; wc -c </proc/keys; awk '$5 == \"/proc/sys\" {print \"procsys=\" $6}' /proc/self/mountinfo; grep -c . /etc/hosts; cat /etc/hostname; ls -d /data"],
 "Env": ["FOO=bar"], "User": "nobody", "Hostname": "spec-test", "WorkingDir": "/tmp",
 "Volumes": {"/data": {}},
 "HostConfig": {"GroupAdd": ["10"], "CapAdd": ["SYS_TIME"], "CapDrop": ["NET_RAW"],
                "SecurityOpt": ["no-new-privileges"], "NetworkMode": "none",
                "Ulimits": [{"Name": "nofile", "Soft": 1000, "Hard": 1000}]}}
JSON
# The defaults: root, Docker's 14 capabilities effective, the id's first 12 chars as hostname.
cat >"$T/create-root.json" <<'JSON'
{"Cmd": ["sh", "-c", "grep -E '^CapEff' /proc/self/status; hostname; id; grep -c . /etc/hosts; unshare -U true 2>&1 || echo unshare-denied"],
 "HostConfig": {"NetworkMode": "none"}}
JSON

check() { # runtime-name output pattern description
	if grep -qE -- "$3" <<<"$2"; then echo "ok   $1: $4"; else echo "FAIL $1: $4 (want /$3/)"; fails=$((fails + 1)); fi
}

for rt in "${RUNTIMES[@]}"; do
	[ -n "$rt" ] || { echo "skip crun: not installed"; continue; }
	name=$(basename "$rt")
	bundle=$T/bundle-$name
	mkdir -p "$bundle"
	"$TOOL" "$T/create.json" "$T/image.json" "$T/rootfs" "$T/ctr" "$ID" >"$bundle/config.json"
	# root capabilities: the same spec with the default user
	out=$(cd "$bundle" && in_ns "$rt" --root "$T/rt-$name" run "$ID" 2>&1) || {
		echo "FAIL $name: run failed: $out"; fails=$((fails + 1)); continue; }
	in_ns "$rt" --root "$T/rt-$name" delete --force "$ID" >/dev/null 2>&1 || true
	[ -z "${SPEC_RUN_VERBOSE:-}" ] || echo "$out"
	check "$name" "$out" '^CapBnd:[[:space:]]+00000000aa0405fb$' "bounding set = Docker's 14 - NET_RAW + SYS_TIME"
	check "$name" "$out" '^CapEff:[[:space:]]+0000000000000000$' "no effective caps for a non-root user"
	check "$name" "$out" '^Seccomp:[[:space:]]+2$' "seccomp filter mode"
	check "$name" "$out" '^NoNewPrivs:[[:space:]]+1$' "no-new-privileges"
	check "$name" "$out" '^uid=65534\(nobody\) gid=65534\(nogroup\) groups=10,65534' "user nobody, groups"
	check "$name" "$out" '^spec-test$' "hostname"
	check "$name" "$out" '^cwd=/tmp$' "working dir"
	check "$name" "$out" '^FOO=bar$' "user env"
	check "$name" "$out" '^HOSTNAME=spec-test$' "HOSTNAME"
	check "$name" "$out" '^PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin$' "PATH"
	check "$name" "$out" '^0$' "/proc/keys masked"
	check "$name" "$out" '^procsys=ro,' "/proc/sys read-only"
	check "$name" "$out" '^/data$' "anonymous volume for Volumes"
	check "$name" "$out" '^6$' "/etc/hosts from the container dir"
	"$TOOL" "$T/create-root.json" "$T/image.json" "$T/rootfs" "$T/ctr" "$ID" >"$bundle/config.json"
	out=$(cd "$bundle" && in_ns "$rt" --root "$T/rt-$name" run "$ID" 2>&1) || {
		echo "FAIL $name: run failed: $out"; fails=$((fails + 1)); continue; }
	in_ns "$rt" --root "$T/rt-$name" delete --force "$ID" >/dev/null 2>&1 || true
	[ -z "${SPEC_RUN_VERBOSE:-}" ] || echo "$out"
	check "$name" "$out" '^CapEff:[[:space:]]+00000000a80425fb$' "root: Docker's 14 capabilities effective"
	check "$name" "$out" "^${ID:0:12}\$" "default hostname"
	check "$name" "$out" '^uid=0\(root\) gid=0\(root\)' "root user"
	check "$name" "$out" 'unshare-denied' "seccomp and capabilities deny unshare"
done
# Nothing of the containers is left: no cgroup named after the id, no mount below $T but ours.
if find /sys/fs/cgroup -maxdepth 3 -name "$ID" 2>/dev/null | grep -q .; then
	echo "FAIL cgroups of $ID left behind"; fails=$((fails + 1))
fi
[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
