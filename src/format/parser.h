// The template parser: tokens (lexer.h) → Tree (ast.h), with Go text/template's parse-time
// checks: functions must exist, variables must be declared, {{end}}/{{else}} must match, and
// nesting is bounded. Errors read like Go's: `template: 1:9: function "foo" not defined`.
// Pure functions; thread safe.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/result.h"
#include "format/ast.h"

namespace hako::format {

inline constexpr size_t kMaxTemplateBytes = 64 * 1024;
inline constexpr int kMaxNesting = 100;  // control structures and parentheses, combined

Result<Tree> parse_tree(std::string_view src);

}  // namespace hako::format
