// JSON → oci::Spec. One read_value overload per spec type; each names its fields with the
// spec's camelCase keys and passes the path down so errors point at the exact field.
#include <sys/stat.h>

#include "oci/spec.h"

namespace hako::oci {

using json::read_field;
using json::read_required;
using json::read_value;
using json::Value;

#define HAKO_OBJ(v, path) HAKO_TRY(json::require_object(v, path))

static Status read_value(const Value& v, std::string_view p, Root& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_required(v, p, "path", out.path));
  HAKO_TRY(read_field(v, p, "readonly", out.readonly));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, IdMapping& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_required(v, p, "containerID", out.container_id));
  HAKO_TRY(read_required(v, p, "hostID", out.host_id));
  HAKO_TRY(read_required(v, p, "size", out.size));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, Mount& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_required(v, p, "destination", out.destination));
  HAKO_TRY(read_field(v, p, "type", out.type));
  HAKO_TRY(read_field(v, p, "source", out.source));
  HAKO_TRY(read_field(v, p, "options", out.options));
  HAKO_TRY(read_field(v, p, "uidMappings", out.uid_mappings));
  HAKO_TRY(read_field(v, p, "gidMappings", out.gid_mappings));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, User& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_field(v, p, "uid", out.uid));
  HAKO_TRY(read_field(v, p, "gid", out.gid));
  HAKO_TRY(read_field(v, p, "umask", out.umask));
  HAKO_TRY(read_field(v, p, "additionalGids", out.additional_gids));
  HAKO_TRY(read_field(v, p, "username", out.username));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, Capabilities& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_field(v, p, "bounding", out.bounding));
  HAKO_TRY(read_field(v, p, "effective", out.effective));
  HAKO_TRY(read_field(v, p, "inheritable", out.inheritable));
  HAKO_TRY(read_field(v, p, "permitted", out.permitted));
  HAKO_TRY(read_field(v, p, "ambient", out.ambient));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, Rlimit& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_required(v, p, "type", out.type));
  HAKO_TRY(read_required(v, p, "hard", out.hard));
  HAKO_TRY(read_required(v, p, "soft", out.soft));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, ConsoleSize& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_required(v, p, "height", out.height));
  HAKO_TRY(read_required(v, p, "width", out.width));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, IoPriority& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_required(v, p, "class", out.class_name));
  HAKO_TRY(read_field(v, p, "priority", out.priority));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, Scheduler& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_required(v, p, "policy", out.policy));
  HAKO_TRY(read_field(v, p, "nice", out.nice));
  HAKO_TRY(read_field(v, p, "priority", out.priority));
  HAKO_TRY(read_field(v, p, "flags", out.flags));
  HAKO_TRY(read_field(v, p, "runtime", out.runtime));
  HAKO_TRY(read_field(v, p, "deadline", out.deadline));
  HAKO_TRY(read_field(v, p, "period", out.period));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, Process& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_field(v, p, "terminal", out.terminal));
  HAKO_TRY(read_field(v, p, "consoleSize", out.console_size));
  HAKO_TRY(read_field(v, p, "user", out.user));
  HAKO_TRY(read_field(v, p, "args", out.args));
  HAKO_TRY(read_field(v, p, "commandLine", out.command_line));
  HAKO_TRY(read_field(v, p, "env", out.env));
  HAKO_TRY(read_field(v, p, "cwd", out.cwd));
  HAKO_TRY(read_field(v, p, "capabilities", out.capabilities));
  HAKO_TRY(read_field(v, p, "rlimits", out.rlimits));
  HAKO_TRY(read_field(v, p, "noNewPrivileges", out.no_new_privileges));
  HAKO_TRY(read_field(v, p, "apparmorProfile", out.apparmor_profile));
  HAKO_TRY(read_field(v, p, "oomScoreAdj", out.oom_score_adj));
  HAKO_TRY(read_field(v, p, "selinuxLabel", out.selinux_label));
  HAKO_TRY(read_field(v, p, "ioPriority", out.io_priority));
  HAKO_TRY(read_field(v, p, "scheduler", out.scheduler));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, Hook& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_required(v, p, "path", out.path));
  HAKO_TRY(read_field(v, p, "args", out.args));
  HAKO_TRY(read_field(v, p, "env", out.env));
  HAKO_TRY(read_field(v, p, "timeout", out.timeout));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, Hooks& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_field(v, p, "prestart", out.prestart));
  HAKO_TRY(read_field(v, p, "createRuntime", out.create_runtime));
  HAKO_TRY(read_field(v, p, "createContainer", out.create_container));
  HAKO_TRY(read_field(v, p, "startContainer", out.start_container));
  HAKO_TRY(read_field(v, p, "poststart", out.poststart));
  HAKO_TRY(read_field(v, p, "poststop", out.poststop));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, Namespace& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_required(v, p, "type", out.type));
  HAKO_TRY(read_field(v, p, "path", out.path));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, Device& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_required(v, p, "type", out.type));
  HAKO_TRY(read_required(v, p, "path", out.path));
  HAKO_TRY(read_field(v, p, "major", out.major));
  HAKO_TRY(read_field(v, p, "minor", out.minor));
  HAKO_TRY(read_field(v, p, "fileMode", out.file_mode));
  HAKO_TRY(read_field(v, p, "uid", out.uid));
  HAKO_TRY(read_field(v, p, "gid", out.gid));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, DeviceCgroupRule& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_required(v, p, "allow", out.allow));
  HAKO_TRY(read_field(v, p, "type", out.type));
  HAKO_TRY(read_field(v, p, "major", out.major));
  HAKO_TRY(read_field(v, p, "minor", out.minor));
  HAKO_TRY(read_field(v, p, "access", out.access));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, MemoryResources& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_field(v, p, "limit", out.limit));
  HAKO_TRY(read_field(v, p, "reservation", out.reservation));
  HAKO_TRY(read_field(v, p, "swap", out.swap));
  HAKO_TRY(read_field(v, p, "kernel", out.kernel));
  HAKO_TRY(read_field(v, p, "kernelTCP", out.kernel_tcp));
  HAKO_TRY(read_field(v, p, "swappiness", out.swappiness));
  HAKO_TRY(read_field(v, p, "disableOOMKiller", out.disable_oom_killer));
  HAKO_TRY(read_field(v, p, "useHierarchy", out.use_hierarchy));
  HAKO_TRY(read_field(v, p, "checkBeforeUpdate", out.check_before_update));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, CpuResources& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_field(v, p, "shares", out.shares));
  HAKO_TRY(read_field(v, p, "quota", out.quota));
  HAKO_TRY(read_field(v, p, "burst", out.burst));
  HAKO_TRY(read_field(v, p, "period", out.period));
  HAKO_TRY(read_field(v, p, "realtimeRuntime", out.realtime_runtime));
  HAKO_TRY(read_field(v, p, "realtimePeriod", out.realtime_period));
  HAKO_TRY(read_field(v, p, "cpus", out.cpus));
  HAKO_TRY(read_field(v, p, "mems", out.mems));
  HAKO_TRY(read_field(v, p, "idle", out.idle));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, WeightDevice& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_required(v, p, "major", out.major));
  HAKO_TRY(read_required(v, p, "minor", out.minor));
  HAKO_TRY(read_field(v, p, "weight", out.weight));
  HAKO_TRY(read_field(v, p, "leafWeight", out.leaf_weight));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, ThrottleDevice& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_required(v, p, "major", out.major));
  HAKO_TRY(read_required(v, p, "minor", out.minor));
  HAKO_TRY(read_required(v, p, "rate", out.rate));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, BlockIoResources& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_field(v, p, "weight", out.weight));
  HAKO_TRY(read_field(v, p, "leafWeight", out.leaf_weight));
  HAKO_TRY(read_field(v, p, "weightDevice", out.weight_device));
  HAKO_TRY(read_field(v, p, "throttleReadBpsDevice", out.throttle_read_bps_device));
  HAKO_TRY(read_field(v, p, "throttleWriteBpsDevice", out.throttle_write_bps_device));
  HAKO_TRY(read_field(v, p, "throttleReadIOPSDevice", out.throttle_read_iops_device));
  HAKO_TRY(read_field(v, p, "throttleWriteIOPSDevice", out.throttle_write_iops_device));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, HugepageLimit& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_required(v, p, "pageSize", out.page_size));
  HAKO_TRY(read_required(v, p, "limit", out.limit));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, NetworkPriority& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_required(v, p, "name", out.name));
  HAKO_TRY(read_required(v, p, "priority", out.priority));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, NetworkResources& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_field(v, p, "classID", out.class_id));
  HAKO_TRY(read_field(v, p, "priorities", out.priorities));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, Resources& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_field(v, p, "devices", out.devices));
  HAKO_TRY(read_field(v, p, "memory", out.memory));
  HAKO_TRY(read_field(v, p, "cpu", out.cpu));
  if (auto it = v.find("pids"); it != v.end() && !it->is_null()) {
    std::string pp = json::child_path(p, "pids");
    HAKO_OBJ(*it, pp);
    int64_t limit = 0;
    HAKO_TRY(read_required(*it, pp, "limit", limit));
    out.pids_limit = limit;
  }
  HAKO_TRY(read_field(v, p, "blockIO", out.block_io));
  HAKO_TRY(read_field(v, p, "hugepageLimits", out.hugepage_limits));
  HAKO_TRY(read_field(v, p, "network", out.network));
  HAKO_TRY(read_field(v, p, "unified", out.unified));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, SeccompArg& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_required(v, p, "index", out.index));
  HAKO_TRY(read_required(v, p, "value", out.value));
  HAKO_TRY(read_field(v, p, "valueTwo", out.value_two));
  HAKO_TRY(read_required(v, p, "op", out.op));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, SeccompSyscall& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_required(v, p, "names", out.names));
  HAKO_TRY(read_required(v, p, "action", out.action));
  HAKO_TRY(read_field(v, p, "errnoRet", out.errno_ret));
  HAKO_TRY(read_field(v, p, "args", out.args));
  return ok();
}

static bool is_docker_profile(const Value& v) {
  if (v.contains("archMap")) return true;
  auto it = v.find("syscalls");
  if (it == v.end() || !it->is_array()) return false;
  for (const auto& s : *it) {
    if (s.is_object() && (s.contains("name") || s.contains("includes") || s.contains("excludes")))
      return true;
  }
  return false;
}

Status read_value(const Value& v, std::string_view p, Seccomp& out) {
  HAKO_OBJ(v, p);
  if (is_docker_profile(v)) {
    out.docker_profile = v.dump();
    return ok();
  }
  HAKO_TRY(read_required(v, p, "defaultAction", out.default_action));
  HAKO_TRY(read_field(v, p, "defaultErrnoRet", out.default_errno_ret));
  HAKO_TRY(read_field(v, p, "architectures", out.architectures));
  HAKO_TRY(read_field(v, p, "flags", out.flags));
  HAKO_TRY(read_field(v, p, "listenerPath", out.listener_path));
  HAKO_TRY(read_field(v, p, "listenerMetadata", out.listener_metadata));
  HAKO_TRY(read_field(v, p, "syscalls", out.syscalls));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, IntelRdt& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_field(v, p, "closID", out.clos_id));
  HAKO_TRY(read_field(v, p, "l3CacheSchema", out.l3_cache_schema));
  HAKO_TRY(read_field(v, p, "memBwSchema", out.mem_bw_schema));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, TimeOffset& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_field(v, p, "secs", out.secs));
  HAKO_TRY(read_field(v, p, "nanosecs", out.nanosecs));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, Personality& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_required(v, p, "domain", out.domain));
  HAKO_TRY(read_field(v, p, "flags", out.flags));
  return ok();
}

static Status read_value(const Value& v, std::string_view p, Linux& out) {
  HAKO_OBJ(v, p);
  HAKO_TRY(read_field(v, p, "namespaces", out.namespaces));
  HAKO_TRY(read_field(v, p, "uidMappings", out.uid_mappings));
  HAKO_TRY(read_field(v, p, "gidMappings", out.gid_mappings));
  HAKO_TRY(read_field(v, p, "timeOffsets", out.time_offsets));
  HAKO_TRY(read_field(v, p, "devices", out.devices));
  HAKO_TRY(read_field(v, p, "cgroupsPath", out.cgroups_path));
  HAKO_TRY(read_field(v, p, "resources", out.resources));
  HAKO_TRY(read_field(v, p, "rootfsPropagation", out.rootfs_propagation));
  HAKO_TRY(read_field(v, p, "seccomp", out.seccomp));
  HAKO_TRY(read_field(v, p, "sysctl", out.sysctl));
  HAKO_TRY(read_field(v, p, "maskedPaths", out.masked_paths));
  HAKO_TRY(read_field(v, p, "readonlyPaths", out.readonly_paths));
  HAKO_TRY(read_field(v, p, "mountLabel", out.mount_label));
  HAKO_TRY(read_field(v, p, "intelRdt", out.intel_rdt));
  HAKO_TRY(read_field(v, p, "personality", out.personality));
  return ok();
}

Result<Spec> parse_spec(std::string_view text) {
  HAKO_TRY_ASSIGN(Value v, json::parse(text, "config.json"));
  Spec spec;
  HAKO_OBJ(v, "");
  HAKO_TRY(read_required(v, "", "ociVersion", spec.oci_version));
  HAKO_TRY(read_field(v, "", "root", spec.root));
  HAKO_TRY(read_field(v, "", "mounts", spec.mounts));
  HAKO_TRY(read_field(v, "", "process", spec.process));
  HAKO_TRY(read_field(v, "", "hostname", spec.hostname));
  HAKO_TRY(read_field(v, "", "domainname", spec.domainname));
  HAKO_TRY(read_field(v, "", "hooks", spec.hooks));
  HAKO_TRY(read_field(v, "", "annotations", spec.annotations));
  HAKO_TRY(read_field(v, "", "linux", spec.linux));
  return spec;
}

Result<Resources> parse_resources(std::string_view text) {
  HAKO_TRY_ASSIGN(Value v, json::parse(text, "resources"));
  Resources resources;
  HAKO_TRY(read_value(v, "resources", resources));
  return resources;
}

Result<Process> parse_process(std::string_view text) {
  HAKO_TRY_ASSIGN(Value v, json::parse(text, "process.json"));
  Process process;
  HAKO_TRY(read_value(v, "process", process));
  return process;
}

}  // namespace hako::oci
