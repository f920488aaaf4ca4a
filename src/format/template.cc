#include "format/template.h"

#include <algorithm>

#include "format/ast.h"
#include "format/evaluator.h"
#include "format/parser.h"

namespace hako::format {
namespace {

void collect_pipeline(const Pipeline& p, std::vector<std::string>& out);

void collect_operand(const Operand& o, std::vector<std::string>& out) {
  bool from_top =
      o.kind == Operand::Kind::kField || (o.kind == Operand::Kind::kVariable && o.name == "$");
  if (from_top && !o.chain.empty() && std::find(out.begin(), out.end(), o.chain[0]) == out.end()) {
    out.push_back(o.chain[0]);
  }
  if (o.pipeline) collect_pipeline(*o.pipeline, out);
}

void collect_pipeline(const Pipeline& p, std::vector<std::string>& out) {
  for (const Command& c : p.cmds)
    for (const Operand& o : c.args) collect_operand(o, out);
}

void collect_nodes(const std::vector<Node>& nodes, std::vector<std::string>& out) {
  for (const Node& n : nodes) {
    collect_pipeline(n.pipe, out);
    collect_nodes(n.body, out);
    collect_nodes(n.else_body, out);
  }
}

}  // namespace

Result<Template> Template::parse(std::string_view text) {
  HAKO_TRY_ASSIGN(Tree tree, parse_tree(text));
  return Template(std::make_shared<const Tree>(std::move(tree)));
}

Result<std::string> Template::execute(const nlohmann::json& dot, ExecMode mode) const {
  return execute_tree(*tree_, dot, mode);
}

std::vector<std::string> Template::fields() const {
  std::vector<std::string> out;
  collect_nodes(tree_->root, out);
  return out;
}

}  // namespace hako::format
