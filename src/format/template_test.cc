#include <gtest/gtest.h>

#include "format/template.h"
#include "format/test_support.h"

namespace hako::format {
namespace {

using testing::J;
using testing::run;

TEST(Template, FieldsNestedDotAndRoot) {
  auto d = J(R"({"Name":"web","Config":{"Image":"alpine","Env":["A=1","B=2"]},"Prefix":"-"})");
  EXPECT_EQ(run("name={{.Name}}", d), "name=web");
  EXPECT_EQ(run("{{.Config.Image}}", d), "alpine");
  EXPECT_EQ(run("{{.Config.Env}}", d), "[A=1 B=2]");
  EXPECT_EQ(run("{{range .Config.Env}}{{$.Prefix}}{{.}}{{end}}", d), "-A=1-B=2");
  EXPECT_EQ(run("{{.}}", J(R"("plain")")), "plain");
  EXPECT_EQ(run("{{.}}", J(R"({"b":"x","a":1})")), "map[a:1 b:x]");
  EXPECT_EQ(run("no actions at all"), "no actions at all");
  EXPECT_EQ(run("{{ .Name }}|{{ range .Config.Env }}{{ . }};{{ end }}", d), "web|A=1;B=2;");
  EXPECT_EQ(run("{{\n.Name\n}}", d), "web");
}

TEST(Template, MissingFieldsFollowGoMaps) {
  auto d = J(R"({"Name":"web","Null":null,"State":{}})");
  EXPECT_EQ(run("{{.Missing}}", d), "<no value>");
  EXPECT_EQ(run("{{.Null}}", d), "<no value>");
  EXPECT_EQ(run("{{.State.Health}}", d), "<no value>");
  EXPECT_EQ(run("{{.State.Health.Status}}", d),
            "ERR: template: 1:3: executing at <.State.Health.Status>: nil pointer evaluating "
            "interface {}.Status");
  EXPECT_EQ(run("{{.Name.First}}", d),
            "ERR: template: 1:3: executing at <.Name.First>: can't evaluate field First in type "
            "string");
  // Inside fmt's printing, nil is <nil>.
  EXPECT_EQ(run("{{print .Missing}} {{.L}}", J(R"({"L":[1,null]})")), "<nil> [1 <nil>]");
}

TEST(Template, ValuesPrintLikeGo) {
  EXPECT_EQ(run("{{.}}", J("42")), "42");
  EXPECT_EQ(run("{{.}}", J("-7")), "-7");
  EXPECT_EQ(run("{{.}}", J("18446744073709551615")), "18446744073709551615");
  EXPECT_EQ(run("{{.}}", J("1.5")), "1.5");
  EXPECT_EQ(run("{{.}}", J("3.0")), "3");
  EXPECT_EQ(run("{{.}}", J("100000.0")), "100000");
  EXPECT_EQ(run("{{.}}", J("1234567.0")), "1.234567e+06");
  EXPECT_EQ(run("{{.}}", J("0.0001")), "0.0001");
  EXPECT_EQ(run("{{.}}", J("0.00001")), "1e-05");
  EXPECT_EQ(run("{{.}}", J("0.1")), "0.1");
  EXPECT_EQ(run("{{.}}", J("true")), "true");
  EXPECT_EQ(run("{{.}}", J("null")), "<no value>");
  EXPECT_EQ(run("{{.}}", J(R"(["a","b",3,[true],{"k":"v"}])")), "[a b 3 [true] map[k:v]]");
  EXPECT_EQ(run("{{.}}", J("[]")), "[]");
  EXPECT_EQ(run("{{.}}", J("{}")), "map[]");
}

TEST(Template, Literals) {
  EXPECT_EQ(run("{{\"a\\tb\"}}"), "a\tb");
  EXPECT_EQ(run("{{`a\\tb`}}"), "a\\tb");
  EXPECT_EQ(run("{{\"\\u00e9\\x41\\101\\\"\"}}"),
            "\xc3\xa9"
            "AA\"");
  EXPECT_EQ(run("{{1}} {{-3}} {{+4}} {{0x1F}} {{1.5}} {{1e3}} {{1_000}}"),
            "1 -3 4 31 1.5 1000 1000");
  EXPECT_EQ(run("{{'a'}} {{'\\n'}}"), "97 10");
  EXPECT_EQ(run("{{true}} {{false}}"), "true false");
}

TEST(Template, Variables) {
  auto d = J(R"({"Name":"web","L":["a","b"]})");
  EXPECT_EQ(run("{{$x := .Name}}[{{$x}}]", d), "[web]");
  EXPECT_EQ(run("{{range $i, $e := .L}}{{$i}}={{$e}} {{end}}", d), "0=a 1=b ");
  EXPECT_EQ(run("{{range $e := .L}}<{{$e}}>{{end}}", d), "<a><b>");
  EXPECT_EQ(run("{{$n := \"none\"}}{{range .L}}{{$n = .}}{{end}}{{$n}}", d), "b");
  EXPECT_EQ(run("{{with $x := .Name}}{{$x}}{{.}}{{end}}", d), "webweb");
  EXPECT_EQ(run("{{$.Name}}", d), "web");
  EXPECT_EQ(run("{{$}}", J("1")), "1");
}

TEST(Template, Range) {
  auto d = J(R"({"L":["a","b","c"],"E":[],"M":{"b":2,"a":1},"N":null})");
  EXPECT_EQ(run("{{range .L}}{{.}},{{end}}", d), "a,b,c,");
  EXPECT_EQ(run("{{range .E}}x{{else}}empty{{end}}", d), "empty");
  EXPECT_EQ(run("{{range .N}}x{{else}}null{{end}}", d), "null");
  EXPECT_EQ(run("{{range .Missing}}x{{else}}missing{{end}}", d), "missing");
  EXPECT_EQ(run("{{range .M}}{{.}}{{end}}", d), "12");
  EXPECT_EQ(run("{{range $k, $v := .M}}{{$k}}={{$v}};{{end}}", d), "a=1;b=2;");
  EXPECT_EQ(run("{{range 3}}{{.}}{{end}}"), "012");
  EXPECT_EQ(run("{{range .L}}{{if eq . \"b\"}}{{break}}{{end}}{{.}}{{end}}", d), "a");
  EXPECT_EQ(run("{{range .L}}{{if eq . \"b\"}}{{continue}}{{end}}{{.}}{{end}}", d), "ac");
  EXPECT_EQ(run("{{range .L}}{{range $.M}}{{.}}{{end}}|{{end}}", d), "12|12|12|");
  EXPECT_EQ(run("{{range .L.X}}{{end}}", d).substr(0, 34), "ERR: template: 1:9: executing at <");
  EXPECT_EQ(run("{{range \"s\"}}{{end}}"),
            "ERR: template: 1:9: executing at <\"s\">: range can't iterate over s");
}

TEST(Template, IfElseIfWith) {
  const char* t = "{{if eq .N 1}}one{{else if eq .N 2}}two{{else}}many{{end}}";
  EXPECT_EQ(run(t, J(R"({"N":1})")), "one");
  EXPECT_EQ(run(t, J(R"({"N":2})")), "two");
  EXPECT_EQ(run(t, J(R"({"N":3})")), "many");
  EXPECT_EQ(run("{{with .Name}}<{{.}}>{{else}}none{{end}}", J(R"({"Name":"x"})")), "<x>");
  EXPECT_EQ(run("{{with .Name}}<{{.}}>{{else}}none{{end}}", J(R"({"Name":""})")), "none");
  const char* w = "{{with .A}}a={{.}}{{else with .B}}b={{.}}{{else}}none{{end}}";
  EXPECT_EQ(run(w, J(R"({"B":"y"})")), "b=y");
  EXPECT_EQ(run(w, J(R"({})")), "none");
}

TEST(Template, Truthiness) {
  for (const char* falsy : {"false", "0", "0.0", "\"\"", "null", "[]", "{}"})
    EXPECT_EQ(run("{{if .}}T{{else}}F{{end}}", J(falsy)), "F") << falsy;
  for (const char* truthy : {"true", "1", "-1", "0.5", "\"0\"", "[0]", "{\"a\":0}"})
    EXPECT_EQ(run("{{if .}}T{{else}}F{{end}}", J(truthy)), "T") << truthy;
}

TEST(Template, PipelinesAndParens) {
  auto d = J(R"({"Name":"web","Names":["a","b"],"Items":[{"Name":"first"}]})");
  EXPECT_EQ(run("{{.Name | upper}}", d), "WEB");
  EXPECT_EQ(run("{{join .Names \", \"}}", d), "a, b");
  // The piped value is the last argument, so this is join(", ", .Names), an error as in Go.
  EXPECT_NE(run("{{.Names | join \", \"}}", d).find("expected []string; got string"),
            std::string::npos);
  EXPECT_EQ(run("{{\"x\" | printf \"%s-%s\" \"a\"}}", d), "a-x");
  EXPECT_EQ(run("{{.Name | upper | printf \"<%s>\"}}", d), "<WEB>");
  EXPECT_EQ(run("{{(index .Names 1) | upper}}", d), "B");
  EXPECT_EQ(run("{{(index .Items 0).Name}}", d), "first");
  EXPECT_EQ(run("{{len (split (join .Names \",\") \",\")}}", d), "2");
  EXPECT_EQ(run("{{.Name | .Names}}", d),
            "ERR: template: 1:11: executing at <.Names>: Names is not a method but has arguments");
  EXPECT_EQ(run("{{1 2}}"),
            "ERR: template: 1:3: executing at <1>: can't give argument to "
            "non-function 1");
}

TEST(Template, TrimMarkersAndComments) {
  EXPECT_EQ(run("a  {{- .X -}}  b", J(R"({"X":"X"})")), "aXb");
  EXPECT_EQ(run("a \n\t{{- .X}} \n", J(R"({"X":"X"})")), "aX \n");
  EXPECT_EQ(run("{{.X -}}\n  b", J(R"({"X":"X"})")), "Xb");
  EXPECT_EQ(run("a {{/* note */}} b"), "a  b");
  EXPECT_EQ(run("a {{- /* note */ -}} b"), "ab");
  EXPECT_EQ(run("{{range .}}\n  {{- .}}\n{{- end}}", J("[1,2]")), "12");
  // "{{-3}}" is the number -3, not a trim marker.
  EXPECT_EQ(run("x {{-3}}"), "x -3");
}

TEST(Template, AndOrShortCircuit) {
  EXPECT_EQ(run("{{and 1 0 2}}"), "0");
  EXPECT_EQ(run("{{and 1 2}}"), "2");
  EXPECT_EQ(run("{{or 0 \"\" \"x\"}}"), "x");
  EXPECT_EQ(run("{{or 0 \"\"}}"), "");
  EXPECT_EQ(run("{{or .A (index .Missing 1)}}", J(R"({"A":"yes"})")), "yes");
  EXPECT_EQ(run("{{and .Missing (index .Missing 1)}}", J("{}")), "<no value>");
  EXPECT_EQ(run("{{.A | and 1}}", J(R"({"A":"piped"})")), "piped");
  EXPECT_EQ(run("{{not 0}} {{not \"x\"}}"), "true false");
}

TEST(Template, Comparisons) {
  EXPECT_EQ(run("{{eq .A 1}} {{eq .A 2}}", J(R"({"A":1})")), "true false");
  EXPECT_EQ(run("{{eq \"a\" \"b\" \"a\"}}"), "true");
  EXPECT_EQ(run("{{eq 1 1.0}} {{ne 1 2}} {{eq .X .Y}}", J("{}")), "true true true");
  EXPECT_EQ(run("{{lt 1 2}} {{le 2 2}} {{gt \"b\" \"a\"}} {{ge 1 2}}"), "true true true false");
  EXPECT_EQ(run("{{lt -1 18446744073709551615}}"), "true");
  EXPECT_EQ(run("{{lt \"a\" 1}}"),
            "ERR: template: 1:3: executing at <lt \"a\" 1>: error calling "
            "lt: incompatible types for comparison");
  EXPECT_EQ(run("{{eq . .}}", J("[1]")),
            "ERR: template: 1:3: executing at <eq . .>: error "
            "calling eq: non-comparable type []interface {}");
  EXPECT_EQ(run("{{lt true false}}").find("invalid type for comparison") != std::string::npos,
            true);
}

TEST(Template, FieldsListsTopLevelNames) {
  auto t = Template::parse("{{.A}} {{.B.C}} {{range .L}}{{.X}}{{end}} {{$.A}} {{(index .D 1)}}");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->fields(), (std::vector<std::string>{"A", "B", "L", "X", "D"}));
}

TEST(Template, CopiesShareTheTree) {
  auto t = Template::parse("{{.}}!");
  ASSERT_TRUE(t);
  Template copy = *t;
  EXPECT_EQ(*copy.execute(nlohmann::json("hi")), "hi!");
  EXPECT_EQ(*t->execute(nlohmann::json(2)), "2!");
}

}  // namespace
}  // namespace hako::format
