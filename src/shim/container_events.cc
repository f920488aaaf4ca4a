#include "shim/container_events.h"

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

void record_exit(const ShimConfig& c, int exit_code, bool oom_killed, int64_t ran_ns, Logger& log) {
  if (oom_killed) record_event(c, "oom", log);
  // Docker's execDuration: whole seconds the container ran.
  record_event(c, "die", log,
               {{"exitCode", std::to_string(exit_code)},
                {"execDuration", std::to_string(ran_ns / 1'000'000'000)}});
}

}  // namespace hako::shim
