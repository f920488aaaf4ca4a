// Handing a seccomp notification listener fd to the agent at `linux.seccomp.listenerPath`.
//
// Protocol (runtime-spec config-linux.md, "listenerPath" and "The Container Process State"):
// connect an AF_UNIX SOCK_STREAM socket to listenerPath, send one containerProcessState JSON
// document with the listener fd attached as SCM_RIGHTS to the first sendmsg, close. The
// document's `fds` array names the attached fds in order: ["seccompFd"].
//
//   runtime                                  agent (listening on listenerPath)
//     | connect ---------------------------->  | accept
//     | sendmsg(json, SCM_RIGHTS[listener]) ->  | recvmsg: state + fd
//     | close                                   | reads notifications from the fd
//
// The caller keeps ownership of listener_fd (the kernel duplicates it into the message) and
// closes it after sending. Stateless; thread safe.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace hako::seccomp {

// Builds the containerProcessState document: {"ociVersion", "fds": ["seccompFd"], "pid",
// "metadata" (listenerMetadata, omitted when empty), "state"}. container_state_json is the
// container's state as `hako-runtime state` prints it, inserted as is.
std::string container_process_state(int pid, std::string_view metadata,
                                    std::string_view container_state_json);

// Sends process_state_json (see container_process_state) with listener_fd to the agent.
Status send_listener(const std::string& listener_path, int listener_fd,
                     std::string_view process_state_json);

}  // namespace hako::seccomp
