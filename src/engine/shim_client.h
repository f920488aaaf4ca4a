// The client side of the shim's protocol (shim/protocol.h): spawning a shim with its creator
// connection, connecting to a running one, and one-request calls. Stateless functions.
#pragma once

#include <string>
#include <utility>

#include "base/result.h"
#include "base/unique_fd.h"
#include "shim/protocol.h"

namespace hako::engine {

// Starts `shim_exe RUN_DIR --creator-fd 3 --config-fd 4` in a new session with /dev/null as
// stdio, our end of a socketpair returned. config (shim_config_json) reaches the shim in a
// memfd, not a file: nothing to create and delete on disk per container. first_type and
// first_payload are sent before the shim starts, so it reads them before it starts the
// container.
Result<UniqueFd> spawn_shim(const std::string& shim_exe, const std::string& run_dir,
                            const std::string& config, shim::Msg first_type,
                            const std::string& first_payload);

// The shim's socket in run_dir, reached through /proc/self/fd (run_dir may exceed sun_path).
// kUnavailable when no shim listens.
Result<UniqueFd> connect_shim(const std::string& run_dir);

// Sends one request and returns the first answer.
Result<std::pair<shim::Msg, std::string>> shim_call(int fd, shim::Msg type,
                                                    const std::string& payload);

// Reads until the shim closes the connection (it has exited).
void wait_for_close(int fd);

}  // namespace hako::engine
