#!/usr/bin/env bash
# The README's first command: install, build, create the default busybox image in the default
# store (/var/lib/hako) from Debian's busybox-static, and run a container from it: the image's
# layers mounted read-only (hako image mount) as the root of an OCI bundle run by hako-runtime.
# Until the engine lands (`hako run`), this is how an image runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target hako hako-runtime
hako=$PWD/build/release/src/cmd/hako/hako
runtime=$PWD/build/release/src/cmd/hako-runtime/hako-runtime

"$hako" image default >/dev/null
"$hako" images busybox
bundle=$(mktemp -d /tmp/hako-demo.XXXXXX)
rootfs=$("$hako" image mount busybox)
trap '"$hako" image unmount busybox >/dev/null; rm -rf "$bundle"' EXIT
(cd "$bundle" && "$runtime" spec)
jq --arg root "$rootfs" '.root = {path: $root, readonly: true} | .process.terminal = false
  | .process.args = ["/bin/sh", "-c", "echo \"hello from a hako container: pid $$, hostname $(hostname), uid $(id -u)\""]' \
  "$bundle/config.json" >"$bundle/config.json.new" && mv "$bundle/config.json.new" "$bundle/config.json"
"$runtime" run --bundle "$bundle" "hako-demo-$$"
