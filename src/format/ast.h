// The parsed form of a template: a tree of nodes, immutable after parsing and shared by every
// execution (Template copies share it). Mirrors Go's text/template/parse nodes, reduced to what
// hako supports. Thread safety: read-only after construction.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hako::format {

struct Pipeline;

// One argument of a command: a term with an optional trailing field chain
// (`.A.B`, `$x.A`, `(index . 0).Name`).
struct Operand {
  enum class Kind { kDot, kNil, kField, kVariable, kFunction, kLiteral, kPipeline };
  Kind kind = Kind::kDot;
  size_t pos = 0;
  std::string text;                // source spelling, for error context ("<.A.B>")
  std::string name;                // kFunction: its name; kVariable: "$" or "$x"
  std::vector<std::string> chain;  // field names applied after the term (kField: from dot)
  nlohmann::json literal;          // kLiteral: string, number or bool
  std::shared_ptr<const Pipeline> pipeline;  // kPipeline
};

// `fn arg arg` or a single operand; the previous stage's value is appended as the last argument.
struct Command {
  size_t pos = 0;
  std::string text;
  std::vector<Operand> args;
};

struct Pipeline {
  size_t pos = 0;
  bool is_assign = false;         // `$x = ...` rather than `$x := ...`
  std::vector<std::string> decl;  // declared or assigned variables
  std::vector<Command> cmds;
};

struct Node {
  enum class Kind { kText, kAction, kIf, kRange, kWith, kBreak, kContinue };
  Kind kind = Kind::kText;
  size_t pos = 0;
  std::string text;  // kText
  Pipeline pipe;     // kAction, kIf, kRange, kWith
  std::vector<Node> body;
  std::vector<Node> else_body;
};

struct Tree {
  std::string source;  // kept for error positions
  std::vector<Node> root;
};

}  // namespace hako::format
