// User-namespace remapping of engine containers, Docker's `userns-remap` done daemonless.
//
// The setting is hako.json's "userns-remap" ($HAKO_CONFIG, else /etc/hako/hako.json, the file
// the registry settings live in): "" (off), "default" (the user "hako", as Docker's dockremap)
// or "USER[:GROUP]" (names or numbers). With it, every container's root is the first id of
// USER's lowest range in /etc/subuid (GROUP's, else USER's, in /etc/subgid), the range mapped
// from container id 0 on (at most 65536 ids); HostConfig.UsernsMode "host" opts a container
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

// hako.json's "userns-remap", "" when unset or the file is missing.
Result<std::string> configured_userns_remap();
Result<std::string> parse_userns_remap(std::string_view hako_json, std::string_view what);

// The range (start, size) of the entry of a subuid/subgid file naming one of `names` with the
// lowest start, as Docker makes the lowest one the container's root.
std::optional<std::pair<uint32_t, uint32_t>> find_subid_range(
    std::string_view text, const std::vector<std::string>& names);

// The maps for a setting ("default" or "USER[:GROUP]") from the given files' text.
Result<archive::IdRemap> remap_from(const std::string& setting, std::string_view subuid,
                                    std::string_view subgid);

// A container's remapping: UsernsMode ("", "host", "remap") with the setting; nullopt when it
// keeps the host's user namespace. Errors are one line for the user.
Result<std::optional<archive::IdRemap>> container_remap(const nlohmann::json& host_config,
                                                        const std::string& setting);

// The definition's "IdRemap" field and back.
nlohmann::json remap_to_json(const archive::IdRemap& r);
std::optional<archive::IdRemap> remap_of_definition(const nlohmann::json& definition);

}  // namespace hako::engine
