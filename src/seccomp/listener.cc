#include "seccomp/listener.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include "base/strings.h"
#include "base/unique_fd.h"
#include "oci/spec.h"

namespace hako::seccomp {

std::string container_process_state(int pid, std::string_view metadata,
                                    std::string_view container_state_json) {
  std::string out = "{\"ociVersion\":\"";
  out += oci::kSpecVersion;
  out += "\",\"fds\":[\"seccompFd\"],\"pid\":";
  out += std::to_string(pid);
  if (!metadata.empty()) {
    out += ",\"metadata\":\"";
    out += json_escape(metadata);
    out += '"';
  }
  out += ",\"state\":";
  out += container_state_json;
  out += '}';
  return out;
}

Status send_listener(const std::string& listener_path, int listener_fd,
                     std::string_view process_state_json) {
  std::string what = "send seccomp listener to " + listener_path;
  if (process_state_json.empty()) return invalid_argument(what + ": empty container state");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (listener_path.empty() || listener_path.size() >= sizeof addr.sun_path)
    return invalid_argument(what + ": socket path must be 1 to " +
                            std::to_string(sizeof addr.sun_path - 1) + " bytes");
  std::memcpy(addr.sun_path, listener_path.data(), listener_path.size());

  int s = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return sys_error(what + ": socket");
  UniqueFd sock(s);
  // Unlike TCP, an AF_UNIX connect interrupted while waiting for backlog room is undone, so
  // retrying it is safe.
  int rc;
  do {
    rc = ::connect(sock.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return sys_error(what + ": connect");

  // The fd rides on the first sendmsg only, as the spec requires when the document is split.
  iovec iov{const_cast<char*>(process_state_json.data()), process_state_json.size()};
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
  std::memcpy(CMSG_DATA(cmsg), &listener_fd, sizeof(int));

  ssize_t n;
  do {
    // MSG_NOSIGNAL: an agent that hangs up must give an error, not SIGPIPE the runtime.
    n = ::sendmsg(sock.get(), &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return sys_error(what + ": sendmsg");
  std::string_view rest = process_state_json.substr(static_cast<size_t>(n));
  while (!rest.empty()) {
    ssize_t m = ::send(sock.get(), rest.data(), rest.size(), MSG_NOSIGNAL);
    if (m < 0) {
      if (errno == EINTR) continue;
      return sys_error(what + ": send");
    }
    rest.remove_prefix(static_cast<size_t>(m));
  }
  return ok();  // closing the socket ends the one message this connection carries
}

}  // namespace hako::seccomp
