#include "shim/log_writer.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sys/file.h"

namespace hako::shim {
namespace {

struct timespec ts(time_t sec, long nsec = 0) {
  return {sec, nsec};
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/hako-logw-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { (void)sys::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct Parsed {
  std::string log, stream, time;
};

std::vector<Parsed> read_entries(const std::string& path) {
  std::vector<Parsed> out;
  auto text = sys::read_file(path);
  if (!text) return out;
  size_t pos = 0;
  while (pos < text->size()) {
    size_t nl = text->find('\n', pos);
    EXPECT_NE(nl, std::string::npos) << "unterminated line in " << path;
    if (nl == std::string::npos) break;
    auto j = nlohmann::json::parse(text->substr(pos, nl - pos));
    out.push_back({j["log"], j["stream"], j["time"]});
    pos = nl + 1;
  }
  return out;
}

std::string unescaped(std::string_view text) {
  auto j = nlohmann::json::parse(format_log_line(Stream::kStdout, text, ts(0)));
  return j["log"];
}

TEST(LogLine, DockerBytes) {
  EXPECT_EQ(
      format_log_line(Stream::kStdout, "hi\n", ts(1796119200, 123456789)),
      "{\"log\":\"hi\\n\",\"stream\":\"stdout\",\"time\":\"2026-12-01T10:00:00.123456789Z\"}\n");
  // RFC3339Nano: trailing zeros of the fraction dropped, no fraction at all when zero.
  EXPECT_EQ(format_log_line(Stream::kStderr, "x", ts(1796119200, 500000000)),
            "{\"log\":\"x\",\"stream\":\"stderr\",\"time\":\"2026-12-01T10:00:00.5Z\"}\n");
  EXPECT_EQ(format_log_line(Stream::kStderr, "", ts(1796119200)),
            "{\"log\":\"\",\"stream\":\"stderr\",\"time\":\"2026-12-01T10:00:00Z\"}\n");
}

TEST(LogLine, Escaping) {
  auto body = [](std::string_view text) {
    std::string line = format_log_line(Stream::kStdout, text, ts(0));
    return line.substr(7, line.find(",\"stream\"") - 7);
  };
  EXPECT_EQ(body("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(body("\t\r\n\x01\x1f\x7f"), R"("\u0009\r\n\u0001\u001f)"
                                        "\x7f\"");
  EXPECT_EQ(body("<a&b>"), R"("\u003ca\u0026b\u003e")");
  EXPECT_EQ(body("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  EXPECT_EQ(body("\xe2\x80\xa8\xe2\x80\xa9"), R"("\u2028\u2029")");
  // Invalid UTF-8: one U+FFFD per bad byte, as Go (lone continuation, truncated sequence,
  // overlong, surrogate, past U+10FFFF).
  EXPECT_EQ(body("\x80"), R"("\ufffd")");
  EXPECT_EQ(body("a\xe2\x82"), R"("a\ufffd\ufffd")");
  EXPECT_EQ(body("\xc0\xaf"), R"("\ufffd\ufffd")");
  EXPECT_EQ(body("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");
  EXPECT_EQ(body("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");
  std::string nul("a\0b", 3);
  EXPECT_EQ(body(nul), R"("a\u0000b")");
}

TEST(LogLine, RoundTripThroughNlohmann) {
  std::string all;
  for (int c = 0; c < 128; ++c) all += static_cast<char>(c);
  all += "caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xa8";
  EXPECT_EQ(unescaped(all), all);
  EXPECT_EQ(unescaped("ok\xff!"), "ok\xef\xbf\xbd!");
  // Every byte sequence gives valid JSON.
  std::string bytes;
  for (int c = 0; c < 256; ++c) bytes += static_cast<char>(c);
  EXPECT_NO_THROW(unescaped(bytes + bytes));
}

TEST(LogOpts, Parse) {
  auto l = parse_log_opts({});
  ASSERT_TRUE(l);
  EXPECT_EQ(l->max_size, 20 << 20);
  EXPECT_EQ(l->max_files, 5);
  l = parse_log_opts({{"max-size", "10m"}, {"max-file", "3"}});
  ASSERT_TRUE(l);
  EXPECT_EQ(l->max_size, 10'000'000);
  EXPECT_EQ(l->max_files, 3);
  EXPECT_EQ(parse_log_opts({{"max-size", "100k"}})->max_size, 100'000);
  EXPECT_EQ(parse_log_opts({{"max-size", "1g"}})->max_size, 1'000'000'000);
  EXPECT_EQ(parse_log_opts({{"max-size", "1.5MB"}})->max_size, 1'500'000);
  EXPECT_EQ(parse_log_opts({{"max-size", "2 KiB"}})->max_size, 2'000);
  EXPECT_EQ(parse_log_opts({{"max-size", "512"}})->max_size, 512);
  EXPECT_EQ(parse_log_opts({{"max-size", "-1"}})->max_size, -1);
  for (const char* bad : {"", "12x", "m", "1.", "0", "1mm", "-5"}) {
    EXPECT_FALSE(parse_log_opts({{"max-size", bad}})) << bad;
  }
  EXPECT_FALSE(parse_log_opts({{"max-file", "0"}}));
  EXPECT_FALSE(parse_log_opts({{"max-file", "two"}}));
  auto unknown = parse_log_opts({{"max-sise", "1m"}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message(), "unknown log opt 'max-sise' for json-file log driver");
  EXPECT_TRUE(parse_log_opts({{"compress", "false"}}));
  EXPECT_FALSE(parse_log_opts({{"compress", "true"}}));
}

TEST(LogWriter, LinesAndPartials) {
  TempDir dir;
  std::string path = dir.path() + "/json.log";
  auto w = LogWriter::open(path, {});
  ASSERT_TRUE(w) << w.error().message();
  ASSERT_TRUE(w->write(Stream::kStdout, "one\ntw", ts(10)));
  ASSERT_TRUE(w->write(Stream::kStderr, "err", ts(11)));
  ASSERT_TRUE(w->write(Stream::kStdout, "o\nthree\n", ts(12)));
  ASSERT_TRUE(w->write(Stream::kStdout, "tail", ts(13)));
  ASSERT_TRUE(w->flush(ts(14)));
  auto e = read_entries(path);
  ASSERT_EQ(e.size(), 5u);
  EXPECT_EQ(e[0].log, "one\n");
  EXPECT_EQ(e[0].time, "1970-01-01T00:00:10Z");
  EXPECT_EQ(e[1].log, "two\n");
  EXPECT_EQ(e[1].time, "1970-01-01T00:00:12Z");  // when its newline came
  EXPECT_EQ(e[2].log, "three\n");
  EXPECT_EQ(e[3].log, "tail");  // flush: stdout's partial, then stderr's
  EXPECT_EQ(e[3].stream, "stdout");
  EXPECT_EQ(e[4].log, "err");
  EXPECT_EQ(e[4].stream, "stderr");
  // Nothing pending: a second flush writes nothing.
  ASSERT_TRUE(w->flush(ts(15)));
  EXPECT_EQ(read_entries(path).size(), 5u);
}

TEST(LogWriter, LongLinesSplitAt16KiB) {
  TempDir dir;
  std::string path = dir.path() + "/json.log";
  auto w = LogWriter::open(path, {});
  ASSERT_TRUE(w);
  std::string exact(kMaxLogLine, 'a');
  ASSERT_TRUE(w->write(Stream::kStdout, exact + "\n", ts(1)));  // fits one entry
  std::string longer(40000, 'b');
  // Fed in small reads: parts come out as the buffer fills, all with the first part's time.
  for (size_t i = 0; i < longer.size(); i += 1000)
    ASSERT_TRUE(w->write(Stream::kStdout, longer.substr(i, 1000), ts(2 + i / 1000)));
  ASSERT_TRUE(w->write(Stream::kStdout, "\n", ts(100)));
  // A multibyte character at the cut stays whole.
  std::string utf(kMaxLogLine - 1, 'c');
  utf += "\xe2\x82\xac";
  utf += "d\n";
  ASSERT_TRUE(w->write(Stream::kStdout, utf, ts(200)));
  auto e = read_entries(path);
  ASSERT_EQ(e.size(), 6u);
  EXPECT_EQ(e[0].log, exact + "\n");
  EXPECT_EQ(e[1].log, std::string(kMaxLogLine, 'b'));
  EXPECT_EQ(e[2].log, std::string(kMaxLogLine, 'b'));
  EXPECT_EQ(e[3].log, std::string(40000 - 2 * kMaxLogLine, 'b') + "\n");
  EXPECT_EQ(e[1].time, "1970-01-01T00:00:18Z");
  EXPECT_EQ(e[3].time, e[1].time);
  EXPECT_EQ(e[4].log, std::string(kMaxLogLine - 1, 'c'));
  EXPECT_EQ(e[5].log,
            "\xe2\x82\xac"
            "d\n");
}

TEST(LogWriter, OneBigWriteOfManyLines) {
  TempDir dir;
  std::string path = dir.path() + "/json.log";
  auto w = LogWriter::open(path, {});
  ASSERT_TRUE(w);
  std::string chunk;
  for (int i = 0; i < 1000; ++i) chunk += "line " + std::to_string(i) + "\n";
  ASSERT_TRUE(w->write(Stream::kStderr, chunk, ts(5)));
  auto e = read_entries(path);
  ASSERT_EQ(e.size(), 1000u);
  EXPECT_EQ(e[999].log, "line 999\n");
}

TEST(LogWriter, AppendsAndEndsAHalfEntry) {
  TempDir dir;
  std::string path = dir.path() + "/json.log";
  {
    auto w = LogWriter::open(path, {});
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->write(Stream::kStdout, "first\n", ts(1)));
  }
  // The shim was killed in the middle of an entry.
  {
    auto fd = sys::open_path(path, O_WRONLY | O_APPEND);
    ASSERT_TRUE(fd);
    ASSERT_TRUE(sys::write_all(fd->get(), "{\"log\":\"hal", path));
  }
  auto w = LogWriter::open(path, {});
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->write(Stream::kStdout, "second\n", ts(2)));
  auto text = sys::read_file(path);
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("{\"log\":\"hal\n{\"log\":\"second\\n\""), std::string::npos) << *text;
}

int64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

TEST(LogWriter, RotatesBySizeKeepingMaxFiles) {
  TempDir dir;
  std::string path = dir.path() + "/json.log";
  auto w = LogWriter::open(path, {.max_size = 1000, .max_files = 3});
  ASSERT_TRUE(w);
  int line_len = static_cast<int>(format_log_line(Stream::kStdout, "000000\n", ts(1)).size());
  for (int i = 0; i < 100; ++i) {
    char text[16];
    std::snprintf(text, sizeof text, "%06d\n", i);
    ASSERT_TRUE(w->write(Stream::kStdout, text, ts(1)));
  }
  int per_file = 1000 / line_len;
  EXPECT_EQ(file_size(path + ".1"), per_file * line_len);
  EXPECT_EQ(file_size(path + ".2"), per_file * line_len);
  EXPECT_EQ(file_size(path + ".3"), -1);
  EXPECT_LE(file_size(path), 1000);
  // Oldest first: .2, .1, json.log hold the last entries in order.
  std::vector<Parsed> all;
  for (std::string f : {path + ".2", path + ".1", path}) {
    auto e = read_entries(f);
    all.insert(all.end(), e.begin(), e.end());
  }
  ASSERT_FALSE(all.empty());
  for (size_t i = 1; i < all.size(); ++i) {
    EXPECT_EQ(std::stoi(all[i].log), std::stoi(all[i - 1].log) + 1);
  }
  EXPECT_EQ(all.back().log, "000099\n");
}

TEST(LogWriter, OneFileTruncates) {
  TempDir dir;
  std::string path = dir.path() + "/json.log";
  auto w = LogWriter::open(path, {.max_size = 500, .max_files = 1});
  ASSERT_TRUE(w);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(w->write(Stream::kStdout, "abcdefgh\n", ts(1)));
  EXPECT_LE(file_size(path), 500);
  EXPECT_EQ(file_size(path + ".1"), -1);
  EXPECT_FALSE(read_entries(path).empty());
}

TEST(LogWriter, UnboundedNeverRotates) {
  TempDir dir;
  std::string path = dir.path() + "/json.log";
  auto w = LogWriter::open(path, {.max_size = -1, .max_files = 2});
  ASSERT_TRUE(w);
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(w->write(Stream::kStdout, "abcdefgh\n", ts(1)));
  EXPECT_EQ(file_size(path + ".1"), -1);
  EXPECT_EQ(read_entries(path).size(), 200u);
}

}  // namespace
}  // namespace hako::shim
