#include "cli/context.h"

#include <cerrno>

namespace hako::cli {

Status print(FILE* f, std::string_view text) {
  if (text.empty()) return ok();
  if (std::fwrite(text.data(), 1, text.size(), f) != text.size() || std::fflush(f) != 0)
    return sys_error("write output");
  return ok();
}

}  // namespace hako::cli
