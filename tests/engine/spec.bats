#!/usr/bin/env bats
# The OCI config hako builds, run by hako-runtime and crun (tests/engine/spec_run.sh), when the
# build tree beside $HAKO has hako-spec-tool.

load helpers

@test "spec: the generated config.json under hako-runtime and crun" {
	local build
	build=$(readlink -f "$(dirname "$HAKO")/../../..")
	[ -x "$build/src/engine/hako-spec-tool" ] && [ -x "$build/src/cmd/hako-runtime/hako-runtime" ] ||
		skip "no build tree with hako-spec-tool and hako-runtime beside $HAKO"
	run timeout 120 "$ENGINE_DIR/spec_run.sh" "$build"
	echo "$output" >&2
	[ "$status" -eq 0 ]
	has_line "all passed"
}
