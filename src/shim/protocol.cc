#include "shim/protocol.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>

namespace hako::shim {

Status send_msg(int fd, Msg type, std::string_view payload) {
  char t = static_cast<char>(type);
  iovec iov[2] = {{&t, 1}, {const_cast<char*>(payload.data()), payload.size()}};
  msghdr mh{};
  mh.msg_iov = iov;
  mh.msg_iovlen = 2;
  for (;;) {
    ssize_t n = ::sendmsg(fd, &mh, MSG_NOSIGNAL);
    if (n >= 0) return {};
    if (errno == EINTR) continue;
    return sys_error("send to the shim's peer");
  }
}

Result<Msg> recv_msg(int fd, std::string* payload) {
  payload->resize(kMaxPacket + 1);
  for (;;) {
    ssize_t n = ::recv(fd, payload->data(), payload->size(), 0);
    if (n < 0 && errno == EINTR) continue;
    // The peer closed with a message of ours unread: the kernel reports that before the
    // packets the peer sent us last (unix_dgram_recvmsg checks sk_err first); they follow.
    if (n < 0 && errno == ECONNRESET) continue;
    if (n < 0) return sys_error("receive from the shim's peer");
    if (n == 0) return Error(ErrorCode::kUnavailable, "the peer closed the connection");
    Msg type = static_cast<Msg>((*payload)[0]);
    payload->erase(0, 1);
    payload->resize(static_cast<size_t>(n) - 1);
    return type;
  }
}

}  // namespace hako::shim
