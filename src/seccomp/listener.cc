#include "seccomp/listener.h"

#include <sys/socket.h>

#include "base/strings.h"
#include "oci/spec.h"
#include "sys/socket.h"

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
  if (listener_path.empty()) return invalid_argument(what + ": empty socket path");
  auto sock = sys::connect_unix(listener_path, SOCK_STREAM);
  if (!sock) return std::move(sock).error().context(what);
  // One connection carries one message; closing the socket ends it.
  HAKO_TRY_CTX(sys::send_fd(sock->get(), listener_fd, process_state_json), what);
  return ok();
}

}  // namespace hako::seccomp
