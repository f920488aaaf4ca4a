#!/usr/bin/env bash
# Installs every Debian package hako's build, tests and (with --peers) benchmarks need.
# This is the only place packages are named. Idempotent; apt-get only; run as root.
#   scripts/install-deps.sh           build + test dependencies
#   scripts/install-deps.sh --peers   also the peers benchmarks compare against
set -euo pipefail

build=(cmake ninja-build g++ pkg-config libseccomp-dev nlohmann-json3-dev libcli11-dev libgtest-dev
  clang-format python3 ccache libarchive-dev libssl-dev zlib1g-dev libzstd-dev libsqlite3-dev
  libcurl4-openssl-dev nettle-dev liblzma-dev libbz2-dev libisal-dev)
# The fuzz targets (archive unpacker): clang's libFuzzer runtime.
fuzz=(clang libclang-rt-14-dev)
# Black-box tests: busybox images, the bats runner, a subreaper, jq for config edits, script/unshare,
# criu for checkpoint/restore; newuidmap/newgidmap (uidmap) for rootless containers with
# subordinate id ranges; the image suite's interop peers, debootstrap for its minbase, a
# registry with htpasswd, sqlite3; the client suite's containerd (docker.io depends on it too).
test=(bats busybox-static jq tini tmux util-linux bsdutils iproute2 procps runc criu libc6-dev uidmap
  docker.io containerd podman skopeo debootstrap sqlite3 docker-registry apache2-utils)
peers=(crun runc hyperfine containerd docker-registry buildah)

want=("${build[@]}" "${test[@]}" "${fuzz[@]}")
if [[ "${1:-}" == "--peers" ]]; then want+=("${peers[@]}"); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing ${missing[*]}; run as root to install them" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: installed ${missing[*]}"
