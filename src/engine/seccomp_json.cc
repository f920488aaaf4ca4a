#include "engine/seccomp_json.h"

namespace hako::engine {

using nlohmann::json;

nlohmann::json seccomp_to_json(const oci::Seccomp& p) {
  json out = {{"defaultAction", p.default_action}};
  if (p.default_errno_ret) out["defaultErrnoRet"] = *p.default_errno_ret;
  if (!p.architectures.empty()) out["architectures"] = p.architectures;
  if (!p.flags.empty()) out["flags"] = p.flags;
  if (!p.listener_path.empty()) out["listenerPath"] = p.listener_path;
  if (!p.listener_metadata.empty()) out["listenerMetadata"] = p.listener_metadata;
  json syscalls = json::array();
  for (const auto& s : p.syscalls) {
    json entry = {{"names", s.names}, {"action", s.action}};
    if (s.errno_ret) entry["errnoRet"] = *s.errno_ret;
    if (!s.args.empty()) {
      json args = json::array();
      for (const auto& a : s.args) {
        json arg = {{"index", a.index}, {"value", a.value}, {"op", a.op}};
        if (a.value_two) arg["valueTwo"] = a.value_two;
        args.push_back(std::move(arg));
      }
      entry["args"] = std::move(args);
    }
    syscalls.push_back(std::move(entry));
  }
  if (!syscalls.empty()) out["syscalls"] = std::move(syscalls);
  return out;
}

}  // namespace hako::engine
