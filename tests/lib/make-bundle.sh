#!/bin/bash
# make-bundle.sh DIR [PROBE]: make an OCI bundle with a busybox rootfs in DIR.
#
# DIR/rootfs gets Debian's static busybox as /bin/busybox with a symlink per applet (sh, true,
# cat, ls, sleep, id, mount, ...), the usual empty directories, a minimal /etc/passwd and
# /etc/group, and PROBE (the static hako-probe) as /bin/probe when given. DIR/config.json is the
# runtime's own `spec`, so the bundle suits whichever runtime made it, with process.terminal=false
# and the args ["/bin/sh","-c","echo hello from inside the container"]:
#
#   tests/lib/make-bundle.sh /tmp/demo && hako-runtime run -b /tmp/demo demo
#
# Environment:
#   RUNTIME          the runtime whose `spec` writes config.json (default: the first of
#                    hako-runtime, runc, crun on PATH)
#   BUNDLE_TEMPLATE  a directory holding a bundle made by this script earlier; DIR is copied from
#                    it (cp -a: a few milliseconds) instead of being built. When the template does
#                    not exist yet it is built first, so a suite passes one per run.
#   BUSYBOX          the static busybox to use (default /bin/busybox from busybox-static)
set -euo pipefail

usage() {
	echo "usage: make-bundle.sh DIR [PROBE]" >&2
	exit 2
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	usage
fi
dest=$1
probe=${2:-}
busybox=${BUSYBOX:-/bin/busybox}

if [ -z "${RUNTIME:-}" ]; then
	for candidate in hako-runtime runc crun; do
		if RUNTIME=$(command -v "$candidate"); then
			break
		fi
	done
fi
[ -n "${RUNTIME:-}" ] || {
	echo "make-bundle.sh: no runtime found: set RUNTIME" >&2
	exit 1
}

# build_rootfs ROOTFS: busybox, its applets and the usual directories.
build_rootfs() {
	local rootfs=$1 applet
	if ! "$busybox" --list >/dev/null 2>&1 || ldd "$busybox" >/dev/null 2>&1; then
		echo "make-bundle.sh: $busybox is not a static busybox (apt-get install busybox-static)" >&2
		return 1
	fi
	mkdir -p "$rootfs"/{bin,dev,etc,home,proc,root,run,sys,tmp,var/tmp,usr/bin,usr/sbin,sbin,mnt}
	chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
	chmod 0700 "$rootfs/root"
	cp "$busybox" "$rootfs/bin/busybox"
	for applet in $("$busybox" --list); do
		[ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
		>"$rootfs/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
}

# write_config BUNDLE: the runtime's default spec with our process.
write_config() {
	local bundle=$1 spec
	spec=$(mktemp -d)
	# `spec` writes ./config.json and refuses to overwrite one: run it in a scratch directory.
	if ! (cd "$spec" && "$RUNTIME" spec >/dev/null); then
		rm -rf "$spec"
		echo "make-bundle.sh: $RUNTIME spec failed" >&2
		return 1
	fi
	jq '.process.terminal = false
		| .process.args = ["/bin/sh", "-c", "echo hello from inside the container"]
		| .root.path = "rootfs"' "$spec/config.json" >"$bundle/config.json"
	rm -rf "$spec"
}

# build_bundle BUNDLE: a complete bundle without the probe.
build_bundle() {
	local bundle=$1
	mkdir -p "$bundle"
	build_rootfs "$bundle/rootfs"
	write_config "$bundle"
}

if [ -n "${BUNDLE_TEMPLATE:-}" ]; then
	if [ ! -f "$BUNDLE_TEMPLATE/config.json" ]; then
		# Build beside the template and rename, so concurrent callers never see half a template.
		tmp=$(mktemp -d "$BUNDLE_TEMPLATE.XXXXXX")
		chmod 0755 "$tmp"
		build_bundle "$tmp"
		mv -T "$tmp" "$BUNDLE_TEMPLATE" 2>/dev/null || rm -rf "$tmp"
	fi
	mkdir -p "$dest"
	cp -a "$BUNDLE_TEMPLATE/rootfs" "$dest/rootfs"
	cp "$BUNDLE_TEMPLATE/config.json" "$dest/config.json"
else
	build_bundle "$dest"
fi

if [ -n "$probe" ]; then
	cp "$probe" "$dest/rootfs/bin/probe"
	chmod 0755 "$dest/rootfs/bin/probe"
fi
