#!/usr/bin/env bats
# ps and inspect: Docker's flags, filters, formats and JSON keys.

load helpers

# three containers: old (exited 0, label tier=db), mid (running, label tier=web), new (created)
make_three() {
	hako_ok run --name old -l tier=db busybox true
	run_d --name mid -l tier=web busybox sleep 60
	MID=$CID
	hako_ok create --name new busybox true
	NEW=$output
}

@test "ps: running by default; -a all; -q ids; --no-trunc full ids" {
	make_three
	hako_ok ps --format '{{.Names}}'
	assert_equal "ps" mid "$output"
	hako_ok ps -a --format '{{.Names}}'
	assert_equal "ps -a (newest first)" "$(printf 'new\nmid\nold')" "$output"
	hako_ok ps -q
	assert_equal "ps -q" "${MID:0:12}" "$output"
	hako_ok ps -q --no-trunc
	assert_equal "ps -q --no-trunc" "$MID" "$output"
	hako_ok ps
	has_match '^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$'
	hako_ok ps --no-trunc
	has_match "^$MID +busybox +\"sleep 60\" "
}

@test "ps: -n and -l" {
	make_three
	hako_ok ps -n 2 --format '{{.Names}}'
	assert_equal "ps -n 2" "$(printf 'new\nmid')" "$output"
	hako_ok ps -l --format '{{.Names}}'
	assert_equal "ps -l" new "$output"
}

@test "ps: --filter status, name, label, id" {
	make_three
	hako_ok ps -a --filter status=exited --format '{{.Names}}'
	assert_equal status=exited old "$output"
	hako_ok ps -a --filter status=created --format '{{.Names}}'
	assert_equal status=created new "$output"
	hako_ok ps -a --filter name=mi --format '{{.Names}}'
	assert_equal name=mi mid "$output"
	hako_ok ps -a --filter label=tier --format '{{.Names}}'
	assert_equal label=tier "$(printf 'mid\nold')" "$output"
	hako_ok ps -a --filter label=tier=db --format '{{.Names}}'
	assert_equal label=tier=db old "$output"
	hako_ok ps -a --filter "id=${NEW:0:8}" --format '{{.Names}}'
	assert_equal id= new "$output"
	hako ps -a --filter bogus=1
	[ "$status" -ne 0 ] || fail "an unknown filter was accepted"
	has_match 'bogus'
}

@test "ps: --filter: one key given twice ORs its values, different keys AND" {
	make_three
	hako_ok ps -a --filter status=exited --filter status=created --format '{{.Names}}'
	assert_equal "status=exited or created" "$(printf 'new\nold')" "$output"
	hako_ok ps -a --filter name=old --filter name=mid --format '{{.Names}}'
	assert_equal "name=old or mid" "$(printf 'mid\nold')" "$output"
	hako_ok ps -a --filter name=old --filter name=mid --filter status=running --format '{{.Names}}'
	assert_equal "(name=old or mid) and status=running" mid "$output"
	hako_ok ps -a --filter status=running --filter label=tier=db --format '{{.Names}}'
	assert_equal "status=running and label=tier=db" "" "$output"
	hako_ok ps -a --filter label=tier --filter label=tier=web --format '{{.Names}}'
	assert_equal "every label= matches" mid "$output"
	hako_ok ps -a --filter exited=0 --filter exited=1 --format '{{.Names}}'
	assert_equal "exited=0 or 1" old "$output"
	hako_ok ps -a --filter ancestor=busybox --filter ancestor=no-such-image --format '{{.Names}}'
	assert_equal "ancestor=busybox or an unknown one" "$(printf 'new\nmid\nold')" "$output"
	hako_ok ps -a --filter since=old --format '{{.Names}}'
	assert_equal "since=old" "$(printf 'new\nmid')" "$output"
	hako ps -a --filter before=no-such-container
	[ "$status" -ne 0 ] || fail "before= an unknown container was accepted"
}

@test "ps: without -a, status/since/before filters list stopped containers, name and label do not" {
	make_three
	hako_ok ps --filter status=exited --format '{{.Names}}'
	assert_equal "status=exited without -a" old "$output"
	hako_ok ps --filter since=old --format '{{.Names}}'
	assert_equal "since=old without -a" "$(printf 'new\nmid')" "$output"
	hako_ok ps --filter name=old --format '{{.Names}}'
	assert_equal "name=old (stopped) without -a" "" "$output"
	hako_ok ps --filter label=tier --format '{{.Names}}'
	assert_equal "label=tier without -a: the running one" mid "$output"
}

@test "ps: --format table and Go template errors" {
	make_three
	hako_ok ps -a --format 'table {{.ID}}\t{{.Status}}'
	has_match '^CONTAINER ID +STATUS$'
	has_match "^${MID:0:12} +Up "
	has_match '^[0-9a-f]{12} +Exited \(0\) '
	has_match '^[0-9a-f]{12} +Created$'
	hako_ok ps -a --format '{{.Names}}|{{.Image}}|{{.Command}}|{{.Labels}}' --filter name=old
	assert_equal format 'old|busybox|"true"|tier=db' "$output"
	hako_ok ps -a --format '{{json .Names}}' --filter name=mid
	assert_equal json '"mid"' "$output"
}

@test "ps: an unknown field in --format is an error" {
	run_d --name one busybox sleep 60
	hako ps --format '{{.Nope}}'
	[ "$status" -ne 0 ] || fail "an unknown field was accepted"
	has_match 'Nope'
}

@test "ps: --format {{.Label \"key\"}}" {
	make_three
	hako_ok ps -a --format '{{.Names}} {{.Label "tier"}}' --filter name=old
	assert_equal format 'old db' "$output"
}

@test "inspect: Docker's JSON keys" {
	run_d --name xx --memory 32m busybox sleep 60
	hako_ok inspect xx
	local j=$output
	jq -e 'type == "array" and length == 1' <<<"$j" >/dev/null || fail "not an array of one: $j"
	assert_equal Id "$CID" "$(jq -r '.[0].Id' <<<"$j")"
	assert_equal Name /xx "$(jq -r '.[0].Name' <<<"$j")"
	assert_equal State.Status running "$(jq -r '.[0].State.Status' <<<"$j")"
	assert_equal State.Running true "$(jq -r '.[0].State.Running' <<<"$j")"
	jq -e '.[0].State.Pid > 1' <<<"$j" >/dev/null || fail "State.Pid"
	assert_equal Config.Cmd '["sleep","60"]' "$(jq -c '.[0].Config.Cmd' <<<"$j")"
	assert_equal Config.Image busybox "$(jq -r '.[0].Config.Image' <<<"$j")"
	assert_equal HostConfig.Memory 33554432 "$(jq -r '.[0].HostConfig.Memory' <<<"$j")"
	jq -e '.[0].Image | startswith("sha256:")' <<<"$j" >/dev/null || fail "Image"
	jq -e '.[0].Created | test("^20[0-9]{2}-")' <<<"$j" >/dev/null || fail "Created"
	jq -e '.[0].State.StartedAt | test("^20[0-9]{2}-")' <<<"$j" >/dev/null || fail "StartedAt"
	jq -e '.[0] | has("Mounts") and has("NetworkSettings") and has("RestartCount") and has("Path") and has("Args")' <<<"$j" >/dev/null ||
		fail "missing top-level keys: $(jq -c '.[0] | keys' <<<"$j")"
	assert_equal Path sleep "$(jq -r '.[0].Path' <<<"$j")"
	hako_ok inspect -f '{{.Name}} {{.State.Pid}}' xx
	has_match '^/xx [0-9]+$'
	hako_ok inspect -f '{{json .Config.Cmd}}' xx
	assert_equal json '["sleep","60"]' "$output"
}

@test "inspect: Config and HostConfig carry all of Docker's keys, zero values included" {
	hako_ok create --name keys busybox true
	hako_ok inspect keys
	local j=$output k missing=()
	for k in Hostname Domainname User WorkingDir Env Cmd Image Entrypoint Labels Tty OpenStdin; do
		jq -e --arg k "$k" '.[0].Config | has($k)' <<<"$j" >/dev/null || missing+=("Config.$k")
	done
	for k in Binds NetworkMode RestartPolicy AutoRemove Privileged Memory PidsLimit CapAdd CapDrop ReadonlyRootfs LogConfig; do
		jq -e --arg k "$k" '.[0].HostConfig | has($k)' <<<"$j" >/dev/null || missing+=("HostConfig.$k")
	done
	[ ${#missing[@]} = 0 ] || fail "missing keys: ${missing[*]}"
	assert_equal Config.Hostname "$(jq -r '.[0].Id[:12]' <<<"$j")" "$(jq -r '.[0].Config.Hostname' <<<"$j")"
	[[ "$(jq -r ".[0].HostConfig.NetworkMode" <<<"$j")" =~ ^(none|default)$ ]] || fail "HostConfig.NetworkMode"
}

@test "inspect: an unknown container is an error, and the others still print" {
	run_d --name xx busybox sleep 60
	hako_split inspect -f '{{.Name}}' xx nope
	[ "$status" -eq 1 ]
	assert_equal stdout /xx "$output"
	has_match_in "$stderr" 'No such'
}
