// The functions a template may call: Go's builtins (and, or, not, eq, ne, lt, le, gt, ge, len,
// index, print, printf, println) and Docker's (json, join, split, lower, upper, title, truncate,
// pad). A fixed table; lookups are pure and thread safe.
//
// Values travel as Ref: a shared pointer to an immutable JSON value that may alias into the data
// being rendered (no copies for `.Config.Env` or `index . "key"`).
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace hako::format {

using Ref = std::shared_ptr<const nlohmann::json>;

// Bound on any string a function builds and on a template's whole output.
inline constexpr size_t kMaxOutputBytes = 64u << 20;

Ref make_ref(nlohmann::json v);
// A Ref to an element of `owner`'s value, keeping the owner alive.
Ref alias_ref(const Ref& owner, const nlohmann::json& element);
// A Ref to a value the caller keeps alive (the data passed to execute).
Ref borrow_ref(const nlohmann::json& v);
Ref null_ref();

// Go's truth: false, 0, "", null and empty arrays/objects are false.
bool is_true(const nlohmann::json& v);

struct Function {
  std::string_view name;
  size_t min_args;
  size_t max_args;       // SIZE_MAX: variadic
  bool lazy;             // and/or: the evaluator evaluates arguments itself, stopping early
  bool header_identity;  // Docker's header pass makes it return its first argument
  // Errors are bare ("index out of range: 5"); the evaluator adds "error calling index: ".
  Result<Ref> (*call)(const std::vector<Ref>& args);
};

// nullptr if no function has that name.
const Function* find_function(std::string_view name);

}  // namespace hako::format
