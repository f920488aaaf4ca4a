#!/bin/bash
# make-minbase.sh CACHE_DIR: a Debian bookworm minbase image as two docker-archives, cached.
#
#   CACHE_DIR/rootfs/        `debootstrap --variant=minbase bookworm` from this machine's Debian
#                            mirror, with apt's lists and caches removed (~120 MB)
#   CACHE_DIR/minbase.tar    a `docker save` archive of it as ONE layer, tagged minbase:latest
#   CACHE_DIR/minbase20.tar  the same files cut into 20 layers of roughly equal size, tagged
#                            minbase20:latest
#
# Each step is skipped when its result is present (delete CACHE_DIR, or one file, to redo it);
# results are made beside their final name and renamed, so an interrupted run leaves nothing half
# made. The archives come from tests/lib/make_docker_archive.py (deterministic tars, fixed mtime),
# so a given rootfs always yields the same image ids. Prints each step's time on stderr and the
# two archive paths on stdout.
#
# The mirror is the first `deb` source for bookworm in /etc/apt/sources.list{,.d/*.list,.d/*.sources}
# (override with MIRROR=URI). debootstrap runs in a private mount namespace, so the /proc and /sys
# it mounts into the target can never outlive it. Needs root and the debootstrap package.
set -euo pipefail

LIB_DIR=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
SUITE=${SUITE:-bookworm}

die() {
	echo "make-minbase.sh: $*" >&2
	exit 1
}
[ $# -eq 1 ] || {
	echo "usage: make-minbase.sh CACHE_DIR" >&2
	exit 2
}
cache=$1
[ "$(id -u)" = 0 ] || die "needs root (debootstrap)"
mkdir -p "$cache"
cache=$(readlink -f "$cache")

# step NAME CMD...: run CMD, printing how long it took.
step() {
	local name=$1 start end
	shift
	start=$(date +%s.%N)
	"$@"
	end=$(date +%s.%N)
	printf 'make-minbase: %-28s %6.1f s\n' "$name" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" >&2
}

# find_mirror: the URI of the first enabled `deb` source that carries $SUITE.
find_mirror() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk -v suite="$SUITE" '$1 == "deb" {
			i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
			if ($(i + 1) == suite) { print $i; exit }
		}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		# deb822: blank-line separated stanzas of "Field: value".
		awk -v suite="$SUITE" 'BEGIN { RS = ""; FS = "\n" } {
			types = uris = suites = ""; enabled = 1
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^Types:/) types = " " substr($i, 7) " "
				if ($i ~ /^URIs:/) uris = substr($i, 6)
				if ($i ~ /^Suites:/) suites = " " substr($i, 8) " "
				if ($i ~ /^Enabled: *no/) enabled = 0
			}
			gsub(/\t/, " ", suites)
			if (enabled && types ~ / deb / && suites ~ (" " suite " ")) {
				split(uris, u, " "); for (k in u) if (u[k] != "") { print u[k]; exit }
			}
		}' "$f"
	done
}

# debootstrap_rootfs DEST: the minbase tree, cleaned of what an image does not carry.
debootstrap_rootfs() {
	local dest=$1 mirror keyring=() tmp
	mirror=${MIRROR:-$(find_mirror | head -n1)}
	[ -n "$mirror" ] || die "no Debian mirror for $SUITE in /etc/apt/sources.list*; set MIRROR"
	command -v debootstrap >/dev/null || die "debootstrap is missing (scripts/install-deps.sh)"
	if [ -f /usr/share/keyrings/debian-archive-keyring.gpg ]; then
		keyring=(--keyring=/usr/share/keyrings/debian-archive-keyring.gpg)
	fi
	tmp="$dest.tmp"
	rm -rf "$tmp"
	echo "make-minbase: debootstrap --variant=minbase $SUITE from $mirror" >&2
	if ! unshare -m --propagation private -- debootstrap --variant=minbase "${keyring[@]}" \
		"$SUITE" "$tmp" "$mirror" >"$cache/debootstrap.log" 2>&1; then
		tail -n 20 "$cache/debootstrap.log" >&2
		rm -rf "$tmp"
		die "debootstrap failed (log: $cache/debootstrap.log)"
	fi
	rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/cache/apt/*.bin \
		"$tmp"/var/lib/apt/lists/* "$tmp"/var/log/* "$tmp"/debootstrap
	mkdir -p "$tmp/var/lib/apt/lists/partial"
	mv -T "$tmp" "$dest"
}

# archive OUT TAG [ARGS...]: the docker-archive of the rootfs.
archive() {
	local out=$1 tag=$2
	shift 2
	python3 "$LIB_DIR/make_docker_archive.py" -o "$out.tmp" -t "$tag" --cmd bash "$@" \
		"$cache/rootfs" >/dev/null
	mv -f "$out.tmp" "$out"
}

if [ ! -d "$cache/rootfs" ]; then
	step "debootstrap (minbase)" debootstrap_rootfs "$cache/rootfs"
fi
if [ ! -f "$cache/minbase.tar" ]; then
	step "docker-archive, 1 layer" archive "$cache/minbase.tar" minbase:latest
fi
if [ ! -f "$cache/minbase20.tar" ]; then
	step "docker-archive, 20 layers" archive "$cache/minbase20.tar" minbase20:latest --split 20
fi
echo "$cache/minbase.tar"
echo "$cache/minbase20.tar"
