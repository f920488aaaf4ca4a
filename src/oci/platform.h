// Platforms: parsing `--platform os[/arch[/variant]]`, normalising architecture names the way
// containerd does (x86_64 → amd64, aarch64 → arm64, armhf → arm/v7), the host's platform, and
// picking the manifest of an index that suits a wanted platform.
//
// Matching: os and architecture must be equal after normalisation; variants are CPU levels
// (arm v5 < v6 < v7 < v8, amd64 v1 < v2 < v3 < v4), and a host runs its own level and every
// lower one, preferring the closest. An absent variant means the architecture's baseline
// (arm: v7, arm64: v8, amd64: v1). Other architectures need equal variants. Unlike containerd,
// there is no cross-architecture fallback (arm64 running arm/v7): Docker does not pick one for
// a pull either. Pure functions; thread safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "base/result.h"
#include "oci/image_spec.h"

namespace hako::oci {

// "linux/arm64/v8", "linux/amd64", "linux" (host arch), "arm64" (linux); normalised.
// Error: `invalid platform "linux/": ...`.
Result<Platform> parse_platform(std::string_view text);

// GOARCH name and canonical variant, e.g. {"aarch64", ""} → {"arm64", ""},
// {"arm", ""} → {"arm", "v7"}, {"amd64", "v1"} → {"amd64", ""}.
Platform normalize_platform(Platform p);

// From uname(2); for 32-bit arm the variant is read from the machine name (armv6l → v6).
Platform host_platform();

// "linux/amd64", "linux/arm/v7": Docker's display form.
std::string platform_string(const Platform& p);

// How well a manifest for `have` runs where `want` is asked for: 0 is an exact match, higher is
// a lower CPU level; nullopt if it cannot run.
std::optional<int> platform_rank(const Platform& want, const Platform& have);

// The index entry to use for `want`: the best-ranked manifest entry, earliest on ties (the
// order the image author chose). Entries without a platform match anything, ranked last.
// Attestation manifests (platform unknown/unknown) never match.
std::optional<size_t> find_platform_manifest(const Index& index, const Platform& want);

}  // namespace hako::oci
