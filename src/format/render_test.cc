#include "format/render.h"

#include <gtest/gtest.h>

namespace hako::format {
namespace {

using Json = nlohmann::json;

const std::map<std::string, std::string> kHeaders = {
    {"Repository", "REPOSITORY"}, {"Tag", "TAG"}, {"ID", "IMAGE ID"}, {"Size", "SIZE"}};
constexpr std::string_view kDefault = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}";

std::vector<Json> images() {
  return {
      Json{{"Repository", "alpine"}, {"Tag", "latest"}, {"ID", "abc123def456"}, {"Size", 7}},
      Json{{"Repository", "debian"}, {"Tag", "bookworm"}, {"ID", "0123456789ab"}, {"Size", 12}}};
}

std::string rows(std::string_view format, std::vector<Json> r = images()) {
  auto out = render_rows(format, r, kHeaders, kDefault);
  return out ? *out : "ERR: " + out.error().message();
}

TEST(RenderRows, DefaultAndTableAlone) {
  const char* want =
      "REPOSITORY   TAG        IMAGE ID\n"
      "alpine       latest     abc123def456\n"
      "debian       bookworm   0123456789ab\n";
  EXPECT_EQ(rows(""), want);
  EXPECT_EQ(rows("table"), want);
  EXPECT_EQ(render_rows("table", images(), kHeaders, "table").error().message(),
            "format: no default format for \"table\"");
}

TEST(RenderRows, TableWithTypedBackslashT) {
  // Users type `\t` inside shell quotes: two characters, which Docker turns into a tab.
  EXPECT_EQ(rows("table {{.Repository}}\\t{{.Tag}}"),
            "REPOSITORY   TAG\n"
            "alpine       latest\n"
            "debian       bookworm\n");
  EXPECT_EQ(rows("table {{.Repository}}\t{{.Tag}}", {}), "REPOSITORY   TAG\n");
}

TEST(RenderRows, HeaderPass) {
  // Docker functions return their argument in the header; missing names fall back to the
  // field name in upper case words.
  EXPECT_EQ(rows("table {{truncate .ID 4}}\\t{{.Tag | upper}}\\t{{.CreatedSince}}"),
            "IMAGE ID   TAG        CREATED SINCE\n"
            "abc1       LATEST     <no value>\n"
            "0123       BOOKWORM   <no value>\n");
  EXPECT_EQ(rows("table {{.Repository}}:{{.Tag}}"),
            "REPOSITORY:TAG\nalpine:latest\ndebian:bookworm\n");
}

TEST(RenderRows, JsonAndPlain) {
  EXPECT_EQ(
      rows("json"),
      "{\"ID\":\"abc123def456\",\"Repository\":\"alpine\",\"Size\":7,\"Tag\":\"latest\"}\n"
      "{\"ID\":\"0123456789ab\",\"Repository\":\"debian\",\"Size\":12,\"Tag\":\"bookworm\"}\n");
  EXPECT_EQ(rows("{{.Repository}}:{{.Tag}}"), "alpine:latest\ndebian:bookworm\n");
  EXPECT_EQ(rows("  {{.Size}}\\n"), "7\n\n12\n\n");
  EXPECT_EQ(rows("{{json .}}", {Json{{"b", 1}, {"a", "<x>"}}}), "{\"a\":\"<x>\",\"b\":1}\n");
  EXPECT_EQ(rows("{{.Repository}}", {}), "");
}

TEST(RenderRows, ErrorsPropagate) {
  EXPECT_EQ(rows("{{foo}}"), "ERR: template: 1:3: function \"foo\" not defined");
  EXPECT_EQ(rows("{{.Repository.X}}").substr(0, 20), "ERR: template: 1:3: ");
}

TEST(RenderOne, TemplateAndJson) {
  Json c = {{"Name", "/web"}, {"State", {{"Status", "running"}, {"Pid", 42}}}};
  EXPECT_EQ(*render_one("{{.State.Status}} {{.State.Pid}}", c), "running 42\n");
  EXPECT_EQ(*render_one("json", c),
            "{\"Name\":\"/web\",\"State\":{\"Pid\":42,\"Status\":\"running\"}}\n");
  EXPECT_EQ(*render_one("{{.Name}}\\t", c), "/web\\t\n");  // inspect keeps `\t` as typed
  EXPECT_EQ(*render_one("{{json .State}}", c), "{\"Pid\":42,\"Status\":\"running\"}\n");
  EXPECT_FALSE(render_one("{{.Name", c));
}

TEST(DefaultHeader, SplitsCamelCase) {
  EXPECT_EQ(default_header("Repository"), "REPOSITORY");
  EXPECT_EQ(default_header("CreatedSince"), "CREATED SINCE");
  EXPECT_EQ(default_header("ID"), "ID");
  EXPECT_EQ(default_header("ImageID"), "IMAGE ID");
  EXPECT_EQ(default_header("IPAddress"), "IP ADDRESS");
  EXPECT_EQ(default_header("Size2"), "SIZE2");
}

TEST(CompactJson, ReplacesInvalidUtf8) {
  EXPECT_EQ(compact_json(Json("a\xff")), "\"a\xef\xbf\xbd\"");
}

}  // namespace
}  // namespace hako::format
