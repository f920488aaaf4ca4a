// Template: a parsed Go text/template (the subset Docker's --format uses) that renders
// nlohmann::json values. This is the engine under `hako images --format`, `hako inspect -f`.
//
//   auto t = Template::parse("{{.Repository}}:{{.Tag}}");   // parse errors: "template: 1:9: ..."
//   auto s = t->execute(row);                                // exec errors name the action
//
// Semantics are Go's where they apply, with the data as Go's map[string]interface{}: a missing
// key yields a nil value (prints `<no value>`), and a field of a nil value is an error
// ("nil pointer evaluating interface {}.Status"), as with Docker's structs. Bounded: templates
// over 64 KiB, nesting over 100, output over 64 MiB and runs over 1M steps are refused.
//
// A Template is an immutable value; copies share the parsed tree. Thread safe for concurrent
// execute() calls.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace hako::format {

struct Tree;

enum class ExecMode {
  kNormal,
  // Docker's table header pass: dot is a map of header names; `.A.B` reads only `.A`, and the
  // Docker functions (json, join, split, lower, upper, title, truncate, pad) return their first
  // argument unchanged. Errors stop the output but are not reported (Docker ignores them).
  kHeader,
};

class Template {
 public:
  static Result<Template> parse(std::string_view text);

  Result<std::string> execute(const nlohmann::json& dot, ExecMode mode = ExecMode::kNormal) const;

  // Field names read from the top of dot (`.X`, `.X.Y`, `$.X` → "X"), first use first, unique.
  std::vector<std::string> fields() const;

 private:
  explicit Template(std::shared_ptr<const Tree> tree) : tree_(std::move(tree)) {}
  std::shared_ptr<const Tree> tree_;
};

}  // namespace hako::format
