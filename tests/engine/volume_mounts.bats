#!/usr/bin/env bats
# Volumes with the local driver's options (type, device, o): mounted at <root>/volumes/<name>/
# _data while a container uses them, unmounted after the last one, as Docker does.

load helpers

# mounted_at PATH: whether PATH is a mount point here.
mounted_at() {
	awk -v p="$1" '$5 == p { found = 1 } END { exit !found }' /proc/self/mountinfo
}

@test "volume mounts: a tmpfs volume is a tmpfs of its size inside; unmounted after use" {
	hako_ok volume create --driver local --opt type=tmpfs --opt device=tmpfs \
		--opt o=size=64m,uid=1000 tmpvol
	local data=$ROOT/volumes/tmpvol/_data
	mounted_at "$data" && fail "mounted before any use"
	hako_ok run --rm -v tmpvol:/data busybox sh -c \
		'grep " /data " /proc/mounts; df -k /data | tail -n1; stat -c %u /data'
	has_match '^tmpfs /data tmpfs .*size=65536k'
	has_match ' 65536 '
	has_line 1000
	mounted_at "$data" && fail "still mounted after the container"
	hako_ok volume rm tmpvol
	[ ! -e "$ROOT/volumes/tmpvol" ] || fail "volume dir left"
}

@test "volume mounts: two containers share one tmpfs; the last one to stop unmounts it" {
	hako_ok volume create --opt type=tmpfs --opt device=tmpfs --opt o=size=8m shared
	local data=$ROOT/volumes/shared/_data
	run_d --name ca -v shared:/data busybox sh -c 'echo from-a >/data/f; sleep 60'
	run_d --name cb -v shared:/data busybox sleep 60
	mounted_at "$data" || fail "not mounted while used"
	wait_for 10 '[ "$(__hako exec cb cat /data/f 2>/dev/null)" = from-a ]'
	hako_ok stop -t 0 ca
	mounted_at "$data" || fail "unmounted while cb still uses it"
	hako_ok exec cb cat /data/f
	assert_equal "cb still sees ca's file" from-a "$output"
	hako_ok stop -t 0 cb
	mounted_at "$data" && fail "still mounted after the last container"
	# A tmpfs' content goes with its unmount, as in Docker.
	hako_ok start cb
	hako_ok exec cb ls -A /data
	assert_equal "a fresh tmpfs" "" "$output"
	hako_ok rm -f ca cb
	mounted_at "$data" && fail "still mounted after rm -f"
	hako_ok volume rm shared
}

@test "volume mounts: a bind volume shows the host directory's content" {
	mkdir -p "$TEST_DIR/host"
	echo on-host >"$TEST_DIR/host/in"
	hako_ok volume create --opt type=none --opt o=bind --opt device="$TEST_DIR/host" bindvol
	hako_ok run --rm -v bindvol:/x busybox sh -c 'cat /x/in; echo from-ctr >/x/out'
	has_line on-host
	assert_equal "written through to the host" from-ctr "$(cat "$TEST_DIR/host/out")"
	mounted_at "$ROOT/volumes/bindvol/_data" && fail "still mounted after the container"
	hako_ok volume rm bindvol
	assert_equal "host dir kept" on-host "$(cat "$TEST_DIR/host/in")"
}

@test "volume mounts: a killed shim's mount is cleaned by rm -f and volume rm" {
	hako_ok volume create --opt type=tmpfs --opt device=tmpfs --opt o=size=4m orphan
	local data=$ROOT/volumes/orphan/_data
	run_d --name orph -v orphan:/data busybox sleep 60
	mounted_at "$data" || fail "not mounted while used"
	kill -KILL "$(jq -r .shim_pid "$STATE/containers/$CID/state.json")"
	hako_ok rm -f orph
	mounted_at "$data" && fail "still mounted after rm -f"
	# A mount left with no container at all (as a crash between the two would): volume rm.
	mount -t tmpfs tmpfs "$data"
	hako_ok volume rm orphan
	mounted_at "$data" && fail "still mounted after volume rm"
	[ ! -e "$ROOT/volumes/orphan" ] || fail "volume dir left"
}

@test "volume mounts: bad options are refused at create, in one line" {
	hako volume create --opt type=foofs --opt device=x bad1
	[ "$status" -eq 1 ] || fail "status $status"
	one_line
	has_match 'type=foofs: use tmpfs'
	hako volume create --opt type=tmpfs --opt device=tmpfs --opt o=size=1m,colour=red bad2
	[ "$status" -eq 1 ] && one_line && has_match '"colour=red"'
	hako volume create --opt type=none --opt device=/tmp bad3
	[ "$status" -eq 1 ] && one_line && has_match 'needs o=bind'
	hako volume create --opt color=red bad4
	[ "$status" -eq 1 ] && one_line && has_match 'invalid option: "color"'
	hako_ok volume ls -q
	assert_equal "no volume made" "" "$output"
}

@test "volume mounts: a bind volume whose host dir is gone fails the start clearly" {
	hako_ok volume create --opt type=none --opt o=bind --opt device="$TEST_DIR/nope" gone
	hako run --rm -v gone:/x busybox true
	[ "$status" -eq 125 ] || fail "status $status"
	has_match "bind volume device $TEST_DIR/nope: no such file or directory"
	hako_ok ps -aq
	assert_equal "nothing left" "" "$output"
}
