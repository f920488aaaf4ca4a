#!/usr/bin/env bats
# Volumes: named, populated from the image, surviving the container; binds; anonymous ones.

load helpers

@test "volumes: -v NAME:/data creates the volume; data survives the container" {
	hako_ok run --rm -v vol1:/data busybox sh -c 'echo kept >/data/f'
	hako_ok volume ls -q
	has_line vol1
	hako_ok volume inspect -f '{{.Name}} {{.Driver}}' vol1
	assert_equal inspect "vol1 local" "$output"
	hako_ok run --rm -v vol1:/data busybox cat /data/f
	assert_equal "data in the volume" kept "$output"
	[ -f "$ROOT/volumes/vol1/_data/f" ] || fail "not under <root>/volumes/vol1/_data"
}

@test "volumes: a new volume over image content is filled from it" {
	hako_ok run --rm -v etcvol:/etc busybox cat /etc/passwd
	has_match '^root:x:0:0:'
	[ -s "$ROOT/volumes/etcvol/_data/passwd" ] || fail "volume not populated"
	# A volume that is not new is not filled again.
	hako_ok run --rm -v etcvol:/etc busybox sh -c 'rm /etc/passwd'
	hako_ok run --rm -v etcvol:/etc busybox sh -c 'ls /etc/passwd 2>&1 || echo gone'
	has_line gone
}

@test "volumes: -v /hostdir:/x binds; :ro is read-only" {
	mkdir -p "$TEST_DIR/host"
	echo from-host >"$TEST_DIR/host/in"
	hako_ok run --rm -v "$TEST_DIR/host:/x" busybox sh -c 'cat /x/in; echo from-ctr >/x/out'
	has_line from-host
	assert_equal "written through the bind" from-ctr "$(cat "$TEST_DIR/host/out")"
	hako run --rm -v "$TEST_DIR/host:/x:ro" busybox sh -c 'cat /x/in; echo no >/x/out2'
	[ "$status" -ne 0 ]
	has_line from-host
	has_match 'Read-only file system'
	[ ! -e "$TEST_DIR/host/out2" ]
}

@test "volumes: an anonymous volume is removed by rm -v" {
	hako_ok run --name anon -v /data busybox sh -c 'echo x >/data/f'
	hako_ok volume ls -q
	one_line
	local vol=$output
	[[ "$vol" =~ ^[0-9a-f]{64}$ ]] || fail "anonymous volume name: $vol"
	[ -f "$ROOT/volumes/$vol/_data/f" ] || fail "the data is not in volume $vol"
	hako_ok rm -v anon
	hako_ok volume ls -q
	assert_equal "volumes after rm -v" "" "$output"
}

@test "volumes: rm without -v keeps a named volume; volume rm of a used one is refused" {
	run_d --name user -v busy:/data busybox sleep 60
	hako volume rm busy
	[ "$status" -ne 0 ] || fail "volume rm of a used volume succeeded"
	has_match 'in use'
	hako_ok rm -f user
	hako_ok volume ls -q
	has_line busy
	hako_ok volume rm busy
	hako_ok volume ls -q
	assert_equal volumes "" "$output"
}

@test "volumes: --mount type=volume and type=tmpfs" {
	hako_ok run --rm --mount type=volume,source=mv,target=/m --mount type=tmpfs,target=/t busybox sh -c 'echo a >/m/a; grep " /t " /proc/mounts'
	has_match '^tmpfs /t tmpfs '
	hako run --rm --mount type=volume,source=mv,target=/m,readonly busybox sh -c 'cat /m/a; touch /m/b'
	[ "$status" -ne 0 ] || fail "a readonly volume was writable"
	has_line a
	has_match 'Read-only file system'
}

@test "volumes: inspect's Mounts lists volumes and binds as Docker does" {
	mkdir -p "$TEST_DIR/host"
	hako_ok create --name mnt -v /anon -v named:/n -v "$TEST_DIR/host:/b:ro" busybox true
	hako_ok inspect -f '{{json .Mounts}}' mnt
	local m=$output
	assert_equal "mount count" 3 "$(jq length <<<"$m")"
	assert_equal "named volume" 'volume named /n true' \
		"$(jq -r '.[] | select(.Destination == "/n") | "\(.Type) \(.Name) \(.Destination) \(.RW)"' <<<"$m")"
	assert_equal "bind" "bind $TEST_DIR/host /b false" \
		"$(jq -r '.[] | select(.Destination == "/b") | "\(.Type) \(.Source) \(.Destination) \(.RW)"' <<<"$m")"
	jq -e '.[] | select(.Destination == "/anon") | .Type == "volume" and (.Name | test("^[0-9a-f]{64}$"))' <<<"$m" >/dev/null ||
		fail "anonymous volume missing from Mounts: $m"
}
