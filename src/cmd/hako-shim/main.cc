// hako-shim RUN_DIR --config-fd N [--creator-fd N]: the monitor of one container
// (src/shim/monitor.h). Started by `hako` in a new session with /dev/null as stdio; its
// diagnostics go to RUN_DIR/shim.log (made by the first one). Its ShimConfig comes on the
// config fd (a memfd the CLI wrote).
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "base/log.h"
#include "shim/monitor.h"
#include "shim/shim_config.h"
#include "sys/file.h"

namespace {

constexpr const char* kUsage = "usage: hako-shim RUN_DIR --config-fd N [--creator-fd N]\n";
constexpr size_t kMaxConfig = 16 << 20;

}  // namespace

int main(int argc, char** argv) {
  using namespace hako;
  std::string run_dir;
  int creator_fd = -1;
  int config_fd = -1;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--creator-fd") == 0 && i + 1 < argc) {
      creator_fd = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--config-fd") == 0 && i + 1 < argc) {
      config_fd = std::atoi(argv[++i]);
    } else if (run_dir.empty() && argv[i][0] != '-') {
      run_dir = argv[i];
    } else {
      std::fputs(kUsage, stderr);
      return 2;
    }
  }
  if (run_dir.empty() || config_fd < 0) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  UniqueFd config_owned(config_fd);
  int dir = ::open(run_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  Logger log =
      dir >= 0 ? Logger::to_file_in(UniqueFd(dir), "shim.log", Logger::Format::kText) : Logger();
  auto text = sys::read_fd(config_fd, kMaxConfig);
  if (!text) {
    log.error("read the shim config: " + text.error().message());
    return 1;
  }
  config_owned.reset();
  auto config = shim::parse_shim_config(*text);
  if (!config) {
    log.error(config.error().message());
    return 1;
  }
  return shim::run_monitor(std::move(*config), UniqueFd(creator_fd), log);
}
