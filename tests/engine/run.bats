#!/usr/bin/env bats
# hako run: output, exit codes, hako's own errors (one line, exit 125, nothing left behind),
# the flags seen from inside the container, and Docker's defaults.

load helpers

@test "run prints the container's output; --rm leaves nothing" {
	hako_ok run --rm busybox echo hello from hako
	assert_equal output "hello from hako" "$output"
	assert_equal "containers after --rm" "" "$(ids_now)"
	assert_nothing_left ""
}

@test "run: stdout and stderr both reach the terminal" {
	hako_split run --rm busybox sh -c 'echo out; echo err >&2'
	[ "$status" -eq 0 ]
	assert_equal stdout out "$output"
	assert_equal stderr err "$stderr"
}

@test "run: exit codes 0 and 3 are the container's" {
	hako run --rm busybox true
	[ "$status" -eq 0 ]
	hako run --rm busybox sh -c 'exit 3'
	[ "$status" -eq 3 ]
	hako run busybox sh -c 'exit 3'
	[ "$status" -eq 3 ]
	hako_ok ps -aq --no-trunc --filter status=exited
	remember_ids "$output"
	one_line
}

@test "run: a command that is not found exits 127" {
	local before
	before=$(ids_now)
	hako_split run --rm busybox /no/such/command
	[ "$status" -eq 127 ]
	has_match_in "$stderr" 'no/such/command'
	assert_nothing_left "$before"
}

@test "run: a command that cannot be executed exits 126" {
	hako_split run --rm busybox /etc/passwd
	[ "$status" -eq 126 ]
	has_match_in "$stderr" '/etc/passwd'
	assert_nothing_left ""
}

# hako_error ARGS... : hako run ARGS fails with 125, one line on stderr, nothing on stdout, no
# container left.
hako_error() {
	local before
	before=$(ids_now)
	hako_split run "$@"
	[ "$status" -eq 125 ] || fail "expected exit 125, got $status"
	assert_equal stdout "" "$output"
	[ "$(grep -c . <<<"$stderr")" = 1 ] || fail "expected one line on stderr: $stderr"
	assert_nothing_left "$before"
}

@test "run: an unknown image is one line, exit 125" {
	hako_error --rm --pull never no-such-image:latest true
	has_match_in "$stderr" 'no-such-image'
}

@test "run: a bad --memory value is one line, exit 125" {
	hako_error --rm --memory 12x busybox true
	has_match_in "$stderr" '12x'
}

@test "run: a name in use is Docker's conflict, exit 125" {
	hako_ok create --name taken busybox true
	hako_error --name taken busybox true
	has_match_in "$stderr" 'Conflict. The container name "/taken" is already in use'
}

@test "run: a missing bind source is one line, exit 125" {
	hako_error --rm --mount type=bind,source=/missing-hako-test,target=/x busybox true
	has_match_in "$stderr" 'missing-hako-test'
}

@test "run: -p is not yet supported, exit 125" {
	hako_error --rm -p 8080:80 busybox true
	has_match_in "$stderr" 'not yet supported'
}

@test "run: -e, --env-file, -w, -u, -h, -l and --entrypoint are seen inside" {
	printf 'FROM_FILE=yes\n# comment\nSPACED=a b\n' >"$TEST_DIR/env"
	hako_split run --name flags -e FOO=bar --env-file "$TEST_DIR/env" -w /tmp -u 65534:65534 \
		-h myhost -l color=blue busybox sh -c 'echo foo=$FOO file=$FROM_FILE spaced="$SPACED"; pwd; id -u; id -g; hostname'
	[ "$status" -eq 0 ]
	has_line "foo=bar file=yes spaced=a b"
	has_line /tmp
	has_line 65534
	has_line myhost
	[ "$(grep -cx 65534 <<<"$output")" = 2 ]
	hako_ok inspect -f '{{.Config.Labels.color}}' flags
	assert_equal label blue "$output"
	hako_ok run --rm --entrypoint /bin/echo busybox via entrypoint
	assert_equal output "via entrypoint" "$output"
}

@test "run: Docker's capabilities, seccomp and no new privileges by default" {
	hako_ok run --rm busybox grep -E '^(CapEff|CapBnd|Seccomp|NoNewPrivs):' /proc/self/status
	has_match "^CapEff:[[:space:]]+$DOCKER_CAPS\$"
	has_match "^CapBnd:[[:space:]]+$DOCKER_CAPS\$"
	has_match '^Seccomp:[[:space:]]+2$'
	has_match '^NoNewPrivs:[[:space:]]+0$'
}

@test "run: --cap-add, --cap-drop and --privileged" {
	# NET_RAW is bit 13 (0x2000), SYS_ADMIN bit 21 (0x200000).
	hako_ok run --rm --cap-drop NET_RAW --cap-add SYS_ADMIN busybox grep ^CapEff: /proc/self/status
	has_match '^CapEff:[[:space:]]+00000000a82405fb$'
	hako_ok run --rm --cap-drop ALL busybox grep ^CapEff: /proc/self/status
	has_match '^CapEff:[[:space:]]+0000000000000000$'
	# Every capability this test has (its bounding set), no seccomp filter, the host's devices.
	local all
	all=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
	hako_ok run --rm --privileged busybox sh -c 'grep -E "^(CapEff|Seccomp):" /proc/self/status; ls /dev/loop-control'
	has_match "^CapEff:[[:space:]]+$all\$"
	has_match '^Seccomp:[[:space:]]+0$'
	has_line /dev/loop-control
	hako run --rm busybox ls /dev/loop-control
	[ "$status" -ne 0 ] || fail "/dev/loop-control without --privileged"
}

@test "run: --security-opt no-new-privileges" {
	hako_ok run --rm --security-opt no-new-privileges busybox grep ^NoNewPrivs: /proc/self/status
	has_match '^NoNewPrivs:[[:space:]]+1$'
}

@test "run: masked and read-only paths" {
	# Docker's masked paths read empty (/proc/kcore only where the kernel has one).
	hako_ok run --rm busybox sh -c 'for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug; do [ -e $f ] && echo "$f=$(wc -c <$f)"; done; echo firmware=$(ls /sys/firmware | wc -l); echo acpi=$(ls /proc/acpi | wc -l); echo 1 >/proc/sys/kernel/domainname 2>/dev/null && echo sys-writable || echo sys-ro; echo 1 >/proc/sysrq-trigger 2>/dev/null || echo sysrq-ro'
	has_line /proc/keys=0
	has_line /proc/timer_list=0
	! grep -E '^/proc/(kcore|sched_debug)=[1-9]' <<<"$output" || fail "a masked file has content"
	has_line firmware=0
	has_line acpi=0
	has_line sys-ro
	has_line sysrq-ro
}

@test "run: hostname is the id's first 12 characters; PATH, HOSTNAME; TERM with -t only" {
	hako_ok run --name hn busybox sh -c 'hostname; echo PATH=$PATH; echo HOSTNAME=$HOSTNAME; echo TERM=${TERM-unset}'
	local id
	id=$(__hako inspect -f '{{.Id}}' hn)
	remember_ids "$id"
	has_line "${id:0:12}"
	has_line "HOSTNAME=${id:0:12}"
	has_line "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	has_line "TERM=unset"
	# -t without a terminal on our side: script(1) gives the CLI one.
	command -v script >/dev/null || need_cap "script (bsdutils) is not installed"
	run script -qec "timeout 30 $HAKO --root $ROOT --state $STATE run --rm -t busybox sh -c 'echo TERM=\$TERM'" /dev/null
	echo "$output" >&2
	has_match '^TERM=xterm'
}

@test "run: loopback is up in the container's own network namespace" {
	hako_ok run --rm busybox sh -c 'cat /sys/class/net/lo/operstate; ip -o link | wc -l; ip addr show lo'
	has_match '^(up|unknown)$'
	[ "$(sed -n 2p <<<"$output")" = 1 ]
	has_match 'inet 127\.0\.0\.1/8'
}

@test "run: --network host sees the host's interfaces" {
	local host
	host=$(ls /sys/class/net | sort | tr '\n' ' ')
	hako_ok run --rm --network host busybox sh -c 'ls /sys/class/net | sort | tr "\n" " "'
	assert_equal interfaces "$host" "$output"
}

@test "run: --read-only and --tmpfs" {
	hako run --rm --read-only busybox sh -c 'touch /x'
	[ "$status" -ne 0 ]
	has_match 'Read-only file system'
	hako_ok run --rm --read-only --tmpfs /scratch busybox sh -c 'echo ok >/scratch/f && cat /scratch/f; grep " /scratch " /proc/mounts'
	has_line ok
	has_match '^tmpfs /scratch tmpfs '
}

@test "run: --ulimit nofile and --pids-limit and --memory in the cgroup" {
	run_d --ulimit nofile=1234:2345 --pids-limit 77 --memory 64m busybox sh -c 'ulimit -n; ulimit -Hn; sleep 30'
	local f
	f=$(cgroup_file memory "$CID" memory.limit_in_bytes)
	[ -e "$f" ] || f=$(cgroup_file memory "$CID" memory.max)
	[ -e "$f" ] || need_cap "no memory cgroup file for $CID"
	assert_equal memory.limit 67108864 "$(cat "$f")"
	f=$(cgroup_file pids "$CID" pids.max)
	assert_equal pids.max 77 "$(cat "$f")"
	wait_for 10 '[ "$(__hako logs "$CID" 2>&1 | wc -l)" -ge 2 ]'
	hako_ok logs "$CID"
	has_line 1234
	has_line 2345
	hako_ok inspect -f '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}' "$CID"
	assert_equal inspect "67108864 77" "$output"
}

@test "run: --init makes hako-init PID 1" {
	hako_ok run --rm --init busybox sh -c 'tr "\0" " " </proc/1/cmdline; echo; echo pid=$$'
	has_match 'hako-init'
	has_match '^pid=[0-9]+$'
	! has_line pid=1 2>/dev/null
}

@test "run: --cidfile gets the id; an existing one is refused" {
	hako_ok run -d --cidfile "$TEST_DIR/cid" busybox sleep 30
	assert_equal cidfile "$output" "$(cat "$TEST_DIR/cid")"
	hako_error --rm --cidfile "$TEST_DIR/cid" busybox true
	has_match_in "$stderr" 'container ID file found'
}

@test "run: an unknown flag and a missing --env-file are one line, exit 125" {
	hako_error --rm --no-such-flag busybox true
	has_match_in "$stderr" 'no-such-flag'
	hako_error --rm --env-file "$TEST_DIR/missing.env" busybox true
	has_match_in "$stderr" 'missing.env'
}

@test "run: --network NAME is not yet supported, exit 125" {
	hako_error --rm --network mynet busybox true
	has_match_in "$stderr" 'not yet supported'
}

@test "run -d --rm: the container is removed when it exits" {
	run_d --rm busybox sh -c 'sleep 0.3'
	wait_for 15 '[ -z "$(ids_now)" ]'
	wait_for 5 '[ ! -e "$ROOT/containers/$CID" ]'
}

@test "run: output without a final newline, and binary-safe output" {
	hako_ok run --rm busybox printf 'no newline'
	assert_equal output "no newline" "$output"
	run bash -c "timeout 30 $HAKO --root $ROOT --state $STATE run --rm busybox head -c 65536 /dev/urandom | wc -c"
	assert_equal bytes 65536 "$(tr -d ' ' <<<"$output")"
}
