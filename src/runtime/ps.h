// `hako-runtime ps`: the container's processes, as runc shows them. The table runs the host's
// ps(1) (`ps -ef` unless the caller gives its own arguments) and keeps the header and the rows
// whose PID column names a process in the container's cgroup; --format json is the array of
// those host pids. Stateless; runs ps as a child of the calling process.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace hako::runtime {

// The header line and the rows of `ps_output` whose PID field is in `pids`. An error when the
// header has no PID column (ps arguments such as `-o comm`).
Result<std::string> filter_ps_output(std::string_view ps_output, const std::vector<pid_t>& pids);

// Runs `ps ps_args...` (["-ef"] when empty) and filters its output to the container `id`.
Result<std::string> container_ps_table(const std::string& root, const std::string& id,
                                       const std::vector<std::string>& ps_args);

}  // namespace hako::runtime
