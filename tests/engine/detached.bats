#!/usr/bin/env bats
# Detached containers: run -d, ps, logs (-f, --tail, -t, --since), exec, stop, kill, restart,
# wait.

load helpers

# A server that ticks: one numbered line every 0.2 s.
TICKER='i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done'

@test "detached: run -d prints the id and ps shows it Up" {
	run_d --name srv busybox sh -c "$TICKER"
	hako_ok ps
	has_match "^${CID:0:12} +busybox .* Up .* srv\$"
	hako_ok ps -q
	assert_equal "ps -q" "${CID:0:12}" "$output"
	hako_ok inspect -f '{{.State.Running}} {{.State.Status}}' srv
	assert_equal state "true running" "$output"
}

@test "detached: logs -f follows new lines" {
	run_d --name srv busybox sh -c "$TICKER"
	wait_for 10 '__hako logs srv 2>/dev/null | grep -q "^tick 1$"'
	timeout 4 "$HAKO" --root "$ROOT" --state "$STATE" logs -f srv >"$TEST_DIR/follow" 2>&1 3>&- &
	local follower=$!
	defer "kill $follower 2>/dev/null || true"
	local first
	sleep 0.3
	first=$(tail -n1 "$TEST_DIR/follow" | awk '{print $2}')
	[ -n "$first" ] || fail "logs -f printed nothing: $(cat "$TEST_DIR/follow")"
	# Later lines keep coming while it follows.
	wait_for 5 '[ "$(tail -n1 "$TEST_DIR/follow" | awk "{print \$2}")" -ge $((first + 5)) ]'
	grep -q '^tick 1$' "$TEST_DIR/follow" || fail "logs -f did not start from the beginning"
	# logs -f ends when the container does.
	hako_ok stop -t 1 srv
	wait "$follower" || [ $? -ne 124 ] || fail "logs -f still following after the container stopped"
}

@test "detached: logs --tail, -t and --since" {
	hako_ok run --name ten busybox sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do echo line $i; done; echo err >&2'
	hako_ok logs --tail 1 ten
	assert_equal "--tail 1" err "$output"
	hako_split logs -n 3 ten
	assert_equal "-n 3 stdout" "$(printf 'line 9\nline 10')" "$output"
	assert_equal "-n 3 stderr" err "$stderr"
	hako_ok logs --tail 0 ten
	assert_equal "--tail 0" "" "$output"
	hako_ok logs -t --tail 2 ten
	[ "$(wc -l <<<"$output")" = 2 ]
	has_match '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z line 10$'
	run_d --name srv busybox sh -c "$TICKER"
	wait_for 10 '__hako logs srv 2>/dev/null | grep -q "^tick 3$"'
	# A whole second after the first tick (date +%s truncates), and lines after it.
	local since
	sleep 1.1
	since=$(date +%s)
	sleep 1.2
	hako_ok logs --since "$since" srv
	! grep -q '^tick 1$' <<<"$output" || fail "--since $since shows the first line"
	has_match '^tick [0-9]+$'
	hako_ok logs --since 1h srv
	has_line 'tick 1'
}

@test "detached: exec prints output, returns the exit code, takes -u -w -e" {
	run_d --name srv busybox sleep 60
	hako_ok exec srv echo from exec
	assert_equal output "from exec" "$output"
	hako exec srv sh -c 'exit 7'
	[ "$status" -eq 7 ]
	hako_ok exec -u 65534 -w /tmp -e X=y srv sh -c 'id -u; pwd; echo X=$X'
	has_line 65534
	has_line /tmp
	has_line X=y
	hako exec srv /no/such/thing
	[ "$status" -eq 127 ]
	# exec shares the container's pid namespace: sleep is PID 1.
	hako_ok exec srv cat /proc/1/cmdline
	has_match '^sleep'
}

@test "detached: exec -i takes stdin; exec -it through script gets a terminal" {
	run_d --name srv busybox sleep 60
	run bash -c "echo piped | timeout 30 $HAKO --root $ROOT --state $STATE exec -i srv cat"
	assert_equal output piped "$output"
	command -v script >/dev/null || need_cap "script (bsdutils) is not installed"
	# timeout outside script: hako must lead the terminal's foreground group (raw mode would stop
	# a background job with SIGTTOU).
	run env SHELL=/bin/sh timeout 30 script -qec "$HAKO --root $ROOT --state $STATE exec -it srv sh -c 'tty; echo TERM=\$TERM; exit 4'" /dev/null </dev/null
	echo "$output" >&2
	[ "$status" -eq 4 ]
	has_match '/dev/pts/[0-9]+'
	# script(1) echoes its stdin's EOF as ^@, which can land before the line.
	has_match 'TERM=xterm'
}

@test "detached: exec into a stopped container is one line, exit 125" {
	hako_ok create --name idle busybox true
	hako_split exec idle true
	[ "$status" -eq 125 ] || [ "$status" -eq 1 ] || fail "exit $status"
	[ "$status" -eq 125 ]
	[ "$(grep -c . <<<"$stderr")" = 1 ] || fail "expected one line: $stderr"
	has_match_in "$stderr" 'is not running'
}

@test "detached: stop of a shell ignoring TERM kills it after -t: 137" {
	run_d --name stubborn busybox sh -c 'trap "" TERM; while true; do sleep 0.1; done'
	local t0=$SECONDS
	hako_ok stop -t 1 stubborn
	[ $((SECONDS - t0)) -lt 8 ] || fail "stop -t 1 took $((SECONDS - t0))s"
	hako_ok inspect -f '{{.State.Status}} {{.State.ExitCode}}' stubborn
	assert_equal state "exited 137" "$output"
	hako_ok wait stubborn
	assert_equal wait 137 "$output"
}

@test "detached: stop of a shell trapping TERM: its own exit code" {
	run_d --name polite busybox sh -c 'trap "exit 0" TERM; while true; do sleep 0.1; done'
	hako_ok stop -t 10 polite
	hako_ok inspect -f '{{.State.Status}} {{.State.ExitCode}}' polite
	assert_equal state "exited 0" "$output"
}

@test "detached: kill -s sends the signal; restart runs it again" {
	run_d --name sig busybox sh -c 'trap "echo got-usr1; exit 9" USR1; while true; do sleep 0.1; done'
	sleep 0.3
	hako_ok kill -s USR1 sig
	wait_state sig exited
	hako_ok inspect -f '{{.State.ExitCode}}' sig
	assert_equal exit 9 "$output"
	hako_ok logs sig
	has_line got-usr1
	local pid1
	hako_ok restart -t 1 sig
	wait_state sig running
	pid1=$(__hako inspect -f '{{.State.Pid}}' sig)
	[ "$pid1" -gt 0 ]
	hako_ok restart -t 1 sig
	wait_state sig running
	[ "$(__hako inspect -f '{{.State.Pid}}' sig)" != "$pid1" ] || fail "restart kept pid $pid1"
	hako_ok kill sig
	wait_state sig exited
	hako_ok inspect -f '{{.State.ExitCode}}' sig
	assert_equal "exit after SIGKILL" 137 "$output"
}

@test "detached: wait prints the exit code" {
	run_d --name waiter busybox sh -c 'sleep 0.5; exit 42'
	hako_ok wait waiter
	assert_equal wait 42 "$output"
	hako_ok wait waiter
	assert_equal "wait again" 42 "$output"
}

@test "detached: exec -d runs in the background; exec into an unknown container fails" {
	run_d --name srv busybox sleep 60
	hako_ok exec -d srv sh -c 'echo bg >/tmp/marker'
	wait_for 10 '[ "$(__hako exec srv cat /tmp/marker 2>/dev/null)" = bg ]'
	hako_split exec nosuch true
	[ "$status" -ne 0 ]
	has_match_in "$stderr" 'No such container: nosuch'
}

@test "detached: stop, start and logs keep the earlier run's lines" {
	run_d --name again busybox sh -c 'echo run-$(cat /proc/sys/kernel/random/uuid | cut -c1-4); sleep 60'
	wait_for 10 '[ -n "$(__hako logs again 2>/dev/null)" ]'
	hako_ok stop -t 0 again
	hako_ok start again
	wait_for 10 '[ "$(__hako logs again 2>/dev/null | grep -c ^run-)" = 2 ]'
	hako_ok rm -f again
}
