#include <gtest/gtest.h>

#include <random>
#include <string>

#include "format/template.h"
#include "format/test_support.h"

namespace hako::format {
namespace {

using testing::J;
using testing::run;

std::string parse_error(std::string_view tmpl) {
  auto t = Template::parse(tmpl);
  return t ? "parsed" : t.error().message();
}

TEST(ParseErrors, NameThePosition) {
  EXPECT_EQ(parse_error("{{.Name"), "template: 1:1: unclosed action");
  EXPECT_EQ(parse_error("ab {{.Name}"), "template: 1:4: unclosed action");
  EXPECT_EQ(parse_error("{{foo}}"), "template: 1:3: function \"foo\" not defined");
  EXPECT_EQ(parse_error("{{.A | foo}}"), "template: 1:8: function \"foo\" not defined");
  EXPECT_EQ(parse_error("a\nb {{foo}}"), "template: 2:5: function \"foo\" not defined");
  EXPECT_EQ(parse_error("x {{end}}"), "template: 1:3: unexpected {{end}}");
  EXPECT_EQ(parse_error("{{else}}"), "template: 1:1: unexpected {{else}}");
  EXPECT_EQ(parse_error("{{if .A}}x"), "template: 1:11: unexpected EOF");
  EXPECT_EQ(parse_error("{{range .A}}{{else}}{{else}}{{end}}"),
            "template: 1:21: expected end; found {{else}}");
  EXPECT_EQ(parse_error("{{end 1}}"), "template: 1:7: unexpected \"1\" in end");
}

TEST(ParseErrors, BadSyntaxInsideActions) {
  EXPECT_EQ(parse_error("{{.A.}}"), "template: 1:5: unexpected <.> in operand");
  EXPECT_EQ(parse_error("{{.Na-me}}"), "template: 1:6: bad character U+002D '-'");
  EXPECT_EQ(parse_error("{{.A#}}"), "template: 1:5: bad character U+0023 '#'");
  EXPECT_EQ(parse_error("{{\"abc}}"), "template: 1:3: unterminated quoted string");
  EXPECT_EQ(parse_error("{{`abc}}"), "template: 1:3: unterminated raw quoted string");
  EXPECT_EQ(parse_error("{{\"a\\qb\"}}"), "template: 1:3: bad string syntax: \"a\\q");
  EXPECT_EQ(parse_error("{{(.A}}"), "template: 1:6: unclosed left paren");
  EXPECT_EQ(parse_error("{{.A)}}"), "template: 1:5: unexpected right paren");
  EXPECT_EQ(parse_error("{{}}"), "template: 1:3: missing value for command");
  EXPECT_EQ(parse_error("{{.A |}}"), "template: 1:7: missing value for command");
  EXPECT_EQ(parse_error("{{if}}{{end}}"), "template: 1:5: missing value for if");
  EXPECT_EQ(parse_error("{{$x}}"), "template: 1:3: undefined variable \"$x\"");
  EXPECT_EQ(parse_error("{{$x = 1}}"), "template: 1:3: undefined variable \"$x\"");
  EXPECT_EQ(parse_error("{{if 1}}{{$x := 1}}{{end}}{{$x}}"),
            "template: 1:29: undefined variable \"$x\"");
  EXPECT_EQ(parse_error("{{.A | \"x\"}}"),
            "template: 1:8: non executable command in pipeline stage 2");
  EXPECT_EQ(parse_error("{{1x}}"), "template: 1:3: bad number syntax: \"1x\"");
  EXPECT_EQ(parse_error("{{.A\"x\"}}"), "template: 1:5: unexpected \"\"x\"\" in operand");
  EXPECT_EQ(parse_error("{{\"s\".A}}"), "template: 1:6: unexpected . after term \"\"s\"\"");
  EXPECT_EQ(parse_error("{{/* x }}"), "template: 1:1: unclosed comment");
  EXPECT_EQ(parse_error("{{/* x */ .A}}"), "template: 1:10: comment ends before closing delimiter");
  EXPECT_EQ(parse_error("{{.A if}}"), "template: 1:6: unexpected <if> in operand");
}

TEST(ParseErrors, UnsupportedActions) {
  EXPECT_EQ(parse_error("{{template \"x\"}}"), "template: 1:3: {{template}} is not supported");
  EXPECT_EQ(parse_error("{{define \"x\"}}{{end}}"), "template: 1:3: {{define}} is not supported");
  EXPECT_EQ(parse_error("{{break}}"), "template: 1:1: {{break}} outside {{range}}");
  EXPECT_EQ(parse_error("{{range .}}{{else}}{{continue}}{{end}}"),
            "template: 1:20: {{continue}} outside {{range}}");
  EXPECT_EQ(parse_error("{{html .}}"), "template: 1:3: function \"html\" not defined");
}

TEST(ExecErrors, NameTheAction) {
  EXPECT_EQ(run("x\n  {{index .L 5}}", J(R"({"L":[]})")),
            "ERR: template: 2:5: executing at <index .L 5>: error calling index: index out of "
            "range: 5");
  EXPECT_EQ(run("{{nil}}"), "ERR: template: 1:3: executing at <nil>: nil is not a command");
  EXPECT_EQ(run("{{$x := 1}}{{$x 2}}"),
            "ERR: template: 1:14: executing at <$x>: can't give argument to non-function $x");
}

TEST(Bounds, TemplateSize) {
  std::string big(64 * 1024, 'x');
  EXPECT_EQ(parse_error(big), "parsed");
  big += 'x';
  EXPECT_EQ(parse_error(big), "template: too long (65537 bytes; the limit is 65536)");
}

TEST(Bounds, Nesting) {
  std::string ok_t, deep;
  for (int i = 0; i < 100; ++i) ok_t += "{{if 1}}";
  for (int i = 0; i < 100; ++i) ok_t += "{{end}}";
  EXPECT_EQ(parse_error(ok_t), "parsed");
  for (int i = 0; i < 101; ++i) deep += "{{with 1}}";
  EXPECT_EQ(parse_error(deep), "template: 1:1001: nesting too deep (the limit is 100)");
  std::string parens = "{{" + std::string(101, '(') + "1" + std::string(101, ')') + "}}";
  EXPECT_NE(parse_error(parens).find("nesting too deep"), std::string::npos);
  std::string mixed = std::string("{{if 1}}") + "{{" + std::string(100, '(') + "1" +
                      std::string(100, ')') + "}}{{end}}";
  EXPECT_NE(parse_error(mixed).find("nesting too deep"), std::string::npos);
}

TEST(Bounds, Output) {
  EXPECT_EQ(run("{{range 70}}{{pad \"x\" 1000000 0}}{{end}}"),
            "ERR: template: output exceeds 64 MiB");
  EXPECT_NE(run("{{pad \"x\" 70000000 0}}").find("result exceeds 64 MiB"), std::string::npos);
  // Doubling a variable: each step's result is bounded, so the blowup stops early.
  EXPECT_NE(run("{{$s := \"xxxxxxxxxxxxxxxx\"}}{{range 40}}{{$s = printf \"%s%s\" $s $s}}{{end}}")
                .find("result exceeds 64 MiB"),
            std::string::npos);
}

TEST(Bounds, Steps) {
  EXPECT_EQ(run("{{range 100000000}}{{end}}"),
            "ERR: template: 1:1: execution exceeds 1000000 steps");
}

// Random splices of template fragments: whatever parses must execute without crashing (the
// sanitizers watch), and whatever fails must fail with a "template: " message.
TEST(Robustness, RandomTemplates) {
  const char* frags[] = {
      "{{",       "}}",  "{{-",  " -}}", ".A",    ".B.C", "$",     "$x",    ":=",
      "=",        "|",   "(",    ")",    "\"s\"", "`r`",  "1",     "-2",    "1.5",
      "'c'",      "if",  "else", "end",  "range", "with", "break", "index", "printf \"%5d\"",
      "len",      "and", "or",   "not",  "eq",    "json", "split", "join",  "pad",
      "truncate", " ",   "\n",   "x",    "/*",    "*/",   ",",     "nil",   "true"};
  auto data = J(R"({"A":[1,"two",null],"B":{"C":{"k":"v"}},"s":"str"})");
  std::mt19937 rng(42);
  int parsed = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string t;
    int n = static_cast<int>(rng() % 12) + 1;
    bool actions = iter % 2 == 0;  // half are well-delimited actions, to get past the lexer
    for (int k = 0; k < n; ++k) {
      if (actions) t += k % 3 == 0 ? "{{" : " ";
      t += frags[rng() % std::size(frags)];
      if (actions && k % 3 == 2) t += "}}";
    }
    if (actions && n % 3 != 0) t += "}}";
    std::string out = run(t, data);
    parsed += out.rfind("ERR: ", 0) != 0;
    if (out.rfind("ERR: ", 0) == 0) {
      EXPECT_EQ(out.rfind("ERR: template: ", 0), 0u) << t << " -> " << out;
    }
  }
  EXPECT_GT(parsed, 2000);  // the generator must reach the evaluator, not only the lexer
}

}  // namespace
}  // namespace hako::format
