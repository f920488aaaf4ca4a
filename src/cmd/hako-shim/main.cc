// hako-shim RUN_DIR [--creator-fd N]: the monitor of one container (src/shim/monitor.h).
// Started by `hako` in a new session with /dev/null as stdio; its diagnostics go to
// RUN_DIR/shim.log. Reads RUN_DIR/shim.json.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "base/log.h"
#include "shim/monitor.h"
#include "shim/shim_config.h"
#include "sys/file.h"

int main(int argc, char** argv) {
  using namespace hako;
  std::string run_dir;
  int creator_fd = -1;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--creator-fd") == 0 && i + 1 < argc) {
      creator_fd = std::atoi(argv[++i]);
    } else if (run_dir.empty() && argv[i][0] != '-') {
      run_dir = argv[i];
    } else {
      std::fprintf(stderr, "usage: hako-shim RUN_DIR [--creator-fd N]\n");
      return 2;
    }
  }
  if (run_dir.empty()) {
    std::fprintf(stderr, "usage: hako-shim RUN_DIR [--creator-fd N]\n");
    return 2;
  }
  int log_fd =
      ::open((run_dir + "/shim.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  Logger log = log_fd >= 0 ? Logger(UniqueFd(log_fd), Logger::Format::kText) : Logger();
  auto text = sys::read_file(run_dir + "/shim.json", 1 << 20);
  if (!text) {
    log.error(text.error().message());
    return 1;
  }
  auto config = shim::parse_shim_config(*text);
  if (!config) {
    log.error(config.error().message());
    return 1;
  }
  return shim::run_monitor(std::move(*config), UniqueFd(creator_fd), log);
}
