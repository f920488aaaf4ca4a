// OomWatch (declared in stats.h): the kernel's two ways of telling a cgroup's OOM kills.
// v1 signals an eventfd registered through cgroup.event_control (and signals it once more when
// the cgroup is removed); v2 only counts, in memory.events, so an inotify watch says when to
// look and the oom_kill counter says whether there was a kill.
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "base/strings.h"
#include "cgroup/stats.h"
#include "sys/file.h"

namespace hako::cgroup {
namespace {

uint64_t oom_kills(const std::string& events_path) {
  auto text = sys::read_file(events_path, 1 << 16);
  if (!text) return 0;
  for (const auto& line : split(*text, '\n')) {
    auto f = split(trim(line), ' ');
    if (f.size() == 2 && f[0] == "oom_kill") return parse_uint64(f[1]).value_or(0);
  }
  return 0;
}

}  // namespace

Result<OomWatch> OomWatch::open(const std::vector<CgroupDir>& dirs) {
  std::string unified;
  for (const auto& d : dirs) {
    if (d.hierarchy.empty()) unified = d.path;
    for (const auto& c : split(d.hierarchy, ',')) {
      if (c != "memory") continue;
      OomWatch w;
      w.events_path_ = d.path;
      HAKO_TRY_ASSIGN(w.control_,
                      sys::open_path(d.path + "/memory.oom_control", O_RDONLY | O_CLOEXEC));
      int efd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
      if (efd < 0) return sys_error("eventfd for " + d.path + "/memory.oom_control");
      w.fd_ = UniqueFd(efd);
      std::string line = std::to_string(efd) + " " + std::to_string(w.control_.get());
      HAKO_TRY_CTX(sys::write_file(d.path + "/cgroup.event_control", line),
                   "register for OOM events of " + d.path);
      return w;
    }
  }
  if (unified.empty() || !sys::exists(unified + "/memory.events"))
    return not_implemented("OOM events: no memory controller in the container's cgroup");
  OomWatch w;
  w.v2_ = true;
  w.events_path_ = unified + "/memory.events";
  int ifd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (ifd < 0) return sys_error("inotify for " + w.events_path_);
  w.fd_ = UniqueFd(ifd);
  if (::inotify_add_watch(ifd, w.events_path_.c_str(), IN_MODIFY) < 0)
    return sys_error("watch " + w.events_path_);
  w.last_kills_ = oom_kills(w.events_path_);
  return w;
}

Result<uint64_t> OomWatch::consume() {
  if (!v2_) {
    uint64_t n = 0;
    ssize_t r = ::read(fd_.get(), &n, sizeof n);
    if (r < 0) return errno == EAGAIN ? Result<uint64_t>(0) : Result<uint64_t>(sys_error("read"));
    // The kernel also signals the eventfd when it removes the cgroup: no OOM then.
    if (!sys::exists(events_path_)) return 0;
    return n;
  }
  char buf[4096];
  while (::read(fd_.get(), buf, sizeof buf) > 0) {
  }
  uint64_t now = oom_kills(events_path_);
  uint64_t n = now > last_kills_ ? now - last_kills_ : 0;
  last_kills_ = now;
  return n;
}

}  // namespace hako::cgroup
