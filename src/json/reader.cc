#include "json/reader.h"

#include <limits>

namespace hako::json {

Result<Value> parse(std::string_view text, std::string_view what) {
  // nlohmann reports syntax errors by exception; this is its one call site.
  try {
    return Value::parse(text.begin(), text.end());
  } catch (const Value::parse_error& e) {
    std::string msg = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: ..." → drop the tag.
    if (auto pos = msg.find("] "); pos != std::string::npos) msg = msg.substr(pos + 2);
    return invalid_argument(std::string(what) + ": malformed json: " + msg);
  }
}

std::string child_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string out(parent);
  out += '.';
  out += key;
  return out;
}

Error type_error(std::string_view path, std::string_view expected) {
  return invalid_argument(std::string(path) + ": expected " + std::string(expected));
}

Status require_object(const Value& v, std::string_view path) {
  if (!v.is_object()) return type_error(path.empty() ? "document" : path, "object");
  return ok();
}

Status read_value(const Value& v, std::string_view path, std::string& out) {
  if (!v.is_string()) return type_error(path, "string");
  out = v.get<std::string>();
  return ok();
}

Status read_value(const Value& v, std::string_view path, bool& out) {
  if (!v.is_boolean()) return type_error(path, "boolean");
  out = v.get<bool>();
  return ok();
}

Status read_value(const Value& v, std::string_view path, int64_t& out) {
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return invalid_argument(std::string(path) + ": integer out of range");
    out = static_cast<int64_t>(u);
    return ok();
  }
  if (!v.is_number_integer()) return type_error(path, "integer");
  out = v.get<int64_t>();
  return ok();
}

Status read_value(const Value& v, std::string_view path, uint64_t& out) {
  if (v.is_number_unsigned()) {
    out = v.get<uint64_t>();
    return ok();
  }
  if (v.is_number_integer())
    return invalid_argument(std::string(path) + ": expected non-negative integer");
  return type_error(path, "integer");
}

template <typename Narrow, typename Wide>
static Status read_narrow(const Value& v, std::string_view path, Narrow& out) {
  Wide w{};
  HAKO_TRY(read_value(v, path, w));
  if (w < static_cast<Wide>(std::numeric_limits<Narrow>::min()) ||
      w > static_cast<Wide>(std::numeric_limits<Narrow>::max()))
    return invalid_argument(std::string(path) + ": integer out of range");
  out = static_cast<Narrow>(w);
  return ok();
}

Status read_value(const Value& v, std::string_view path, int32_t& out) {
  return read_narrow<int32_t, int64_t>(v, path, out);
}
Status read_value(const Value& v, std::string_view path, uint32_t& out) {
  return read_narrow<uint32_t, uint64_t>(v, path, out);
}
Status read_value(const Value& v, std::string_view path, uint16_t& out) {
  return read_narrow<uint16_t, uint64_t>(v, path, out);
}

Status read_value(const Value& v, std::string_view path, double& out) {
  if (!v.is_number()) return type_error(path, "number");
  out = v.get<double>();
  return ok();
}

}  // namespace hako::json
