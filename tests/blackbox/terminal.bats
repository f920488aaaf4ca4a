#!/usr/bin/env bats
# process.terminal: the pty master over --console-socket (as containerd and conmon use it), and
# `run` in the foreground on the caller's terminal.

# shellcheck source=helpers.bash
load helpers

setup() {
	common_setup
	[ -x "$RECVTTY" ] || skip "RECVTTY (hako-recvtty) is not built"
	update_config '.process.terminal = true'
}

teardown() {
	common_teardown
}

# start_recvtty [--input TEXT]: listen on $SOCKET; the relayed terminal goes to $TTY_OUT.
start_recvtty() {
	SOCKET=$TEST_DIR/tty.sock
	TTY_OUT=$TEST_DIR/tty.out
	"$RECVTTY" --pid-file "$TEST_DIR/recvtty.pid" --out "$TTY_OUT" --name-file "$TEST_DIR/tty.name" \
		"$@" "$SOCKET" </dev/null >"$TEST_DIR/recvtty.log" 2>&1 3>&- &
	RECVTTY_PID=$!
	defer "kill -9 $RECVTTY_PID 2>/dev/null; wait $RECVTTY_PID 2>/dev/null"
	wait_until 10 test -s "$TEST_DIR/recvtty.pid"
}

# wait_recvtty: until recvtty has relayed everything (the container's side closed).
wait_recvtty() {
	local rc=0
	timeout 20 tail --pid="$RECVTTY_PID" -f /dev/null || rc=$?
	[ $rc -eq 0 ] || fail "recvtty still running"
	wait "$RECVTTY_PID" || fail "recvtty failed: $(cat "$TEST_DIR/recvtty.log")"
}

@test "terminal: create --console-socket gives the process a pty on 0, 1 and 2" {
	start_recvtty
	set_args /bin/probe tty
	local id
	id=$(new_id)
	ct_create "$id" --console-socket "$SOCKET"
	[ "$status" -eq 0 ]
	rt start "$id"
	[ "$status" -eq 0 ]
	wait_recvtty
	# The pty turns \n into \r\n.
	output=$(tr -d '\r' <"$TTY_OUT")
	has_line isatty0=1
	has_line isatty1=1
	has_line isatty2=1
	[[ "$(value_of ttyname0)" == /dev/pts/* ]]
	[ "$(value_of ttyname0)" = "$(value_of ttyname1)" ]
	wait_status "$id" stopped
}

@test "terminal: process.consoleSize sets the window size" {
	start_recvtty
	update_config '.process.consoleSize = {"height": 42, "width": 123}'
	set_args /bin/probe tty
	local id
	id=$(new_id)
	ct_run_detached "$id" --console-socket "$SOCKET"
	[ "$status" -eq 0 ]
	wait_recvtty
	output=$(tr -d '\r' <"$TTY_OUT")
	has_line rows=42
	has_line cols=123
}

@test "terminal: input written to the pty master reaches the process" {
	start_recvtty --input $'typed-into-the-pty\n'
	# shellcheck disable=SC2016 # the script runs in the container
	set_args /bin/sh -c 'read -r line; echo "got:$line"'
	local id
	id=$(new_id)
	ct_run_detached "$id" --console-socket "$SOCKET"
	[ "$status" -eq 0 ]
	wait_recvtty
	grep -q 'got:typed-into-the-pty' "$TTY_OUT"
}

@test "terminal: run in the foreground on the caller's terminal (under script)" {
	command -v script >/dev/null || skip "script (bsdutils) is missing"
	set_args /bin/probe tty
	local id cmd
	id=$(new_id)
	set_cgroups_path "$id"
	cmd=$(printf '%q ' "$RUNTIME" --root "$STATE_ROOT" run --bundle "$BUNDLE" "$id")
	run timeout 30 script -qec "$cmd" /dev/null </dev/null
	[ "$status" -eq 0 ]
	# The pty turns \n into \r\n; script passes its stdin's EOF on as a NUL, which the pty may
	# echo as "^@" before the probe's first line.
	output=$(tr -d '\r' <<<"$output" | sed 's/^\^@//')
	has_line isatty0=1
	has_line isatty1=1
	[[ "$(value_of ttyname1)" == /dev/pts/* ]]
}

@test "terminal=false: no tty" {
	update_config '.process.terminal = false'
	ct_probe tty
	[ "$status" -eq 0 ]
	has_line isatty0=0
	has_line isatty1=0
}

@test "terminal: create without --console-socket fails cleanly" {
	local id
	id=$(new_id)
	ct_create "$id"
	assert_failed_cleanly "$id"
}
