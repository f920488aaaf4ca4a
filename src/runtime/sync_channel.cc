#include "runtime/sync_channel.h"

#include <sys/socket.h>

#include "sys/socket.h"

namespace hako::runtime {

Status SyncChannel::send(SyncMessage type, std::string_view payload) {
  std::string msg(1, static_cast<char>(type));
  msg += payload;
  while (::send(fd_.get(), msg.data(), msg.size(), MSG_NOSIGNAL) < 0) {
    if (errno != EINTR) return sys_error("send to container init");
  }
  return ok();
}

Status SyncChannel::send_with_fd(SyncMessage type, int fd, std::string_view payload) {
  return sys::send_fd(fd_.get(), fd,
                      std::string(1, static_cast<char>(type)) + std::string(payload));
}

Result<Received> SyncChannel::receive() {
  std::string data;
  HAKO_TRY_ASSIGN(UniqueFd fd, sys::recv_fd(fd_.get(), &data));
  if (data.empty()) return internal_error("container init exited unexpectedly during setup");
  Received r{static_cast<SyncMessage>(data[0]), data.substr(1), std::move(fd)};
  return r;
}

Result<Received> SyncChannel::expect(SyncMessage type) {
  HAKO_TRY_ASSIGN(Received r, receive());
  if (r.type == SyncMessage::kError) return Error(ErrorCode::kFailedPrecondition, r.payload);
  if (r.type != type)
    return internal_error(std::string("container setup: unexpected message '") +
                          static_cast<char>(r.type) + "', wanted '" + static_cast<char>(type) +
                          "'");
  return r;
}

}  // namespace hako::runtime
