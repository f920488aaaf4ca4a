#include "format/evaluator.h"

#include <utility>
#include <vector>

#include "format/functions.h"
#include "format/go_print.h"
#include "format/lexer.h"

namespace hako::format {
namespace {

using Json = nlohmann::json;

class Exec {
 public:
  Exec(const Tree& tree, ExecMode mode, std::string& out) : tree_(tree), mode_(mode), out_(out) {}

  Status run(const Ref& dot) {
    vars_.emplace_back("$", dot);
    return walk(tree_.root, dot);
  }

 private:
  enum class Flow { kNormal, kBreak, kContinue };

  Error exec_error(size_t pos, std::string_view context, std::string_view msg) const {
    return template_error(tree_.source, pos,
                          "executing at <" + std::string(context) + ">: " + std::string(msg));
  }

  Status step(size_t pos) {
    if (++steps_ > kMaxSteps) {
      return template_error(tree_.source, pos,
                            "execution exceeds " + std::to_string(kMaxSteps) + " steps");
    }
    return ok();
  }

  Status emit(std::string_view s) {
    out_ += s;
    if (out_.size() > kMaxOutputBytes) return invalid_argument("template: output exceeds 64 MiB");
    return ok();
  }

  void pop_vars(size_t mark) {
    vars_.erase(vars_.begin() + static_cast<ptrdiff_t>(mark), vars_.end());
  }

  void declare(const Pipeline& p, const std::string& name, Ref v) {
    if (p.is_assign) {
      for (auto it = vars_.rbegin(); it != vars_.rend(); ++it) {
        if (it->first == name) {
          it->second = std::move(v);
          return;
        }
      }
    }
    vars_.emplace_back(name, std::move(v));
  }

  Status walk(const std::vector<Node>& nodes, const Ref& dot) {
    for (const Node& n : nodes) {
      HAKO_TRY(walk_node(n, dot));
      if (flow_ != Flow::kNormal) break;
    }
    return ok();
  }

  Status walk_node(const Node& n, const Ref& dot) {
    HAKO_TRY(step(n.pos));
    switch (n.kind) {
      case Node::Kind::kText:
        return emit(n.text);
      case Node::Kind::kAction: {
        HAKO_TRY_ASSIGN(Ref v, eval_pipeline(n.pipe, dot, true));
        if (!n.pipe.decl.empty()) return ok();
        if (v->is_string()) return emit(v->get_ref<const std::string&>());
        return emit(v->is_null() ? "<no value>" : go_sprint_value(*v));
      }
      case Node::Kind::kIf:
      case Node::Kind::kWith: {
        size_t mark = vars_.size();
        HAKO_TRY_ASSIGN(Ref v, eval_pipeline(n.pipe, dot, true));
        Status s = is_true(*v) ? walk(n.body, n.kind == Node::Kind::kWith ? v : dot)
                               : walk(n.else_body, dot);
        pop_vars(mark);
        return s;
      }
      case Node::Kind::kRange:
        return range(n, dot);
      case Node::Kind::kBreak:
        flow_ = Flow::kBreak;
        return ok();
      case Node::Kind::kContinue:
        flow_ = Flow::kContinue;
        return ok();
    }
    return ok();
  }

  // One pass of a range body; false when {{break}} ended the loop.
  Result<bool> iteration(const Node& n, const Ref& key, const Ref& elem) {
    HAKO_TRY(step(n.pos));
    size_t mark = vars_.size();
    if (n.pipe.decl.size() == 1) declare(n.pipe, n.pipe.decl[0], elem);
    if (n.pipe.decl.size() == 2) {
      declare(n.pipe, n.pipe.decl[0], key);
      declare(n.pipe, n.pipe.decl[1], elem);
    }
    Status s = walk(n.body, elem);
    pop_vars(mark);
    HAKO_TRY(s);
    bool more = flow_ != Flow::kBreak;
    flow_ = Flow::kNormal;
    return more;
  }

  Status range(const Node& n, const Ref& dot) {
    size_t mark = vars_.size();
    HAKO_TRY_ASSIGN(Ref v, eval_pipeline(n.pipe, dot, false));
    const Json& val = *v;
    bool any = false;
    if (val.is_array()) {
      for (size_t i = 0; i < val.size(); ++i) {
        any = true;
        HAKO_TRY_ASSIGN(bool more,
                        iteration(n, make_ref(static_cast<int64_t>(i)), alias_ref(v, val[i])));
        if (!more) break;
      }
    } else if (val.is_object()) {  // nlohmann keeps keys sorted, the order Go ranges maps in
      for (auto it = val.begin(); it != val.end(); ++it) {
        any = true;
        HAKO_TRY_ASSIGN(bool more, iteration(n, make_ref(it.key()), alias_ref(v, it.value())));
        if (!more) break;
      }
    } else if (val.is_number_integer()) {  // Go 1.22: range over an int counts up to it
      if (n.pipe.decl.size() > 1)
        return exec_error(n.pipe.pos, val.dump(),
                          "can't use " + val.dump() + " to iterate over more than one variable");
      int64_t count = val.is_number_unsigned() ? INT64_MAX : val.get<int64_t>();
      for (int64_t i = 0; i < count; ++i) {
        any = true;
        HAKO_TRY_ASSIGN(bool more, iteration(n, null_ref(), make_ref(i)));
        if (!more) break;
      }
    } else if (!val.is_null()) {
      return exec_error(n.pipe.pos, n.pipe.cmds[0].text,
                        "range can't iterate over " + go_sprint_value(val));
    }
    Status s = any ? ok() : walk(n.else_body, dot);
    pop_vars(mark);
    return s;
  }

  Result<Ref> eval_pipeline(const Pipeline& p, const Ref& dot, bool apply_decl) {
    Ref value;
    for (size_t i = 0; i < p.cmds.size(); ++i) {
      HAKO_TRY_ASSIGN(value, eval_command(p.cmds[i], dot, i > 0 ? &value : nullptr));
    }
    if (apply_decl)
      for (const std::string& name : p.decl) declare(p, name, value);
    return value;
  }

  Result<Ref> eval_command(const Command& c, const Ref& dot, const Ref* final) {
    HAKO_TRY(step(c.pos));
    const Operand& first = c.args[0];
    if (first.kind == Operand::Kind::kFunction) return call(first, c.args, 1, dot, final);
    if (first.kind == Operand::Kind::kNil) return exec_error(c.pos, c.text, "nil is not a command");
    if (c.args.size() > 1 || final != nullptr) {
      if (!first.chain.empty() && first.kind != Operand::Kind::kLiteral)
        return exec_error(first.pos, first.text,
                          first.chain.back() + " is not a method but has arguments");
      return exec_error(first.pos, first.text, "can't give argument to non-function " + first.text);
    }
    return eval_arg(first, dot);
  }

  Result<Ref> eval_arg(const Operand& o, const Ref& dot) {
    Ref base;
    switch (o.kind) {
      case Operand::Kind::kDot:
      case Operand::Kind::kField:
        base = dot;
        break;
      case Operand::Kind::kNil:
        return null_ref();
      case Operand::Kind::kLiteral:
        return borrow_ref(o.literal);  // the tree outlives the execution
      case Operand::Kind::kFunction:
        return call(o, {}, 0, dot, nullptr);
      case Operand::Kind::kVariable:
        base = lookup(o.name);
        if (!base) return exec_error(o.pos, o.text, "undefined variable " + o.name);
        break;
      case Operand::Kind::kPipeline: {
        HAKO_TRY_ASSIGN(base, eval_pipeline(*o.pipeline, dot, true));
        break;
      }
    }
    return field_chain(base, o);
  }

  Ref lookup(const std::string& name) const {
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it)
      if (it->first == name) return it->second;
    return nullptr;
  }

  Result<Ref> field_chain(Ref cur, const Operand& o) {
    bool from_top =
        o.kind == Operand::Kind::kField || (o.kind == Operand::Kind::kVariable && o.name == "$");
    size_t n = mode_ == ExecMode::kHeader && from_top ? std::min<size_t>(1, o.chain.size())
                                                      : o.chain.size();
    for (size_t i = 0; i < n; ++i) {
      const std::string& f = o.chain[i];
      const Json& v = *cur;
      if (v.is_object()) {
        auto it = v.find(f);
        cur = it == v.end() ? null_ref() : alias_ref(cur, *it);
      } else if (v.is_null()) {
        return exec_error(o.pos, o.text, "nil pointer evaluating interface {}." + f);
      } else {
        return exec_error(o.pos, o.text,
                          "can't evaluate field " + f + " in type " + go_type_name(v));
      }
    }
    return cur;
  }

  // Calls fn with args[from..] (evaluated against dot) plus the piped-in final value.
  Result<Ref> call(const Operand& fn, const std::vector<Operand>& args, size_t from, const Ref& dot,
                   const Ref* final) {
    const Function* f = find_function(fn.name);
    std::string context = fn.text;
    if (from > 0 && !args.empty()) {
      context.clear();
      for (size_t i = 0; i < args.size(); ++i) context += (i ? " " : "") + args[i].text;
    }
    if (f == nullptr)
      return exec_error(fn.pos, context, "function \"" + fn.name + "\" not defined");
    size_t n = args.size() - std::min(from, args.size()) + (final != nullptr);
    if (n < f->min_args || n > f->max_args) {
      std::string want = f->min_args == f->max_args ? std::to_string(f->min_args)
                                                    : "at least " + std::to_string(f->min_args);
      return exec_error(
          fn.pos, context,
          "wrong number of args for " + fn.name + ": want " + want + " got " + std::to_string(n));
    }
    auto arg = [&](size_t i) -> Result<Ref> {
      if (from + i < args.size()) return eval_arg(args[from + i], dot);
      return *final;
    };
    if (f->lazy) {  // and/or stop at the first argument that decides the result
      Ref v;
      for (size_t i = 0; i < n; ++i) {
        HAKO_TRY_ASSIGN(v, arg(i));
        if (is_true(*v) == (fn.name == "or")) return v;
      }
      return v;
    }
    std::vector<Ref> vals;
    vals.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      HAKO_TRY_ASSIGN(Ref v, arg(i));
      vals.push_back(std::move(v));
    }
    if (mode_ == ExecMode::kHeader && f->header_identity) return vals[0];
    Result<Ref> r = f->call(vals);
    if (!r)
      return exec_error(fn.pos, context, "error calling " + fn.name + ": " + r.error().message());
    return r;
  }

  const Tree& tree_;
  ExecMode mode_;
  std::string& out_;
  std::vector<std::pair<std::string, Ref>> vars_;
  Flow flow_ = Flow::kNormal;
  uint64_t steps_ = 0;
};

}  // namespace

Result<std::string> execute_tree(const Tree& tree, const Json& dot, ExecMode mode) {
  std::string out;
  Status s = Exec(tree, mode, out).run(borrow_ref(dot));
  if (!s && mode != ExecMode::kHeader) return std::move(s).error();
  return out;
}

}  // namespace hako::format
