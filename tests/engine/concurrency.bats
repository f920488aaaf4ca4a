#!/usr/bin/env bats
# Concurrency: many runs at once, and two runs racing for one name.

load helpers

@test "concurrency: 50 run -d at once all succeed with 50 distinct ids" {
	local i pids=() failed=0
	for i in $(seq 50); do
		__hako run -d busybox sleep 30 >"$TEST_DIR/out.$i" 2>"$TEST_DIR/err.$i" &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || {
			failed=$((failed + 1))
			echo "run $((i + 1)) failed: $(cat "$TEST_DIR/err.$((i + 1))")" >&2
		}
	done
	cat "$TEST_DIR"/out.* >"$TEST_DIR/ids"
	remember_ids "$(cat "$TEST_DIR/ids")"
	assert_equal "failed runs" 0 "$failed"
	assert_equal "ids printed" 50 "$(grep -cE '^[0-9a-f]{64}$' "$TEST_DIR/ids")"
	assert_equal "distinct ids" 50 "$(sort -u "$TEST_DIR/ids" | wc -l)"
	hako_ok ps -q --no-trunc
	assert_equal "running" 50 "$(grep -c . <<<"$output")"
	assert_equal "ps ids" "$(sort "$TEST_DIR/ids")" "$(sort <<<"$output")"
	# Removed at once too.
	hako_ok rm -f $(cat "$TEST_DIR/ids")
	hako_ok ps -aq
	assert_equal "after rm -f" "" "$output"
}

@test "concurrency: two run --name same at once: one wins, the other is Docker's conflict" {
	local a b ra=0 rb=0
	__hako run -d --name same busybox sleep 30 >"$TEST_DIR/a.out" 2>"$TEST_DIR/a.err" &
	a=$!
	__hako run -d --name same busybox sleep 30 >"$TEST_DIR/b.out" 2>"$TEST_DIR/b.err" &
	b=$!
	wait "$a" || ra=$?
	wait "$b" || rb=$?
	remember_ids "$(cat "$TEST_DIR/a.out" "$TEST_DIR/b.out")"
	echo "a: $ra $(cat "$TEST_DIR/a.err"); b: $rb $(cat "$TEST_DIR/b.err")" >&2
	local loser
	if [ "$ra" = 0 ]; then loser=b; else loser=a; fi
	[ "$ra" = 0 ] || [ "$rb" = 0 ] || fail "neither run won"
	[ "$ra" != 0 ] || [ "$rb" != 0 ] || fail "both runs won"
	[ "$ra" = 125 ] || [ "$rb" = 125 ] || fail "the loser did not exit 125"
	grep -q 'is already in use' "$TEST_DIR/$loser.err" || fail "no conflict message"
	assert_equal "loser's stderr lines" 1 "$(grep -c . "$TEST_DIR/$loser.err")"
	hako_ok ps -aq
	one_line
}
