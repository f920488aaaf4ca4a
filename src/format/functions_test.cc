#include <gtest/gtest.h>

#include "format/test_support.h"

namespace hako::format {
namespace {

using testing::J;
using testing::run;

TEST(Functions, Json) {
  auto d = J(R"({"Name":"web","Html":"<a&b>","L":[1,"x",null],"M":{"b":1,"a":2}})");
  EXPECT_EQ(run("{{json .Name}}", d), "\"web\"");
  EXPECT_EQ(run("{{json .Html}}", d), "\"<a&b>\"");
  EXPECT_EQ(run("{{json .L}}", d), "[1,\"x\",null]");
  EXPECT_EQ(run("{{json .M}}", d), "{\"a\":2,\"b\":1}");
  EXPECT_EQ(run("{{json .Missing}}", d), "null");
}

TEST(Functions, JoinSplit) {
  auto d = J(R"({"Names":["a","b","c"],"One":["x"],"None":[],"Mixed":["a",1]})");
  EXPECT_EQ(run("{{join .Names \", \"}}", d), "a, b, c");
  EXPECT_EQ(run("{{join .One \",\"}}|{{join .None \",\"}}|{{join .Missing \",\"}}", d), "x||");
  EXPECT_EQ(run("{{join .Mixed \"+\"}}", d), "a+1");
  EXPECT_EQ(run("{{split \"a,b,,c\" \",\"}}"), "[a b  c]");
  EXPECT_EQ(run("{{index (split \"k=v\" \"=\") 1}}"), "v");
  EXPECT_EQ(run("{{len (split \"\" \",\")}}"), "1");
  EXPECT_EQ(run("{{split \"h\xc3\xa9\" \"\"}}"), "[h \xc3\xa9]");
  EXPECT_EQ(run("{{join \"x\" \",\"}}"),
            "ERR: template: 1:3: executing at <join \"x\" \",\">: error calling join: wrong type "
            "for value; expected []string; got string");
}

TEST(Functions, CaseAndTitle) {
  EXPECT_EQ(run("{{lower \"MiXeD\"}} {{upper \"MiXeD\"}}"), "mixed MIXED");
  EXPECT_EQ(run("{{title \"hello world-foo bar_baz 9lives\"}}"), "Hello World-Foo Bar_baz 9lives");
  EXPECT_EQ(run("{{upper 5}}"),
            "ERR: template: 1:3: executing at <upper 5>: error calling "
            "upper: wrong type for value; expected string; got int");
}

TEST(Functions, TruncatePad) {
  EXPECT_EQ(run("{{truncate \"abcdef\" 3}}"), "abc");
  EXPECT_EQ(run("{{truncate \"ab\" 5}}|{{truncate \"abc\" 3}}|{{truncate \"abc\" 0}}"), "ab|abc|");
  EXPECT_EQ(run("{{truncate \"\xc3\xa9t\xc3\xa9\" 2}}"), "\xc3\xa9");
  EXPECT_EQ(run("{{truncate \"\xc3\xa9t\" 1}}"), "");
  EXPECT_EQ(run("[{{pad \"x\" 2 1}}]"), "[  x ]");
  EXPECT_EQ(run("[{{pad \"\" 2 2}}]"), "[]");
  EXPECT_EQ(run("{{truncate \"abc\" -1}}").find("negative length") != std::string::npos, true);
  EXPECT_EQ(run("{{truncate \"abc\" \"2\"}}").find("expected int; got string") != std::string::npos,
            true);
}

TEST(Functions, PrintPrintln) {
  EXPECT_EQ(run("{{print \"a\" 1 2 \"b\" true}}"), "a1 2btrue");
  EXPECT_EQ(run("{{println \"a\" 1}}"), "a 1\n");
  EXPECT_EQ(run("{{print}}|{{println}}"), "|\n");
  EXPECT_EQ(run("{{print .}}", J(R"({"k":[1,2]})")), "map[k:[1 2]]");
}

TEST(Functions, IndexAndLen) {
  auto d = J(R"({"Labels":{"com.example.v":"1"},"M":[[1,2],[3,4]],"S":"abc"})");
  EXPECT_EQ(run("{{index .Labels \"com.example.v\"}}", d), "1");
  // A missing key is the map's zero value: "" for map[string]string (all values strings, or
  // none), <no value> for any other map, as Go's template prints a nil interface.
  EXPECT_EQ(run("{{index .Labels \"nope\"}}", d), "");
  EXPECT_EQ(
      run("{{index .E \"nope\"}}|{{index .G \"nope\"}}", J(R"({"E":{},"G":{"a":"x","n":1}})")),
      "|<no value>");
  EXPECT_EQ(run("{{if index .Labels \"nope\"}}y{{else}}n{{end}}", d), "n");
  // Fields keep Go's <no value>.
  EXPECT_EQ(run("{{.Labels.nope}}", d), "<no value>");
  EXPECT_EQ(run("{{index .M 1 0}}", d), "3");
  EXPECT_EQ(run("{{index .S 1}}", d), "98");
  EXPECT_EQ(run("{{index .M}}", d), "[[1 2] [3 4]]");
  EXPECT_EQ(run("{{index .M 5}}", d),
            "ERR: template: 1:3: executing at <index .M 5>: error calling index: index out of "
            "range: 5");
  EXPECT_EQ(run("{{index .M -1}}", d).find("index out of range: -1") != std::string::npos, true);
  EXPECT_EQ(run("{{index .Labels 1}}", d).find("value has type int; should be string") !=
                std::string::npos,
            true);
  EXPECT_EQ(run("{{index .Nope 1}}", d).find("index of untyped nil") != std::string::npos, true);
  EXPECT_EQ(run("{{index 5 1}}", d).find("can't index item of type int") != std::string::npos,
            true);
  EXPECT_EQ(run("{{len .S}} {{len .M}} {{len .Labels}} {{len \"h\xc3\xa9\"}}", d), "3 2 1 3");
  EXPECT_EQ(run("{{len 3}}", d).find("len of type int") != std::string::npos, true);
}

TEST(Functions, ArityIsChecked) {
  EXPECT_EQ(run("{{join .}}", J("[]")),
            "ERR: template: 1:3: executing at <join .>: wrong number of args for join: want 2 "
            "got 1");
  EXPECT_EQ(run("{{\"a\" | pad 1 2 3}}").find("want 3 got 4") != std::string::npos, true);
  EXPECT_EQ(run("{{index}}").find("want at least 1 got 0") != std::string::npos, true);
  EXPECT_EQ(run("{{eq 1}}").find("missing argument for comparison") != std::string::npos, true);
}

}  // namespace
}  // namespace hako::format
