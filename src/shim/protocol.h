// The shim's control protocol: SOCK_SEQPACKET messages on <run_dir>/shim.sock (and on the
// socketpair the CLI hands a shim it spawns). Each packet is one type byte and a payload; the
// socket keeps packet boundaries, so there is no framing beyond that. Payloads are raw bytes
// (stdio) or small JSON objects. One connection is one session: an attach, an exec, a wait, or
// a single control request answered by kOk/kError.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"

namespace hako::shim {

enum class Msg : char {
  // client → shim
  kAttach = 'A',     // {"stdin":b,"stdout":b,"stderr":b,"remove":b}: stream the container's stdio
  kStdin = 'I',      // bytes for the container's (or the exec's) stdin
  kStdinEof = 'E',   // close that stdin
  kResize = 'R',     // {"rows":n,"cols":n}
  kKill = 'K',       // {"signal":n}
  kStop = 'S',       // {"timeout":seconds (-1: the container's)}: signal, then SIGKILL
  kExec = 'X',       // {"process":<OCI process>,"stdin":b,"detach":b}
  kWait = 'W',       // answered by kExit when the container exits (at once if it has)
  kSetRemove = 'D',  // {"remove":b}: the client will remove the container itself
  kSetPolicy = 'P',  // {"name":s,"max_retries":n}: the restart policy from now on (kOk)
  // shim → client
  kStdout = 'o',
  kStderr = 'e',
  kExit = 'x',   // {"code":n,"oom":b}: the container's (or the exec's) end
  kOk = 'k',     // {"pid":n,...}: the request was done
  kError = '!',  // one-line message
};

// Largest packet either side sends: the payload of stdio messages is cut to this.
inline constexpr size_t kMaxPacket = 64 * 1024;

Status send_msg(int fd, Msg type, std::string_view payload);
// Receives one packet into *payload; kUnavailable on an orderly close by the peer.
Result<Msg> recv_msg(int fd, std::string* payload);

}  // namespace hako::shim
