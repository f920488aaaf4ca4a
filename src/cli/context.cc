#include "cli/context.h"

#include <cerrno>

#include "format/render.h"

namespace hako::cli {

Status print(FILE* f, std::string_view text) {
  if (text.empty()) return ok();
  if (std::fwrite(text.data(), 1, text.size(), f) != text.size() || std::fflush(f) != 0)
    return sys_error("write output");
  return ok();
}

Status print_inspected(const Context& ctx, const nlohmann::json& all, const std::string& format) {
  std::string text;
  if (format.empty()) {
    text = all.dump(4) + "\n";
  } else {
    for (const auto& v : all) {
      HAKO_TRY_ASSIGN(std::string one, format::render_one(format, v));
      text += one;
    }
  }
  return print(ctx.out, text);
}

}  // namespace hako::cli
