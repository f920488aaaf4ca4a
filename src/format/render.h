// Docker's --format conventions on top of Template: what `hako images --format`, `hako ps
// --format` and `hako inspect --format` call.
//
// render_rows (list commands), with the format as the user gave it:
//   ""  or "table"          → default_format (the command's own columns, e.g.
//                             "table {{.Repository}}\t{{.Tag}}\t{{.ID}}")
//   "json"                  → each row as one line of compact JSON (keys sorted)
//   "table <template>"      → a header line, then one line per row, aligned by TabWriter
//                             (Go tabwriter 10/1/3/' '); the header evaluates the template in
//                             ExecMode::kHeader over {field: headers[field] or "FIELD NAME"}
//   anything else           → the template per row, each followed by "\n"
// As Docker does, the literal two-character sequences `\t` and `\n` in the format become a tab
// and a newline (users type them inside shell quotes), and spaces around the template are trimmed.
//
// render_one (inspect): the template applied to one value plus "\n"; "json" → compact JSON.
// No `\t` translation there, as in Docker's inspect.
//
// Pure functions; thread safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace hako::format {

Result<std::string> render_rows(std::string_view format, const std::vector<nlohmann::json>& rows,
                                const std::map<std::string, std::string>& headers,
                                std::string_view default_format);

Result<std::string> render_one(std::string_view format, const nlohmann::json& value);

// The header Docker would show for a field without one: CamelCase split into upper-case words
// ("CreatedSince" → "CREATED SINCE", "ImageID" → "IMAGE ID").
std::string default_header(std::string_view field);

// Compact JSON as Docker's json function prints it (sorted keys, no HTML escaping, invalid
// UTF-8 replaced).
std::string compact_json(const nlohmann::json& value);

}  // namespace hako::format
