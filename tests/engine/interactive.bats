#!/usr/bin/env bats
# Interactive containers: a shell on a terminal driven through tmux (prompt, input, Ctrl-C,
# exit status), and stdin piped through -i.

load helpers

@test "interactive: run -it sh through tmux: prompt, arithmetic, Ctrl-C, exit 5" {
	use_tmux
	tmux_start "$HAKO --root $ROOT --state $STATE run -it --name tty busybox sh; echo status=\$?"
	# busybox sh prints "/ # " as root's prompt.
	tmux_wait '^/ #' 20
	tmux_type -l 'echo $((6*7))'
	tmux_type Enter
	tmux_wait '^42$'
	# Ctrl-C at the prompt goes to the shell (the terminal's interrupt), which stays alive.
	tmux_type C-c
	sleep 0.3
	tmux_type -l 'echo still-$((1+1))'
	tmux_type Enter
	tmux_wait '^still-2$'
	tmux_type -l 'tty; exit 5'
	tmux_type Enter
	tmux_wait '^status=5$'
	tmux_screen | grep -qE '^/dev/pts/[0-9]+$' || fail "tty inside is not a pty: $(tmux_screen)"
	hako_ok inspect -f '{{.State.Status}} {{.State.ExitCode}}' tty
	assert_equal state "exited 5" "$output"
}

@test "interactive: Ctrl-C ends a foreground command, not the shell" {
	use_tmux
	tmux_start "$HAKO --root $ROOT --state $STATE run -it --rm busybox sh; echo status=\$?"
	tmux_wait '^/ #' 20
	tmux_type -l 'sleep 30'
	tmux_type Enter
	sleep 0.5
	tmux_type C-c
	# The prompt is back long before 30 s, and the shell saw sleep die of SIGINT.
	tmux_wait '^\^C$' 5
	tmux_type -l 'echo after=$?'
	tmux_type Enter
	tmux_wait '^after=130$' 5
	tmux_type -l 'exit'
	tmux_type Enter
	tmux_wait '^status=0$'
}

@test "interactive: stdin piped through run -i" {
	run bash -c "echo hi | timeout 30 $HAKO --root $ROOT --state $STATE run --rm -i busybox cat"
	[ "$status" -eq 0 ]
	assert_equal output hi "$output"
	run bash -c "printf 'a\nb\nc\n' | timeout 30 $HAKO --root $ROOT --state $STATE run --rm -i busybox wc -l"
	assert_equal lines 3 "$(tr -d ' ' <<<"$output")"
}

@test "interactive: without -i the container's stdin is empty" {
	run bash -c "echo hi | timeout 30 $HAKO --root $ROOT --state $STATE run --rm busybox cat"
	[ "$status" -eq 0 ]
	assert_equal output "" "$output"
}

@test "interactive: run -it of a command that exits at once: its code; --rm leaves nothing" {
	use_tmux
	tmux_start "for i in 1 2 3; do $HAKO --root $ROOT --state $STATE run -it --rm busybox sh -c 'exit 3'; echo status=\$?; done; echo done"
	tmux_wait '^done$' 30
	assert_equal "statuses" "$(printf 'status=3\nstatus=3\nstatus=3')" "$(tmux_screen | grep '^status=')"
	hako_ok ps -aq
	assert_equal "containers after --rm" "" "$output"
}

@test "interactive: run -it with stdin at its end (script </dev/null)" {
	command -v script >/dev/null || need_cap "script (bsdutils) is not installed"
	# timeout outside script: hako must lead the terminal's foreground group (raw mode would stop
	# a background job with SIGTTOU).
	run env SHELL=/bin/sh timeout 30 script -qec "$HAKO --root $ROOT --state $STATE run -it --rm busybox sh -c 'tty; exit 4'" /dev/null </dev/null
	echo "$output" >&2
	[ "$status" -eq 4 ]
	has_match '/dev/pts/[0-9]+'
	hako_ok ps -aq
	assert_equal "containers after --rm" "" "$output"
}
