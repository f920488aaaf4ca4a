#!/usr/bin/env bats
# hako volume create/ls/inspect/rm/prune: Docker's output, filters and messages, without a peer.
# Containers using a volume are rows the test writes into hako.db, as the engine will.

load helpers

setup_file() {
	start_file_dockerd
}

teardown_file() {
	stop_file_dockerd
}

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# one_line_error: $status is non-zero and $output one line naming hako (as in store.bats).
one_line_error() {
	[ "$status" -ne 0 ] || fail "expected a failure, got status 0: $output"
	[ "$(grep -c . <<<"$output")" -eq 1 ] || fail "expected one line, got: $output"
	[[ "$output" == "hako: "* ]] || fail "expected a 'hako: ' line, got: $output"
}

# use_volume CONTAINER VOLUME: a container row (on the busybox image) that uses VOLUME.
use_volume() {
	command -v sqlite3 >/dev/null || need_cap "sqlite3 is not installed (apt-get install sqlite3)"
	if [ -z "${IMAGE_ID:-}" ]; then
		hako_ok image default
		IMAGE_ID=$output
	fi
	sqlite3 "$IMG_ROOT/hako.db" "PRAGMA foreign_keys=ON;
		INSERT OR IGNORE INTO containers(id, name, image) VALUES ('$1', 'n$1', '$IMAGE_ID');
		INSERT INTO container_volumes(container, volume) VALUES ('$1', '$2')"
}

@test "volume create prints the name, is idempotent, and ls shows Docker's table" {
	hako_ok volume create data
	assert_equal "create" "data" "$output"
	hako_ok volume create data
	assert_equal "create again" "data" "$output"
	[ -d "$IMG_ROOT/volumes/data/_data" ] || fail "no _data"
	hako_ok volume create
	local anon=$output
	[[ "$anon" =~ ^[0-9a-f]{64}$ ]] || fail "anonymous name: $anon"
	# Sorted by name, digits as numbers (Docker's natural order): the anonymous one may be first
	# or last.
	local names sorted
	names=$(printf '%s\ndata\n' "$anon" | LC_ALL=C sort)
	mapfile -t sorted <<<"$names"
	hako_ok volume ls
	assert_equal "table" "$(printf 'DRIVER    VOLUME NAME\n'; printf 'local     %s\n' "${sorted[@]}")" "$output"
	hako_ok volume list -q
	assert_equal "quiet" "$names" "$output"
	hako_ok volume ls --format '{{.Name}}:{{.Driver}}:{{.Scope}}'
	assert_equal "format" "$(printf '%s:local:local\n' "${sorted[@]}")" "$output"
	hako_ok volume create v10
	hako_ok volume create v2
	hako_ok volume ls -q -f name=^v
	assert_equal "natural order" "$(printf 'v2\nv10')" "$output"
	hako_ok volume rm v2 v10
	hako_ok volume ls --format 'table {{.Name}}\t{{.Mountpoint}}'
	grep -q '^VOLUME NAME ' <<<"$output" || fail "header: $output"
	grep -q "^data  *$IMG_ROOT/volumes/data/_data\$" <<<"$output" || fail "row: $output"
	hako_ok volume ls --format json -f name=data
	python3 -c 'import json,sys; v=json.loads(sys.stdin.read()); assert v["Name"]=="data" and v["Driver"]=="local" and v["Labels"]=="", v' <<<"$output"
	# Only the tables are written: no debris beside the volumes.
	assert_equal "volumes dir" "$names" "$(find "$IMG_ROOT/volumes" -mindepth 1 -maxdepth 1 -printf '%f\n' | LC_ALL=C sort)"
}

@test "volume inspect prints Docker's JSON, --format, and fails at the end for a missing name" {
	hako_ok volume create --label a=b --label flag -o type=tmpfs -o device=tmpfs -o o=size=100m tv
	hako_ok volume inspect tv
	python3 /dev/fd/3 "$IMG_ROOT" <<<"$output" 3<<'EOF' || fail "inspect: $output"
import datetime, json, sys
root = sys.argv[1]
[v] = json.loads(sys.stdin.read())
assert sorted(v) == ["CreatedAt", "Driver", "Labels", "Mountpoint", "Name", "Options", "Scope"], v
assert v["Name"] == "tv" and v["Driver"] == "local" and v["Scope"] == "local", v
assert v["Labels"] == {"a": "b", "flag": ""}, v
assert v["Options"] == {"type": "tmpfs", "device": "tmpfs", "o": "size=100m"}, v
assert v["Mountpoint"] == root + "/volumes/tv/_data", v
t = datetime.datetime.fromisoformat(v["CreatedAt"].replace("Z", "+00:00"))
assert t.tzinfo is not None
assert abs((datetime.datetime.now(datetime.timezone.utc) - t).total_seconds()) < 120, t
EOF
	hako_ok volume inspect -f '{{.Name}} {{index .Labels "a"}} {{.Options.type}}' tv
	assert_equal "format" "tv b tmpfs" "$output"
	hako volume inspect tv nope
	[ "$status" -eq 1 ] || fail "status $status"
	grep -q '"Name": "tv"' <<<"$output" || fail "found one not printed: $output"
	assert_equal "last line" "hako: no such volume: nope" "$(tail -n1 <<<"$output")"
}

@test "volume create refuses bad names, drivers and options with one line" {
	local bad
	for bad in a _ab .ab 'a/b' 'a b' 'a:b'; do
		hako volume create "$bad"
		one_line_error
		[ "$status" -eq 1 ] || fail "status $status for $bad"
		grep -q 'includes invalid characters for a local volume name' <<<"$output" || fail "$output"
	done
	hako volume create -d nfs v1
	one_line_error
	grep -q 'plugin "nfs" not found' <<<"$output" || fail "$output"
	hako volume create -o foo=bar v1
	one_line_error
	grep -q 'invalid option: "foo"' <<<"$output" || fail "$output"
	hako volume create -o type=tmpfs v1
	one_line_error
	grep -q 'missing required option: "device"' <<<"$output" || fail "$output"
	hako volume create -o novalue v1
	one_line_error
	hako volume ls --filter color=red
	one_line_error
	hako volume ls --filter dangling=maybe
	one_line_error
	hako_ok volume ls -q
	assert_equal "nothing created" "" "$output"
	[ -z "$(ls -A "$IMG_ROOT/volumes" 2>/dev/null)" ] || fail "debris: $(ls -A "$IMG_ROOT/volumes")"
}

@test "volume ls filters: dangling, name, label, driver" {
	hako_ok volume create --label env=prod web
	hako_ok volume create --label env=dev webcache
	hako_ok volume create --label other db
	use_volume c0ffee01 web
	hako_ok volume ls -q -f dangling=true
	assert_equal "dangling" "$(printf 'db\nwebcache')" "$output"
	hako_ok volume ls -q -f dangling=false
	assert_equal "in use" "web" "$output"
	hako_ok volume ls -q -f name=web
	assert_equal "name is a search" "$(printf 'web\nwebcache')" "$output"
	hako_ok volume ls -q -f name='^web$'
	assert_equal "name anchored" "web" "$output"
	hako_ok volume ls -q -f label=env
	assert_equal "label key" "$(printf 'web\nwebcache')" "$output"
	hako_ok volume ls -q -f label=env=dev
	assert_equal "label value" "webcache" "$output"
	hako_ok volume ls -q -f label=env -f dangling=true
	assert_equal "both" "webcache" "$output"
	hako_ok volume ls -q -f driver=local -f name=db
	assert_equal "driver" "db" "$output"
	hako_ok volume ls -q -f driver=nfs
	assert_equal "no driver" "" "$output"
}

@test "volume rm: Docker's messages, in use refused even with -f, every name tried" {
	hako_ok volume create v1
	hako_ok volume create v2
	hako_ok volume create busy
	use_volume c0ffee0123456789 busy
	hako volume rm v1 nope v2
	[ "$status" -eq 1 ] || fail "status $status"
	# As Docker: the names removed, then the errors.
	assert_equal "rm output" "$(printf 'v1\nv2\nhako: no such volume: nope')" "$output"
	[ ! -e "$IMG_ROOT/volumes/v1" ] && [ ! -e "$IMG_ROOT/volumes/v2" ] || fail "directories left"
	hako volume rm -f busy
	one_line_error
	assert_equal "in use" "hako: remove busy: volume is in use - [c0ffee0123456789]" "$output"
	[ -d "$IMG_ROOT/volumes/busy/_data" ] || fail "in-use volume's directory removed"
	hako_ok volume rm -f nope
	sqlite3 "$IMG_ROOT/hako.db" "PRAGMA foreign_keys=ON; DELETE FROM containers"
	hako_ok volume remove busy
	assert_equal "rm" "busy" "$output"
	hako_ok volume ls -q
	assert_equal "none left" "" "$output"
	[ -z "$(ls -A "$IMG_ROOT/volumes")" ] || fail "debris: $(ls -A "$IMG_ROOT/volumes")"
}

@test "volume prune: anonymous unused ones unless -a, asks without -f, reclaimed space" {
	hako_ok volume create named
	hako_ok volume create --label keep=1 kept
	hako_ok volume create
	local anon=$output
	hako_ok volume create
	local anon_used=$output
	use_volume c0ffee02 "$anon_used"
	head -c 1200000 /dev/zero >"$IMG_ROOT/volumes/$anon/_data/blob"
	# No answer, or "n": nothing is removed.
	run __hako volume prune </dev/null
	[ "$status" -eq 0 ] || fail "status $status"
	grep -q '^WARNING! This will remove anonymous local volumes not used by at least one container.$' <<<"$output" || fail "$output"
	run __hako volume prune <<<"n"
	hako_ok volume ls -q
	[ "$(grep -c . <<<"$output")" -eq 4 ] || fail "removed without a yes: $output"
	run __hako volume prune <<<"y"
	[ "$status" -eq 0 ] || fail "status $status: $output"
	# The answer came from a pipe, so no newline follows the prompt (as with Docker).
	grep -q "\[y/N\] Deleted Volumes:\$" <<<"$output" || fail "$output"
	grep -qx "$anon" <<<"$output" || fail "$output"
	grep -qx 'Total reclaimed space: 1.2MB' <<<"$output" || fail "$output"
	hako_ok volume prune -f
	assert_equal "nothing left to prune" "Total reclaimed space: 0B" "$output"
	hako_ok volume prune -f -a --filter 'label!=keep'
	assert_equal "all but the labelled and the used" "$(printf 'Deleted Volumes:\nnamed\n\nTotal reclaimed space: 0B')" "$output"
	hako volume prune -f --filter dangling=true
	one_line_error
	hako_ok volume prune -f --filter all=true
	assert_equal "all=true is -a" "$(printf 'Deleted Volumes:\nkept\n\nTotal reclaimed space: 0B')" "$output"
	hako_ok volume ls -q
	assert_equal "the used one stays" "$anon_used" "$output"
}

@test "volume commands answer as Docker's do (a private dockerd)" {
	need_dockerd
	local peer
	for peer in hako docker; do
		if [ $peer = hako ]; then
			run_peer() { run __hako "$@"; }
		else
			run_peer() { run dk "$@"; }
		fi
		run_peer volume create --label a=b -o type=tmpfs -o device=tmpfs -o o=size=1m cmpvol
		[ "$status" -eq 0 ] || fail "$peer create: $output"
		run_peer volume create
		[ "$status" -eq 0 ] || fail "$peer anonymous create: $output"
		local anon=$output
		run_peer volume ls -f name=cmpvol
		echo "$output" >"$TEST_DIR/$peer.ls"
		# {{json .}}: Debian's docker CLI (20.10) predates --format json, and the cluster volume
		# fields of 23+ (Availability, Group, Status, "N/A" for local volumes) hako also has.
		run_peer volume ls --format "{{json .}}" -f name=cmpvol
		jq -S 'keys - ["Availability", "Group", "Status"]' <<<"$output" >"$TEST_DIR/$peer.lskeys"
		run_peer volume inspect cmpvol
		# What a client reads: the keys, the values but the mountpoint and the time, and an
		# RFC 3339 time with a zone.
		jq -S '.[0] | del(.Mountpoint, .CreatedAt)' <<<"$output" >"$TEST_DIR/$peer.inspect"
		jq -r '.[0].CreatedAt' <<<"$output" |
			grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})$' ||
			fail "$peer CreatedAt: $output"
		run_peer volume inspect -f '{{.Name}} {{.Labels}} {{.Scope}}' cmpvol
		echo "$output" >"$TEST_DIR/$peer.format"
		run_peer volume create 'a/b'
		# Docker's "Error response from daemon: " is hako's "hako: ".
		sed -e 's/^Error response from daemon: //' -e 's/^hako: //' <<<"$output" >"$TEST_DIR/$peer.badname"
		run_peer volume rm cmpvol
		echo "$output" >"$TEST_DIR/$peer.rm"
		run_peer volume prune -f
		echo "${output//$anon/ANON}" >"$TEST_DIR/$peer.prune"
		run_peer volume ls -q
		[ -z "$output" ] || fail "$peer left volumes: $output"
	done
	local what
	for what in ls lskeys inspect format badname rm prune; do
		diff -u "$TEST_DIR/docker.$what" "$TEST_DIR/hako.$what" || fail "$what differs from Docker's"
	done
}
