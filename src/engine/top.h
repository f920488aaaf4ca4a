// top: the processes of a running container as the host's ps(1) shows them (a container is a
// group of host processes, so the PIDs are the host's), in the shape of Docker's
// ContainerTopOKBody: the ps header's titles and one row of fields per process, the last
// field (CMD) keeping its spaces. Runs ps as a child process. One thread.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "engine/engine.h"

namespace hako::engine {

struct TopTable {
  std::vector<std::string> titles;
  std::vector<std::vector<std::string>> processes;
};

// ps_args: ps(1)'s arguments ("-ef" when empty). kFailedPrecondition "Container <id> is not
// running" for a container that is not.
Result<TopTable> top(const Engine& eng, const ContainerRecord& c,
                     const std::vector<std::string>& ps_args);

// The ps text (a header line, then rows) split as dockerd's parsePSOutput does.
TopTable parse_ps_table(std::string_view text);

}  // namespace hako::engine
