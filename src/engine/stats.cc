#include "engine/stats.h"

#include <unistd.h>

#include "base/strings.h"
#include "cgroup/stats.h"
#include "runtime/state.h"
#include "sys/file.h"

namespace hako::engine {

namespace {

std::vector<std::string> fields_of(std::string_view line) {
  std::vector<std::string> out;
  for (const auto& f : split(line, ' '))
    if (!f.empty()) out.push_back(f);
  return out;
}

uint64_t host_memory() {
  auto text = sys::read_file("/proc/meminfo", 1 << 20);
  if (!text) return 0;
  for (const auto& line : split(*text, '\n')) {
    if (!starts_with(line, "MemTotal:")) continue;
    auto f = fields_of(line);
    if (f.size() >= 2)
      if (auto kb = parse_int64(f[1])) return static_cast<uint64_t>(*kb) * 1024;
  }
  return 0;
}

const json::Value& field(const json::Value& v, const char* key) {
  static const json::Value kNull;
  if (!v.is_object()) return kNull;
  auto it = v.find(key);
  return it == v.end() ? kNull : *it;
}

}  // namespace

Result<uint64_t> system_cpu_ns() {
  HAKO_TRY_ASSIGN(std::string text, sys::read_file("/proc/stat", 1 << 20));
  auto lines = split(text, '\n');
  if (lines.empty()) return internal_error("/proc/stat is empty");
  auto f = fields_of(lines[0]);
  if (f.size() < 8 || f[0] != "cpu") return internal_error("/proc/stat: no cpu line");
  uint64_t ticks = 0;
  for (size_t i = 1; i < 8; ++i)
    if (auto v = parse_int64(f[i])) ticks += static_cast<uint64_t>(*v);
  long hz = ::sysconf(_SC_CLK_TCK);
  if (hz <= 0) hz = 100;
  return ticks * (1'000'000'000ULL / static_cast<uint64_t>(hz));
}

std::pair<uint64_t, uint64_t> net_dev_bytes(std::string_view text) {
  uint64_t rx = 0, tx = 0;
  for (const auto& line : split(text, '\n')) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;  // the two header lines
    std::string name(trim(std::string_view(line).substr(0, colon)));
    if (name == "lo") continue;
    auto f = fields_of(std::string_view(line).substr(colon + 1));
    // receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes ...
    if (f.size() < 9) continue;
    rx += static_cast<uint64_t>(parse_int64(f[0]).value_or(0));
    tx += static_cast<uint64_t>(parse_int64(f[8]).value_or(0));
  }
  return {rx, tx};
}

Result<StatsSample> sample_stats(const Engine& eng, const ContainerRecord& c) {
  StatsSample s;
  LiveState live = eng.state_of(c.id);
  if (live.status != "running" && live.status != "paused") return s;
  auto state = runtime::load_state(runtime_root(eng.state()), c.id);
  if (!state) return s;  // it ended between the two reads
  std::vector<cgroup::CgroupDir> dirs;
  for (const auto& g : state->cgroups) dirs.push_back({g.hierarchy, g.path, g.created_levels});
  auto st = cgroup::read_stats(dirs);
  if (!st) return s;  // the cgroup is gone: the container just ended
  s.running = true;
  HAKO_TRY_ASSIGN(s.system_ns, system_cpu_ns());
  long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  s.online_cpus = cpus > 0 ? static_cast<uint32_t>(cpus) : 1;
  s.cpu_total_ns = st->cpu.total;

  const auto& mem = st->memory;
  uint64_t usage = mem.usage.usage;
  // v1 memory.stat has total_inactive_file, v2 inactive_file: the docker CLI subtracts it.
  auto inactive = mem.raw.find("total_inactive_file");
  if (inactive == mem.raw.end()) inactive = mem.raw.find("inactive_file");
  if (inactive != mem.raw.end() && inactive->second < usage) usage -= inactive->second;
  s.memory_usage = usage;
  s.memory_limit = mem.usage.limit;
  // dockerd: a container without a lower limit than the machine's memory shows the machine's.
  uint64_t machine = host_memory();
  if (machine > 0 && (s.memory_limit == 0 || s.memory_limit > machine)) s.memory_limit = machine;

  for (const auto& e : st->blkio.service_bytes) {
    if (e.op.empty()) continue;
    char op = static_cast<char>(std::tolower(static_cast<unsigned char>(e.op[0])));
    if (op == 'r') s.block_read += e.value;
    if (op == 'w') s.block_write += e.value;
  }
  s.pids = st->pids.current;

  // --network host: the host's interfaces are not the container's (Docker shows none).
  const json::Value& mode =
      field(field(field(c.definition, "Create"), "HostConfig"), "NetworkMode");
  bool host_net = mode.is_string() && mode.get<std::string>() == "host";
  if (!host_net && state->pid > 0) {
    auto dev = sys::read_file("/proc/" + std::to_string(state->pid) + "/net/dev", 1 << 20);
    if (dev) std::tie(s.net_rx, s.net_tx) = net_dev_bytes(*dev);
  }
  return s;
}

double cpu_percent(const StatsSample& before, const StatsSample& after) {
  double cpu_delta =
      static_cast<double>(after.cpu_total_ns) - static_cast<double>(before.cpu_total_ns);
  double system_delta =
      static_cast<double>(after.system_ns) - static_cast<double>(before.system_ns);
  if (system_delta <= 0 || cpu_delta <= 0) return 0;
  return cpu_delta / system_delta * static_cast<double>(after.online_cpus) * 100.0;
}

double memory_percent(const StatsSample& s) {
  if (s.memory_limit == 0) return 0;
  return static_cast<double>(s.memory_usage) / static_cast<double>(s.memory_limit) * 100.0;
}

}  // namespace hako::engine
