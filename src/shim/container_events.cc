#include "shim/container_events.h"

#include <sys/random.h>

#include "shim/event_log.h"

namespace hako::shim {

void record_event(const ShimConfig& c, std::string_view action, Logger& log,
                  const std::map<std::string, std::string>& extra) {
  if (c.root.empty()) return;
  std::map<std::string, std::string> attrs = c.event_attributes;
  for (const auto& [k, v] : extra) attrs[k] = v;
  Status s = append_event(c.root, container_event(action, c.id, attrs));
  if (!s) log.warn("record event " + std::string(action) + ": " + s.error().message());
}

std::string exec_action(std::string_view action, const std::vector<std::string>& args) {
  std::string out(action);
  out += ": ";
  if (!args.empty()) out += args[0];
  out += " ";
  for (size_t i = 1; i < args.size(); ++i) out += (i > 1 ? " " : "") + args[i];
  return out;
}

std::string new_exec_id() {
  unsigned char bytes[32] = {};
  // getrandom(2) of 32 bytes does not block or come up short once the pool is initialised.
  (void)::getrandom(bytes, sizeof bytes, 0);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  return id;
}

void record_volume_events(const ShimConfig& c, std::string_view action, Logger& log) {
  if (c.root.empty()) return;
  for (const auto& m : c.volume_mounts) {
    std::map<std::string, std::string> attrs = {{"driver", "local"}, {"container", c.id}};
    if (action == "mount") {
      attrs["destination"] = m.destination;
      attrs["read/write"] = m.rw ? "true" : "false";
      attrs["propagation"] = "";  // volumes are bound without one (spec_mounts.cc)
    }
    Status s = append_event(c.root, make_event("volume", action, m.name, attrs, event_now_ns()));
    if (!s) log.warn("record volume event " + std::string(action) + ": " + s.error().message());
  }
}

void record_exit(const ShimConfig& c, int exit_code, bool oom_killed, int64_t ran_ns, Logger& log) {
  if (oom_killed) record_event(c, "oom", log);
  // Docker's execDuration: whole seconds the container ran.
  record_event(c, "die", log,
               {{"exitCode", std::to_string(exit_code)},
                {"execDuration", std::to_string(ran_ns / 1'000'000'000)}});
}

}  // namespace hako::shim
