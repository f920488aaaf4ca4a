#include "format/parser.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string>
#include <vector>

#include "format/functions.h"
#include "format/lexer.h"

namespace hako::format {
namespace {

bool is_keyword(std::string_view w) {
  return w == "if" || w == "else" || w == "end" || w == "range" || w == "with" || w == "break" ||
         w == "continue" || w == "define" || w == "template" || w == "block" || w == "nil";
}

// Go's number literals, reduced: decimal and hex integers, decimal floats, underscores.
std::optional<nlohmann::json> parse_number(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
  bool neg = !s.empty() && s[0] == '-';
  std::string_view body = s;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) body.remove_prefix(1);
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')) {
    uint64_t u = 0;
    auto [p, ec] = std::from_chars(body.data() + 2, body.data() + body.size(), u, 16);
    if (ec != std::errc() || p != body.data() + body.size()) return std::nullopt;
    if (!neg) return nlohmann::json(u);
    if (u > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
    return nlohmann::json(static_cast<int64_t>(0 - u));
  }
  if (body.find_first_of(".eE") == std::string_view::npos) {
    int64_t i = 0;
    auto [p, ec] = std::from_chars(s.data() + (s[0] == '+'), s.data() + s.size(), i);
    if (ec == std::errc() && p == s.data() + s.size()) return nlohmann::json(i);
    uint64_t u = 0;
    auto [p2, ec2] = std::from_chars(body.data(), body.data() + body.size(), u);
    if (!neg && ec2 == std::errc() && p2 == body.data() + body.size()) return nlohmann::json(u);
  }
  double d = 0;
  auto [p, ec] = std::from_chars(s.data() + (s[0] == '+'), s.data() + s.size(), d);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return nlohmann::json(d);
}

class Parser {
 public:
  Parser(std::string_view src, std::vector<Token> toks) : src_(src), toks_(std::move(toks)) {}

  Result<std::vector<Node>> parse() {
    std::vector<Node> root;
    HAKO_TRY_ASSIGN(Stop stop, list(root));
    if (stop.kind == Stop::kEnd) return error(stop.pos, "unexpected {{end}}");
    if (stop.kind == Stop::kElse) return error(stop.pos, "unexpected {{else}}");
    return root;
  }

 private:
  struct Stop {
    enum Kind { kEof, kEnd, kElse } kind;
    size_t pos;
  };

  const Token& peek() const { return toks_[i_]; }
  const Token& next() { return toks_[i_ < toks_.size() - 1 ? i_++ : i_]; }
  Error error(size_t pos, std::string_view msg) const { return template_error(src_, pos, msg); }

  // Go's spelling of a token in "unexpected X in Y".
  std::string describe(const Token& t) const {
    if (t.kind == Tok::kEof) return "EOF";
    if (t.kind == Tok::kRightDelim) return "\"}}\"";
    if (t.kind == Tok::kDot) return "<.>";
    if (t.kind == Tok::kIdentifier && is_keyword(t.value)) return "<" + t.value + ">";
    // Appended piecewise: GCC 12 warns falsely (-Wrestrict) on the chained operator+ form.
    std::string out = "\"";
    out.append(src_.substr(t.pos, t.len));
    out += '"';
    return out;
  }
  Error unexpected(const Token& t, std::string_view context) const {
    return error(t.pos, "unexpected " + describe(t) + " in " + std::string(context));
  }

  Status enter(size_t pos) {
    if (++depth_ > kMaxNesting)
      return error(pos, "nesting too deep (the limit is " + std::to_string(kMaxNesting) + ")");
    return ok();
  }

  // Nodes until EOF, {{end}} or {{else}}; for the latter two the "{{" and keyword are consumed.
  Result<Stop> list(std::vector<Node>& out) {
    while (true) {
      const Token& t = next();
      if (t.kind == Tok::kEof) return Stop{Stop::kEof, t.pos};
      if (t.kind == Tok::kText) {
        out.push_back(Node{Node::Kind::kText, t.pos, t.value, {}, {}, {}});
        continue;
      }
      const Token& kw = peek();
      if (kw.kind == Tok::kIdentifier) {
        if (kw.value == "end" || kw.value == "else") {
          next();
          if (kw.value == "end") {
            HAKO_TRY(expect_close("end"));
            return Stop{Stop::kEnd, t.pos};
          }
          return Stop{Stop::kElse, t.pos};
        }
        if (kw.value == "if" || kw.value == "range" || kw.value == "with") {
          next();
          HAKO_TRY_ASSIGN(Node n, control(kw.value, t.pos));
          out.push_back(std::move(n));
          continue;
        }
        if (kw.value == "break" || kw.value == "continue") {
          next();
          if (ranges_ == 0) return error(t.pos, "{{" + kw.value + "}} outside {{range}}");
          HAKO_TRY(expect_close(kw.value));
          out.push_back(Node{kw.value == "break" ? Node::Kind::kBreak : Node::Kind::kContinue,
                             t.pos,
                             "",
                             {},
                             {},
                             {}});
          continue;
        }
        if (kw.value == "define" || kw.value == "template" || kw.value == "block") {
          return error(kw.pos, "{{" + kw.value + "}} is not supported");
        }
      }
      Node n{Node::Kind::kAction, t.pos, "", {}, {}, {}};
      HAKO_TRY_ASSIGN(n.pipe, pipeline("command", Tok::kRightDelim));
      out.push_back(std::move(n));
    }
  }

  Status expect_close(std::string_view context) {
    const Token& t = next();
    if (t.kind != Tok::kRightDelim) return unexpected(t, context);
    return ok();
  }

  // After "{{if" / "{{range" / "{{with": the pipeline, body, optional else, through {{end}}.
  Result<Node> control(const std::string& kw, size_t pos) {
    HAKO_TRY(enter(pos));
    size_t mark = vars_.size();
    Node n{kw == "if"      ? Node::Kind::kIf
           : kw == "range" ? Node::Kind::kRange
                           : Node::Kind::kWith,
           pos,
           "",
           {},
           {},
           {}};
    HAKO_TRY_ASSIGN(n.pipe, pipeline(kw, Tok::kRightDelim));
    if (n.kind == Node::Kind::kRange) ++ranges_;
    HAKO_TRY_ASSIGN(Stop stop, list(n.body));
    if (n.kind == Node::Kind::kRange) --ranges_;
    if (stop.kind == Stop::kElse) {
      const Token& t = peek();
      if (n.kind != Node::Kind::kRange && t.kind == Tok::kIdentifier && t.value == kw) {
        // {{else if X}} / {{else with X}}: a nested block that consumes the shared {{end}}.
        next();
        HAKO_TRY_ASSIGN(Node inner, control(kw, stop.pos));
        n.else_body.push_back(std::move(inner));
        stop.kind = Stop::kEnd;
      } else {
        HAKO_TRY(expect_close("else"));
        HAKO_TRY_ASSIGN(stop, list(n.else_body));
        if (stop.kind == Stop::kElse) return error(stop.pos, "expected end; found {{else}}");
      }
    }
    if (stop.kind == Stop::kEof) return error(stop.pos, "unexpected EOF");
    vars_.resize(mark);
    --depth_;
    return n;
  }

  Status declarations(Pipeline& p, std::string_view context) {
    while (peek().kind == Tok::kVariable) {
      const Token& after = toks_[i_ + 1];
      if (after.kind != Tok::kDeclare && after.kind != Tok::kAssign && after.kind != Tok::kComma)
        return ok();
      const Token& v = next();
      next();
      if (after.kind == Tok::kAssign) {
        if (!has_var(v.value)) return error(v.pos, "undefined variable \"" + v.value + "\"");
        p.is_assign = true;
      } else {
        vars_.push_back(v.value);
      }
      p.decl.push_back(v.value);
      if (after.kind != Tok::kComma) return ok();
      if (context != "range" || p.decl.size() >= 2 || peek().kind != Tok::kVariable)
        return error(v.pos, context == "range"
                                ? "range can only initialize variables"
                                : "too many declarations in " + std::string(context));
    }
    return ok();
  }

  Result<Pipeline> pipeline(std::string_view context, Tok end) {
    Pipeline p;
    p.pos = peek().pos;
    HAKO_TRY(declarations(p, context));
    bool after_pipe = false;
    while (true) {
      const Token& t = peek();
      if (t.kind == end) {
        next();
        if (p.cmds.empty() || after_pipe)
          return error(t.pos, "missing value for " + std::string(after_pipe ? "command" : context));
        return p;
      }
      if (!starts_operand(t)) return unexpected(t, context);
      HAKO_TRY_ASSIGN(Command c, command());
      if (!p.cmds.empty() && is_literal(c.args[0])) {
        return error(
            c.pos, "non executable command in pipeline stage " + std::to_string(p.cmds.size() + 1));
      }
      p.cmds.push_back(std::move(c));
      after_pipe = peek().kind == Tok::kPipe;
      if (after_pipe) next();
    }
  }

  static bool is_literal(const Operand& o) {
    return o.kind == Operand::Kind::kLiteral || o.kind == Operand::Kind::kDot ||
           o.kind == Operand::Kind::kNil;
  }

  bool starts_operand(const Token& t) const {
    switch (t.kind) {
      case Tok::kField:
      case Tok::kVariable:
      case Tok::kDot:
      case Tok::kString:
      case Tok::kNumber:
      case Tok::kBool:
      case Tok::kLeftParen:
        return true;
      case Tok::kIdentifier:
        return !is_keyword(t.value) || t.value == "nil";
      default:
        return false;
    }
  }

  Result<Command> command() {
    Command c;
    c.pos = peek().pos;
    while (true) {
      HAKO_TRY_ASSIGN(Operand o, operand());
      c.args.push_back(std::move(o));
      const Token& t = peek();
      if (t.kind == Tok::kRightDelim || t.kind == Tok::kRightParen || t.kind == Tok::kPipe) break;
      if (!t.space_before || !starts_operand(t)) return unexpected(t, "operand");
    }
    const Token& last = toks_[i_ - 1];
    c.text = std::string(src_.substr(c.pos, last.pos + last.len - c.pos));
    return c;
  }

  Result<Operand> operand() {
    HAKO_TRY_ASSIGN(Operand o, term());
    while (peek().kind == Tok::kField && !peek().space_before) {
      if (o.kind == Operand::Kind::kLiteral || o.kind == Operand::Kind::kDot ||
          o.kind == Operand::Kind::kNil || o.kind == Operand::Kind::kFunction) {
        return error(peek().pos, "unexpected . after term \"" + o.text + "\"");
      }
      o.chain.push_back(next().value);
    }
    const Token& last = toks_[i_ - 1];
    o.text = std::string(src_.substr(o.pos, last.pos + last.len - o.pos));
    return o;
  }

  bool has_var(const std::string& name) const {
    return std::find(vars_.begin(), vars_.end(), name) != vars_.end();
  }

  Result<Operand> term() {
    const Token& t = next();
    Operand o;
    o.pos = t.pos;
    o.text = std::string(src_.substr(t.pos, t.len));
    switch (t.kind) {
      case Tok::kIdentifier:
        if (t.value == "nil") {
          o.kind = Operand::Kind::kNil;
          return o;
        }
        if (find_function(t.value) == nullptr)
          return error(t.pos, "function \"" + t.value + "\" not defined");
        o.kind = Operand::Kind::kFunction;
        o.name = t.value;
        return o;
      case Tok::kDot:
        o.kind = Operand::Kind::kDot;
        return o;
      case Tok::kVariable:
        if (!has_var(t.value)) return error(t.pos, "undefined variable \"" + t.value + "\"");
        o.kind = Operand::Kind::kVariable;
        o.name = t.value;
        return o;
      case Tok::kField:
        o.kind = Operand::Kind::kField;
        o.chain.push_back(t.value);
        return o;
      case Tok::kBool:
        o.kind = Operand::Kind::kLiteral;
        o.literal = t.value == "true";
        return o;
      case Tok::kString:
        o.kind = Operand::Kind::kLiteral;
        o.literal = t.value;
        return o;
      case Tok::kNumber: {
        auto n = parse_number(t.value);
        if (!n) return error(t.pos, "bad number syntax: \"" + t.value + "\"");
        o.kind = Operand::Kind::kLiteral;
        o.literal = std::move(*n);
        return o;
      }
      case Tok::kLeftParen: {
        HAKO_TRY(enter(t.pos));
        HAKO_TRY_ASSIGN(Pipeline p, pipeline("parenthesized pipeline", Tok::kRightParen));
        --depth_;
        o.kind = Operand::Kind::kPipeline;
        o.pipeline = std::make_shared<const Pipeline>(std::move(p));
        return o;
      }
      default:
        return unexpected(t, "operand");
    }
  }

  std::string_view src_;
  std::vector<Token> toks_;
  size_t i_ = 0;
  int depth_ = 0;
  int ranges_ = 0;
  std::vector<std::string> vars_{"$"};
};

}  // namespace

Result<Tree> parse_tree(std::string_view src) {
  if (src.size() > kMaxTemplateBytes) {
    return invalid_argument("template: too long (" + std::to_string(src.size()) +
                            " bytes; the limit is " + std::to_string(kMaxTemplateBytes) + ")");
  }
  HAKO_TRY_ASSIGN(std::vector<Token> toks, lex(src));
  Tree tree;
  tree.source = std::string(src);
  HAKO_TRY_ASSIGN(tree.root, Parser(tree.source, std::move(toks)).parse());
  return tree;
}

}  // namespace hako::format
