#!/usr/bin/env bash
# The README's first command: install, build, and run a container from a busybox bundle made
# from Debian's busybox-static, printing a line from inside it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target hako-runtime
bundle=$(mktemp -d /tmp/hako-demo.XXXXXX)
trap 'rm -rf "$bundle"' EXIT
RUNTIME=$PWD/build/release/src/cmd/hako-runtime/hako-runtime tests/lib/make-bundle.sh "$bundle" >/dev/null
jq '.process.args = ["/bin/sh", "-c", "echo \"hello from a hako container: pid $$, hostname $(hostname), uid $(id -u)\""]' \
  "$bundle/config.json" >"$bundle/config.json.new" && mv "$bundle/config.json.new" "$bundle/config.json"
build/release/src/cmd/hako-runtime/hako-runtime run --bundle "$bundle" "hako-demo-$$"
