#!/usr/bin/env bats
# User-namespace remapping: hako.json "userns-remap" (all containers) and --userns=remap (one
# container, the "hako" user by default), with the rootfs on idmapped layers (no chowned copy).
#
# The subordinate ranges are lines this test adds to /etc/subuid and /etc/subgid for a
# throwaway user (or "hako" when it has none), removed again in teardown (other lines are left
# alone; a file the test created is removed when it is empty again). hako.json is a file of
# the test's ($HAKO_CONFIG).

load helpers

setup() {
	engine_setup
	export HAKO_CONFIG=$TEST_DIR/hako.json
	echo '{}' >"$HAKO_CONFIG"
	START=$((300000 + (RANDOM % 64) * 65536))
	# The remapped root must reach --root (hako says which directory keeps it out): the test's
	# own temp directories, up to the run dir, get o+x.
	local d=$TEST_DIR
	while [ "$d" != / ] && [ "$d" != /tmp ]; do
		chmod o+x "$d"
		[ "$d" = "$TMPDIR" ] && break
		d=$(dirname "$d")
	done
}

teardown() {
	engine_teardown
}

# add_subid NAME [FIRST SIZE]: "NAME:FIRST:SIZE" (default $START, 65536) in /etc/subuid and
# /etc/subgid, until teardown.
add_subid() {
	local line="$1:${2:-$START}:${3:-65536}" f
	for f in /etc/subuid /etc/subgid; do
		if [ ! -e "$f" ]; then
			: >"$f"
			: >"$TEST_DIR/.created-${f##*/}"
		fi
		echo "$line" >>"$f"
		defer "remove_subid_line '$f' '$line'"
	done
}

remove_subid_line() {
	local f=$1 line=$2 rest
	rest=$(grep -vxF -- "$line" "$f" || true)
	if [ -n "$rest" ]; then printf '%s\n' "$rest" >"$f"; else : >"$f"; fi
	if [ -e "$TEST_DIR/.created-${f##*/}" ] && [ ! -s "$f" ]; then rm -f "$f"; fi
}

# use_hako_default: the "hako" user's range, added for the test when it has none.
use_hako_default() {
	local have
	have=$(awk -F: '$1 == "hako" {print $2; exit}' /etc/subuid 2>/dev/null || true)
	if [ -n "$have" ] && grep -q '^hako:' /etc/subgid 2>/dev/null; then
		[ "$(awk -F: '$1 == "hako" {print $2; exit}' /etc/subgid)" = "$have" ] ||
			skip "hako's subuid and subgid ranges differ on this machine"
		START=$have
	else
		add_subid hako
	fi
}

@test "userns: --userns=remap: root inside, the subordinate id outside, image files root's" {
	use_hako_default
	run_d --userns=remap busybox sleep 60
	hako_ok exec "$CID" id -u
	assert_equal "uid inside" 0 "$output"
	hako_ok exec "$CID" cat /proc/self/uid_map
	assert_equal "uid_map" "0 $START 65536" "$(echo $output)"
	hako_ok exec "$CID" cat /proc/self/gid_map
	assert_equal "gid_map" "0 $START 65536" "$(echo $output)"
	local pid
	pid=$(__hako inspect -f '{{.State.Pid}}' "$CID")
	assert_equal "uid on the host" "$START" "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")"
	hako_ok exec "$CID" ls -ln /bin/busybox
	assert_equal "image file's owner inside" "0 0" "$(awk '{print $3, $4}' <<<"$output")"
	hako_ok exec "$CID" ls -lnd / /etc /tmp
	[ "$(awk '{print $3 $4}' <<<"$output" | sort -u)" = 00 ] || fail "dirs not root's: $output"
	hako_ok exec "$CID" sh -c 'echo hi >/made && chown 1000:1000 /etc/passwd'
	assert_equal "new file on the host" "$START:$START" \
		"$(stat -c %u:%g "$ROOT/containers/$CID/upper/made")"
	assert_equal "copied-up file on the host" "$((START + 1000)):$((START + 1000))" \
		"$(stat -c %u:%g "$ROOT/containers/$CID/upper/etc/passwd")"
	# The layer itself is untouched: no chowned copy.
	local layer_owner
	layer_owner=$(find "$ROOT" -path '*/containers' -prune -o -name busybox -type f -print |
		head -n1 | xargs stat -c %u)
	assert_equal "owner in the shared layer" 0 "$layer_owner"
	# --root now lets others through (o+x): all in it but containers/ and volumes/ is closed to
	# them, and those two only traversable.
	assert_equal "--root's other bits" 1 "$(($(stat -c %a "$ROOT") % 10))"
	local f open_to_others=""
	for f in "$ROOT"/*; do
		[ -L "$f" ] && continue
		case ${f##*/} in
		containers | volumes) (($(stat -c %a "$f") % 10 <= 1)) || open_to_others+=" $f" ;;
		*) (($(stat -c %a "$f") % 10 == 0)) || open_to_others+=" $f" ;;
		esac
	done
	[ -z "$open_to_others" ] || fail "open to others:$open_to_others"
	hako_ok rm -f "$CID"
}

@test "userns: hako.json userns-remap remaps every container; --userns=host opts out" {
	add_subid hakotest$$
	echo "{\"userns-remap\": \"hakotest$$\"}" >"$HAKO_CONFIG"
	hako_ok run --rm busybox cat /proc/self/uid_map
	assert_equal "uid_map" "0 $START 65536" "$(echo $output)"
	hako_ok run --rm --userns=host busybox cat /proc/self/uid_map
	assert_equal "host uid_map" "0 0 4294967295" "$(echo $output)"
	# A stopped remapped container starts again on a fresh remapped rootfs.
	hako_ok create --name again busybox sh -c 'ls -ln /bin/busybox; touch /t'
	hako_ok start -a again
	assert_equal "owner on the second start" "0 0" "$(awk '{print $3, $4}' <<<"$output")"
	hako_ok start -a again
	assert_equal "owner on the third start" "0 0" "$(awk '{print $3, $4}' <<<"$output")"
	hako_ok rm again
}

@test "userns: all of the user's ranges are mapped, lowest first, container ids running on into the next" {
	local second=$((START + 4096))
	add_subid hakotest$$ "$second" 64536
	add_subid hakotest$$ "$START" 1000
	echo "{\"userns-remap\": \"hakotest$$\"}" >"$HAKO_CONFIG"
	hako_ok run --name multi busybox sh -c \
		'cat /proc/self/uid_map /proc/self/gid_map; touch /low /high; chown 999:999 /low; chown 1500:1500 /high'
	assert_equal "uid_map and gid_map" "0 $START 1000 1000 $second 64536 0 $START 1000 1000 $second 64536" \
		"$(echo $output)"
	local upper
	upper=$ROOT/containers/$(__hako inspect -f '{{.Id}}' multi)/upper
	assert_equal "owner in the first range" "$((START + 999)):$((START + 999))" "$(stat -c %u:%g "$upper/low")"
	assert_equal "owner in the second range" "$((second + 500)):$((second + 500))" \
		"$(stat -c %u:%g "$upper/high")"
	__hako cp multi:/high - | tar -tv --numeric-owner >"$TEST_DIR/list"
	assert_equal "cp out" "1500/1500" "$(awk '{print $2; exit}' "$TEST_DIR/list")"
	hako_ok commit multi multi:1
	hako_ok run --rm --userns=host multi:1 ls -ln /low /high
	has_match '^-.* 999 +999 .*/low$'
	has_match '^-.* 1500 +1500 .*/high$'
	hako_ok rm multi
	hako_ok rmi multi:1
}

@test "userns: bad modes, missing ranges and Docker's refused combinations: one line, 125" {
	local before
	before=$(ids_now)
	hako run --rm --userns=bogus busybox true
	[ "$status" -eq 125 ] && one_line && has_match 'userns' || fail "bogus mode: $status"
	echo '{"userns-remap": "hakonosuchuser"}' >"$HAKO_CONFIG"
	hako run --rm busybox true
	[ "$status" -eq 125 ] && one_line || fail "missing range: $status"
	has_match '/etc/subuid' && has_match 'hakonosuchuser:100000:65536'
	add_subid hakotest$$
	echo "{\"userns-remap\": \"hakotest$$\"}" >"$HAKO_CONFIG"
	hako run --rm --privileged busybox true
	[ "$status" -eq 125 ] && one_line && has_match 'privileged' || fail "privileged: $status"
	hako run --rm --pid=host busybox true
	[ "$status" -eq 125 ] && one_line && has_match 'PID' || fail "pid=host: $status"
	hako run --rm --network=host busybox true
	[ "$status" -eq 125 ] && one_line && has_match 'network' || fail "network=host: $status"
	hako_ok run --rm --privileged --userns=host busybox true
	echo '{"userns-remap": 7}' >"$HAKO_CONFIG"
	hako run --rm busybox true
	[ "$status" -eq 125 ] && one_line && has_match 'userns-remap' || fail "bad setting: $status"
	assert_nothing_left "$before"
}

@test "userns: commit of a remapped container stores the container's ids" {
	add_subid hakotest$$
	echo "{\"userns-remap\": \"hakotest$$\"}" >"$HAKO_CONFIG"
	hako_ok run --name src busybox sh -c 'echo hi >/made && mkdir /d && touch /d/u && chown 1000:2000 /d/u && rm /bin/true'
	assert_equal "upper owner" "$START" "$(stat -c %u "$ROOT/containers/$(__hako inspect -f '{{.Id}}' src)/upper/made")"
	hako_ok commit src committed:1
	hako_ok run --rm --userns=host committed:1 sh -c 'ls -ln /made /d/u; ls /bin/true || echo gone'
	has_match '^-.* 0 +0 .*/made$'
	has_match '^-.* 1000 +2000 .*/d/u$'
	has_line gone
	# And remapped again, the same ids inside.
	hako_ok run --rm committed:1 ls -ln /made
	has_match '^-.* 0 +0 .*/made$'
	hako_ok rm src
	hako_ok rmi committed:1
}

@test "userns: cp into a remapped container gives its root; cp out shows container ids" {
	add_subid hakotest$$
	echo "{\"userns-remap\": \"hakotest$$\"}" >"$HAKO_CONFIG"
	echo data >"$TEST_DIR/in.txt"
	chown 4242:4242 "$TEST_DIR/in.txt"
	run_d --name box busybox sleep 60
	hako_ok cp "$TEST_DIR/in.txt" box:/in.txt
	hako_ok exec box ls -ln /in.txt
	assert_equal "cp'd file inside" "0 0" "$(awk '{print $3, $4}' <<<"$output")"
	assert_equal "cp'd file on the host" "$START:$START" \
		"$(stat -c %u:%g "$ROOT/containers/$CID/upper/in.txt")"
	hako_ok cp -a "$TEST_DIR/in.txt" box:/kept.txt
	hako_ok exec box ls -ln /kept.txt
	assert_equal "cp -a'd file inside" "4242 4242" "$(awk '{print $3, $4}' <<<"$output")"
	__hako cp box:/bin/busybox - | tar -tv --numeric-owner >"$TEST_DIR/list"
	assert_equal "cp out (running)" "0/0" "$(awk '{print $2; exit}' "$TEST_DIR/list")"
	hako_ok stop -t 0 box
	hako_ok cp "$TEST_DIR/in.txt" box:/stopped.txt
	assert_equal "cp into a stopped one" "$START:$START" \
		"$(stat -c %u:%g "$ROOT/containers/$CID/upper/stopped.txt")"
	__hako cp box:/kept.txt - | tar -tv --numeric-owner >"$TEST_DIR/list"
	assert_equal "cp out (stopped)" "4242/4242" "$(awk '{print $2; exit}' "$TEST_DIR/list")"
	hako_ok rm box
}

@test "userns: a named volume of a remapped container belongs to its root; binds stay" {
	add_subid hakotest$$
	echo "{\"userns-remap\": \"hakotest$$\"}" >"$HAKO_CONFIG"
	mkdir "$TEST_DIR/bind"
	hako_ok run --rm -v vol:/data -v "$TEST_DIR/bind:/bind" busybox \
		sh -c 'ls -lnd /data /bind; touch /data/x'
	has_match '^d.* 0 +0 .*/data$'
	has_match '^d.* 65534 +65534 .*/bind$'
	assert_equal "volume on the host" "$START:$START" "$(stat -c %u:%g "$ROOT/volumes/vol/_data")"
	assert_equal "file in it" "$START:$START" "$(stat -c %u:%g "$ROOT/volumes/vol/_data/x")"
	assert_equal "bind on the host" "0:0" "$(stat -c %u:%g "$TEST_DIR/bind")"
	hako_ok volume rm vol
}

@test "userns: rm -f after a killed shim leaves no mount" {
	add_subid hakotest$$
	echo "{\"userns-remap\": \"hakotest$$\"}" >"$HAKO_CONFIG"
	run_d --name orphan busybox sleep 60
	local shim pid
	shim=$(jq -r .shim_pid "$STATE/containers/$CID/state.json")
	pid=$(__hako inspect -f '{{.State.Pid}}' orphan)
	kill -9 "$shim"
	wait_for 5 '! peers_alive $shim'
	hako_ok rm -f orphan
	wait_for 10 '! peers_alive $pid'
	[ -z "$(peers_mounts_under "$TEST_DIR")" ] || fail "mounts left: $(peers_mounts_under "$TEST_DIR")"
}
