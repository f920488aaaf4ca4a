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

@test "events: run --rm records create, attach, start, die (with exitCode) and destroy, in order" {
	local since
	since=$(now)
	run h run --rm --name ev-run busybox sh -c 'exit 3'
	[ "$status" -eq 3 ]
	run h events --since "$since" --until "$(now)" --filter container=ev-run \
		--format '{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.image}}'
	[ "$status" -eq 0 ]
	echo "$output"
	# Docker's order: the foreground run attaches before it starts.
	[ "${lines[0]}" = "container create ev-run busybox" ]
	[ "${lines[1]}" = "container attach ev-run busybox" ]
	[ "${lines[2]}" = "container start ev-run busybox" ]
	[ "${lines[3]}" = "container die ev-run busybox" ]
	[ "${lines[4]}" = "container destroy ev-run busybox" ]
	[ "${#lines[@]}" -eq 5 ]
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

@test "events: exec records exec_create, exec_start and exec_die with one execID and the exit code" {
	h run -d --name ev-exec busybox sleep 100 >/dev/null
	local since
	since=$(now)
	run h exec ev-exec sh -c 'exit 4'
	[ "$status" -eq 4 ]
	run h events --since "$since" --until "$(now)" --filter container=ev-exec \
		--format '{{.Action}}|{{index .Actor.Attributes "execID"}}|{{with index .Actor.Attributes "exitCode"}}{{.}}{{end}}|{{.Actor.Attributes.name}}'
	echo "$output"
	[ "${#lines[@]}" -eq 3 ]
	local exec_id=${lines[0]#*|}
	exec_id=${exec_id%%|*}
	[[ "$exec_id" =~ ^[0-9a-f]{64}$ ]]
	[ "${lines[0]}" = "exec_create: sh -c exit 4|$exec_id||ev-exec" ]
	[ "${lines[1]}" = "exec_start: sh -c exit 4|$exec_id||ev-exec" ]
	[ "${lines[2]}" = "exec_die|$exec_id|4|ev-exec" ]
	# event= matches exec_die exactly and the exec_start: forms by prefix.
	run h events --since "$since" --until "$(now)" --filter event=exec_die --format '{{.Action}}'
	[ "$output" = exec_die ]
	run h events --since "$since" --until "$(now)" --filter event=exec_start --format '{{.Action}}'
	[ "$output" = "exec_start: sh -c exit 4" ]
	# A detached exec's die is recorded when it ends.
	since=$(now)
	h exec -d ev-exec sh -c 'sleep 0.3; exit 5'
	wait_for 10 sh -c "'$HAKO' --root '$EVENTS_TMP/root' --state '$EVENTS_TMP/state' events \
		--since $since --until \$(date +%s.%N) --filter event=exec_die \
		--format '{{index .Actor.Attributes \"exitCode\"}}' | grep -qx 5"
}

@test "events: each health probe records exec_create, exec_start and exec_die, as dockerd" {
	local since
	since=$(now)
	h run -d --name ev-health --health-cmd 'exit 3' --health-interval 200ms --health-retries 1 \
		busybox sleep 100 >/dev/null
	wait_for 20 sh -c "'$HAKO' --root '$EVENTS_TMP/root' --state '$EVENTS_TMP/state' events \
		--since $since --until \$(date +%s.%N) --filter event=health_status --format '{{.Action}}' \
		| grep -qx 'health_status: unhealthy'"
	h rm -f ev-health >/dev/null
	run h events --since "$since" --until "$(now)" --filter container=ev-health --filter event=exec_create \
		--filter event=exec_start --filter event=exec_die \
		--format '{{.Action}}|{{index .Actor.Attributes "execID"}}|{{index .Actor.Attributes "exitCode"}}'
	echo "$output"
	[ "${#lines[@]}" -ge 3 ]
	local exec_id=${lines[0]#*|}
	exec_id=${exec_id%%|*}
	[[ "$exec_id" =~ ^[0-9a-f]{64}$ ]]
	[ "${lines[0]}" = "exec_create: /bin/sh -c exit 3|$exec_id|" ]
	[ "${lines[1]}" = "exec_start: /bin/sh -c exit 3|$exec_id|" ]
	[ "${lines[2]}" = "exec_die|$exec_id|3" ]
	# A new execID for each probe.
	if [ "${#lines[@]}" -ge 4 ]; then
		[[ "${lines[3]}" == "exec_create: /bin/sh -c exit 3|"* ]]
		[[ "${lines[3]}" != *"$exec_id"* ]]
	fi
}

@test "events: pause, unpause, rename (oldName), update, top, cp both ways and commit (its unpause last, as dockerd)" {
	local id since
	id=$(h run -d --name ev-verbs busybox sleep 100)
	since=$(now)
	h pause ev-verbs >/dev/null
	h unpause ev-verbs >/dev/null
	h rename ev-verbs ev-verbs2
	h update --restart on-failure ev-verbs2 >/dev/null
	h top ev-verbs2 >/dev/null
	h cp ev-verbs2:/etc/hostname "$EVENTS_TMP/hostname"
	h cp "$EVENTS_TMP/hostname" ev-verbs2:/tmp/
	h commit ev-verbs2 ev-commit:1 >/dev/null
	local until
	until=$(now)
	run h events --since "$since" --until "$until" --filter "container=$id" \
		--format '{{.Action}} {{.Actor.Attributes.name}}{{with index .Actor.Attributes "oldName"}} {{.}}{{end}}'
	echo "$output"
	[ "$output" = "$(printf '%s\n' 'pause ev-verbs' 'unpause ev-verbs' 'rename ev-verbs2 /ev-verbs' \
		'update ev-verbs2' 'top ev-verbs2' 'archive-path ev-verbs2' 'extract-to-dir ev-verbs2' \
		'pause ev-verbs2' 'commit ev-verbs2' 'unpause ev-verbs2')" ]
	run h events --since "$since" --until "$until" --filter event=commit \
		--format '{{index .Actor.Attributes "imageRef"}} {{index .Actor.Attributes "imageID"}}'
	[ "$output" = "ev-commit:1 $(h image inspect --format '{{.Id}}' ev-commit:1)" ]
	run h events --since "$since" --until "$until" --filter type=image --format '{{.Action}} {{.Actor.Attributes.name}}'
	[ "$output" = "tag ev-commit:1" ]
	h rmi ev-commit:1 >/dev/null
}

@test "events: a volume's create, mount (destination, read/write) and unmount around its container" {
	local since
	since=$(now)
	h run --rm --name ev-volrun -v ev-data:/data -v ev-ro:/ro:ro busybox true
	local until
	until=$(now)
	run h events --since "$since" --until "$until" \
		--format '{{.Type}} {{.Action}} {{.Actor.ID}}{{with index .Actor.Attributes "destination"}} {{.}}{{end}}{{with index .Actor.Attributes "read/write"}} {{.}}{{end}}'
	echo "$output"
	local cid
	cid=$(h events --since "$since" --until "$until" --filter container=ev-volrun --filter event=create \
		--format '{{.Actor.ID}}')
	[ "$output" = "$(printf '%s\n' 'volume create ev-data' 'volume create ev-ro' \
		"container create $cid" "container attach $cid" \
		'volume mount ev-data /data true' 'volume mount ev-ro /ro false' "container start $cid" \
		'volume unmount ev-data' 'volume unmount ev-ro' "container die $cid" "container destroy $cid")" ]
	run h events --since "$since" --until "$until" --filter volume=ev-data --format '{{.Action}}{{with .Actor.Attributes.container}} {{.}}{{end}}'
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = create ]
	[[ "${lines[1]}" =~ ^mount\ [0-9a-f]{64}$ ]]
	[[ "${lines[2]}" =~ ^unmount\ [0-9a-f]{64}$ ]]
	h volume rm ev-data ev-ro >/dev/null
}

@test "events: image save, load and import carry the image id" {
	local since id
	since=$(now)
	id=$(h image inspect --format '{{.Id}}' busybox)
	h save -o "$EVENTS_TMP/bb.tar" busybox
	h load -i "$EVENTS_TMP/bb.tar" >/dev/null
	mkdir -p "$EVENTS_TMP/rootfs"
	echo hi >"$EVENTS_TMP/rootfs/hello"
	tar -C "$EVENTS_TMP/rootfs" -cf "$EVENTS_TMP/rootfs.tar" .
	local imported
	imported=$(h import "$EVENTS_TMP/rootfs.tar")
	run h events --since "$since" --until "$(now)" --filter type=image \
		--format '{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}} {{.ID}}'
	echo "$output"
	[ "$output" = "$(printf '%s\n' "save $id $id $id" "load $id $id $id" "import $imported $imported $imported")" ]
	run h events --since "$since" --until "$(now)" --filter "image=$imported" --format '{{.Action}}'
	[ "$output" = import ]
	h rmi "$imported" >/dev/null
	rm -rf "$EVENTS_TMP/rootfs" "$EVENTS_TMP/rootfs.tar" "$EVENTS_TMP/bb.tar"
}

@test "events: attach, resize (height, width) and detach of a container with a tty" {
	command -v script >/dev/null || skip "script (bsdutils) is not installed"
	h run -dit --name ev-tty busybox sh >/dev/null
	local since
	since=$(now)
	# The detach keys (ctrl-p ctrl-q) once attach has put the terminal in raw mode.
	(sleep 1; printf '\020\021') | timeout 30 script -qec \
		"stty rows 30 cols 100; '$HAKO' --root '$EVENTS_TMP/root' --state '$EVENTS_TMP/state' attach ev-tty" /dev/null 3>&-
	run h events --since "$since" --until "$(now)" --filter container=ev-tty \
		--format '{{.Action}}{{with index .Actor.Attributes "height"}} {{.}}{{end}}{{with index .Actor.Attributes "width"}}x{{.}}{{end}}'
	echo "$output"
	[ "${lines[0]}" = attach ]
	[ "${lines[1]}" = "resize 30x100" ]
	[ "${lines[-1]}" = detach ]
	h ps --filter name=ev-tty --filter status=running -q | grep -q .
	# An exec's detach is exec_detach, with its execID.
	since=$(now)
	(sleep 1; printf '\020\021') | timeout 30 script -qec \
		"'$HAKO' --root '$EVENTS_TMP/root' --state '$EVENTS_TMP/state' exec -it ev-tty sh" /dev/null 3>&-
	run h events --since "$since" --until "$(now)" --filter container=ev-tty \
		--format '{{.Action}} {{index .Actor.Attributes "execID"}}'
	echo "$output"
	[[ "${lines[0]}" =~ ^exec_create:\ sh\ \ ([0-9a-f]{64})$ ]]
	local exec_id=${BASH_REMATCH[1]}
	[ "${lines[1]}" = "exec_start: sh  $exec_id" ]
	[ "${lines[-1]}" = "exec_detach $exec_id" ]
}
