#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "format/go_print.h"

namespace hako::format {
namespace {

using Json = nlohmann::json;

// printf with JSON-literal arguments: pf("%d", {"42"}).
std::string pf(std::string_view f, std::vector<std::string> args = {}) {
  std::vector<Json> vals;
  for (const auto& a : args) vals.push_back(Json::parse(a));
  std::vector<const Json*> ptrs;
  for (const auto& v : vals) ptrs.push_back(&v);
  auto r = go_sprintf(f, ptrs, 1 << 20);
  return r ? *r : "<overflow>";
}

TEST(Printf, Strings) {
  EXPECT_EQ(pf("%s", {"\"x\""}), "x");
  EXPECT_EQ(pf("%v|%10s|%-10s|", {"\"a\"", "\"abc\"", "\"abc\""}), "a|       abc|abc       |");
  EXPECT_EQ(pf("%.2s", {"\"abcdef\""}), "ab");
  EXPECT_EQ(pf("%-4s|", {"\"\xc3\xa9\""}), "\xc3\xa9   |");
  EXPECT_EQ(pf("%q", {R"("a\"b\n\u0001")"}), R"("a\"b\n\x01")");
  EXPECT_EQ(pf("%x %X", {"\"hi\"", "\"hi\""}), "6869 6869");
  EXPECT_EQ(pf("%s", {R"(["a","b"])"}), "[a b]");
  EXPECT_EQ(pf("%05s", {"\"ab\""}), "000ab");
}

TEST(Printf, Integers) {
  EXPECT_EQ(pf("%d", {"42"}), "42");
  EXPECT_EQ(pf("%5d|%-5d|", {"42", "42"}), "   42|42   |");
  EXPECT_EQ(pf("%05d %+d % d", {"-42", "5", "5"}), "-0042 +5  5");
  EXPECT_EQ(pf("%x %X %#x %o %b", {"255", "255", "255", "8", "5"}), "ff FF 0xff 10 101");
  EXPECT_EQ(pf("%x", {"-255"}), "-ff");
  EXPECT_EQ(pf("%.3d", {"7"}), "007");
  EXPECT_EQ(pf("%c%c %q", {"65", "233", "97"}), "A\xc3\xa9 'a'");
  EXPECT_EQ(pf("%5d", {"[1,2]"}), "[    1     2]");
  EXPECT_EQ(pf("%d", {"18446744073709551615"}), "18446744073709551615");
}

TEST(Printf, Floats) {
  EXPECT_EQ(pf("%v %g", {"1.5", "1000000.0"}), "1.5 1e+06");
  EXPECT_EQ(pf("%f|%.2f|%5.1f|%6.2f", {"1.5", "3.14159", "3.14159", "-1.5"}),
            "1.500000|3.14|  3.1| -1.50");
  EXPECT_EQ(pf("%e %E", {"1234.5", "0.5"}), "1.234500e+03 5.000000E-01");
  EXPECT_EQ(pf("%08.3f", {"-3.14159"}), "-003.142");
  EXPECT_EQ(pf("%d", {"1.5"}), "%!d(float64=1.5)");
  EXPECT_EQ(pf("%f", {"3"}), "%!f(int=3)");
}

TEST(Printf, OtherVerbsAndMistakes) {
  EXPECT_EQ(pf("%t %v", {"true", "false"}), "true false");
  EXPECT_EQ(pf("100%%"), "100%");
  EXPECT_EQ(pf("%v %s", {"null", "null"}), "<nil> %!s(<nil>)");
  EXPECT_EQ(pf("%d", {"\"x\""}), "%!d(string=x)");
  EXPECT_EQ(pf("%d %d", {"1"}), "1 %!d(MISSING)");
  EXPECT_EQ(pf("%d", {"1", "2", "\"s\""}), "1%!(EXTRA int=2, string=s)");
  EXPECT_EQ(pf("%z", {"1"}), "%!z(int=1)");
  EXPECT_EQ(pf("abc%"), "abc%!(NOVERB)");
  EXPECT_EQ(pf("%*d|%-*d|", {"5", "42", "3", "1"}), "   42|1  |");
  EXPECT_EQ(pf("%*d", {"\"x\"", "1"}), "%!(BADWIDTH)1");
  EXPECT_EQ(pf("%9999999d", {"1"}), "%!(BADWIDTH)1");
  EXPECT_EQ(pf("%v", {R"({"b":[1],"a":"x"})"}), "map[a:x b:[1]]");
}

TEST(Printf, StopsAtTheLimit) {
  Json big = std::string(1000, 'x');
  std::vector<const Json*> args(20, &big);
  EXPECT_FALSE(go_sprintf("%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s%s", args, 10000));
  EXPECT_FALSE(go_sprint(args, 10000));
  EXPECT_TRUE(go_sprint(args, 20000));
}

TEST(GoPrint, FloatsAndQuote) {
  EXPECT_EQ(go_float(0), "0");
  EXPECT_EQ(go_float(-0.0), "-0");
  EXPECT_EQ(go_float(123456), "123456");
  EXPECT_EQ(go_float(1e21), "1e+21");
  EXPECT_EQ(go_float(1.25e-7), "1.25e-07");
  EXPECT_EQ(go_float(0.000123), "0.000123");
  EXPECT_EQ(go_quote("tab\there \xff"), "\"tab\\there \\xff\"");
}

}  // namespace
}  // namespace hako::format
