// The one JSON layer: parsing text into nlohmann::json without exceptions escaping, and typed
// field readers whose errors name the field path ("linux.resources.memory.limit: expected
// integer"), so a user can find the mistake in their config.
//
// Readers leave the output untouched when the key is absent or null (OCI: optional fields),
// and fail on a present value of the wrong type. Pure functions; thread safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace hako::json {

using Value = nlohmann::json;

// Parses a JSON document. `what` names the source in the error ("config.json").
Result<Value> parse(std::string_view text, std::string_view what);

// "a.b" + "c" → "a.b.c"; "" + "c" → "c".
std::string child_path(std::string_view parent, std::string_view key);

Error type_error(std::string_view path, std::string_view expected);

Status require_object(const Value& v, std::string_view path);

// Scalar readers for a value already located at `path`.
Status read_value(const Value& v, std::string_view path, std::string& out);
Status read_value(const Value& v, std::string_view path, bool& out);
Status read_value(const Value& v, std::string_view path, int64_t& out);
Status read_value(const Value& v, std::string_view path, uint64_t& out);
Status read_value(const Value& v, std::string_view path, int32_t& out);
Status read_value(const Value& v, std::string_view path, uint32_t& out);
Status read_value(const Value& v, std::string_view path, uint16_t& out);
Status read_value(const Value& v, std::string_view path, double& out);

// The container readers call each other (optional<vector<T>>, map<string, vector<T>>, ...):
// declare them all before any is defined so each sees the others.
template <typename T>
Status read_value(const Value& v, std::string_view path, std::optional<T>& out);
template <typename T>
Status read_value(const Value& v, std::string_view path, std::vector<T>& out);
template <typename T>
Status read_value(const Value& v, std::string_view path, std::map<std::string, T>& out);

template <typename T>
Status read_value(const Value& v, std::string_view path, std::optional<T>& out) {
  if (v.is_null()) return ok();
  T tmp{};
  HAKO_TRY(read_value(v, path, tmp));
  out = std::move(tmp);
  return ok();
}

template <typename T>
Status read_value(const Value& v, std::string_view path, std::vector<T>& out) {
  if (v.is_null()) return ok();
  if (!v.is_array()) return type_error(path, "array");
  out.clear();
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    T item{};
    HAKO_TRY(read_value(v[i], std::string(path) + "[" + std::to_string(i) + "]", item));
    out.push_back(std::move(item));
  }
  return ok();
}

template <typename T>
Status read_value(const Value& v, std::string_view path, std::map<std::string, T>& out) {
  if (v.is_null()) return ok();
  if (!v.is_object()) return type_error(path, "object");
  out.clear();
  for (auto it = v.begin(); it != v.end(); ++it) {
    T item{};
    HAKO_TRY(read_value(it.value(), child_path(path, it.key()), item));
    out.emplace(it.key(), std::move(item));
  }
  return ok();
}

// Reads obj[key] into out if present and not null. obj must be an object.
template <typename T>
Status read_field(const Value& obj, std::string_view path, const char* key, T& out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return ok();
  return read_value(*it, child_path(path, key), out);
}

// As read_field, but a missing field is an error ("process.args: required").
template <typename T>
Status read_required(const Value& obj, std::string_view path, const char* key, T& out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null())
    return invalid_argument(child_path(path, key) + ": required");
  return read_value(*it, child_path(path, key), out);
}

}  // namespace hako::json
