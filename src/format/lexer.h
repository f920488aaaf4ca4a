// The template lexer: splits a Go text/template source into text runs and the tokens of its
// {{ actions }}, applying the `{{- ` and ` -}}` trim markers and dropping {{/* comments */}}.
//
// Tokens own their values (strings are already unquoted) and carry byte offsets into the source
// so parse and exec errors can say "template: 1:9: ...". Pure functions; thread safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace hako::format {

enum class Tok {
  kText,
  kLeftDelim,
  kRightDelim,
  kField,       // ".Name": value is "Name"
  kIdentifier,  // function name or keyword (if, range, end, ...)
  kVariable,    // "$" or "$x"
  kDot,
  kString,  // quoted or raw; value is the unquoted text
  kNumber,  // value is the source spelling ("0x1F", "-3", "1e3"); char constants are decimal
  kBool,
  kPipe,
  kLeftParen,
  kRightParen,
  kDeclare,  // :=
  kAssign,   // =
  kComma,
  kEof,
};

struct Token {
  Tok kind;
  size_t pos = 0;  // byte offset of the token in the source
  size_t len = 0;  // bytes of source it spans
  std::string value;
  bool space_before = false;  // separates operands: `.A .B` is two, `.A.B` one chain
};

// "L:C" (1-based line and column) of a byte offset.
std::string where(std::string_view src, size_t pos);

// invalid_argument("template: L:C: msg").
Error template_error(std::string_view src, size_t pos, std::string_view msg);

// The whole token stream, ending with kEof; the first lexical error otherwise.
Result<std::vector<Token>> lex(std::string_view src);

}  // namespace hako::format
