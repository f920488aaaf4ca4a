// Go's fmt, as text/template uses it, over JSON values: %v printing (`[a b]`, `map[k:v]`,
// shortest floats), Sprint/Sprintln spacing, Sprintf verbs and strconv.Quote.
//
// JSON integers print as Go ints, JSON floats as float64 (so 1e+06, not 1000000.0); null prints
// `<nil>`. Results stop growing at `limit` bytes and report nullopt. Pure; thread safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace hako::format {

// Go's name for the type a JSON value decodes to: string, int, float64, bool,
// []interface {}, map[string]interface {}; "<nil>" for null.
// Appends code point r as UTF-8; surrogates and values past U+10FFFF become U+FFFD, as Go does.
void append_utf8(std::string& out, uint32_t r);

std::string go_type_name(const nlohmann::json& v);

// fmt's %v of a float64.
std::string go_float(double d);

// strconv.Quote.
std::string go_quote(std::string_view s);

// fmt.Sprint of one value (%v).
std::string go_sprint_value(const nlohmann::json& v);

std::optional<std::string> go_sprint(const std::vector<const nlohmann::json*>& args, size_t limit);
std::optional<std::string> go_sprintln(const std::vector<const nlohmann::json*>& args,
                                       size_t limit);
std::optional<std::string> go_sprintf(std::string_view format,
                                      const std::vector<const nlohmann::json*>& args, size_t limit);

}  // namespace hako::format
