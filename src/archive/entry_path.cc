#include "archive/entry_path.h"

#include <vector>

namespace hako::archive {

Result<std::string> clean_entry_name(std::string_view raw) {
  if (raw.find('\0') != std::string_view::npos) return invalid_argument("name contains a NUL byte");
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (pos <= raw.size()) {
    size_t slash = raw.find('/', pos);
    if (slash == std::string_view::npos) slash = raw.size();
    std::string_view part = raw.substr(pos, slash - pos);
    pos = slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      // Docker refuses these too (pkg/archive breakoutError) rather than clamping at the root:
      // a layer that climbs out is malformed or hostile, never something to guess about.
      if (parts.empty()) return invalid_argument("path escapes the layer root");
      parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (std::string_view part : parts) {
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

SplitName split_entry_name(std::string_view clean) {
  size_t slash = clean.rfind('/');
  if (slash == std::string_view::npos) return {std::string_view(), clean};
  return {clean.substr(0, slash), clean.substr(slash + 1)};
}

}  // namespace hako::archive
