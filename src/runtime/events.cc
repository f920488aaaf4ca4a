#include "runtime/events.h"

#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmath>
#include <optional>

#include "base/log.h"
#include "base/unique_fd.h"
#include "runtime/lifecycle.h"
#include "runtime/state.h"
#include "sys/process.h"

namespace hako::runtime {

Result<std::chrono::nanoseconds> parse_go_duration(std::string_view text) {
  auto bad = [&] {
    return invalid_argument("--interval \"" + std::string(text) +
                            "\": expected a duration such as 5s, 500ms or 1m30s");
  };
  static constexpr struct {
    std::string_view unit;
    double ns;
  } kUnits[] = {{"ns", 1},  {"us", 1e3}, {"µs", 1e3},  {"ms", 1e6},
                {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
  std::string_view s = text;
  if (s.empty()) return bad();
  double total = 0;
  while (!s.empty()) {
    size_t n = 0;
    while (n < s.size() && ((s[n] >= '0' && s[n] <= '9') || s[n] == '.')) ++n;
    if (n == 0) return bad();
    std::string number(s.substr(0, n));
    char* end = nullptr;
    double value = std::strtod(number.c_str(), &end);
    if (end != number.c_str() + number.size()) return bad();
    s.remove_prefix(n);
    size_t u = 0;
    while (u < s.size() && !((s[u] >= '0' && s[u] <= '9') || s[u] == '.')) ++u;
    std::string_view unit = s.substr(0, u);
    s.remove_prefix(u);
    std::optional<double> scale;
    for (const auto& k : kUnits)
      if (k.unit == unit) scale = k.ns;
    if (!scale) return bad();
    total += value * *scale;
  }
  if (!(total >= 1) || total > 9.2e18) return bad();
  return std::chrono::nanoseconds(static_cast<int64_t>(std::llround(total)));
}

namespace {

using json::Value;

// Go's encoding/json "omitempty": runc's event types leave out zero numbers and empty lists.
void put(Value& obj, const char* key, uint64_t v) {
  if (v != 0) obj[key] = v;
}
void put(Value& obj, const char* key, const std::vector<uint64_t>& v) {
  if (!v.empty()) obj[key] = v;
}

Value memory_entry(const cgroup::MemoryEntry& e) {
  Value v = {{"limit", e.limit}};
  put(v, "usage", e.usage);
  put(v, "max", e.max);
  v["failcnt"] = e.failcnt;
  return v;
}

void put_blkio(Value& obj, const char* key, const std::vector<cgroup::BlkioEntry>& entries) {
  if (entries.empty()) return;
  Value arr = Value::array();
  for (const auto& e : entries) {
    Value v = Value::object();
    put(v, "major", e.major);
    put(v, "minor", e.minor);
    if (!e.op.empty()) v["op"] = e.op;
    put(v, "value", e.value);
    arr.push_back(std::move(v));
  }
  obj[key] = std::move(arr);
}

}  // namespace

Value stats_json(const cgroup::Stats& s) {
  Value usage = Value::object();
  put(usage, "total", s.cpu.total);
  put(usage, "percpu", s.cpu.percpu);
  put(usage, "percpu_kernel", s.cpu.percpu_kernel);
  put(usage, "percpu_user", s.cpu.percpu_user);
  usage["kernel"] = s.cpu.kernel;
  usage["user"] = s.cpu.user;
  Value throttling = Value::object();
  put(throttling, "periods", s.cpu.periods);
  put(throttling, "throttledPeriods", s.cpu.throttled_periods);
  put(throttling, "throttledTime", s.cpu.throttled_time);

  Value memory = Value::object();
  put(memory, "cache", s.memory.cache);
  memory["usage"] = memory_entry(s.memory.usage);
  memory["swap"] = memory_entry(s.memory.swap);
  memory["kernel"] = memory_entry(s.memory.kernel);
  memory["kernelTCP"] = memory_entry(s.memory.kernel_tcp);
  if (!s.memory.raw.empty()) memory["raw"] = s.memory.raw;

  Value pids = Value::object();
  put(pids, "current", s.pids.current);
  put(pids, "limit", s.pids.limit);

  Value blkio = Value::object();
  put_blkio(blkio, "ioServiceBytesRecursive", s.blkio.service_bytes);
  put_blkio(blkio, "ioServicedRecursive", s.blkio.serviced);
  put_blkio(blkio, "ioQueueRecursive", s.blkio.queued);
  put_blkio(blkio, "ioServiceTimeRecursive", s.blkio.service_time);
  put_blkio(blkio, "ioWaitTimeRecursive", s.blkio.wait_time);
  put_blkio(blkio, "ioMergedRecursive", s.blkio.merged);
  put_blkio(blkio, "ioTimeRecursive", s.blkio.time);
  put_blkio(blkio, "sectorsRecursive", s.blkio.sectors);

  Value hugetlb = Value::object();
  for (const auto& [size, e] : s.hugetlb) {
    Value v = Value::object();
    put(v, "usage", e.usage);
    put(v, "max", e.max);
    v["failcnt"] = e.failcnt;
    hugetlb[size] = std::move(v);
  }
  return {{"cpu", {{"usage", usage}, {"throttling", throttling}}},
          {"memory", memory},
          {"pids", pids},
          {"blkio", blkio},
          {"hugetlb", hugetlb},
          {"intel_rdt", Value::object()},
          {"network_interfaces", nullptr}};
}

namespace {

std::vector<cgroup::CgroupDir> dirs_of(const ContainerState& state) {
  std::vector<cgroup::CgroupDir> dirs;
  for (const auto& c : state.cgroups) dirs.push_back({c.hierarchy, c.path, c.created_levels});
  return dirs;
}

Status emit(std::FILE* out, const Value& event) {
  std::string line = event.dump() + "\n";
  if (std::fwrite(line.data(), 1, line.size(), out) != line.size() || std::fflush(out) != 0)
    return sys_error("write event");
  return ok();
}

Result<Value> stats_event(const std::string& id, const std::vector<cgroup::CgroupDir>& dirs) {
  HAKO_TRY_ASSIGN(cgroup::Stats s, cgroup::read_stats(dirs));
  return Value{{"type", "stats"}, {"id", id}, {"data", stats_json(s)}};
}

// A pidfd for the init, checked against its recorded start time (the pid may be reused).
Result<UniqueFd> open_init(const ContainerState& state) {
  long fd = ::syscall(SYS_pidfd_open, state.pid, 0);
  if (fd < 0) return sys_error("pidfd_open " + std::to_string(state.pid));
  UniqueFd pidfd(static_cast<int>(fd));
  auto start = sys::process_start_time(state.pid);
  if (!start || *start != state.pid_start_time)
    return failed_precondition("events: container " + state.id + " is not running");
  return pidfd;
}

}  // namespace

Status container_events(const std::string& root, const std::string& id,
                        const EventsOptions& options, std::FILE* out, Logger& log) {
  HAKO_TRY_ASSIGN(ContainerState state, load_state(root, id));
  ContainerStatus status = live_status(state, state_paths(root, id));
  if (status == ContainerStatus::kStopped)
    return failed_precondition("events: container " + id +
                               " is not running (start it, or read its final state with state)");
  const auto dirs = dirs_of(state);
  if (options.stats_only) {
    HAKO_TRY_ASSIGN(Value event, stats_event(id, dirs));
    return emit(out, event);
  }
  HAKO_TRY_ASSIGN(UniqueFd init, open_init(state));
  // No memory controller: stats only, no OOM events.
  auto oom = cgroup::OomWatch::open(dirs);
  using Clock = std::chrono::steady_clock;
  auto next = Clock::now() + options.interval;
  for (;;) {
    pollfd fds[2] = {{init.get(), POLLIN, 0}, {oom ? oom->fd() : -1, POLLIN, 0}};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now());
    int timeout = static_cast<int>(std::max<int64_t>(0, left.count()));
    int n = ::poll(fds, 2, timeout);
    if (n < 0 && errno != EINTR) return sys_error("poll for events of container " + id);
    if (n > 0 && fds[1].revents & POLLIN) {
      HAKO_TRY_ASSIGN(uint64_t kills, oom->consume());
      for (uint64_t i = 0; i < kills; ++i) HAKO_TRY(emit(out, {{"type", "oom"}, {"id", id}}));
    }
    if (n > 0 && fds[0].revents & (POLLIN | POLLHUP)) return ok();  // the container stopped
    if (Clock::now() < next) continue;
    next += options.interval;
    if (next < Clock::now()) next = Clock::now() + options.interval;
    auto event = stats_event(id, dirs);
    // As runc: a failed read is logged and the stream goes on.
    if (!event) {
      log.error(event.error().message());
      continue;
    }
    HAKO_TRY(emit(out, *event));
  }
}

}  // namespace hako::runtime
