# shellcheck shell=bash
# The assertions every black-box suite uses, sourced by each suite's helpers.bash.

fail() {
	echo "$@" >&2
	return 1
}

# assert_equal WHAT EXPECTED ACTUAL
assert_equal() {
	if [ "$2" != "$3" ]; then
		echo "$1 differs:" >&2
		echo "  expected: $2" >&2
		echo "  actual:   $3" >&2
		return 1
	fi
}

# has_line TEXT: $output has TEXT as a whole line.
has_line() {
	if ! grep -qxF -- "$1" <<<"$output"; then
		echo "expected the line '$1' in:" >&2
		echo "$output" >&2
		return 1
	fi
}

# has_match REGEX: a line of $output matches REGEX.
has_match() {
	if ! grep -qE -- "$1" <<<"$output"; then
		echo "expected a line matching /$1/ in:" >&2
		echo "$output" >&2
		return 1
	fi
}
