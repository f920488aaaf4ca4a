// Small string operations used across modules: splitting, trimming, number parsing, escaping.
// Pure functions; thread safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hako {

std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string_view trim(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);

// Whole-string decimal parse; nullopt on any junk, sign error or overflow.
std::optional<int64_t> parse_int64(std::string_view s);
std::optional<uint64_t> parse_uint64(std::string_view s);

// Escapes for a JSON string body (no surrounding quotes).
std::string json_escape(std::string_view s);

}  // namespace hako
