#!/usr/bin/env bats
# The root filesystem, the spec's mounts, /dev, devices, maskedPaths and readonlyPaths.

# shellcheck source=helpers.bash
load helpers

setup() {
	common_setup
	touch "$BUNDLE/rootfs/marker-of-this-rootfs"
}

teardown() {
	common_teardown
}

# mount_line DEST: the line of $output (probe mounts) whose mount point is DEST (the last one).
mount_line() {
	awk -v dest="$1" '$5 == dest' <<<"$output" | tail -n1
}

# add_mount JSON: append a mount to the spec.
add_mount() {
	update_config ".mounts += [$1]"
}

@test "pivot_root: the rootfs is / and the host is out of reach" {
	ct_probe ls /
	[ "$status" -eq 0 ]
	has_line marker-of-this-rootfs
	# /work exists on the host, never in the busybox rootfs.
	ct_probe stat /work
	[ "$status" -ne 0 ]
	has_line stat=ENOENT
}

@test "--no-pivot: the rootfs is / too" {
	local id
	id=$(new_id)
	set_args /bin/probe ls /
	ct_run "$id" --no-pivot
	[ "$status" -eq 0 ]
	has_line marker-of-this-rootfs
}

@test "root.readonly: writes fail with EROFS" {
	update_config '.root.readonly = true'
	ct_probe write /newfile
	[ "$status" -ne 0 ]
	has_line write=EROFS
	[ ! -e "$BUNDLE/rootfs/newfile" ]
}

@test "root.readonly=false: writes land in the rootfs" {
	ct_probe write /newfile hello
	[ "$status" -eq 0 ]
	[ "$(cat "$BUNDLE/rootfs/newfile")" = hello ]
}

@test "rootfsPropagation: private, slave and shared all start; private / is in no peer group" {
	local prop
	for prop in private slave shared; do
		update_config ".rootfsPropagation = \"$prop\""
		ct_probe mounts
		[ "$status" -eq 0 ]
		[ -n "$(mount_line /)" ]
		if [ "$prop" = private ]; then
			[[ "$(mount_line /)" != *shared:* && "$(mount_line /)" != *master:* ]]
		fi
	done
}

@test "mount propagation: rslave receives host mounts, rprivate does not" {
	known_deviation '^crun version 1\.8\.' "host mounts under an rslave bind source do not reach the container"
	local host=$TEST_DIR/propagated
	mkdir -p "$host/sub"
	# Make the source a shared mount of its own, so mounts under it propagate to its copies.
	mount --bind "$host" "$host"
	defer "umount -l '$host'"
	mount --make-shared "$host"
	# The container's mount namespace keeps receiving from the host (crun's default would cut it).
	update_config '.rootfsPropagation = "rslave"'
	add_mount '{"destination": "/slave", "type": "bind", "source": "'"$host"'", "options": ["rbind", "rslave"]}'
	add_mount '{"destination": "/private", "type": "bind", "source": "'"$host"'", "options": ["rbind", "rprivate"]}'
	local id
	id=$(new_id)
	set_args /bin/probe sleep inf
	ct_run_detached "$id"
	[ "$status" -eq 0 ]

	mount -t tmpfs -o size=1m hako-propagated "$host/sub"
	defer "umount -l '$host/sub'"
	rt exec "$id" /bin/probe mounts
	[ "$status" -eq 0 ]
	[[ "$(mount_line /slave/sub)" == *hako-propagated* ]]
	[ -z "$(mount_line /private/sub)" ]
}

@test "bind mount: a host directory, read-only" {
	local host=$TEST_DIR/hostdir
	mkdir "$host"
	echo from-host >"$host/file"
	add_mount '{"destination": "/mnt/ro", "type": "bind", "source": "'"$host"'", "options": ["bind", "ro"]}'
	set_args /bin/sh -c '/bin/probe read /mnt/ro/file; /bin/probe write /mnt/ro/new'
	local id
	id=$(new_id)
	ct_run "$id"
	has_line from-host
	has_line write=EROFS
	[ ! -e "$host/new" ]
}

@test "bind mount: read-write reaches the host directory" {
	local host=$TEST_DIR/hostdir
	mkdir "$host"
	add_mount '{"destination": "/mnt/rw", "type": "bind", "source": "'"$host"'", "options": ["bind", "rw"]}'
	ct_probe write /mnt/rw/new from-container
	[ "$status" -eq 0 ]
	[ "$(cat "$host/new")" = from-container ]
}

@test "bind vs rbind: only rbind carries the submounts" {
	local host=$TEST_DIR/hostdir
	mkdir -p "$host/sub"
	mount -t tmpfs -o size=1m hako-submount "$host/sub"
	defer "umount -l '$host/sub'"
	echo in-submount >"$host/sub/file"
	add_mount '{"destination": "/bind", "type": "bind", "source": "'"$host"'", "options": ["bind"]}'
	add_mount '{"destination": "/rbind", "type": "bind", "source": "'"$host"'", "options": ["rbind"]}'
	set_args /bin/sh -c 'echo rbind:; /bin/probe read /rbind/sub/file; echo bind:; /bin/probe ls /bind/sub'
	local id
	id=$(new_id)
	ct_run "$id"
	[ "$status" -eq 0 ]
	[ "$(sed -n '/^rbind:$/,/^bind:$/p' <<<"$output")" = $'rbind:\nin-submount\nbind:' ]
	# Under the plain bind, sub is the empty directory of the host's lower filesystem.
	[ "$(sed -n '/^bind:$/,$p' <<<"$output")" = "bind:" ]
}

@test "tmpfs mount: size and mode" {
	add_mount '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "size=1m", "mode=1770"]}'
	set_args /bin/sh -c '/bin/probe mounts; /bin/probe stat /scratch'
	local id
	id=$(new_id)
	ct_run "$id"
	[ "$status" -eq 0 ]
	local line
	line=$(mount_line /scratch)
	[[ "$line" == *" - tmpfs "* ]]
	[[ "$line" == *size=1024k* ]]
	[[ "$line" == *mode=1770* ]]
	[[ "$line" == *nosuid* ]]
	has_line mode=1770
	has_line type=d
}

@test "proc, sysfs, devpts, mqueue, shm and cgroup are mounted as the spec says" {
	ct_probe mounts
	[ "$status" -eq 0 ]
	[[ "$(mount_line /proc)" == *" - proc "* ]]
	[[ "$(mount_line /sys)" == *" - sysfs "* ]]
	[[ "$(mount_line /sys)" == *" ro,"* ]]
	[[ "$(mount_line /dev)" == *" - tmpfs "* ]]
	[[ "$(mount_line /dev/pts)" == *" - devpts "* ]]
	[[ "$(mount_line /dev/pts)" == *newinstance* || "$(mount_line /dev/pts)" == *ptmxmode=666* ]]
	[[ "$(mount_line /dev/shm)" == *" - tmpfs "* ]]
	[[ "$(mount_line /dev/mqueue)" == *" - mqueue "* ]]
	# /sys/fs/cgroup: a cgroup2 mount, or a tmpfs holding the v1 hierarchies.
	grep -qE ' /sys/fs/cgroup(/[^ ]+)? .* - cgroup2? ' <<<"$output"
	# Without a cgroup namespace (the bundle has none), the v1 mount shows the container's own
	# cgroup, not the host's root.
	if grep -E ' /sys/fs/cgroup/memory .* - cgroup ' <<<"$output" | grep -q ' / /sys/fs/cgroup/memory '; then
		fail "the container sees the host's root memory cgroup"
	fi
}

@test "a symlink in the rootfs does not take a mount destination outside the rootfs" {
	local abs=$TEST_DIR/outside-abs rel=$TEST_DIR/outside-rel source=$TEST_DIR/source
	mkdir "$abs" "$rel" "$source"
	echo from-source >"$source/file"
	# An absolute link to a host path, and a relative one climbing far above the rootfs.
	ln -s "$abs" "$BUNDLE/rootfs/evil-abs"
	ln -s "../../../../../../../../../../..$rel" "$BUNDLE/rootfs/evil-rel"
	add_mount '{"destination": "/evil-abs/sub", "type": "bind", "source": "'"$source"'", "options": ["bind"]}'
	add_mount '{"destination": "/evil-rel/sub", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
	set_args /bin/sh -c '/bin/probe read /evil-abs/sub/file; /bin/probe mounts'
	local id
	id=$(new_id)
	ct_run "$id"
	# Either the runtime resolves the links inside the rootfs (runc) or it refuses the config;
	# in neither case may anything appear on the host.
	if [ "$status" -eq 0 ]; then
		has_line from-source
		# Inside, the destinations resolved to <rootfs>$abs/sub and <rootfs>$rel/sub.
		[[ "$(mount_line "$abs/sub")" == *" - ext4 "* || "$(mount_line "$abs/sub")" == *"$source"* ]]
		[[ "$(mount_line "$rel/sub")" == *" - tmpfs "* ]]
	fi
	[ -z "$(ls -A "$abs")" ]
	[ -z "$(ls -A "$rel")" ]
	[ -z "$(awk -v a="$abs" -v r="$rel" 'index($5, a) == 1 || index($5, r) == 1' /proc/self/mountinfo)" ]
}

@test "/dev: the standard devices, links and mounts" {
	# shellcheck disable=SC2016 # the script runs in the container
	set_args /bin/sh -c 'for d in null zero full random urandom tty; do echo "== $d"; /bin/probe stat /dev/$d; done
		for l in ptmx fd stdin stdout stderr; do echo "== $l"; /bin/probe stat /dev/$l; done
		echo "== pts"; /bin/probe stat /dev/pts; echo "== shm"; /bin/probe stat /dev/shm
		echo "== open"; /bin/probe open /dev/null rw; /bin/probe open /dev/zero r; /bin/probe open /dev/urandom r'
	local id
	id=$(new_id)
	ct_run "$id"
	[ "$status" -eq 0 ]
	# section NAME: the probe's lines for NAME, joined with spaces.
	section() { sed -n "/^== $1\$/,/^== /p" <<<"$output" | grep -v '^==' | tr '\n' ' '; }
	[[ "$(section null)" == *"type=c mode=0666 "*"major=1 minor=3 "* ]]
	[[ "$(section zero)" == *"type=c mode=0666 "*"major=1 minor=5 "* ]]
	[[ "$(section full)" == *"type=c mode=0666 "*"major=1 minor=7 "* ]]
	[[ "$(section random)" == *"type=c mode=0666 "*"major=1 minor=8 "* ]]
	[[ "$(section urandom)" == *"type=c mode=0666 "*"major=1 minor=9 "* ]]
	[[ "$(section tty)" == *"type=c mode=0666 "*"major=5 minor=0 "* ]]
	# /dev/ptmx: a link to pts/ptmx (or the pts instance's ptmx bind-mounted).
	[[ "$(section ptmx)" == *"link=pts/ptmx "* || "$(section ptmx)" == *"major=5 minor=2 "* ]]
	[[ "$(section fd)" == *"link=/proc/self/fd "* ]]
	[[ "$(section stdin)" == *"link=/proc/self/fd/0 "* ]]
	[[ "$(section stdout)" == *"link=/proc/self/fd/1 "* ]]
	[[ "$(section stderr)" == *"link=/proc/self/fd/2 "* ]]
	[[ "$(section pts)" == *"type=d "* ]]
	[[ "$(section shm)" == *"type=d mode=1777 "* ]]
	[ "$(section open)" = "open=OK open=OK open=OK " ]
}

@test "linux.devices: a device node with custom path, numbers, mode and owner" {
	# A copy of /dev/null (1:3) at another path; the runtime allows the devices it creates.
	update_config '.linux.devices = [{"path": "/dev/probe-null", "type": "c", "major": 1, "minor": 3,
		"fileMode": 416, "uid": 1234, "gid": 5678}]'
	# Root here lacks CAP_DAC_OVERRIDE, so mode and owner decide: group 5678 may read (0640).
	set_args /bin/sh -c '/bin/probe stat /dev/probe-null; /bin/probe open /dev/probe-null r'
	update_config '.process.user = {"uid": 0, "gid": 5678}'
	local id
	id=$(new_id)
	ct_run "$id"
	[ "$status" -eq 0 ]
	has_line type=c
	has_line mode=0640
	has_line uid=1234
	has_line gid=5678
	has_line major=1
	has_line minor=3
	has_line open=OK
}

@test "linux.devices: /dev/fuse" {
	[ -c /dev/fuse ] || skip "this machine has no /dev/fuse"
	update_config '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rwm"}]'
	set_args /bin/sh -c '/bin/probe stat /dev/fuse; /bin/probe open /dev/fuse rw'
	local id
	id=$(new_id)
	ct_run "$id"
	[ "$status" -eq 0 ]
	has_line major=10
	has_line minor=229
	has_line mode=0666
	has_line open=OK
}

@test "maskedPaths: a masked file reads empty, a masked directory is empty" {
	mkdir -p "$BUNDLE/rootfs/secret-dir"
	echo secret >"$BUNDLE/rootfs/secret-dir/file"
	echo secret >"$BUNDLE/rootfs/secret-file"
	update_config '.linux.maskedPaths += ["/secret-dir", "/secret-file"]'
	update_config '.linux.maskedPaths += ["/proc/timer_list"]'
	set_args /bin/sh -c 'echo timer_list:; /bin/probe read /proc/timer_list; echo dir:; /bin/probe ls /secret-dir;
		echo file:; /bin/probe read /secret-file; echo acpi:; /bin/probe ls /proc/acpi; echo end:'
	local id
	id=$(new_id)
	ct_run "$id"
	[ "$status" -eq 0 ]
	[ "$output" = $'timer_list:\ndir:\nfile:\nacpi:\nend:' ]

	# The control: unmasked, the same paths have content.
	update_config '.linux.maskedPaths = []'
	id=$(new_id)
	ct_run "$id"
	[ "$status" -eq 0 ]
	[ "$(sed -n '/^timer_list:$/,/^dir:$/p' <<<"$output" | wc -l)" -gt 2 ]
	[ "$(sed -n '/^dir:$/,/^file:$/p' <<<"$output")" = $'dir:\nfile\nfile:' ]
	# The rootfs itself is untouched.
	[ -f "$BUNDLE/rootfs/secret-dir/file" ]
}

@test "readonlyPaths: writes fail with EROFS" {
	mkdir -p "$BUNDLE/rootfs/ro-dir"
	update_config '.linux.readonlyPaths += ["/ro-dir"]'
	set_args /bin/sh -c '/bin/probe write /ro-dir/new; /bin/probe write /proc/sys/kernel/hostname x;
		/bin/probe write /tmp/rw-is-fine'
	local id
	id=$(new_id)
	ct_run "$id"
	[ "$(grep -c '^write=EROFS$' <<<"$output")" -eq 2 ]
	[ "$(tail -n1 <<<"$output")" = write=OK ]
}

@test "overlayfs: a rootfs on an overlay mount takes the container's writes in the upper dir" {
	requires overlayfs
	local ovl=$TEST_DIR/ovl
	mkdir -p "$ovl/upper" "$ovl/work" "$ovl/merged"
	mount -t overlay overlay -o "lowerdir=$BUNDLE/rootfs,upperdir=$ovl/upper,workdir=$ovl/work" "$ovl/merged"
	defer "umount -l '$ovl/merged'"
	update_config ".root.path = \"$ovl/merged\""
	ct_probe write /written-in-container hi
	[ "$status" -eq 0 ]
	[ "$(cat "$ovl/upper/written-in-container")" = hi ]
	[ ! -e "$BUNDLE/rootfs/written-in-container" ]
}
