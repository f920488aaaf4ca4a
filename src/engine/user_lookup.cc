#include "engine/user_lookup.h"

#include <fcntl.h>

#include <charconv>
#include <optional>
#include <string_view>

#include "sys/file.h"
#include "sys/mount.h"

namespace hako::engine {
namespace {

// Docker refuses ids outside int32 (runc's minID..maxID).
constexpr uint64_t kMaxId = 2147483647;

struct PasswdEntry {
  std::string name;
  uint32_t uid = 0, gid = 0;
  std::string home;
};
struct GroupEntry {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
};

std::optional<uint32_t> parse_id(std::string_view s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v > kMaxId ? std::nullopt : std::optional<uint32_t>(static_cast<uint32_t>(v));
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

// Lines as runc parses them: blank lines and lines starting with '#' or '+'/'-' (NIS) are
// skipped; malformed numeric fields make the line unusable, not the file.
template <typename Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  for (std::string_view line : split(text, '\n')) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty() || line[0] == '#' || line[0] == '+' || line[0] == '-') continue;
    fn(split(line, ':'));
  }
}

std::vector<PasswdEntry> parse_passwd(std::string_view text) {
  std::vector<PasswdEntry> out;
  for_each_line(text, [&](const std::vector<std::string_view>& f) {
    if (f.size() < 4) return;
    auto uid = parse_id(f[2]), gid = parse_id(f[3]);
    if (!uid || !gid) return;
    out.push_back({std::string(f[0]), *uid, *gid, f.size() > 5 ? std::string(f[5]) : ""});
  });
  return out;
}

std::vector<GroupEntry> parse_group(std::string_view text) {
  std::vector<GroupEntry> out;
  for_each_line(text, [&](const std::vector<std::string_view>& f) {
    if (f.size() < 3) return;
    auto gid = parse_id(f[2]);
    if (!gid) return;
    GroupEntry g{std::string(f[0]), *gid, {}};
    if (f.size() > 3 && !f[3].empty()) {
      for (auto m : split(f[3], ',')) g.members.emplace_back(m);
    }
    out.push_back(std::move(g));
  });
  return out;
}

const GroupEntry* find_group(const std::vector<GroupEntry>& groups, std::string_view spec) {
  auto id = parse_id(spec);
  for (const auto& g : groups) {
    if (g.name == spec || (id && g.gid == *id)) return &g;
  }
  return nullptr;
}

// Reads /etc/NAME inside the rootfs; a missing file reads as empty.
Result<std::string> read_in_root(int root_fd, const std::string& path) {
  auto fd = sys::open_in_root(root_fd, path);
  if (!fd) {
    if (fd.error().sys_errno() == ENOENT) return std::string();
    return std::move(fd).error();
  }
  // The O_PATH fd was resolved inside the root; reopening it through /proc reads that very file.
  return sys::read_file(sys::fd_path(fd->get()), 16 << 20);
}

}  // namespace

Result<ResolvedUser> resolve_user_from(const std::string& passwd_text,
                                       const std::string& group_text, const std::string& user_spec,
                                       const std::vector<std::string>& group_add) {
  auto passwd = parse_passwd(passwd_text);
  auto groups = parse_group(group_text);
  std::string_view spec = user_spec;
  std::string_view user_part = spec.substr(0, spec.find(':'));
  std::optional<std::string_view> group_part;
  if (spec.find(':') != std::string_view::npos) group_part = spec.substr(spec.find(':') + 1);

  ResolvedUser out;
  std::string user_name;
  if (!user_part.empty()) {
    auto uid = parse_id(user_part);
    const PasswdEntry* match = nullptr;
    for (const auto& p : passwd) {
      if (p.name == user_part || (uid && p.uid == *uid)) {
        match = &p;
        break;
      }
    }
    if (match) {
      out.uid = match->uid;
      out.gid = match->gid;
      user_name = match->name;
      if (!match->home.empty()) out.home = match->home;
    } else if (uid) {
      out.uid = *uid;
    } else if (user_part.find_first_not_of("0123456789") == std::string_view::npos) {
      return invalid_argument("uids and gids must be in range 0-" + std::to_string(kMaxId));
    } else {
      return not_found("unable to find user " + std::string(user_part) +
                       ": no matching entries in passwd file");
    }
  } else {
    // "" or ":group": root, found in passwd for its home and groups when listed there.
    for (const auto& p : passwd) {
      if (p.uid == 0) {
        user_name = p.name;
        out.gid = p.gid;
        if (!p.home.empty()) out.home = p.home;
        break;
      }
    }
  }

  std::vector<uint32_t> supplementary;
  if (group_part && !group_part->empty()) {
    if (const GroupEntry* g = find_group(groups, *group_part)) {
      out.gid = g->gid;
    } else if (auto gid = parse_id(*group_part)) {
      out.gid = *gid;
    } else {
      return not_found("unable to find group " + std::string(*group_part) +
                       ": no matching entries in group file");
    }
  } else if (!user_name.empty()) {
    for (const auto& g : groups) {
      for (const auto& m : g.members) {
        if (m == user_name) {
          supplementary.push_back(g.gid);
          break;
        }
      }
    }
  }

  out.additional_gids.push_back(out.gid);
  out.additional_gids.insert(out.additional_gids.end(), supplementary.begin(), supplementary.end());
  for (const auto& add : group_add) {
    if (const GroupEntry* g = find_group(groups, add)) {
      out.additional_gids.push_back(g->gid);
    } else if (auto gid = parse_id(add)) {
      out.additional_gids.push_back(*gid);
    } else {
      return not_found("Unable to find group " + add + ": no matching entries in group file");
    }
  }
  return out;
}

Result<ResolvedUser> resolve_user(const std::string& rootfs, const std::string& user_spec,
                                  const std::vector<std::string>& group_add) {
  HAKO_TRY_ASSIGN(UniqueFd root, sys::open_path(rootfs, O_PATH | O_DIRECTORY));
  HAKO_TRY_ASSIGN(std::string passwd, read_in_root(root.get(), "/etc/passwd"));
  HAKO_TRY_ASSIGN(std::string group, read_in_root(root.get(), "/etc/group"));
  return resolve_user_from(passwd, group, user_spec, group_add);
}

}  // namespace hako::engine
