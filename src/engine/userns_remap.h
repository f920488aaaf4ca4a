// User-namespace remapping of engine containers, Docker's `userns-remap` done daemonless.
//
// The setting is hako.json's "userns-remap" ($HAKO_CONFIG, else /etc/hako/hako.json, the file
// the registry settings live in): "" (off), "default" (the user "hako", as Docker's dockremap)
// or "USER[:GROUP]" (names or numbers). With it, every container's root is the first id of
// USER's lowest range in /etc/subuid (GROUP's, else USER's, in /etc/subgid); as dockerd, all of
// USER's ranges are chained from container id 0 on, lowest first (at most 5 ranges, uid_map's
// limit before Linux 4.15, and 65536 ids in all); HostConfig.UsernsMode "host" opts a container
// out. hako adds UsernsMode "remap": this container only, with the setting's user, else "hako".
// As dockerd, remapping refuses --privileged, --pid=host and --network=host (they need the
// host's user namespace). The resolved maps are kept in the container's definition
// ("IdRemap"), so a later change of the setting does not change an existing container.
// Pure functions except the two that read files; thread safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "archive/id_remap.h"
#include "base/result.h"

namespace hako::engine {

inline constexpr const char* kDefaultRemapUser = "hako";
inline constexpr uint32_t kMaxRemapIds = 65536;
inline constexpr size_t kMaxRemapRanges = 5;

// hako.json's "userns-remap", "" when unset or the file is missing.
Result<std::string> configured_userns_remap();
Result<std::string> parse_userns_remap(std::string_view hako_json, std::string_view what);

// The ranges (start, size) of the entries of a subuid/subgid file naming one of `names`, lowest
// start first (Docker makes the lowest one the container's root), without one overlapping a
// lower one, at most kMaxRemapRanges.
std::vector<std::pair<uint32_t, uint32_t>> find_subid_ranges(std::string_view text,
                                                             const std::vector<std::string>& names);
// The ranges as maps from container id 0 on, each continuing where the one before ended, up to
// kMaxRemapIds container ids.
std::vector<archive::IdRange> chain_ranges(
    const std::vector<std::pair<uint32_t, uint32_t>>& ranges);

// The maps for a setting ("default" or "USER[:GROUP]") from the given files' text.
Result<archive::IdRemap> remap_from(const std::string& setting, std::string_view subuid,
                                    std::string_view subgid);

// A container's remapping: UsernsMode ("", "host", "remap") with the setting; nullopt when it
// keeps the host's user namespace. Errors are one line for the user.
Result<std::optional<archive::IdRemap>> container_remap(const nlohmann::json& host_config,
                                                        const std::string& setting);

// The definition's "IdRemap" field ({"UidMaps": [{ContainerID, HostID, Size}...], "GidMaps"})
// and back; the single-range form of older definitions (UidHost, UidSize, GidHost, GidSize) is
// read too.
nlohmann::json remap_to_json(const archive::IdRemap& r);
std::optional<archive::IdRemap> remap_of_definition(const nlohmann::json& definition);

}  // namespace hako::engine
