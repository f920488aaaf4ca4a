// The template evaluator: walks a parsed Tree over a JSON value, Go text/template style, into
// a string. Internal to the format module (Template::execute is the public entry).
// Pure; thread safe (each call has its own state).
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "format/ast.h"
#include "format/template.h"

namespace hako::format {

inline constexpr uint64_t kMaxSteps = 1'000'000;

Result<std::string> execute_tree(const Tree& tree, const nlohmann::json& dot, ExecMode mode);

}  // namespace hako::format
