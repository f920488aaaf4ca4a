#include "engine/update.h"

#include <optional>
#include <set>

#include "base/strings.h"
#include "engine/container_events.h"
#include "engine/shim_client.h"
#include "engine/spec_parts.h"
#include "oci/spec.h"
#include "runtime/lifecycle.h"
#include "sys/file.h"

namespace hako::engine {

namespace {

int64_t int_of(const json::Value& obj, const char* key) {
  if (!obj.is_object() || !obj.contains(key) || !obj[key].is_number()) return 0;
  return obj[key].get<int64_t>();
}

// build_resources names the HostConfig field first; dockerd's messages do not.
Error without_field_prefix(const Error& e) {
  std::string msg = e.message();
  if (starts_with(msg, "HostConfig.")) {
    size_t colon = msg.find(": ");
    if (colon != std::string::npos) msg = msg.substr(colon + 2);
  }
  return Error(e.code(), msg);
}

bool blkio_weight_supported() {
  return sys::exists("/sys/fs/cgroup/blkio/blkio.weight") ||
         sys::exists("/sys/fs/cgroup/blkio/blkio.bfq.weight");
}

// A cpuset list ("0-3,5") as a set; nullopt when malformed.
std::optional<std::set<int64_t>> parse_cpuset(std::string_view list) {
  std::set<int64_t> out;
  for (const auto& part : split(list, ',')) {
    size_t dash = part.find('-');
    auto lo = parse_int64(part.substr(0, dash));
    auto hi = dash == std::string::npos ? lo : parse_int64(part.substr(dash + 1));
    if (!lo || !hi || *lo < 0 || *hi < *lo || *hi - *lo > 65536) return std::nullopt;
    for (int64_t i = *lo; i <= *hi; ++i) out.insert(i);
  }
  return out;
}

// dockerd's sysinfo checks of CpusetCpus / CpusetMems against the host's (the cpuset root's).
Status check_cpuset(const json::Value& ch, const char* key, const char* file, const char* what,
                    const char* noun) {
  if (!ch.contains(key) || !ch[key].is_string() || ch[key].get<std::string>().empty()) return ok();
  std::string want = ch[key].get<std::string>();
  auto requested = parse_cpuset(want);
  if (!requested) return invalid_argument("Invalid value " + want + " for cpuset " + what);
  auto host = sys::read_file(std::string("/sys/fs/cgroup/cpuset/") + file, 4096);
  if (!host) host = sys::read_file(std::string("/sys/fs/cgroup/") + file + ".effective", 4096);
  if (!host) return ok();  // no cpuset controller to compare with: the kernel decides
  std::string available(trim(*host));
  auto avail = parse_cpuset(available);
  if (!avail) return ok();
  for (int64_t i : *requested)
    if (!avail->count(i))
      return invalid_argument(std::string("Requested ") + noun + " are not available - requested " +
                              want + ", available: " + available + ".");
  return ok();
}

// dockerd's container.UpdateContainer checks: NanoCpus and CpuPeriod/CpuQuota exclude each
// other across updates, and memory may not pass a memory+swap limit already set.
Status check_conflicts(const json::Value& old, const json::Value& ch) {
  auto conflict = [](const std::string& what) { return invalid_argument(what); };
  if (int_of(ch, "NanoCpus") > 0 && int_of(old, "CpuPeriod") > 0)
    return conflict(
        "Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set");
  if (int_of(ch, "NanoCpus") > 0 && int_of(old, "CpuQuota") > 0)
    return conflict(
        "Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set");
  if (int_of(ch, "CpuPeriod") > 0 && int_of(old, "NanoCpus") > 0)
    return conflict(
        "Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set");
  if (int_of(ch, "CpuQuota") > 0 && int_of(old, "NanoCpus") > 0)
    return conflict(
        "Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set");
  // dockerd 20.10 also refuses when no swap limit was ever set (MemorySwap 0), so a container
  // without limits can only get one together with --memory-swap; hako lets --memory alone
  // through (the swap limit follows it, twice the memory, as at create).
  if (int_of(ch, "Memory") > 0 && int_of(old, "MemorySwap") > 0 &&
      int_of(ch, "Memory") > int_of(old, "MemorySwap") && int_of(ch, "MemorySwap") == 0)
    return conflict(
        "Memory limit should be smaller than already set memoryswap limit, update the memoryswap "
        "at the same time");
  if (ch.contains("RestartPolicy") && old.value("AutoRemove", false)) {
    const json::Value& p = ch["RestartPolicy"];
    std::string name = p.is_object() ? p.value("Name", "") : "";
    if (!name.empty() && name != "no")
      return conflict(
          "Restart policy cannot be updated because AutoRemove is enabled for the container");
  }
  return ok();
}

// config.json's linux.resources with the cgroup settings replaced (devices stay).
Status write_spec_resources(const std::string& path, const json::Value& res) {
  HAKO_TRY_ASSIGN(std::string text, sys::read_file(path));
  HAKO_TRY_ASSIGN(json::Value spec, json::parse(text, path));
  json::Value& r = spec["linux"]["resources"];
  if (!r.is_object()) r = json::Value::object();
  for (const char* key : {"memory", "cpu", "pids", "blockIO"}) {
    if (res.contains(key))
      r[key] = res[key];
    else
      r.erase(key);
  }
  return sys::write_file_atomic(path, spec.dump(), 0600);
}

// Docker applies a new restart policy to a running container at once: its shim holds it.
Status set_live_restart_policy(Engine& eng, const std::string& id, const json::Value& policy) {
  json::Value req = {{"name", "no"}, {"max_retries", 0}};
  if (policy.is_object()) {
    std::string name = policy.value("Name", "");
    if (!name.empty()) req["name"] = name;
    req["max_retries"] = int_of(policy, "MaximumRetryCount");
  }
  HAKO_TRY_ASSIGN(UniqueFd conn, eng.connect(id));
  HAKO_TRY_ASSIGN(auto answer, shim_call(conn.get(), shim::Msg::kSetPolicy, req.dump()));
  if (answer.first == shim::Msg::kError) return failed_precondition(answer.second);
  return ok();
}

}  // namespace

Result<std::vector<std::string>> update(Engine& eng, const ContainerRecord& c,
                                        const json::Value& changes) {
  std::vector<std::string> warnings;
  json::Value ch = changes;
  // dockerd's verifyContainerSettings, on the update's own values.
  int64_t weight = int_of(ch, "BlkioWeight");
  if (weight > 0 && (weight < 10 || weight > 1000))
    return invalid_argument("Range of blkio weight is from 10 to 1000");
  if (weight > 0 && !blkio_weight_supported()) {
    warnings.push_back(
        "Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight "
        "discarded.");
    ch.erase("BlkioWeight");
  }
  if (int64_t m = int_of(ch, "Memory"); m > 0 && m < (6 << 20))
    return invalid_argument("Minimum memory limit allowed is 6MB");
  HAKO_TRY(check_cpuset(ch, "CpusetCpus", "cpuset.cpus", "cpus", "CPUs"));
  HAKO_TRY(check_cpuset(ch, "CpusetMems", "cpuset.mems", "mems", "memory nodes"));

  json::Value definition = c.definition;
  json::Value& hc = definition["Create"]["HostConfig"];
  if (!hc.is_object()) hc = json::Value::object();
  Status conflicts = check_conflicts(hc, ch);
  if (!conflicts) return conflicts.error().context("Cannot update container " + c.id);
  bool unlimit_pids = ch.contains("PidsLimit") && int_of(ch, "PidsLimit") <= 0;
  for (auto it = ch.begin(); it != ch.end(); ++it) hc[it.key()] = it.value();
  // Docker stores an unlimited pids limit as none at all.
  if (unlimit_pids) hc.erase("PidsLimit");

  auto built = spec::build_resources(hc);
  if (!built) return without_field_prefix(built.error());
  json::Value res = *built;
  if (int64_t w = int_of(hc, "BlkioWeight"); w > 0 && blkio_weight_supported())
    res["blockIO"] = {{"weight", w}};

  LiveState live = eng.state_of(c.id);
  if (live.status == "running" || live.status == "paused" || live.status == "restarting") {
    json::Value now = res;
    if (unlimit_pids) now["pids"] = {{"limit", -1}};  // "max" in pids.max
    auto parsed = oci::parse_resources(now.dump());
    if (!parsed) return parsed.error().context("Cannot update container " + c.id);
    Status s = runtime::update_container(runtime_root(eng.state()), c.id, *parsed);
    // A restarting container has no runtime container between two runs: the next run reads
    // config.json.
    if (!s && live.status != "restarting")
      return s.error().context("Cannot update container " + c.id);
  }
  // The running shim first: if it cannot take the policy, nothing is stored either.
  if (ch.contains("RestartPolicy") && live.shim_alive)
    HAKO_TRY_CTX(set_live_restart_policy(eng, c.id, ch["RestartPolicy"]),
                 "Cannot update container " + c.id);
  HAKO_TRY(write_spec_resources(eng.paths(c.id).config_json(), res));
  HAKO_TRY(eng.containers().set_definition(c.id, definition));
  record_container_event(eng.root(), c, "update");
  return warnings;
}

}  // namespace hako::engine
