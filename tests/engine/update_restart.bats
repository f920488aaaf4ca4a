#!/usr/bin/env bats
# update --restart: Docker applies a new restart policy to a running container at once (its
# shim holds it), and stores it for a stopped one.

load helpers

# A container that exits (code 3) once /tmp/go appears, removing it first, so a restarted run
# waits again.
WAITER='until [ -e /tmp/go ]; do sleep 0.1; done; rm /tmp/go; exit 3'

@test "update --restart always on a running container: its next exit restarts it" {
	run_d --name waiter busybox sh -c "$WAITER"
	hako_ok update --restart always waiter
	assert_equal printed waiter "$output"
	hako_ok inspect -f '{{.HostConfig.RestartPolicy.Name}}' waiter
	assert_equal "policy in inspect" always "$output"
	hako_ok exec waiter touch /tmp/go
	wait_for 20 '[ "$(__hako inspect -f "{{.RestartCount}} {{.State.Status}}" waiter)" = "1 running" ]'
	hako_ok stop -t 1 waiter
	wait_state waiter exited
}

@test "update --restart no on a running container: its next exit ends it" {
	run_d --name waiter --restart always busybox sh -c "$WAITER"
	hako_ok update --restart no waiter
	hako_ok exec waiter touch /tmp/go
	wait_state waiter exited 20
	sleep 0.5
	hako_ok inspect -f '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}' waiter
	assert_equal state "exited 0 3" "$output"
}

@test "update --restart on a stopped container is stored for its next start" {
	hako_ok create --name later busybox sh -c 'exit 3'
	hako_ok update --restart on-failure:2 later
	hako_ok inspect -f '{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}' later
	assert_equal "stored policy" on-failure:2 "$output"
	hako_ok start later
	wait_for 20 '[ "$(__hako inspect -f "{{.State.Status}} {{.RestartCount}}" later)" = "exited 2" ]'
}
