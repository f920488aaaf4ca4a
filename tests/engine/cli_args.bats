#!/usr/bin/env bats
# The command line as Docker's: a repeatable flag takes one value per occurrence (never the
# positionals after it), and a command over several containers acts on those that exist,
# prints Docker's error line for each missing one and exits 1.

load helpers

@test "cli args: repeatable flags leave the positionals after them alone" {
	hako_ok run -e A=1 -l k=v busybox true
	hako_ok volume create --label a=b NAME1
	assert_equal "volume name" NAME1 "$output"
	hako_ok volume inspect -f '{{.Labels.a}}' NAME1
	assert_equal label b "$output"
	run_d --name ctr busybox sleep 60
	hako_ok ps --filter status=running --format '{{.Names}}'
	assert_equal "ps names" ctr "$output"
	hako_ok exec -e A=1 ctr env
	has_line A=1
	hako_ok commit -c 'CMD ["x"]' ctr img1
	hako_ok image inspect -f '{{json .Config.Cmd}}' img1
	assert_equal "committed Cmd" '["x"]' "$output"
	hako_ok images --filter dangling=true -q
	assert_equal "no dangling image" "" "$output"
	hako_ok rm -f ctr
	hako_ok rmi img1
	hako_ok volume rm NAME1
}

# several VERB [FLAGS...]: VERB on c1, nope, c2: both real ones done, one error line, exit 1.
several() {
	hako_split "$@" c1 nope c2
	[ "$status" -eq 1 ] || fail "$* c1 nope c2: status $status"
	assert_equal "$* stdout" "$(printf 'c1\nc2')" "$output"
	assert_equal "$* stderr" "Error response from daemon: No such container: nope" "$stderr"
}

@test "cli args: stop, kill, restart, pause, rm with a missing container act on the others" {
	run_d --name c1 busybox sleep 60
	run_d --name c2 busybox sleep 60
	several pause
	assert_equal "c1 paused" paused "$(state_of c1)"
	assert_equal "c2 paused" paused "$(state_of c2)"
	several unpause
	several stop -t 0
	assert_equal "c1 stopped" exited "$(state_of c1)"
	assert_equal "c2 stopped" exited "$(state_of c2)"
	several restart -t 0
	assert_equal "c1 restarted" running "$(state_of c1)"
	assert_equal "c2 restarted" running "$(state_of c2)"
	several kill
	wait_state c1 exited
	wait_state c2 exited
	several rm
	hako_ok ps -aq
	assert_equal "all removed" "" "$output"
}
