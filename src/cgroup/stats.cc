#include "cgroup/stats.h"

#include <dirent.h>
#include <unistd.h>

#include <limits>

#include "base/strings.h"
#include "sys/file.h"

namespace hako::cgroup {
namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

// The directory of the v1 hierarchy holding `controller`, else the cgroup2 directory; "" if
// neither exists. `v2` says which one it is.
std::string dir_for(const std::vector<CgroupDir>& dirs, std::string_view controller, bool* v2) {
  std::string unified;
  for (const auto& d : dirs) {
    if (d.hierarchy.empty()) {
      unified = d.path;
      continue;
    }
    for (const auto& c : split(d.hierarchy, ',')) {
      if (c == controller) {
        *v2 = false;
        return d.path;
      }
    }
  }
  *v2 = true;
  return unified;
}

// A file's content, "" when the kernel does not offer it.
std::string read_or_empty(const std::string& dir, const std::string& file) {
  auto r = sys::read_file(dir + "/" + file, 1 << 20);
  return r ? *r : std::string();
}

// A single number; "max" is kMax; a missing or unparsable file is 0.
uint64_t read_u64(const std::string& dir, const std::string& file) {
  std::string text = read_or_empty(dir, file);
  std::string_view t = trim(text);
  if (t == "max") return kMax;
  return parse_uint64(t).value_or(0);
}

// "key value" lines (memory.stat, cpu.stat, memory.events).
std::map<std::string, uint64_t> read_keyed(const std::string& dir, const std::string& file) {
  std::map<std::string, uint64_t> out;
  for (const auto& line : split(read_or_empty(dir, file), '\n')) {
    auto parts = split(trim(line), ' ');
    if (parts.size() != 2) continue;
    if (auto v = parse_uint64(parts[1])) out[parts[0]] = *v;
  }
  return out;
}

uint64_t value_or_zero(const std::map<std::string, uint64_t>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? 0 : it->second;
}

std::vector<uint64_t> read_list(const std::string& dir, const std::string& file) {
  std::vector<uint64_t> out;
  for (const auto& word : split(trim(read_or_empty(dir, file)), ' ')) {
    if (auto v = parse_uint64(word)) out.push_back(*v);
  }
  return out;
}

bool parse_device(std::string_view text, BlkioEntry* e) {
  auto mm = split(text, ':');
  if (mm.size() != 2) return false;
  auto major = parse_uint64(mm[0]), minor = parse_uint64(mm[1]);
  if (!major || !minor) return false;
  e->major = *major;
  e->minor = *minor;
  return true;
}

void read_cpu_v1(const std::string& acct, const std::string& cpu, Stats::Cpu* out) {
  if (!acct.empty()) {
    out->total = read_u64(acct, "cpuacct.usage");
    out->percpu = read_list(acct, "cpuacct.usage_percpu");
    // cpuacct.stat counts USER_HZ ticks, as runc converts them.
    auto stat = read_keyed(acct, "cpuacct.stat");
    uint64_t ns_per_tick = 1000000000ull / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
    out->user = stat["user"] * ns_per_tick;
    out->kernel = stat["system"] * ns_per_tick;
    // "cpu user system" then one line per cpu, in ns.
    auto lines = split(read_or_empty(acct, "cpuacct.usage_all"), '\n');
    for (size_t i = 1; i < lines.size(); ++i) {
      auto f = split(trim(lines[i]), ' ');
      if (f.size() != 3) continue;
      out->percpu_user.push_back(parse_uint64(f[1]).value_or(0));
      out->percpu_kernel.push_back(parse_uint64(f[2]).value_or(0));
    }
  }
  if (!cpu.empty()) {
    auto stat = read_keyed(cpu, "cpu.stat");
    out->periods = stat["nr_periods"];
    out->throttled_periods = stat["nr_throttled"];
    out->throttled_time = stat["throttled_time"];
  }
}

void read_cpu_v2(const std::string& dir, Stats::Cpu* out) {
  auto stat = read_keyed(dir, "cpu.stat");
  out->total = stat["usage_usec"] * 1000;
  out->user = stat["user_usec"] * 1000;
  out->kernel = stat["system_usec"] * 1000;
  out->periods = stat["nr_periods"];
  out->throttled_periods = stat["nr_throttled"];
  out->throttled_time = stat["throttled_usec"] * 1000;
}

MemoryEntry memory_entry_v1(const std::string& dir, const std::string& prefix) {
  MemoryEntry e;
  e.usage = read_u64(dir, prefix + ".usage_in_bytes");
  e.max = read_u64(dir, prefix + ".max_usage_in_bytes");
  e.failcnt = read_u64(dir, prefix + ".failcnt");
  e.limit = read_u64(dir, prefix + ".limit_in_bytes");
  return e;
}

void read_memory(const std::string& dir, bool v2, Stats::Memory* out) {
  out->raw = read_keyed(dir, "memory.stat");
  if (!v2) {
    out->cache = value_or_zero(out->raw, "cache");
    out->usage = memory_entry_v1(dir, "memory");
    out->swap = memory_entry_v1(dir, "memory.memsw");
    out->kernel = memory_entry_v1(dir, "memory.kmem");
    out->kernel_tcp = memory_entry_v1(dir, "memory.kmem.tcp");
    return;
  }
  out->cache = value_or_zero(out->raw, "file");
  out->usage.usage = read_u64(dir, "memory.current");
  out->usage.limit = read_u64(dir, "memory.max");
  out->usage.max = read_u64(dir, "memory.peak");
  out->usage.failcnt = read_keyed(dir, "memory.events")["max"];
  // v1 reports swap as memory+swap; runc adds memory to v2's swap-only values to match.
  out->swap.usage = read_u64(dir, "memory.swap.current") + out->usage.usage;
  out->swap.limit = read_u64(dir, "memory.swap.max");
  if (out->swap.limit != kMax && out->usage.limit != kMax) out->swap.limit += out->usage.limit;
  out->swap.failcnt = read_keyed(dir, "memory.swap.events")["max"];
}

// v1 blkio files: "MAJ:MIN Op value" lines and a last "Total value", which is skipped.
std::vector<BlkioEntry> read_blkio_v1(const std::string& dir, const std::string& file) {
  std::vector<BlkioEntry> out;
  for (const auto& line : split(read_or_empty(dir, file), '\n')) {
    auto f = split(trim(line), ' ');
    BlkioEntry e;
    if (f.size() == 2 && parse_device(f[0], &e)) {  // blkio.sectors, blkio.time: no op
      e.value = parse_uint64(f[1]).value_or(0);
      out.push_back(e);
    } else if (f.size() == 3 && parse_device(f[0], &e)) {
      e.op = f[1];
      e.value = parse_uint64(f[2]).value_or(0);
      out.push_back(e);
    }
  }
  return out;
}

void read_blkio(const std::string& dir, bool v2, Stats::Blkio* out) {
  if (!v2) {
    // CFQ's files first, then BFQ's, then the throttle layer's, which every kernel has.
    out->service_bytes = read_blkio_v1(dir, "blkio.io_service_bytes_recursive");
    if (!out->service_bytes.empty()) {
      out->serviced = read_blkio_v1(dir, "blkio.io_serviced_recursive");
      out->queued = read_blkio_v1(dir, "blkio.io_queued_recursive");
      out->service_time = read_blkio_v1(dir, "blkio.io_service_time_recursive");
      out->wait_time = read_blkio_v1(dir, "blkio.io_wait_time_recursive");
      out->merged = read_blkio_v1(dir, "blkio.io_merged_recursive");
      out->time = read_blkio_v1(dir, "blkio.time_recursive");
      out->sectors = read_blkio_v1(dir, "blkio.sectors_recursive");
      return;
    }
    for (const char* prefix : {"blkio.bfq.", "blkio.throttle."}) {
      std::string p = prefix;
      out->service_bytes = read_blkio_v1(dir, p + "io_service_bytes_recursive");
      out->serviced = read_blkio_v1(dir, p + "io_serviced_recursive");
      if (!out->service_bytes.empty() || !out->serviced.empty()) return;
    }
    return;
  }
  // io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N".
  for (const auto& line : split(read_or_empty(dir, "io.stat"), '\n')) {
    auto f = split(trim(line), ' ');
    BlkioEntry dev;
    if (f.empty() || !parse_device(f[0], &dev)) continue;
    for (size_t i = 1; i < f.size(); ++i) {
      auto kv = split(f[i], '=');
      if (kv.size() != 2) continue;
      BlkioEntry e = dev;
      e.value = parse_uint64(kv[1]).value_or(0);
      const std::string& k = kv[0];
      e.op = k[0] == 'r' ? "Read" : k[0] == 'w' ? "Write" : k[0] == 'd' ? "Discard" : "";
      if (e.op.empty()) continue;
      if (k.size() > 1 && k.substr(1) == "bytes") out->service_bytes.push_back(e);
      if (k.size() > 1 && k.substr(1) == "ios") out->serviced.push_back(e);
    }
  }
}

// Page sizes from the control file names: hugetlb.<size>.<suffix>, <size> without dots.
std::vector<std::string> hugetlb_sizes(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  const std::string prefix = "hugetlb.", tail = "." + suffix;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (!starts_with(name, prefix) || name.size() <= prefix.size() + tail.size()) continue;
    if (name.compare(name.size() - tail.size(), tail.size(), tail) != 0) continue;
    std::string size = name.substr(prefix.size(), name.size() - prefix.size() - tail.size());
    if (size.find('.') == std::string::npos) out.push_back(size);
  }
  ::closedir(d);
  return out;
}

void read_hugetlb(const std::string& dir, bool v2, std::map<std::string, HugetlbEntry>* out) {
  for (const auto& size : hugetlb_sizes(dir, v2 ? "current" : "usage_in_bytes")) {
    std::string p = "hugetlb." + size;
    HugetlbEntry e;
    if (v2) {
      e.usage = read_u64(dir, p + ".current");
      e.failcnt = read_keyed(dir, p + ".events")["max"];
    } else {
      e.usage = read_u64(dir, p + ".usage_in_bytes");
      e.max = read_u64(dir, p + ".max_usage_in_bytes");
      e.failcnt = read_u64(dir, p + ".failcnt");
    }
    (*out)[size] = e;
  }
}

}  // namespace

Result<Stats> read_stats(const std::vector<CgroupDir>& dirs) {
  bool any = false;
  for (const auto& d : dirs) any = any || sys::exists(d.path);
  if (!any) return not_found("read cgroup stats: the container's cgroup is gone");
  Stats s;
  bool v2 = false, cpu_v2 = false;
  std::string acct = dir_for(dirs, "cpuacct", &v2);
  std::string cpu = dir_for(dirs, "cpu", &cpu_v2);
  if (v2 && cpu_v2) {
    if (!acct.empty()) read_cpu_v2(acct, &s.cpu);
  } else {
    read_cpu_v1(v2 ? std::string() : acct, cpu_v2 ? std::string() : cpu, &s.cpu);
  }
  std::string dir = dir_for(dirs, "memory", &v2);
  if (!dir.empty()) read_memory(dir, v2, &s.memory);
  dir = dir_for(dirs, "pids", &v2);
  if (!dir.empty()) {
    s.pids.current = read_u64(dir, "pids.current");
    uint64_t limit = read_u64(dir, "pids.max");
    s.pids.limit = limit == kMax ? 0 : limit;
  }
  dir = dir_for(dirs, "blkio", &v2);  // v2's io.stat is in the cgroup2 directory
  if (!dir.empty()) read_blkio(dir, v2, &s.blkio);
  dir = dir_for(dirs, "hugetlb", &v2);
  if (!dir.empty()) read_hugetlb(dir, v2, &s.hugetlb);
  return s;
}

}  // namespace hako::cgroup
