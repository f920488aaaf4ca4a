#!/usr/bin/env bats
# The progress of hako pull and push as Docker's CLI draws it: on a terminal (a pseudo-terminal
# from script(1), 120 columns) one line per layer redrawn in place with ANSI cursor moves and a
# 50-column bar; not on a terminal one line per status change, no escape sequence and no byte
# progress; -q the reference alone. Against Debian's docker-registry on 127.0.0.1, as
# registry.bats.

load helpers

setup() {
	registry_setup
}

teardown() {
	common_teardown
}

# tty_hako ARGS...: hako with this test's store under a pseudo-terminal of 120 columns; $output
# is what the terminal got, carriage returns and all. timeout stays outside script: inside, hako
# would not lead the terminal's foreground group under CI.
tty_hako() {
	local cmd
	cmd="stty cols 120 rows 40; exec $(printf '%q ' "$HAKO" --root "$IMG_ROOT" --state "$IMG_STATE" "$@")"
	run env SHELL=/bin/sh timeout --kill-after=5 "$HAKO_TIMEOUT" script -qec "$cmd" /dev/null </dev/null
	echo "hako $* under a terminal (status=$status):" >&2
	cat -v <<<"$output" >&2
	[ "$status" -eq 0 ] || fail "hako $* failed under a terminal with status $status"
}

# screen_lines: $output (from a terminal) with each line as it begins after its last carriage
# return and cursor move: the lines the command wrote below the layer block.
screen_lines() {
	sed 's/\r$//; s/.*\r//; s/^\(\x1b\[[0-9]*[AB]\)*//' <<<"$output"
}

# The full bar of a layer at its last byte.
FULL_BAR='[==================================================>]'

# layer_ids: the short ids of the layer lines in $output (not a terminal).
layer_ids() {
	sed -n 's/^\([0-9a-f]\{12\}\): .*/\1/p' <<<"$output" | sort -u
}

# one_line_per_event STATUS...: every line of $output is one of Docker's messages or a layer's
# status among STATUS..., with no escape sequence and no byte progress.
one_line_per_event() {
	local alt line
	[[ "$output" != *$'\e'* ]] || fail "escape sequences in output that is not a terminal"
	[[ "$output" != *$'\r'* ]] || fail "carriage returns in output that is not a terminal"
	alt=$(
		IFS='|'
		echo "$*"
	)
	while IFS= read -r line; do
		grep -qxE "[0-9a-f]{12}: ($alt)|[^ ]+: Pulling from .*|Digest: sha256:[0-9a-f]{64}|Status: .*|The push refers to .*|[^ ]+: digest: sha256:[0-9a-f]{64} size: [0-9]+|$REGISTRY/.*" <<<"$line" ||
			fail "not one of the lines expected: '$line'"
	done <<<"$output"
}

@test "hako pull on a terminal: a line per layer redrawn in place, Docker's bars, then the summary below" {
	use_skopeo
	start_registry
	push_test_image "$REGISTRY/test/busybox:1"
	local digest plain
	digest=$(sk_digest "docker://$REGISTRY/test/busybox:1")
	tty_hako pull "$REGISTRY/test/busybox:1"
	[[ "$output" == *$'\e[2K'* && "$output" == *$'\e[1A'* && "$output" == *$'\e[1B'* ]] ||
		fail "no cursor-up / erase-line / cursor-down sequences"
	[[ "$output" == *": Downloading $FULL_BAR "* ]] || fail "no full download bar"
	[[ "$output" == *"B/"*"B"$'\r'* ]] || fail "no current/total sizes"
	[ "$(grep -o ': Pull complete ' <<<"$output" | wc -l)" -eq 2 ] || fail "expected two layers drawn 'Pull complete'"
	# The lines below the block, as without a terminal.
	plain=$(screen_lines)
	grep -qxF "Digest: $digest" <<<"$plain" || fail "no Digest line"
	grep -qxF "Status: Downloaded newer image for $REGISTRY/test/busybox:1" <<<"$plain" || fail "no Status line"
	assert_equal "last line" "$REGISTRY/test/busybox:1" "$(tail -n1 <<<"$plain")"
	assert_equal "id" "$(sk_id_layers "$REGISTRY/test/busybox:1")" "$(hako_id_layers "$REGISTRY/test/busybox:1")"
}

@test "hako pull not on a terminal: one line per status change, no escapes, no byte progress" {
	use_skopeo
	start_registry
	push_test_image "$REGISTRY/test/busybox:1"
	hako_ok pull "$REGISTRY/test/busybox:1"
	one_line_per_event "Pulling fs layer" Waiting "Verifying Checksum" "Download complete" "Pull complete"
	local id
	[ "$(layer_ids | wc -l)" -eq 2 ] || fail "expected two layers"
	for id in $(layer_ids); do
		assert_equal "status lines of $id" "Pulling fs layer,Verifying Checksum,Download complete,Pull complete" \
			"$(sed -n "s/^$id: //p" <<<"$output" | paste -sd,)"
	done

	# Again in a fresh repository of the same content: every layer is there already.
	hako_ok tag "$REGISTRY/test/busybox:1" hako-again:1
	run sk copy --src-tls-verify=false --dest-tls-verify=false "docker://$REGISTRY/test/busybox:1" "docker://$REGISTRY/test/other:1"
	[ "$status" -eq 0 ] || fail "skopeo copy failed: $output"
	hako_ok pull "$REGISTRY/test/other:1"
	one_line_per_event "Already exists"
}

@test "hako pull -q on a terminal prints only the reference" {
	use_skopeo
	start_registry
	push_test_image "$REGISTRY/test/busybox:1"
	tty_hako pull -q "$REGISTRY/test/busybox:1"
	assert_equal "-q output" "$REGISTRY/test/busybox:1" "$(tr -d '\r' <<<"$output")"
}

@test "hako push on a terminal draws Pushing bars; not on a terminal one line per status change" {
	start_registry
	make_test_archive "$TEST_DIR/src.tar" hako-progress:v1 >/dev/null
	hako_ok load -i "$TEST_DIR/src.tar"
	hako_ok tag hako-progress:v1 "$REGISTRY/pushed/tty:v1"
	tty_hako push "$REGISTRY/pushed/tty:v1"
	[[ "$output" == *$'\e[2K'* && "$output" == *$'\e[1A'* ]] || fail "no cursor-up / erase-line sequences"
	[[ "$output" == *": Pushing $FULL_BAR "* ]] || fail "no full push bar"
	[ "$(grep -o ': Pushed ' <<<"$output" | wc -l)" -eq 2 ] || fail "expected two layers drawn 'Pushed'"
	screen_lines | grep -qE '^v1: digest: sha256:[0-9a-f]{64} size: [0-9]+$' || fail "no digest line"

	hako_ok tag hako-progress:v1 "$REGISTRY/pushed/plain:v1"
	hako_ok push "$REGISTRY/pushed/plain:v1"
	one_line_per_event Preparing Waiting Pushed "Layer already exists" "Mounted from pushed/tty"
	[ "$(layer_ids | wc -l)" -eq 2 ] || fail "expected two layers"
}
