#!/usr/bin/env bats
# hako cp, diff and commit with Docker's syntax, output and errors. Standalone: its own --root
# and --state under a temp dir, the built-in busybox image; every container is removed and no
# mount may be left behind.
#
# Environment: HAKO (default build/release/src/cmd/hako/hako), HAKO_TIMEOUT (s per call, 60).

REPO=$(cd "$(dirname "$BATS_TEST_FILENAME")/../.." && pwd)
HAKO=${HAKO:-$REPO/build/release/src/cmd/hako/hako}
HAKO_TIMEOUT=${HAKO_TIMEOUT:-60}

setup_file() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (overlay mounts, containers)"
	export CP_DIR
	CP_DIR=$(mktemp -d /tmp/hako-cpcommit.XXXXXX)
	"$HAKO" --root "$CP_DIR/root" --state "$CP_DIR/state" image default >/dev/null
}

teardown_file() {
	[ -n "${CP_DIR:-}" ] || return 0
	local ids leftover
	ids=$("$HAKO" --root "$CP_DIR/root" --state "$CP_DIR/state" ps -aq --no-trunc 2>/dev/null)
	[ -z "$ids" ] || "$HAKO" --root "$CP_DIR/root" --state "$CP_DIR/state" rm -f $ids >/dev/null
	leftover=$(awk -v d="$CP_DIR" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo)
	if [ -n "$leftover" ]; then
		awk -v d="$CP_DIR" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r |
			while read -r m; do umount -l "$m"; done
		echo "mounts left behind: $leftover" >&2
		return 1
	fi
	rm -rf "$CP_DIR"
}

setup() {
	HOST=$BATS_TEST_TMPDIR/host
	mkdir -p "$HOST"
}

teardown() {
	# No command may leave a stopped container's rootfs mounted.
	local c m
	for c in $("$HAKO" --root "$CP_DIR/root" --state "$CP_DIR/state" ps -aq --no-trunc \
		--filter status=exited --filter status=created 2>/dev/null); do
		m="$CP_DIR/root/containers/$c/rootfs"
		if mountpoint -q "$m"; then
			umount -l "$m"
			echo "rootfs of stopped container $c left mounted" >&2
			return 1
		fi
	done
}

hako() {
	timeout "$HAKO_TIMEOUT" "$HAKO" --root "$CP_DIR/root" --state "$CP_DIR/state" "$@"
}

fail() {
	echo "$*" >&2
	return 1
}

# ok CMD...: runs hako CMD, fails the test unless it exits 0.
ok() {
	run hako "$@"
	[ "$status" -eq 0 ] || fail "hako $* exited $status: $output"
}

# hostile KIND ARG: a tar on stdout that tries to escape the directory it is extracted in.
hostile() {
	python3 - "$@" <<'PY'
import io, sys, tarfile
kind, arg = sys.argv[1], sys.argv[2]
buf = io.BytesIO()
t = tarfile.open(fileobj=buf, mode="w")
def add_file(name, data=b"pwned\n"):
    ti = tarfile.TarInfo(name); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
def add(name, type, target):
    ti = tarfile.TarInfo(name); ti.type = type; ti.linkname = target; t.addfile(ti)
if kind == "dotdot":
    add_file("../../../../../../.." + arg)
elif kind == "abs":
    add_file(arg)
elif kind == "symlink":
    add("esc", tarfile.SYMTYPE, arg)
    add_file("esc/pwned")
elif kind == "hardlink":
    add("hl", tarfile.LNKTYPE, arg)
t.close()
sys.stdout.buffer.write(buf.getvalue())
PY
}

@test "cp out of a stopped container: file, dir, /. contents, onto a file, missing source" {
	ok run --name out1 busybox sh -c 'echo hi >/newfile; mkdir -p /etc/sub/deep; echo y >/etc/sub/deep/y'
	ok cp out1:/newfile "$HOST/"
	[ "$(cat "$HOST/newfile")" = hi ] || fail "file into dir"
	ok container cp out1:/newfile "$HOST/renamed"
	[ "$(cat "$HOST/renamed")" = hi ] || fail "file to new name"
	ok cp out1:/etc/sub "$HOST/"
	[ "$(cat "$HOST/sub/deep/y")" = y ] || fail "dir into dir"
	ok cp out1:/etc/sub "$HOST/copy"
	[ "$(cat "$HOST/copy/deep/y")" = y ] || fail "dir to new name"
	mkdir "$HOST/contents"
	ok cp out1:/etc/sub/. "$HOST/contents"
	[ "$(cat "$HOST/contents/deep/y")" = y ] || fail "/. copies the contents"
	[ ! -e "$HOST/contents/sub" ] || fail "/. made a sub dir"
	# A symlink is copied as a link, -L follows it.
	ok cp out1:/bin/sh "$HOST/sh"
	[ -L "$HOST/sh" ] || fail "symlink not kept"
	ok cp -L out1:/bin/sh "$HOST/shL"
	[ -f "$HOST/shL" ] && [ ! -L "$HOST/shL" ] || fail "-L did not follow"

	run hako cp out1:/etc "$HOST/newfile"
	[ "$status" -eq 1 ] && [ "$output" = "Error: cannot copy a directory to a file" ] ||
		fail "dir onto file: $status $output"
	run hako cp out1:/nope "$HOST/"
	[ "$status" -eq 1 ] && [ "$output" = "Error: No such container:path: out1:/nope" ] ||
		fail "missing source: $status $output"
	run hako cp nosuch:/etc "$HOST/"
	[ "$status" -eq 1 ] && [ "$output" = "Error response from daemon: No such container: nosuch" ] ||
		fail "missing container: $status $output"
	run hako cp "$HOST/newfile" "$HOST/x"
	[ "$status" -eq 1 ] && [ "$output" = "Error: must specify at least one container source" ] ||
		fail "no container: $output"
	run hako cp out1:/a out1:/b
	[ "$status" -eq 1 ] && [ "$output" = "Error: copying between containers is not supported" ] ||
		fail "two containers: $output"
}

@test "cp CONTAINER:SRC - writes a tar named after the source" {
	ok run --name out2 busybox sh -c 'mkdir -p /etc/sub; echo y >/etc/sub/y'
	run bash -c "timeout $HAKO_TIMEOUT '$HAKO' --root '$CP_DIR/root' --state '$CP_DIR/state' cp out2:/etc/sub - | tar tf -"
	[ "$status" -eq 0 ] && [ "$output" = "$(printf 'sub/\nsub/y')" ] || fail "dir listing: $output"
	run bash -c "timeout $HAKO_TIMEOUT '$HAKO' --root '$CP_DIR/root' --state '$CP_DIR/state' cp out2:/etc/sub/. - | tar tf -"
	[ "$output" = "$(printf './\n./y')" ] || fail "contents listing: $output"
	run bash -c "timeout $HAKO_TIMEOUT '$HAKO' --root '$CP_DIR/root' --state '$CP_DIR/state' cp out2:/etc/passwd - | tar xOf -"
	grep -q '^root:' <<<"$output" || fail "file content: $output"
}

@test "cp into a created container: file, dir, contents, stdin tar, ownership, .wh. names" {
	mkdir -p "$HOST/d/e"
	echo f >"$HOST/f"
	echo g >"$HOST/d/e/g"
	chown 1234:55 "$HOST/f"
	: >"$HOST/.wh.keep"
	ok create --name in1 busybox sh -c 'ls -ln /f1 /fa | awk "{print \$3\":\"\$4\" \"\$9}"; cat /d/e/g /newd/e/g /tmp/e/g /srv/f; ls -a /tmp /tmp2; readlink /lnk; cat /etc/target'
	ok cp "$HOST/f" in1:/f1
	ok cp -a "$HOST/f" in1:/fa
	ok cp "$HOST/d" in1:/
	ok cp "$HOST/d" in1:/newd
	ok cp "$HOST/d/." in1:/tmp
	ok cp "$HOST/.wh.keep" in1:/tmp/
	mkdir "$HOST/tmp2"
	ok cp "$HOST/tmp2" in1:/
	ok cp "$HOST/d" in1:/srv
	tar -C "$HOST" -cf - f | hako cp - in1:/srv
	# A symlink at the destination is followed: its target gets the file, the link stays.
	ln -s /etc/target "$HOST/lnk"
	ok cp "$HOST/lnk" in1:/lnk
	ok cp "$HOST/f" in1:/lnk
	run hako cp "$HOST/d" in1:/f1
	[ "$status" -eq 1 ] && [ "$output" = "Error: cannot copy a directory to a file" ] || fail "dir onto file: $output"
	run hako cp - in1:/f1 </dev/null
	[ "$status" -eq 1 ] && [ "$output" = 'Error: destination "in1:/f1" must be a directory' ] || fail "tar onto file: $output"
	run hako cp "$HOST/f" in1:/nodir/x
	[ "$status" -eq 1 ] && [ "$output" = "Error: No such container:path: in1:/nodir" ] || fail "missing parent: $output"
	run hako start -a in1
	[ "$status" -eq 0 ] || fail "start: $output"
	[ "${lines[0]}" = "0:0 /f1" ] || fail "owner without -a: ${lines[0]}"
	[ "${lines[1]}" = "1234:55 /fa" ] || fail "owner with -a: ${lines[1]}"
	[ "${lines[2]}" = g ] && [ "${lines[3]}" = g ] && [ "${lines[4]}" = g ] && [ "${lines[5]}" = f ] ||
		fail "contents: $output"
	grep -qx '.wh.keep' <<<"$output" || fail ".wh. name not copied literally: $output"
	[ "${lines[-2]}" = /etc/target ] && [ "${lines[-1]}" = f ] || fail "symlink destination: $output"
}

@test "cp to and from a running container goes through its own view (volumes)" {
	ok run -d --name run1 -v cpvol:/data busybox sleep 300
	echo v >"$HOST/v"
	ok cp "$HOST/v" run1:/data/
	ok exec run1 cat /data/v
	[ "$output" = v ] || fail "not in the container's view: $output"
	[ "$(cat "$CP_DIR/root/volumes/cpvol/_data/v")" = v ] || fail "not in the volume"
	ok exec run1 sh -c 'echo inside >/data/w'
	ok cp run1:/data/w "$HOST/w"
	[ "$(cat "$HOST/w")" = inside ] || fail "copy out of the volume"
	ok rm -f run1
}

@test "a hostile tar on stdin cannot write outside the container" {
	local victim=$BATS_TEST_TMPDIR/victim
	mkdir -p "$victim"
	ok create --name evil busybox true
	run bash -c "$(declare -f hostile); hostile dotdot '$victim/dd' | timeout $HAKO_TIMEOUT '$HAKO' --root '$CP_DIR/root' --state '$CP_DIR/state' cp - evil:/tmp"
	[ "$status" -eq 1 ] && [[ "$output" == *"escapes"* ]] || fail "dotdot: $status $output"
	run bash -c "$(declare -f hostile); hostile abs '$victim/abs' | timeout $HAKO_TIMEOUT '$HAKO' --root '$CP_DIR/root' --state '$CP_DIR/state' cp - evil:/tmp"
	[ "$status" -eq 0 ] || fail "abs: $output"
	run bash -c "$(declare -f hostile); hostile symlink '$victim' | timeout $HAKO_TIMEOUT '$HAKO' --root '$CP_DIR/root' --state '$CP_DIR/state' cp - evil:/tmp"
	run bash -c "$(declare -f hostile); hostile hardlink /etc/shadow | timeout $HAKO_TIMEOUT '$HAKO' --root '$CP_DIR/root' --state '$CP_DIR/state' cp - evil:/tmp"
	[ "$status" -eq 1 ] || fail "hardlink to a host file accepted: $output"
	[ -z "$(ls -A "$victim")" ] || fail "wrote outside: $(ls -A "$victim")"
	# The absolute name landed under the destination, inside the container.
	local id
	id=$(hako inspect -f '{{.Id}}' evil)
	[ -f "$CP_DIR/root/containers/$id/upper/tmp$victim/abs" ] || fail "abs not contained"
}

@test "diff lists C/A/D as Docker does, without the runtime's mount points" {
	ok run --name diff0 busybox true
	ok diff diff0
	[ -z "$output" ] || fail "a container that changed nothing: $output"
	ok run --name diff1 busybox sh -c 'echo hi >/newfile; mkdir -p /etc/sub; echo x >/etc/sub/y; rm /bin/vi; echo m >>/etc/passwd'
	ok diff diff1
	[ "$output" = "$(printf 'C /bin\nD /bin/vi\nC /etc\nC /etc/passwd\nA /etc/sub\nA /etc/sub/y\nA /newfile')" ] ||
		fail "diff: $output"
	ok container diff diff1
	[ "${lines[0]}" = "C /bin" ] || fail "container diff: $output"
	run hako diff nosuch
	[ "$status" -eq 1 ] && [ "$output" = "Error response from daemon: No such container: nosuch" ] || fail "$output"
}

@test "commit -m -a -c: the new image runs the committed file with the new CMD" {
	ok run --name com1 busybox sh -c 'echo committed >/hello; rm /bin/vi'
	ok commit -a "Ann <ann@example.com>" -m "my message" -c 'CMD ["cat", "/hello"]' -c 'ENV FOO=bar' com1 cpimg:v1
	[[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]] || fail "output: $output"
	local id=$output
	ok run --rm cpimg:v1
	[ "$output" = committed ] || fail "CMD or file: $output"
	ok run --rm cpimg:v1 sh -c 'echo $FOO; test -e /bin/vi || echo gone'
	[ "$output" = "$(printf 'bar\ngone')" ] || fail "env or whiteout: $output"
	ok history --no-trunc --format '{{.CreatedBy}}|{{.Comment}}' cpimg:v1
	[ "${lines[0]}" = "sh -c echo committed >/hello; rm /bin/vi|my message" ] || fail "history: $output"
	ok image inspect -f '{{.Author}}|{{.Comment}}|{{.Id}}|{{len .RootFS.Layers}}' cpimg:v1
	[ "$output" = "Ann <ann@example.com>|my message|$id|2" ] || fail "inspect: $output"
	# Without a name: a dangling image; a bad instruction changes nothing.
	ok commit com1
	local before
	before=$(hako images -aq | sort)
	run hako commit -c 'RUN true' com1 cpimg:bad
	[ "$status" -eq 1 ] || fail "RUN accepted"
	[ "$(hako images -aq | sort)" = "$before" ] || fail "a failed commit changed the store"
}

@test "commit of a running container pauses it during the commit and leaves it running" {
	ok run -d --name com2 busybox sh -c 'dd if=/dev/zero of=/big bs=1M count=200 2>/dev/null; echo ready >/ready; sleep 300'
	local i
	for i in $(seq 1 100); do
		hako exec com2 test -e /ready && break
		sleep 0.1
	done
	hako commit com2 cpimg:running >"$BATS_TEST_TMPDIR/commit.out" &
	local pid=$! seen=""
	for i in $(seq 1 100); do
		seen+="$(hako inspect -f '{{.State.Status}}' com2) "
		kill -0 "$pid" 2>/dev/null || break
	done
	wait "$pid" || fail "commit failed: $(cat "$BATS_TEST_TMPDIR/commit.out")"
	[[ "$seen" == *paused* ]] || fail "never seen paused: $seen"
	ok inspect -f '{{.State.Status}}' com2
	[ "$output" = running ] || fail "after commit: $output"
	ok run --rm cpimg:running cat /ready
	[ "$output" = ready ] || fail "committed content: $output"
	ok commit --pause=false com2 cpimg:nopause
	ok rm -f com2
}
