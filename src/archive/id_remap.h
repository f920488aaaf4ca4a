// IdRemap: the id maps of a remapped user namespace, one or more ranges each (as uid_map's
// lines: container ids [container, container + size) are host ids [host, host + size)), and
// the two directions files cross it in.
//
// A file a remapped container creates is owned on the host by its host ids; a layer or a tar
// the container's user sees names container ids. An id outside every range is what the kernel
// shows for it inside the namespace: the overflow id 65534. Values; thread safe.
#pragma once

#include <cstdint>
#include <vector>

namespace hako::archive {

struct IdRange {
  uint32_t container = 0, host = 0, size = 0;
};

struct IdRemap {
  std::vector<IdRange> uids, gids;

  static constexpr uint32_t kOverflowId = 65534;

  // One range of each from container id 0.
  static IdRemap single(uint32_t uid_host, uint32_t uid_size, uint32_t gid_host,
                        uint32_t gid_size) {
    return {{{0, uid_host, uid_size}}, {{0, gid_host, gid_size}}};
  }

  bool active() const { return !uids.empty() && !gids.empty(); }
  uint32_t uid_to_container(uint32_t host) const { return back(uids, host); }
  uint32_t gid_to_container(uint32_t host) const { return back(gids, host); }
  uint32_t uid_to_host(uint32_t id) const { return forth(uids, id); }
  uint32_t gid_to_host(uint32_t id) const { return forth(gids, id); }
  // How many container ids the maps cover.
  uint32_t uid_count() const { return count(uids); }
  uint32_t gid_count() const { return count(gids); }

 private:
  static uint32_t back(const std::vector<IdRange>& m, uint32_t host) {
    for (const IdRange& r : m)
      if (host >= r.host && host - r.host < r.size) return r.container + (host - r.host);
    return kOverflowId;
  }
  static uint32_t forth(const std::vector<IdRange>& m, uint32_t id) {
    for (const IdRange& r : m)
      if (id >= r.container && id - r.container < r.size) return r.host + (id - r.container);
    return kOverflowId;
  }
  static uint32_t count(const std::vector<IdRange>& m) {
    uint64_t n = 0;
    for (const IdRange& r : m) n += r.size;
    return n > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(n);
  }
};

}  // namespace hako::archive
