#!/usr/bin/env bats
# User namespaces beyond one mapping: several ranges, their validation, idmapped mounts and the
# idmapped rootfs. Rootless containers (an unprivileged caller) are in rootless.bats.

# shellcheck source=helpers.bash
load helpers

setup() {
	common_setup
	requires userns
}

teardown() {
	common_teardown
}

# maps JSON: uidMappings and gidMappings both set to JSON, plus a new user namespace.
maps() {
	add_namespace user
	update_config ".linux.uidMappings = $1 | .linux.gidMappings = $1"
	allow_traversal "$BUNDLE/rootfs"
}

# bind_mount SRC DEST [OPTION...]: append a bind mount of SRC at DEST. The mount point is made
# beforehand: the container's root may not write a rootfs owned by the host's root.
bind_mount() {
	local src=$1 dest=$2
	shift 2
	mkdir -p "$BUNDLE/rootfs$dest"
	update_config ".mounts += [{\"destination\": \"$dest\", \"type\": \"bind\", \"source\": \"$src\",
		\"options\": $(json_array bind "$@")}]"
}

# requires_idmap: skip for a runtime whose features lack idmapped mounts (runc < 1.2).
requires_idmap() {
	runtime_is_hako && return 0
	runtime_features | jq -e '.linux.mountExtensions.idmap.enabled == true' >/dev/null ||
		skip "$(runtime_name) lacks idmapped mounts (not in its features)"
}

# config_error FILTER MESSAGE: the config after FILTER fails to create, cleanly; hako names the
# field as MESSAGE says (other runtimes word it their way).
config_error() {
	update_config "$1"
	local id
	id=$(new_id)
	ct_create "$id"
	assert_failed_cleanly "$id"
	if runtime_is_hako; then
		grep -qF -- "$2" <<<"$output" || fail "expected \"$2\" in: $output"
	fi
}

TWO_RANGES='[{"containerID": 0, "hostID": 100000, "size": 1000},
	{"containerID": 1000, "hostID": 200000, "size": 64536}]'

@test "user namespace: several ranges, inside and out" {
	maps "$TWO_RANGES"
	local shared=$TEST_DIR/shared
	mkdir "$shared"
	chmod 1777 "$shared"
	allow_traversal "$shared"
	touch "$shared/host-file"
	chown 200005:100007 "$shared/host-file"
	bind_mount "$shared" /shared
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_args /bin/sh -c '/bin/probe read /proc/self/uid_map; /bin/probe read /proc/self/gid_map;
		/bin/probe ids; /bin/probe write /shared/made; /bin/probe stat /shared/host-file'
	ct_run "$(new_id)"
	[ "$status" -eq 0 ]
	[ "$(grep -cE '^ +0 +100000 +1000$' <<<"$output")" -eq 2 ]
	[ "$(grep -cE '^ +1000 +200000 +64536$' <<<"$output")" -eq 2 ]
	has_line uid=1000
	has_line write=OK
	# A host file of host ids 200005:100007 is container ids 1005:7 ...
	has_line uid=1005
	has_line gid=7
	# ... and the file the container's uid 1000 made is host uid 200000.
	[ "$(stat -c %u:%g "$shared/made")" = 200000:200000 ]
}

@test "user namespace: several ranges seen from the host" {
	maps "$TWO_RANGES"
	local id pid
	id=$(new_id)
	set_args /bin/probe sleep inf
	ct_run_detached "$id"
	[ "$status" -eq 0 ]
	pid=$(ct_state "$id" pid)
	grep -qE '^ +0 +100000 +1000$' "/proc/$pid/uid_map"
	grep -qE '^ +1000 +200000 +64536$' "/proc/$pid/gid_map"
	# Root writes the maps directly: setgroups stays allowed.
	[ "$(cat "/proc/$pid/setgroups")" = allow ]
}

@test "user namespace: overlapping container ranges are refused" {
	add_namespace user
	config_error '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536},
		{"containerID": 1000, "hostID": 300000, "size": 10}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]' \
		'linux.uidMappings[1]: overlaps linux.uidMappings[0] (container ids 0-65535)'
}

@test "user namespace: overlapping host ranges are refused" {
	add_namespace user
	config_error '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 100},
		{"containerID": 100, "hostID": 100050, "size": 10}]' \
		'linux.gidMappings[1]: overlaps linux.gidMappings[0] (host ids 100000-100099)'
}

@test "user namespace: a range of size 0 is refused" {
	add_namespace user
	config_error '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 0}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 1}]' \
		'linux.uidMappings[0].size: must be greater than 0'
}

@test "user namespace: a range beyond 2^32 is refused" {
	add_namespace user
	config_error '.linux.uidMappings = [{"containerID": 4294967000, "hostID": 100000, "size": 1000}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 1}]' \
		'linux.uidMappings[0]: container ids 4294967000-4294967999 exceed the 32-bit id space'
}

@test "user namespace: more than 340 ranges are refused" {
	add_namespace user
	config_error '.linux.uidMappings = [range(341) | {"containerID": (. * 10), "hostID": (100000 + . * 10), "size": 10}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 1}]' \
		'linux.uidMappings: 341 ranges, the kernel accepts at most 340'
}

@test "user namespace: 340 ranges are accepted" {
	# Short numbers: the 340 lines must also fit in one page-sized write.
	maps '[range(340) | {"containerID": ., "hostID": (1000 + .), "size": 1}]'
	ct_probe read /proc/self/uid_map
	[ "$status" -eq 0 ]
	[ "$(grep -c . <<<"$output")" -eq 340 ]
	grep -qE '^ +339 +1339 +1$' <<<"$output"
}

@test "user namespace: a map longer than a page is refused" {
	add_namespace user
	config_error '.linux.uidMappings = [range(340) | {"containerID": ., "hostID": (100000 + .), "size": 1}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 1}]' \
		'linux.uidMappings: 4310 bytes as text, the kernel takes at most 4095 in one write'
}

@test "user namespace: a new one without mappings is refused (as root)" {
	add_namespace user
	config_error 'del(.linux.uidMappings) | del(.linux.gidMappings)' \
		'linux.uidMappings: a new user namespace needs uidMappings and gidMappings'
}

@test "idmapped mount: a root-owned host dir appears owned by the container's root" {
	requires_idmap
	maps '[{"containerID": 0, "hostID": 100000, "size": 65536}]'
	local dir=$TEST_DIR/idm
	mkdir -m 0755 "$dir"
	echo data >"$dir/host-file"
	allow_traversal "$dir"
	bind_mount "$dir" /idm idmap
	set_args /bin/sh -c '/bin/probe stat /idm/host-file; /bin/probe write /idm/made'
	ct_run "$(new_id)"
	[ "$status" -eq 0 ]
	has_line uid=0
	has_line gid=0
	has_line write=OK
	# Made by the container's root (host uid 100000), through the mount: host uid 0.
	[ "$(stat -c %u:%g "$dir/made")" = 0:0 ]
}

@test "idmapped mount: without idmap the same dir is the overflow id" {
	maps '[{"containerID": 0, "hostID": 100000, "size": 65536}]'
	local dir=$TEST_DIR/plain
	mkdir -m 0755 "$dir"
	echo data >"$dir/host-file"
	allow_traversal "$dir"
	bind_mount "$dir" /plain
	set_args /bin/sh -c '/bin/probe stat /plain/host-file; /bin/probe write /plain/made'
	ct_run "$(new_id)"
	has_line uid=65534
	has_line write=EACCES
}

@test "idmapped mount: the mount's own uidMappings/gidMappings" {
	requires_idmap
	requires_runtime_spec 1.1.0 "mounts[].uidMappings"
	maps '[{"containerID": 0, "hostID": 100000, "size": 65536}]'
	local dir=$TEST_DIR/own
	mkdir -m 0755 "$dir" "$BUNDLE/rootfs/own"
	echo data >"$dir/host-file"
	allow_traversal "$dir"
	# On-disk id 0 shows as host id 100010: container id 10.
	update_config ".mounts += [{\"destination\": \"/own\", \"type\": \"bind\", \"source\": \"$dir\",
		\"options\": [\"bind\", \"idmap\"],
		\"uidMappings\": [{\"containerID\": 0, \"hostID\": 100010, \"size\": 1}],
		\"gidMappings\": [{\"containerID\": 0, \"hostID\": 100020, \"size\": 1}]}]"
	ct_probe stat /own/host-file
	[ "$status" -eq 0 ]
	has_line uid=10
	has_line gid=20
}

@test "idmapped mount: idmap on a non-bind mount is refused" {
	hako_only "runc 1.1 ignores idmap on a tmpfs"
	maps '[{"containerID": 0, "hostID": 100000, "size": 65536}]'
	config_error '.mounts += [{"destination": "/t", "type": "tmpfs", "source": "tmpfs", "options": ["idmap"]}]' \
		'idmapped mounts must be bind mounts'
}

@test "idmapped rootfs: a root-owned rootfs appears owned by the container's root" {
	hako_only "the run.oci.hako.idmap-rootfs annotation"
	maps '[{"containerID": 0, "hostID": 100000, "size": 65536}]'
	update_config '.annotations["run.oci.hako.idmap-rootfs"] = "true"'
	[ "$(stat -c %u "$BUNDLE/rootfs")" = 0 ]
	set_args /bin/sh -c '/bin/probe stat /; /bin/probe write /made-by-root'
	ct_run "$(new_id)"
	[ "$status" -eq 0 ]
	has_line uid=0
	has_line write=OK
	[ "$(stat -c %u:%g "$BUNDLE/rootfs/made-by-root")" = 0:0 ]
}

@test "features: idmapped mounts are reported" {
	hako_only "hako's features document"
	rt features
	[ "$status" -eq 0 ]
	[ "$(jq -r '.linux.mountExtensions.idmap.enabled' <<<"$output")" = true ]
	jq -e '.mountOptions | index("idmap") and index("ridmap")' <<<"$output" >/dev/null
}
