#include "engine/spec_parts.h"
#include "json/reader.h"

namespace hako::engine::spec {

template <typename T>
static Result<T> get(const json& obj, const std::string& path, const char* key) {
  T out{};
  if (!obj.is_object()) return out;
  HAKO_TRY(::hako::json::read_field(obj, path, key, out));
  return out;
}

Result<std::string> get_string(const json& obj, const std::string& path, const char* key) {
  return get<std::string>(obj, path, key);
}
Result<int64_t> get_int(const json& obj, const std::string& path, const char* key) {
  return get<int64_t>(obj, path, key);
}
Result<bool> get_bool(const json& obj, const std::string& path, const char* key) {
  return get<bool>(obj, path, key);
}
Result<std::vector<std::string>> get_strings(const json& obj, const std::string& path,
                                             const char* key) {
  return get<std::vector<std::string>>(obj, path, key);
}

}  // namespace hako::engine::spec
