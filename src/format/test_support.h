// Test helper: parse + execute in one call, with errors folded into the returned text so a table
// of expectations can compare either. Test-only; thread safe.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "format/template.h"

namespace hako::format::testing {

inline std::string run(std::string_view tmpl, const nlohmann::json& data = nullptr) {
  auto t = Template::parse(tmpl);
  if (!t) return "ERR: " + t.error().message();
  auto out = t->execute(data);
  if (!out) return "ERR: " + out.error().message();
  return *out;
}

inline nlohmann::json J(std::string_view text) { return nlohmann::json::parse(text); }

}  // namespace hako::format::testing
