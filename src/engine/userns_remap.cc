#include "engine/userns_remap.h"

#include <grp.h>
#include <pwd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "json/reader.h"
#include "registry/endpoint.h"
#include "sys/file.h"

namespace hako::engine {
namespace {

constexpr const char* kSubuid = "/etc/subuid";
constexpr const char* kSubgid = "/etc/subgid";

std::optional<uint32_t> parse_u32(std::string_view s) {
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// A subid file names its owner by name or by number: both forms are looked up.
std::vector<std::string> user_names(const std::string& user) {
  std::vector<std::string> names{user};
  if (parse_u32(user)) {
    if (const passwd* pw = ::getpwuid(*parse_u32(user))) names.push_back(pw->pw_name);
  } else if (const passwd* pw = ::getpwnam(user.c_str())) {
    names.push_back(std::to_string(pw->pw_uid));
  }
  return names;
}

std::vector<std::string> group_names(const std::string& group) {
  std::vector<std::string> names{group};
  if (parse_u32(group)) {
    if (const struct group* gr = ::getgrgid(*parse_u32(group))) names.push_back(gr->gr_name);
  } else if (const struct group* gr = ::getgrnam(group.c_str())) {
    names.push_back(std::to_string(gr->gr_gid));
  }
  return names;
}

Error no_range(const std::string& who, const char* file) {
  return failed_precondition("userns-remap: " + who + " has no range in " + file +
                             ": add a line such as \"" + who + ":100000:65536\" to " + file +
                             " (and to " + (file == std::string(kSubuid) ? kSubgid : kSubuid) +
                             ")");
}

Result<std::string> read_or_empty(const char* path) {
  if (!sys::exists(path)) return std::string();
  return sys::read_file(path, 16 << 20);
}

nlohmann::json ranges_to_json(const std::vector<archive::IdRange>& m) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& r : m)
    a.push_back({{"ContainerID", r.container}, {"HostID", r.host}, {"Size", r.size}});
  return a;
}

std::vector<archive::IdRange> ranges_of_json(const nlohmann::json& v) {
  std::vector<archive::IdRange> m;
  if (!v.is_array()) return m;
  for (const auto& e : v) {
    if (!e.is_object()) continue;
    archive::IdRange r{e.value("ContainerID", 0u), e.value("HostID", 0u), e.value("Size", 0u)};
    if (r.size != 0) m.push_back(r);
  }
  return m;
}

}  // namespace

Result<std::string> parse_userns_remap(std::string_view hako_json, std::string_view what) {
  HAKO_TRY_ASSIGN(json::Value v, json::parse(hako_json, what));
  if (!v.is_object()) return invalid_argument(std::string(what) + ": not a JSON object");
  auto it = v.find("userns-remap");
  if (it == v.end() || it->is_null()) return std::string();
  if (!it->is_string())
    return invalid_argument(
        std::string(what) +
        ": \"userns-remap\" must be a string (\"default\" or \"user[:group]\")");
  return it->get<std::string>();
}

Result<std::string> configured_userns_remap() {
  const char* env = std::getenv("HAKO_CONFIG");
  std::string path = env && *env ? env : registry::kDefaultConfigPath;
  if (!sys::exists(path)) return std::string();
  HAKO_TRY_ASSIGN(std::string text, sys::read_file(path, 1 << 20));
  return parse_userns_remap(text, path);
}

std::vector<std::pair<uint32_t, uint32_t>> find_subid_ranges(
    std::string_view text, const std::vector<std::string>& names) {
  std::vector<std::pair<uint32_t, uint32_t>> found;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == text.npos ? std::string_view() : text.substr(nl + 1);
    size_t a = line.find(':');
    size_t b = a == line.npos ? line.npos : line.find(':', a + 1);
    if (b == line.npos) continue;
    std::string_view name = line.substr(0, a);
    auto start = parse_u32(line.substr(a + 1, b - a - 1));
    auto size = parse_u32(line.substr(b + 1));
    // A range from 0 would map the container's root to the host's; one past 2^32 wraps.
    if (!start || !size || *size == 0 || *start == 0 ||
        uint64_t{*start} + *size > uint64_t{UINT32_MAX})
      continue;
    bool ours = false;
    for (const auto& n : names) ours = ours || n == name;
    if (ours) found.emplace_back(*start, *size);
  }
  std::sort(found.begin(), found.end());
  // The kernel refuses a uid_map whose host ranges overlap (the same range listed under the
  // user's name and number, say): a range overlapping a lower one is left out.
  std::vector<std::pair<uint32_t, uint32_t>> ranges;
  for (const auto& r : found) {
    if (!ranges.empty() && r.first < uint64_t{ranges.back().first} + ranges.back().second) continue;
    ranges.push_back(r);
    if (ranges.size() == kMaxRemapRanges) break;
  }
  return ranges;
}

std::vector<archive::IdRange> chain_ranges(
    const std::vector<std::pair<uint32_t, uint32_t>>& ranges) {
  std::vector<archive::IdRange> out;
  uint32_t next = 0;  // the next container id
  for (const auto& [start, size] : ranges) {
    uint32_t take = std::min(size, kMaxRemapIds - next);
    if (take == 0) break;
    out.push_back({next, start, take});
    next += take;
  }
  return out;
}

Result<archive::IdRemap> remap_from(const std::string& setting, std::string_view subuid,
                                    std::string_view subgid) {
  std::string user = setting == "default" ? kDefaultRemapUser : setting;
  std::string group = user;
  if (size_t colon = user.find(':'); colon != std::string::npos) {
    group = user.substr(colon + 1);
    user.resize(colon);
  }
  if (user.empty() || group.empty())
    return invalid_argument("userns-remap: \"" + setting +
                            "\" is not \"default\" or \"user[:group]\"");
  archive::IdRemap r;
  r.uids = chain_ranges(find_subid_ranges(subuid, user_names(user)));
  if (r.uids.empty()) return no_range(user, kSubuid);
  r.gids = chain_ranges(find_subid_ranges(subgid, group_names(group)));
  if (r.gids.empty()) return no_range(group, kSubgid);
  return r;
}

Result<std::optional<archive::IdRemap>> container_remap(const nlohmann::json& hc,
                                                        const std::string& setting) {
  auto text = [&](const char* key) -> std::string {
    auto it = hc.is_object() ? hc.find(key) : hc.end();
    return it != hc.end() && it->is_string() ? it->get<std::string>() : "";
  };
  std::string mode = text("UsernsMode");
  if (mode != "" && mode != "host" && mode != "remap")
    return invalid_argument("invalid --userns mode \"" + mode +
                            "\": use host, or remap (hako's: this container remapped)");
  if (mode == "host" || (mode.empty() && setting.empty())) return std::optional<archive::IdRemap>();
  auto priv = hc.is_object() ? hc.find("Privileged") : hc.end();
  if (priv != hc.end() && priv->is_boolean() && priv->get<bool>())
    return invalid_argument(
        "privileged mode is incompatible with user namespaces: add --userns=host to run it "
        "privileged");
  if (text("NetworkMode") == "host")
    return invalid_argument(
        "cannot share the host's network namespace when user namespaces are enabled: add "
        "--userns=host");
  if (text("PidMode") == "host")
    return invalid_argument(
        "cannot share the host PID namespace when user namespaces are enabled: add --userns=host");
  HAKO_TRY_ASSIGN(std::string subuid, read_or_empty(kSubuid));
  HAKO_TRY_ASSIGN(std::string subgid, read_or_empty(kSubgid));
  HAKO_TRY_ASSIGN(archive::IdRemap r,
                  remap_from(setting.empty() ? "default" : setting, subuid, subgid));
  return std::optional<archive::IdRemap>(r);
}

nlohmann::json remap_to_json(const archive::IdRemap& r) {
  nlohmann::json v = {{"UidMaps", ranges_to_json(r.uids)}, {"GidMaps", ranges_to_json(r.gids)}};
  // The first range in the single-range fields too: a hako that knows only those still runs
  // the container remapped (its first range), never as the host's root.
  if (!r.uids.empty() && !r.gids.empty()) {
    v["UidHost"] = r.uids.front().host;
    v["UidSize"] = r.uids.front().size;
    v["GidHost"] = r.gids.front().host;
    v["GidSize"] = r.gids.front().size;
  }
  return v;
}

std::optional<archive::IdRemap> remap_of_definition(const nlohmann::json& definition) {
  if (!definition.is_object()) return std::nullopt;
  auto it = definition.find("IdRemap");
  if (it == definition.end() || !it->is_object()) return std::nullopt;
  archive::IdRemap r;
  if (it->contains("UidMaps")) {
    r.uids = ranges_of_json((*it)["UidMaps"]);
    r.gids = ranges_of_json(it->value("GidMaps", nlohmann::json()));
  } else {  // a container created when hako mapped one range
    uint32_t uid_size = it->value("UidSize", 0u), gid_size = it->value("GidSize", 0u);
    if (uid_size != 0 && gid_size != 0)
      r = archive::IdRemap::single(it->value("UidHost", 0u), uid_size, it->value("GidHost", 0u),
                                   gid_size);
  }
  if (!r.active()) return std::nullopt;
  return r;
}

}  // namespace hako::engine
