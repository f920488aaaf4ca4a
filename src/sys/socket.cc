#include "sys/socket.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

namespace hako::sys {

Result<std::pair<UniqueFd, UniqueFd>> seqpacket_pair() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
    return sys_error("socketpair");
  return std::pair<UniqueFd, UniqueFd>(UniqueFd(fds[0]), UniqueFd(fds[1]));
}

Result<UniqueFd> connect_unix(const std::string& path, int type) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    return invalid_argument("socket path " + path + " is longer than " +
                            std::to_string(sizeof addr.sun_path - 1) + " bytes");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, type | SOCK_CLOEXEC, 0));
  if (!fd) return sys_error("socket");
  // An AF_UNIX connect interrupted while waiting for backlog room is undone: retrying is safe.
  int rc;
  do {
    rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return sys_error("connect " + path);
  return fd;
}

Status send_fd(int sock, int fd, std::string_view data) {
  char byte = 0;
  iovec iov{};
  if (data.empty()) {
    iov.iov_base = &byte;
    iov.iov_len = 1;
  } else {
    iov.iov_base = const_cast<char*>(data.data());
    iov.iov_len = data.size();
  }
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
  // MSG_NOSIGNAL: a peer that hangs up gives an error, not SIGPIPE.
  ssize_t n;
  while ((n = ::sendmsg(sock, &msg, MSG_NOSIGNAL)) < 0) {
    if (errno != EINTR) return sys_error("send fd");
  }
  // On a stream socket the fd rides on the first chunk; the rest of the data follows plainly.
  std::string_view rest = data.empty() ? std::string_view() : data.substr(static_cast<size_t>(n));
  while (!rest.empty()) {
    ssize_t m = ::send(sock, rest.data(), rest.size(), MSG_NOSIGNAL);
    if (m < 0) {
      if (errno == EINTR) continue;
      return sys_error("send");
    }
    rest.remove_prefix(static_cast<size_t>(m));
  }
  return ok();
}

Result<UniqueFd> recv_fd(int sock, std::string* data) {
  static constexpr size_t kMax = 65536;
  std::string buf(kMax, '\0');
  iovec iov{buf.data(), kMax};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  while ((n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0) {
    if (errno != EINTR) return sys_error("receive fd");
  }
  if (data) data->assign(buf.data(), static_cast<size_t>(n));
  UniqueFd out;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
      out.reset(fd);
    }
  }
  return out;
}

}  // namespace hako::sys
