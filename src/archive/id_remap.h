// IdRemap: the single-range id maps of a remapped user namespace (container id 0 is host id
// uid_host/gid_host, and so on for size ids), and the two directions files cross it in.
//
// A file a remapped container creates is owned on the host by its host ids; a layer or a tar
// the container's user sees names container ids. An id outside the range is what the kernel
// shows for it inside the namespace: the overflow id 65534. Values; thread safe.
#pragma once

#include <cstdint>

namespace hako::archive {

struct IdRemap {
  uint32_t uid_host = 0, uid_size = 0;
  uint32_t gid_host = 0, gid_size = 0;

  static constexpr uint32_t kOverflowId = 65534;

  bool active() const { return uid_size != 0 && gid_size != 0; }
  uint32_t uid_to_container(uint32_t host) const { return back(host, uid_host, uid_size); }
  uint32_t gid_to_container(uint32_t host) const { return back(host, gid_host, gid_size); }
  uint32_t uid_to_host(uint32_t id) const { return id < uid_size ? uid_host + id : kOverflowId; }
  uint32_t gid_to_host(uint32_t id) const { return id < gid_size ? gid_host + id : kOverflowId; }

 private:
  static uint32_t back(uint32_t host, uint32_t start, uint32_t size) {
    return host >= start && host - start < size ? host - start : kOverflowId;
  }
};

}  // namespace hako::archive
