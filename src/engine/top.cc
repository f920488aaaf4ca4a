#include "engine/top.h"

#include "base/strings.h"
#include "engine/container_events.h"
#include "runtime/ps.h"

namespace hako::engine {

namespace {

std::vector<std::string> fields_of(std::string_view line) {
  std::vector<std::string> out;
  for (const auto& f : split(line, ' '))
    if (!f.empty()) out.push_back(f);
  return out;
}

}  // namespace

TopTable parse_ps_table(std::string_view text) {
  TopTable t;
  auto lines = split(text, '\n');
  if (lines.empty()) return t;
  t.titles = fields_of(lines[0]);
  for (size_t i = 1; i < lines.size(); ++i) {
    auto f = fields_of(lines[i]);
    if (f.empty() || t.titles.empty()) continue;
    // The last column (CMD, COMMAND) holds spaces of its own: it takes the rest of the line.
    if (f.size() > t.titles.size()) {
      std::string rest;
      for (size_t k = t.titles.size() - 1; k < f.size(); ++k)
        rest += (rest.empty() ? "" : " ") + f[k];
      f.resize(t.titles.size() - 1);
      f.push_back(std::move(rest));
    }
    t.processes.push_back(std::move(f));
  }
  return t;
}

Result<TopTable> top(const Engine& eng, const ContainerRecord& c,
                     const std::vector<std::string>& ps_args) {
  LiveState live = eng.state_of(c.id);
  if (live.status == "restarting")
    return failed_precondition("Container " + c.id +
                               " is restarting, wait until the container is running");
  if (live.status != "running" && live.status != "paused")
    return failed_precondition("Container " + c.id + " is not running");
  auto text = runtime::container_ps_table(runtime_root(eng.state()), c.id, ps_args);
  if (!text) {
    // dockerd's wording for ps arguments that leave out the PID column (`top c -o comm`).
    if (text.error().message().find("no PID column") != std::string::npos)
      return invalid_argument("Couldn't find PID field in ps output");
    return text.error();
  }
  record_container_event(eng.root(), c, "top");
  return parse_ps_table(*text);
}

}  // namespace hako::engine
