#!/usr/bin/env bash
# The README's first command: install, build, create the default busybox image in the default
# store (/var/lib/hako) from Debian's busybox-static, and `hako run` a container from it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# ccache keyed on paths relative to the checkout, as scripts/test.sh does.
export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
cmake --preset release >/dev/null
cmake --build --preset release --target hako hako-shim hako-init hako-runtime
hako=$PWD/build/release/src/cmd/hako/hako

"$hako" image default >/dev/null
"$hako" images busybox
"$hako" run --rm busybox sh -c 'echo "hello from a hako container: pid $$, hostname $(hostname), uid $(id -u)"'
