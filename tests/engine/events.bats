#!/usr/bin/env bats
# hako events: what create/start/stop/rm and the containers' shims record in <root>/events.log,
# read back with Docker's --since/--until/--filter/--format, and followed live.
#   bats tests/engine/events.bats            # as root; HAKO=path/to/hako to choose the binary

setup_file() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (overlay mounts, namespaces)"
	export HAKO=${HAKO:-$BATS_TEST_DIRNAME/../../build/release/src/cmd/hako/hako}
	EVENTS_TMP=$(mktemp -d /tmp/hako-events-bats.XXXXXX)
	export EVENTS_TMP
	"$HAKO" --root "$EVENTS_TMP/root" --state "$EVENTS_TMP/state" image default >/dev/null
}

teardown_file() {
	[ -n "${EVENTS_TMP:-}" ] || return 0
	rm -rf "$EVENTS_TMP"
}

h() {
	"$HAKO" --root "$EVENTS_TMP/root" --state "$EVENTS_TMP/state" "$@"
}

teardown() {
	if [ -n "${FOLLOWER:-}" ]; then
		kill "$FOLLOWER" 2>/dev/null || true
		wait "$FOLLOWER" 2>/dev/null || true
	fi
	local ids
	ids=$(h ps -aq --no-trunc 2>/dev/null) || true
	[ -z "$ids" ] || h rm -f $ids >/dev/null 2>&1 || true
}

# wait_for SECONDS CMD...: until CMD succeeds.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

now() { date +%s.%N; }

@test "events: run --rm records create, start, die (with exitCode) and destroy, in order" {
	local since
	since=$(now)
	run h run --rm --name ev-run busybox sh -c 'exit 3'
	[ "$status" -eq 3 ]
	run h events --since "$since" --until "$(now)" --filter container=ev-run \
		--format '{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.image}}'
	[ "$status" -eq 0 ]
	echo "$output"
	[ "${lines[0]}" = "container create ev-run busybox" ]
	[ "${lines[1]}" = "container start ev-run busybox" ]
	[ "${lines[2]}" = "container die ev-run busybox" ]
	[ "${lines[3]}" = "container destroy ev-run busybox" ]
	[ "${#lines[@]}" -eq 4 ]
	run h events --since "$since" --until "$(now)" --filter event=die \
		--format '{{index .Actor.Attributes "exitCode"}}'
	[ "$output" = 3 ]
}

@test "events: Docker's default line, --since 0 from the oldest kept event" {
	local id
	id=$(h create --name ev-line -l tier=db busybox true)
	run h events --since 0 --until "$(now)" --filter container=ev-line
	[ "$status" -eq 0 ]
	echo "$output"
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}(Z|[+-][0-9]{2}:[0-9]{2})\ container\ create\ $id\ \(image=busybox,\ name=ev-line,\ tier=db\)$ ]]
}

@test "events: stop records kill (signal), die and stop; kill records the signal" {
	local since
	since=$(now)
	h run -d --name ev-stop busybox sleep 100 >/dev/null
	h stop -t 5 ev-stop >/dev/null
	run h events --since "$since" --until "$(now)" --filter container=ev-stop \
		--format '{{.Action}}{{with index .Actor.Attributes "signal"}} {{.}}{{end}}'
	echo "$output"
	[ "$output" = "$(printf 'create\nstart\nkill 15\ndie\nstop')" ]
	since=$(now)
	h start ev-stop >/dev/null
	h kill -s KILL ev-stop >/dev/null
	wait_for 10 sh -c "'$HAKO' --root '$EVENTS_TMP/root' --state '$EVENTS_TMP/state' \
		events --since $since --until \$(date +%s.%N) --filter event=die | grep -q ev-stop"
	run h events --since "$since" --until "$(now)" --filter container=ev-stop --format '{{.Action}}'
	[ "$output" = "$(printf 'start\nkill\ndie')" ]
}

@test "events: filters: same key ORs, different keys AND, label=, type=, image=" {
	local since
	since=$(now)
	h create --name ev-a -l tier=db busybox true >/dev/null
	h create --name ev-b -l tier=web busybox true >/dev/null
	local until
	until=$(now)
	ev() { h events --since "$since" --until "$until" --format '{{.Actor.Attributes.name}}' "$@"; }
	run ev --filter container=ev-a --filter container=ev-b
	[ "$output" = "$(printf 'ev-a\nev-b')" ]
	run ev --filter container=ev-a --filter event=start
	[ -z "$output" ]
	run ev --filter label=tier=web
	[ "$output" = ev-b ]
	run ev --filter label=tier
	[ "$output" = "$(printf 'ev-a\nev-b')" ]
	run ev --filter type=image
	[ -z "$output" ]
	run ev --filter image=busybox --filter type=container --filter event=create
	[ "$output" = "$(printf 'ev-a\nev-b')" ]
	run ev --filter image=alpine
	[ -z "$output" ]
}

@test "events: --format json and {{json .}} print Docker's message" {
	local since id
	since=$(now)
	id=$(h create --name ev-json busybox true)
	for f in json '{{json .}}'; do
		run h events --since "$since" --until "$(now)" --format "$f"
		[ "$status" -eq 0 ]
		[ "$(jq -r '.status + " " + .id + " " + .from + " " + .Type + " " + .Action + " " + .scope' <<<"$output")" = \
			"create $id busybox container create local" ]
		[ "$(jq -r '.Actor.ID == .id and .Actor.Attributes.name == "ev-json" and (.timeNano / 1e9 | floor) == .time' <<<"$output")" = true ]
	done
}

@test "events: without --until it follows, and sees what happens after it started" {
	# hako itself in the background (not a function's subshell), so $! is the pid to end, and
	# without bats' fd 3, which would keep the suite waiting for it.
	"$HAKO" --root "$EVENTS_TMP/root" --state "$EVENTS_TMP/state" events --filter event=start \
		--format '{{.Actor.Attributes.name}}' >"$EVENTS_TMP/follow.out" 3>&- &
	FOLLOWER=$!
	sleep 0.5
	h create --name ev-before busybox true >/dev/null
	h run -d --name ev-follow busybox sleep 100 >/dev/null
	wait_for 10 grep -qx ev-follow "$EVENTS_TMP/follow.out"
	# Still following: a second start shows up too.
	h restart -t 0 ev-follow >/dev/null
	wait_for 10 sh -c "[ \$(grep -cx ev-follow '$EVENTS_TMP/follow.out') -ge 2 ]"
	kill -0 "$FOLLOWER"
	! grep -q ev-before "$EVENTS_TMP/follow.out"
}

@test "events: --until in the future follows until then, then exits 0" {
	# Docker's relative times count back from now: -2s is two seconds ahead.
	local start=$SECONDS
	run h events --until=-2s --format '{{.Action}}'
	[ "$status" -eq 0 ]
	[ $((SECONDS - start)) -ge 1 ]
	[ $((SECONDS - start)) -le 5 ]
}

@test "events: bad filters, bad times and bad templates fail with one line" {
	run h events --filter colour=red --until 0
	[ "$status" -eq 1 ]
	[[ "$output" == *"invalid filter 'colour'"* ]]
	run h events --filter container --until 0
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad format of filter"* ]]
	run h events --since 10 --until 5
	[ "$status" -eq 1 ]
	run h events --since yesterday
	[ "$status" -eq 1 ]
	run h events --until 0 --format '{{.Action'
	[ "$status" -eq 1 ]
}

@test "events: volume create/destroy, image tag/untag, restart" {
	local since
	since=$(now)
	h volume create ev-vol >/dev/null
	h volume rm ev-vol >/dev/null
	h tag busybox ev-image:1 >/dev/null
	h rmi ev-image:1 >/dev/null
	h run -d --name ev-restart busybox sleep 100 >/dev/null
	h restart -t 0 ev-restart >/dev/null
	local until
	until=$(now)
	run h events --since "$since" --until "$until" --filter type=volume \
		--format '{{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.driver}}'
	[ "$output" = "$(printf 'volume create ev-vol local\nvolume destroy ev-vol local')" ]
	run h events --since "$since" --until "$until" --filter type=image --format '{{.Action}} {{.Actor.Attributes.name}}'
	echo "$output"
	[ "${lines[0]}" = "tag ev-image:1" ]
	[[ "${lines[1]}" == "untag sha256:"* ]]
	run h events --since "$since" --until "$until" --filter container=ev-restart --format '{{.Action}}'
	[ "$output" = "$(printf 'create\nstart\nkill\ndie\nstop\nstart\nrestart')" ]
}
