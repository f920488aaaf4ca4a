#include "runtime/loopback.h"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "base/unique_fd.h"

namespace hako::runtime {

Status bring_loopback_up(const oci::Spec& spec) {
  auto it = spec.annotations.find(kLoopbackAnnotation);
  if (it == spec.annotations.end() || it->second != "up" || !spec.linux) return ok();
  bool own_netns = false;
  for (const auto& ns : spec.linux->namespaces)
    own_netns |= ns.type == "network" && ns.path.empty();
  // Never touch a namespace the container shares (the host's with --network host).
  if (!own_netns) return ok();
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return sys_error("bring lo up: socket");
  UniqueFd sock(fd);
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) return sys_error("bring lo up: get flags");
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
  if (::ioctl(fd, SIOCSIFFLAGS, &ifr) != 0) return sys_error("bring lo up");
  return ok();
}

}  // namespace hako::runtime
