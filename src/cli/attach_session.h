// The foreground half of `run`, `start -a`, `attach` and `exec`: relays the shim's stream of
// the container's output to our stdout/stderr and our stdin to it, puts our terminal in raw
// mode for a container with a tty (and tells the shim its size, again on SIGWINCH), forwards
// the signals we get (--sig-proxy) and watches for the detach keys. Single connection, one
// thread; the terminal's mode is restored however it ends.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"

namespace hako::cli {

struct AttachOptions {
  bool stdin = false;
  bool tty = false;
  bool sig_proxy = true;
  std::string detach_keys = "ctrl-p,ctrl-q";  // "" disables
};

// The exit code the shim reports, or nullopt when the user detached.
Result<std::optional<int>> relay(int conn, const AttachOptions& o);

// "ctrl-p,ctrl-q" → the bytes; an unknown key is an error naming it.
Result<std::string> parse_detach_keys(const std::string& spec);

}  // namespace hako::cli
