#!/bin/bash
# run_suite NAME SUITE_DIR RUNNER [BATS_ARGS...]: the common tail of the black-box runners
# (tests/blackbox, tests/images, tests/clients run.sh), sourced by each after its own setup.
#
# Runs bats on SUITE_DIR (or on the .bats files and directories among BATS_ARGS) as RUNNER's
# second stage: `RUNNER --in-namespace BATS_ARGS...` under a subreaper (tini -s: PID 1 here
# reaps orphans late) in a private mount namespace whose mounts are slaves of the host's. On a
# terminal bats prints its own summary; otherwise the TAP stream is counted into
# "NAME: N passed, N failed, N skipped", printed last and appended to $HAKO_BLACKBOX_SUMMARY when
# set. Exits with bats' status, or 1 when no test ran. Needs RUN_DIR (the runner's scratch dir).
run_suite() {
	local name=$1 suite_dir=$2 runner=$3 arg rc total skipped failed line
	shift 3
	# Default: every .bats file; a path among the arguments replaces that.
	local targets=("$suite_dir")
	for arg in "$@"; do
		if [[ "$arg" == *.bats || -d "$arg" ]]; then
			targets=()
		fi
	done
	local suite=(tini -s -- unshare -m --propagation slave -- "$runner" --in-namespace)
	if [ -t 1 ]; then
		rc=0
		"${suite[@]}" "$@" "${targets[@]}" || rc=$?
		exit "$rc"
	fi
	set +e
	"${suite[@]}" --tap "$@" "${targets[@]}" | tee "$RUN_DIR/bats.out"
	rc=${PIPESTATUS[0]}
	set -e
	total=$(grep -cE '^(not )?ok [0-9]+ ' "$RUN_DIR/bats.out" || true)
	skipped=$(grep -cE '^ok [0-9]+ .* # skip' "$RUN_DIR/bats.out" || true)
	failed=$(grep -cE '^not ok [0-9]+ ' "$RUN_DIR/bats.out" || true)
	line="$name: $((total - failed - skipped)) passed, $failed failed, $skipped skipped"
	echo "$line"
	if [ -n "${HAKO_BLACKBOX_SUMMARY:-}" ]; then
		echo "$line" >>"$HAKO_BLACKBOX_SUMMARY"
	fi
	if [ "$rc" = 0 ] && [ "$total" = 0 ]; then
		echo "run.sh: no test ran" >&2
		rc=1
	fi
	exit "$rc"
}
