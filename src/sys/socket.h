// Unix sockets: SOCK_SEQPACKET pairs (parent↔child channels), connecting to a path, and
// passing fds with SCM_RIGHTS (console sockets, seccomp listeners). Stateless wrappers.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "base/result.h"
#include "base/unique_fd.h"

namespace hako::sys {

Result<std::pair<UniqueFd, UniqueFd>> seqpacket_pair();
Result<UniqueFd> connect_unix(const std::string& path, int type);

// Sends `data` (at least one byte is always sent) with `fd` attached.
Status send_fd(int sock, int fd, std::string_view data);
// Receives one message; returns the attached fd (invalid if none) and fills data.
Result<UniqueFd> recv_fd(int sock, std::string* data);

}  // namespace hako::sys
